// The initial frame's Gaussian for every sample of the batch: the first k columns of the N x N
// Gaussian of stream (layer 0, tag initialFrame), element row * N + col as in network-sample.ts,
// written column-major into Z (N x k). The QR kernels then turn it into the Haar Q_0 (qr-finish.wgsl
// with the sign fix). One Philox block (four elements of a row) per invocation.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read_write> Z: array<f32>;

const TAG_INITIAL_FRAME: u32 = 3u;  // STREAM_TAG.initialFrame in src/engine/rng.ts
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  let s = gid.y;
  let n = P.n;
  let k = P.k;
  if (4u * b >= n * n || s >= P.samples) { return; }
  let g = gaussian4(philox4x32_10(vec4<u32>(b, 0u, TAG_INITIAL_FRAME, 0u), vec2<u32>(P.seed, P.sample_base + s)));
  for (var lane = 0u; lane < 4u; lane++) {
    let e = 4u * b + lane;
    let row = e / n;
    let col = e % n;
    if (e < n * n && col < k) { Z[s * n * k + col * n + row] = g[lane]; }
  }
}
