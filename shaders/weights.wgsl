// W_l for every sample of the batch (row-major N x N, element e = row * N + col): one Philox block,
// i.e. four weights, per invocation. Sparse weights keep element e iff its mask word < threshold.
// Orthogonal weights: the engine binds a scratch buffer here, which gets the Gaussian column-major
// (the QR kernels' layout); their Haar Q is O, and orth-weights.wgsl writes W = sqrt(sw2) O.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read_write> W: array<f32>;

override WG: u32 = 64u;  // chosen from the device limits (gpu/limits.ts)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  let s = gid.y;
  let nn = P.n * P.n;
  if (4u * b >= nn || s >= P.samples) { return; }
  let key = vec2<u32>(P.seed, P.sample_base + s);
  let g = gaussian4(philox4x32_10(vec4<u32>(b, P.layer, 0u, 0u), key)) * P.w_scale;
  var keep = vec4<bool>(true, true, true, true);
  if (P.weights == 1u && P.keep_all == 0u) {
    keep = philox4x32_10(vec4<u32>(b, P.layer, 4u, 0u), key) < vec4<u32>(P.keep_threshold);
  }
  let n = P.n;
  for (var lane = 0u; lane < 4u; lane++) {
    let e = 4u * b + lane;
    if (e < nn) {
      let at = select(e, (e % n) * n + e / n, P.weights == 2u);
      W[s * nn + at] = select(0.0, g[lane], keep[lane]);
    }
  }
}
