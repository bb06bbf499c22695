// Z = a Q + c D (W Q) for every sample, tiled for GPUs (workgroup memory, TM x TN register tiles):
// matmul-tiled.wgsl with A = W (row-major N x N), B = Q and C = Z (column-major N x k), and the
// Jacobian's a Q + c D epilogue folded into the store, so Z is written once and W Q never is. The
// host appends matmul-tiled.wgsl after this file, with the shape's consts in front. Emulated adapters
// use jacobian.wgsl instead (no barriers, which a CPU emulation pays for per invocation).
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> Q: array<f32>;
@group(0) @binding(3) var<storage, read> D: array<f32>;
@group(0) @binding(4) var<storage, read_write> Z: array<f32>;

fn mm_dims() -> vec4<u32> { return vec4<u32>(P.n, P.k, P.n, P.samples); }
fn mm_a(i: u32) -> f32 { return W[i]; }
fn mm_b(i: u32) -> f32 { return Q[i]; }
fn mm_k_range(row0: u32, col0: u32) -> vec2<u32> { return vec2<u32>(0u, P.n); }
fn mm_store(s: u32, r: u32, c: u32, v: f32) {
  let o = (s * P.k + c) * P.n + r;
  Z[o] = P.a * Q[o] + P.c * D[s * P.n + r] * v;
}
