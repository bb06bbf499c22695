// The full block's Jacobian, step 1 of 2 (docs/THEORY.md 5.10): Y = D (W Q) for every sample, W
// row-major m x N, Q column-major N x k, Y column-major m x k, D = phi'(h) from block-inner.wgsl.
// Hooks for a matmul body appended by the host: matmul-tiled.wgsl on GPUs, matmul-register.wgsl on a
// CPU emulation.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> Q: array<f32>;
@group(0) @binding(3) var<storage, read> H: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

fn mm_dims() -> vec4<u32> { return vec4<u32>(P.m, P.k, P.n, P.samples); }
fn mm_a(i: u32) -> f32 { return W[i]; }
fn mm_b(i: u32) -> f32 { return Q[i]; }
fn mm_k_range(row0: u32, col0: u32) -> vec2<u32> { return vec2<u32>(0u, P.n); }
fn mm_store(s: u32, r: u32, c: u32, v: f32) {
  Y[(s * P.k + c) * P.m + r] = H[3u * P.m * s + r] * v;
}
