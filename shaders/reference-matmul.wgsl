// Reference fp32 batched matmul for the benchmark (not used by the engine): C = A B per sample, with
// the jacobian kernel's layouts so that both do the same memory traffic: A row-major M x K (like W),
// B column-major K x NC (like Q), C column-major M x NC (like Z). It is the yardstick the jacobian
// matmul is measured against (src/cli/bench-gpu.ts). The tiling is matmul-tiled.wgsl, which the host
// appends after this file, with the shape's consts in front (src/engine/gpu/tiled-matmul.ts).

struct Dims {
  m: u32,
  nc: u32,
  k: u32,
  batch: u32,
};

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

fn mm_dims() -> vec4<u32> { return vec4<u32>(dims.m, dims.nc, dims.k, dims.batch); }
fn mm_a(i: u32) -> f32 { return A[i]; }
fn mm_b(i: u32) -> f32 { return B[i]; }
fn mm_k_range(row0: u32, col0: u32) -> vec2<u32> { return vec2<u32>(0u, dims.k); }
fn mm_store(s: u32, r: u32, c: u32, v: f32) { C[(s * dims.nc + c) * dims.m + r] = v; }
