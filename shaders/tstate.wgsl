// Shared by tproduct.wgsl (T <- R_l T per layer) and jacobi.wgsl (the singular values of T at the
// end): the bindings of the T accumulator (src/engine/gpu/singular-values.ts), its per-row records
// and flag bits. A kernel uses the bindings it needs; all share one bind-group layout.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<u32>;
// Per sample, STATE_STRIDE = 4 + 4 N words: header [rank, flags, layers, jacobi.wgsl's sweep status],
// then per row i the record
// [x_i (i32 bits), f_i (f32 bits), xm_i (i32 bits, scratch; jacobi.wgsl's h_i, f32 bits), row flags].
@group(0) @binding(3) var<storage, read_write> state: array<u32>;
// Unit rows C, row-major N x N per sample, zeros below the diagonal and in zero rows.
@group(0) @binding(4) var<storage, read_write> C: array<f32>;
// Scratch, N x N per sample: coefficients A (row-major, zeros off [i, rank)) and the product Pr;
// jacobi.wgsl keeps its working rows in A.
@group(0) @binding(5) var<storage, read_write> A: array<f32>;
@group(0) @binding(6) var<storage, read_write> Pr: array<f32>;

const ZERO_ROW: i32 = -2147483647 - 1;
const FLAG_REFILL: u32 = 1u;
const FLAG_RANGE: u32 = 2u;
const FLAG_NONFINITE: u32 = 4u;
// jacobi.wgsl did not converge, or a row cancelled below float32's reach: the CPU takes the sample.
const FLAG_JACOBI: u32 = 8u;

fn state_base(s: u32) -> u32 { return s * (4u + 4u * P.n); }
fn record(s: u32, i: u32) -> u32 { return state_base(s) + 4u + 4u * i; }

fn non_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}
