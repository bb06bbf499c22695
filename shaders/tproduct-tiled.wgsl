// tproduct.wgsl's product on GPUs: Pr = A C for every sample, tiled (workgroup memory, TM x TN
// register tiles), where the register kernel `product` reads every operand from global memory. The
// host appends matmul-tiled.wgsl after this file, with the shape's consts in front, and puts
// tstate.wgsl's bindings before it. A is row-major (as matmul-tiled.wgsl's A); C is row-major too,
// hence B_ROW_MAJOR (set by the pipeline). Pr is stored row-major.
//
// Both factors are upper triangular (A[i][k] = 0 for k < i, C[k][j] = 0 for k > j, exact zeros), so
// the block of rows [row0, row0 + BM) and columns [col0, col0 + BN) needs k in [row0, col0 + BN) only,
// and a block wholly below the diagonal is skipped: normalize_rows reads Pr[i][j] for j >= i alone.
fn mm_dims() -> vec4<u32> { return vec4<u32>(P.n, P.n, P.n, P.samples); }
fn mm_a(i: u32) -> f32 { return A[i]; }
fn mm_b(i: u32) -> f32 { return C[i]; }
fn mm_k_range(row0: u32, col0: u32) -> vec2<u32> { return vec2<u32>(row0, min(P.n, col0 + BN)); }  // MUTATION:krange
fn mm_store(s: u32, r: u32, c: u32, v: f32) { Pr[(s * P.n + r) * P.n + c] = v; }
