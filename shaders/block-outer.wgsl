// The full residual block's update (docs/THEORY.md 5.10), for both inputs: x' = a x + c (V phi(h) + a_l)
// and x2' = a x2 + c (V phi(h2) + a_l), V row-major N x m, a_l drawn from the output-bias stream, with
// phi(h) and phi(h2) from block-inner.wgsl. forward.wgsl's finish then copies x' into x and records.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> V: array<f32>;
@group(0) @binding(2) var<storage, read> H: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> X2: array<f32>;
@group(0) @binding(5) var<storage, read_write> XN: array<f32>;
@group(0) @binding(6) var<storage, read_write> XN2: array<f32>;
@group(0) @binding(7) var<storage, read_write> stats: array<atomic<u32>>;

override WG: u32 = 64u;
override GR: u32 = 8u;
var<workgroup> part: array<vec2<f32>, WG>;

const TAG_OUTPUT_BIAS: u32 = 8u;  // STREAM_TAG.outputBias in src/model/stream.ts

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.y;
  let n = P.n;
  let m = P.m;
  let i = wid.x * (WG / GR) + tid / GR;
  let g = tid % GR;
  var acc = vec2<f32>(0.0);
  if (i < n) {
    let vb = s * n * m + i * m;
    let hb = 3u * m * s;
    for (var t = g; t < m; t += GR) {
      acc += V[vb + t] * vec2<f32>(H[hb + m + t], H[hb + 2u * m + t]);
    }
  }
  part[tid] = acc;
  workgroupBarrier();
  if (g != 0u || i >= n) { return; }
  var u = vec2<f32>(0.0);
  for (var q = 0u; q < GR; q++) { u += part[tid + q]; }
  if (P.a_scale > 0.0) {
    u += vec2<f32>(gaussian4(philox4x32_10(vec4<u32>(i / 4u, P.layer, TAG_OUTPUT_BIAS, 0u), vec2<u32>(P.seed, P.sample_base + s)))[i % 4u] * P.a_scale);
  }
  let xn = P.a * X[s * n + i] + P.c * u.x;
  XN[s * n + i] = xn;
  XN2[s * n + i] = P.a * X2[s * n + i] + P.c * u.y;
  if (not_finite(xn)) { atomicMax(&stats[4u * s + 3u], 1u); }
}
