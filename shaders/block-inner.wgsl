// The full residual block's inner layer (docs/THEORY.md 5.10), for both inputs: h = W x + b and
// h2 = W x2 + b (W row-major m x N, b_l drawn from the bias stream for the m rows), then per row
// D = phi'(h) and phi(h), phi(h2), stored side by side in H: [D | phi(h) | phi(h2)], m each per sample.
// GR invocations share a row's dot products (strided, so their loads coalesce), as in forward.wgsl.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> X2: array<f32>;
@group(0) @binding(4) var<storage, read_write> H: array<f32>;
// stats[4 s + 3] nonzero when something was not finite (forward.wgsl's finish turns it into the marker).
@group(0) @binding(5) var<storage, read_write> stats: array<atomic<u32>>;

override WG: u32 = 64u;
override GR: u32 = 8u;  // invocations per row, a power of two dividing WG
var<workgroup> part: array<vec2<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.y;
  let n = P.n;
  let m = P.m;
  let i = wid.x * (WG / GR) + tid / GR;
  let g = tid % GR;
  var acc = vec2<f32>(0.0);
  if (i < m) {
    let wb = s * m * n + i * n;
    for (var t = g; t < n; t += GR) {
      let w = W[wb + t];
      acc += w * vec2<f32>(X[s * n + t], X2[s * n + t]);
    }
  }
  part[tid] = acc;
  workgroupBarrier();
  if (g != 0u || i >= m) { return; }
  var h = vec2<f32>(0.0);
  for (var q = 0u; q < GR; q++) { h += part[tid + q]; }
  if (P.b_scale > 0.0) {
    h += vec2<f32>(gaussian4(philox4x32_10(vec4<u32>(i / 4u, P.layer, 1u, 0u), vec2<u32>(P.seed, P.sample_base + s)))[i % 4u] * P.b_scale);
  }
  let hb = 3u * m * s;
  H[hb + i] = dphi(P.act, P.theta, h.x);
  H[hb + m + i] = phi(P.act, P.theta, h.x);
  H[hb + 2u * m + i] = phi(P.act, P.theta, h.y);
  if (not_finite(h.x)) { atomicMax(&stats[4u * s + 3u], 1u); }
}
