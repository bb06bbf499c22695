// Orthogonal weights, last step: W = w_scale O row-major (W[row * N + col]), from the Haar O that the
// QR kernels formed column-major in the orthogonal frame buffer (the Q of the weights stream's Gaussian
// with the sign fix: network-sample.ts drawWeights and linalg.ts haarColumns, to float32 rounding).
// One element per invocation; the writes are coalesced, the reads strided (N^2 per sample, once per
// layer, next to the QR's N^3).
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> O: array<f32>;
@group(0) @binding(2) var<storage, read_write> W: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let e = gid.x;
  let s = gid.y;
  let n = P.n;
  if (e >= n * n || s >= P.samples) { return; }
  let row = e / n;
  let col = e % n;
  W[s * n * n + e] = P.w_scale * O[s * n * n + col * n + row];
}
