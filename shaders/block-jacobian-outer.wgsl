// The full block's Jacobian, step 2 of 2 (docs/THEORY.md 5.10): Z = a Q + c V Y for every sample, V
// row-major N x m, Y = D W Q column-major m x k (block-jacobian-inner.wgsl), Q and Z column-major N x k.
// Hooks for a matmul body appended by the host (matmul-tiled.wgsl or matmul-register.wgsl).
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> V: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<f32>;
@group(0) @binding(3) var<storage, read> Q: array<f32>;
@group(0) @binding(4) var<storage, read_write> Z: array<f32>;

fn mm_dims() -> vec4<u32> { return vec4<u32>(P.n, P.k, P.m, P.samples); }
fn mm_a(i: u32) -> f32 { return V[i]; }
fn mm_b(i: u32) -> f32 { return Y[i]; }
fn mm_k_range(row0: u32, col0: u32) -> vec2<u32> { return vec2<u32>(0u, P.m); }
fn mm_store(s: u32, r: u32, c: u32, v: f32) {
  let o = (s * P.k + c) * P.n + r;
  Z[o] = P.a * Q[o] + P.c * v;
}
