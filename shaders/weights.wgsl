// W_l for every sample of the batch (row-major N x N, element e = row * N + col): one Philox block,
// i.e. four weights, per invocation, drawn by the ensemble's generated draw_weights (src/model/ensembles/).
// An ensemble that is orthogonalized (transposed_store) gets a scratch buffer bound here, which receives the
// Gaussian column-major (the QR kernels' layout); its Haar Q is O, and orthogonal-weights.wgsl writes W = w_scale O.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read_write> W: array<f32>;

override WG: u32 = 64u;  // chosen from the device limits (gpu/limits.ts)
const TAG_WEIGHTS: u32 = 0u;  // STREAM_TAG.weights and .sparseMask in src/model/stream.ts
const TAG_MASK: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  let s = gid.y;
  let nn = P.n * P.n;
  if (4u * b >= nn || s >= P.samples) { return; }
  let key = vec2<u32>(P.seed, P.sample_base + s);
  let g = draw_weights(P, b, key, vec2<u32>(TAG_WEIGHTS, TAG_MASK), P.w_scale);
  let n = P.n;
  for (var lane = 0u; lane < 4u; lane++) {
    let e = 4u * b + lane;
    if (e < nn) {
      let at = select(e, (e % n) * n + e / n, P.transposed_store == 1u);
      W[s * nn + at] = g[lane];
    }
  }
}
