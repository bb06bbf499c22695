// T <- R_l T for every sample, with T = R_L ... R_1 (THEORY.md section 3) kept in row-scaled float32:
// row i of T is 2^{x_i} f_i C_i with an exact int32 binary exponent x_i, a mantissa f_i in [1, 2) and
// a unit row C_i (upper triangular). No log scale is ever rounded, so nothing degrades with |s|; an
// exactly zero row has x_i = ZERO_ROW. The CPU turns (x, f, C) into log sigma in float64.
//
// R_l is read where the QR kernels leave it, in the engine's Z buffer (k = N): sample s, column-major,
// R[i][j] = Z[s N^2 + j N + i] for i <= j (the reflectors below the diagonal are never read). A row j
// of R_l counts as exactly zero by qr-finish.wgsl's rule (j >= the rank bound stats[4 s] of a feedforward
// layer, R_jj == 0, or sparse feedforward |R_jj| <= 1e-5 max|R_ii|), i.e. the engine's `dead` flags.
//
// Three dispatches per layer, no barriers except in the first:
//   coefficients (one workgroup per sample): the zero rows of R_l, the new rank, and per row i the
//     largest contributing exponent xm_i and A[i][k] = R_ik f_k 2^{x_k - xm_i} (every factor <= 2|R_ik|);
//   product (4 x 4 register tiles): Pr = A C, upper triangle only;
//   normalize_rows (one invocation per row): C_i = Pr_i / |Pr_i|, x_i = xm_i + log2 |Pr_i| as exponent +
//     mantissa, with the row first scaled by an exact power of two so its squares cannot under- or
//     overflow.
//
// Not handled in float32 (the sample is flagged and the CPU reports no singular values for it):
//   FLAG_REFILL: a zero row above a nonzero one (a mid-spectrum zero of R_l, or an exact cancellation).
//     The next layer would refill it and the exact rank would be lost; graded-product.ts handles it
//     with a change of frame that this kernel does not do.
//   FLAG_RANGE: a diagonal entry of a unit row fell below 1e-30 (float32's range, not its precision).
//   FLAG_NONFINITE: R_l had a non-finite entry.
// Bindings, the row records and the flag bits: shaders/tstate.wgsl.
override WG: u32 = 64u;  // coefficients' workgroup: 256 on a GPU (singular-values.ts)
// Diagonal entries of unit rows below this are too close to float32's underflow to be trusted.
const DIAG_FLOOR: f32 = 1e-30;

var<workgroup> wg_diag: atomic<u32>;
var<workgroup> wg_first: atomic<u32>;
var<workgroup> wg_count: atomic<u32>;


// A[i][k] for k in [i, rank) of a row whose largest exponent is xm; branch-free, so that the unrolled
// loop below can issue the loads of four k at once.
fn coefficient(s: u32, zb: u32, n: u32, i: u32, k: u32, xm: i32) -> f32 {
  let rec = record(s, k);
  // A zero row of T (x_k = ZERO_ROW) gives d = -200: below -149, so a = 0 (no i32 overflow).
  let d = max(bitcast<i32>(state[rec]), xm - 200) - xm;  // <= 0; terms below 2^-149 of the row's scale vanish
  return select(0.0, Z[zb + k * n + i] * ldexp(bitcast<f32>(state[rec + 1u]), d), d >= -149);
}

@compute @workgroup_size(WG)
fn coefficients(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
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
  // The zero rows of R_l: the same rule as qr-finish.wgsl's dead flags (max of non-negative floats by bits).
  let sparse_ff = P.feedforward == 1u && P.weights == 1u;
  if (sparse_ff) {
    var m = 0.0;
    for (var j = tid; j < n; j += WG) { m = max(m, abs(Z[zb + j * n + j])); }
    atomicMax(&wg_diag, bitcast<u32>(m));
  }
  workgroupBarrier();
  let threshold = select(0.0, 1e-5 * bitcast<f32>(atomicLoad(&wg_diag)), sparse_ff);
  let bound = select(n, stats[4u * s], P.feedforward == 1u);
  for (var i = tid; i < n; i += WG) {
    let rii = abs(Z[zb + i * n + i]);
    let zeroed = i >= bound || rii == 0.0 || rii <= threshold;
    if (zeroed && i < rank) {
      atomicMin(&wg_first, i);
      atomicAdd(&wg_count, 1u);
    }
    // Rows >= rank of T are zero, so row i >= rank of R T is zero whatever R_l says.
    // Both loops take four k per iteration with branch-free loads, so that several loads are in
    // flight: one at a time, each iteration waited for its load (seen on an H100: the T product
    // cost ~1.5 ms per layer at N = 256, 32 samples).
    var xm = ZERO_ROW;
    if (!zeroed && i < rank) {
      var k = i;
      for (; k + 3u < rank; k += 4u) {
        let x4 = vec4<i32>(bitcast<i32>(state[record(s, k)]), bitcast<i32>(state[record(s, k + 1u)]), bitcast<i32>(state[record(s, k + 2u)]), bitcast<i32>(state[record(s, k + 3u)]));
        let z4 = vec4<f32>(Z[zb + k * n + i], Z[zb + (k + 1u) * n + i], Z[zb + (k + 2u) * n + i], Z[zb + (k + 3u) * n + i]);
        let c = select(vec4<i32>(ZERO_ROW), x4, (x4 != vec4<i32>(ZERO_ROW)) & (z4 != vec4<f32>(0.0)));
        xm = max(xm, max(max(c.x, c.y), max(c.z, c.w)));
      }
      for (; k < rank; k++) {
        let xk = bitcast<i32>(state[record(s, k)]);
        if (xk != ZERO_ROW && Z[zb + k * n + i] != 0.0) { xm = max(xm, xk); }
      }
    }
    state[record(s, i) + 2u] = bitcast<u32>(xm);
    let ab = zb + i * n;
    // A[i][k] is zero off [i, rank), and everywhere in a zero row.
    for (var k = 0u; k < i; k++) { A[ab + k] = 0.0; }
    var k = i;
    if (xm != ZERO_ROW) {
      for (; k + 3u < rank; k += 4u) {
        let a = vec4<f32>(coefficient(s, zb, n, i, k, xm), coefficient(s, zb, n, i, k + 1u, xm), coefficient(s, zb, n, i, k + 2u, xm), coefficient(s, zb, n, i, k + 3u, xm));
        A[ab + k] = a.x;
        A[ab + k + 1u] = a.y;
        A[ab + k + 2u] = a.z;
        A[ab + k + 3u] = a.w;
      }
      for (; k < rank; k++) { A[ab + k] = coefficient(s, zb, n, i, k, xm); }
    }
    for (; k < n; k++) { A[ab + k] = 0.0; }
  }
  storageBarrier();
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

@compute @workgroup_size(64)
fn normalize_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = P.n;
  let i = gid.x;
  let s = gid.y;
  if (i >= n || s >= P.samples) { return; }
  let b = s * n * n + i * n;
  let rec = record(s, i);
  let xm = bitcast<i32>(state[rec + 2u]);
  var amax = 0.0;
  var bad = false;
  if (xm != ZERO_ROW) {
    // Four per iteration, so that four loads are in flight (as in coefficients).
    var j = i;
    for (; j + 3u < n; j += 4u) {
      let v = vec4<f32>(Pr[b + j], Pr[b + j + 1u], Pr[b + j + 2u], Pr[b + j + 3u]);
      bad = bad || non_finite(v.x) || non_finite(v.y) || non_finite(v.z) || non_finite(v.w);
      let a = abs(v);
      amax = max(amax, max(max(a.x, a.y), max(a.z, a.w)));
    }
    for (; j < n; j++) {
      let v = Pr[b + j];
      bad = bad || non_finite(v);
      amax = max(amax, abs(v));
    }
  }
  if (xm == ZERO_ROW || amax == 0.0 || bad) {
    for (var j = 0u; j < n; j++) { C[b + j] = 0.0; }
    state[rec] = bitcast<u32>(ZERO_ROW);
    state[rec + 1u] = 0u;
    // A row that should be nonzero came out zero (cancellation) or non-finite.
    if (xm != ZERO_ROW) { state[rec + 3u] |= select(FLAG_REFILL, FLAG_NONFINITE, bad); }
    return;
  }
  // amax = m 2^e with m in [0.5, 1): scale by 2^-e exactly, so that the squares stay normal.
  let e = frexp(amax).exp;
  var ss4 = vec4<f32>(0.0);
  var j = i;
  for (; j + 3u < n; j += 4u) {
    let v = ldexp(vec4<f32>(Pr[b + j], Pr[b + j + 1u], Pr[b + j + 2u], Pr[b + j + 3u]), vec4<i32>(-e));
    ss4 += v * v;
  }
  var ss = (ss4.x + ss4.y) + (ss4.z + ss4.w);
  for (; j < n; j++) {
    let v = ldexp(Pr[b + j], -e);
    ss += v * v;
  }
  let norm = sqrt(ss);  // in [0.5, sqrt(N)]
  let inv = 1.0 / norm;  // MUTATION:renormalize
  for (var j = 0u; j < i; j++) { C[b + j] = 0.0; }
  for (var j = i; j < n; j++) { C[b + j] = ldexp(Pr[b + j], -e) * inv; }
  // |row| = 2^{xm + e} norm = 2^{xm + e + q - 1} (2 m') with norm = m' 2^q, m' in [0.5, 1).
  let fr = frexp(norm);
  state[rec] = bitcast<u32>(xm + e + fr.exp - 1);  // MUTATION:scale
  state[rec + 1u] = bitcast<u32>(2.0 * fr.fract);
  if (!(abs(C[b + i]) >= DIAG_FLOOR)) { state[rec + 3u] |= FLAG_RANGE; }
}
