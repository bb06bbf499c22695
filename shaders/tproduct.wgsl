// T <- R_l T for every sample, with T = R_L ... R_1 (docs/THEORY.md section 3) kept in row-scaled float32:
// row i of T is 2^{x_i} f_i C_i with an exact int32 binary exponent x_i, a mantissa f_i in [1, 2) and
// a unit row C_i (upper triangular). No log scale is ever rounded, so nothing degrades with |s|; an
// exactly zero row has x_i = ZERO_ROW. The CPU turns (x, f, C) into log sigma in float64.
//
// R_l is read where the QR kernels leave it, in the engine's Z buffer (k = N): sample s, column-major,
// R[i][j] = Z[s N^2 + j N + i] for i <= j (the reflectors below the diagonal are never read). A row j
// of R_l counts as exactly zero by qr-finish.wgsl's rule (j >= the rank bound stats[4 s] of a feedforward
// layer, R_jj == 0, or sparse feedforward |R_jj| <= 1e-5 max|R_ii|), i.e. the engine's `dead` flags.
//
// Four dispatches per layer:
//   coefficients (one workgroup of RW invocations per row and sample): whether row i of R_l is zero,
//     the largest contributing exponent xm_i and A[i][k] = R_ik f_k 2^{x_k - xm_i} (every factor
//     <= 2|R_ik|), the row's k split over the invocations;
//   rank_update (one workgroup per sample): the zero rows of R_l, the new rank and the refill flag;
//   product (4 x 4 register tiles): Pr = A C, upper triangle only;
//   normalize_rows (one workgroup of RW invocations per row and sample): C_i = Pr_i / |Pr_i|,
//     x_i = xm_i + log2 |Pr_i| as exponent + mantissa, with the row first scaled by an exact power of
//     two so its squares cannot under- or overflow.
// A row per workgroup, not per invocation: one invocation walking a whole row waited on each of its
// loads in turn (N of them, and neighbouring rows N words apart, so no load served two invocations).
//
// Not handled in float32 (the sample is flagged and the CPU reports no singular values for it):
//   FLAG_REFILL: a zero row above a nonzero one (a mid-spectrum zero of R_l, or an exact cancellation).
//     The next layer would refill it and the exact rank would be lost; graded-product.ts handles it
//     with a change of frame that this kernel does not do.
//   FLAG_RANGE: a diagonal entry of a unit row fell below 1e-30 (float32's range, not its precision).
//   FLAG_NONFINITE: R_l had a non-finite entry.
// Bindings, the row records and the flag bits: shaders/tstate.wgsl.
override WG: u32 = 64u;  // rank_update's workgroup
override RW: u32 = 64u;  // invocations per row (a power of two): 64 on a GPU (singular-values.ts)
// Diagonal entries of unit rows below this are too close to float32's underflow to be trusted.
const DIAG_FLOOR: f32 = 1e-30;

var<workgroup> wg_diag: atomic<u32>;
var<workgroup> wg_first: atomic<u32>;
var<workgroup> wg_count: atomic<u32>;
var<workgroup> fred: array<f32, RW>;
var<workgroup> ired: array<i32, RW>;
var<workgroup> row_f: f32;
var<workgroup> row_i: i32;

// A[i][k] for k in [i, rank) of a row whose largest exponent is xm.
fn coefficient(s: u32, zb: u32, n: u32, i: u32, k: u32, xm: i32) -> f32 {
  let rec = record(s, k);
  // A zero row of T (x_k = ZERO_ROW) gives d = -200: below -149, so a = 0 (no i32 overflow).
  let d = max(bitcast<i32>(state[rec]), xm - 200) - xm;  // <= 0; terms below 2^-149 of the row's scale vanish
  return select(0.0, Z[zb + k * n + i] * ldexp(bitcast<f32>(state[rec + 1u]), d), d >= -149);
}

// Tree reductions over the RW invocations of a row's workgroup (a sum, or a max of non-negative
// values); every invocation gets the result.
fn row_reduce_f32(tid: u32, v: f32, sum: bool) -> f32 {
  fred[tid] = v;
  workgroupBarrier();
  for (var stride = RW / 2u; stride > 0u; stride >>= 1u) {
    if (tid < stride) { fred[tid] = select(max(fred[tid], fred[tid + stride]), fred[tid] + fred[tid + stride], sum); }
    workgroupBarrier();
  }
  if (tid == 0u) { row_f = fred[0]; }
  return workgroupUniformLoad(&row_f);
}
fn row_max_i32(tid: u32, v: i32) -> i32 {
  ired[tid] = v;
  workgroupBarrier();
  for (var stride = RW / 2u; stride > 0u; stride >>= 1u) {
    if (tid < stride) { ired[tid] = max(ired[tid], ired[tid + stride]); }
    workgroupBarrier();
  }
  if (tid == 0u) { row_i = ired[0]; }
  return workgroupUniformLoad(&row_i);
}

// The zero rows of R_l, by qr-finish.wgsl's rule (its dead flags): the threshold is 1e-5 max|R_jj|
// for sparse feedforward layers, else 0 (and no reduction: the condition is uniform, from P).
fn zero_threshold_row(tid: u32, s: u32, zb: u32, n: u32) -> f32 {
  if (P.rank_threshold != 1u) { return 0.0; }
  var m = 0.0;
  for (var j = tid; j < n; j += RW) { m = max(m, abs(Z[zb + j * n + j])); }
  return 1e-5 * row_reduce_f32(tid, m, false);
}

@compute @workgroup_size(RW)
fn coefficients(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let i = wid.x;
  let s = wid.y;
  let n = P.n;
  let zb = s * n * n;
  let rank = state[state_base(s)];
  let threshold = zero_threshold_row(tid, s, zb, n);
  let bound = select(n, stats[4u * s], P.rank_bound == 1u);
  let rii = abs(Z[zb + i * n + i]);
  // Rows >= rank of T are zero, so row i >= rank of R T is zero whatever R_l says.
  let live = !(i >= bound || rii == 0.0 || rii <= threshold) && i < rank;
  var xm = ZERO_ROW;
  if (live) {
    for (var k = i + tid; k < rank; k += RW) {
      let xk = bitcast<i32>(state[record(s, k)]);
      if (xk != ZERO_ROW && Z[zb + k * n + i] != 0.0) { xm = max(xm, xk); }
    }
  }
  xm = row_max_i32(tid, xm);
  if (tid == 0u) { state[record(s, i) + 2u] = bitcast<u32>(xm); }
  // A[i][k] is zero off [i, rank), and everywhere in a zero row.
  let ab = zb + i * n;
  for (var k = tid; k < n; k += RW) {
    A[ab + k] = select(0.0, coefficient(s, zb, n, i, min(k, n - 1u), xm), xm != ZERO_ROW && k >= i && k < rank);
  }
}

@compute @workgroup_size(WG)
fn rank_update(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let zb = s * n * n;
  let hb = state_base(s);
  let rank = state[hb];
  if (tid == 0u) {
    atomicStore(&wg_diag, 0u);
    atomicStore(&wg_first, n);
    atomicStore(&wg_count, 0u);
  }
  workgroupBarrier();
  // The same rule as coefficients' (max of non-negative floats by their bits).
  let sparse_ff = P.rank_threshold == 1u;
  if (sparse_ff) {
    var m = 0.0;
    for (var j = tid; j < n; j += WG) { m = max(m, abs(Z[zb + j * n + j])); }
    atomicMax(&wg_diag, bitcast<u32>(m));
  }
  workgroupBarrier();
  let threshold = select(0.0, 1e-5 * bitcast<f32>(atomicLoad(&wg_diag)), sparse_ff);
  let bound = select(n, stats[4u * s], P.rank_bound == 1u);
  for (var i = tid; i < rank; i += WG) {
    let rii = abs(Z[zb + i * n + i]);
    if (i >= bound || rii == 0.0 || rii <= threshold) {
      atomicMin(&wg_first, i);
      atomicAdd(&wg_count, 1u);
    }
  }
  workgroupBarrier();
  if (tid == 0u) {
    // T's zero rows stay trailing iff the rows of R_l zeroed above the old rank are exactly
    // new_rank..rank-1. Otherwise a zero row sits above a nonzero one and would be refilled.
    let new_rank = min(rank, atomicLoad(&wg_first));
    var flags = state[hb + 1u];
    if (atomicLoad(&wg_count) != rank - new_rank) { flags |= FLAG_REFILL; }
    state[hb] = new_rank;
    state[hb + 1u] = flags;
    state[hb + 2u] += 1u;
  }
}

// Pr = A C for upper-triangular A and C: a 4 x 4 tile per invocation, 16 accumulators in registers,
// no shared memory; tiles below the diagonal are skipped (normalize_rows reads only j >= i).
@compute @workgroup_size(8, 8)
fn product(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = P.n;
  let j0 = 4u * gid.x;
  let i0 = 4u * gid.y;
  let s = gid.z;
  if (j0 >= n || i0 >= n || s >= P.samples || i0 > j0) { return; }
  let b = s * n * n;
  var acc: array<vec4<f32>, 4>;  // acc[r][cc]: row i0 + r, column j0 + cc
  // A[i][k] = 0 for k < i and C[k][j] = 0 for k > j, so k runs over [i0, j0 + 4).
  let kend = min(j0 + 4u, n);
  for (var k = i0; k < kend; k++) {
    var c = vec4<f32>(0.0);
    for (var cc = 0u; cc < 4u; cc++) {
      if (j0 + cc < n) { c[cc] = C[b + k * n + j0 + cc]; }
    }
    for (var r = 0u; r < 4u; r++) {
      if (i0 + r < n) { acc[r] += A[b + (i0 + r) * n + k] * c; }
    }
  }
  for (var r = 0u; r < 4u; r++) {
    let i = i0 + r;
    if (i >= n) { break; }
    for (var cc = 0u; cc < 4u; cc++) {
      let j = j0 + cc;
      if (j < n) { Pr[b + i * n + j] = acc[r][cc]; }
    }
  }
}

@compute @workgroup_size(RW)
fn normalize_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let i = wid.x;
  let s = wid.y;
  let n = P.n;
  let b = s * n * n + i * n;
  let rec = record(s, i);
  let xm = bitcast<i32>(state[rec + 2u]);
  // max |Pr_ij|, with a non-finite entry counted as +Infinity: one reduction answers both questions.
  // (A var: as a const-expression, +Infinity is a shader-creation error.)
  var infinity_bits = 0x7f800000u;
  let infinity = bitcast<f32>(infinity_bits);
  var amax = 0.0;
  if (xm != ZERO_ROW) {
    for (var j = i + tid; j < n; j += RW) {
      let v = Pr[b + j];
      amax = max(amax, select(abs(v), infinity, non_finite(v)));
    }
  }
  amax = row_reduce_f32(tid, amax, false);
  let bad = amax == infinity;
  // A zero row has amax = 0 (the condition must be uniform: no xm, which is read from storage).
  if (amax == 0.0 || bad) {
    for (var j = tid; j < n; j += RW) { C[b + j] = 0.0; }
    if (tid == 0u) {
      state[rec] = bitcast<u32>(ZERO_ROW);
      state[rec + 1u] = 0u;
      // A row that should be nonzero came out zero (cancellation) or non-finite.
      if (xm != ZERO_ROW) { state[rec + 3u] |= select(FLAG_REFILL, FLAG_NONFINITE, bad); }
    }
    return;
  }
  // amax = m 2^e with m in [0.5, 1): scale by 2^-e exactly, so that the squares stay normal.
  let e = frexp(amax).exp;
  var ss = 0.0;
  for (var j = i + tid; j < n; j += RW) {
    let v = ldexp(Pr[b + j], -e);
    ss += v * v;
  }
  let norm = sqrt(row_reduce_f32(tid, ss, true));  // in [0.5, sqrt(N)]
  let inv = 1.0 / norm;  // MUTATION:renormalize
  for (var j = tid; j < n; j += RW) { C[b + j] = select(0.0, ldexp(Pr[b + j], -e) * inv, j >= i); }
  if (tid == 0u) {
    // |row| = 2^{xm + e} norm = 2^{xm + e + q - 1} (2 m') with norm = m' 2^q, m' in [0.5, 1).
    let fr = frexp(norm);
    state[rec] = bitcast<u32>(xm + e + fr.exp - 1);  // MUTATION:scale
    state[rec + 1u] = bitcast<u32>(2.0 * fr.fract);
    if (!(abs(ldexp(Pr[b + i], -e) * inv) >= DIAG_FLOOR)) { state[rec + 3u] |= FLAG_RANGE; }
  }
}
