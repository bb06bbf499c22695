// The singular values of T = R_L ... R_1 on the GPU: one-sided Jacobi on T's rows in row-scaled form
// (THEORY.md section 3), the float32 counterpart of graded-product.ts's jacobiInPlace, one workgroup
// per sample. Only N log singular values come back instead of T's N^2 floats, and the O(sweeps N^3)
// work runs on the GPU instead of the page's main thread (about 0.4 s per sample at N = 256 there).
//
// Row i is e^{g_i} u_i with a unit row u_i and g_i = x_i ln 2 + h_i: x_i is T's exact binary
// exponent (tproduct.wgsl), never changed here, and h_i (float32, in the record's scratch word) takes
// log f_i and the O(1) changes of the rotations. So g is never rounded at its full size, only the
// difference g_q - g_p enters a rotation, and the CPU forms x_i ln 2 + h_i in float64.
//
// For rows p, q with g_p >= g_q, r = e^{g_q - g_p} <= 1 and cs = u_p . u_q:
//   rz = -(1 - r^2) / (2 cs), w = sign(rz) / (|rz| + sqrt(r^2 + rz^2)), t = w r, cc = 1 / sqrt(1 + t^2),
//   row_p <- e^{g_p} cc (u_p - w r^2 u_q),  row_q <- e^{g_q} cc (w u_p + u_q),
// each renormalized with the log of its norm moved into h. Pairs are visited in round-robin order
// (N - 1 rounds of N / 2 disjoint pairs per sweep, one invocation per pair), so a round needs no
// synchronization inside it. The working rows are kept column-major in A (element k of row i at
// k N + i), so that the invocations of a round read neighbouring words.
//
// Convergence: no pair with |cs| >= TOL in a whole sweep. TOL is far above float32's rounding of a
// dot product of unit rows (~6e-8 sqrt(N)) and moves log sigma by O(TOL) at most (O(TOL^2) unless two
// singular values nearly coincide). A sample that does not converge in MAX_SWEEPS, or whose row
// cancels below float32's reach, gets FLAG_JACOBI and is recomputed on the CPU.
// Bindings, the row records and the flag bits: shaders/tstate.wgsl.

override JWG: u32 = 64u;       // invocations per workgroup (singular-values.ts)
const TOL: f32 = 2e-5;          // MUTATION:tolerance
const MAX_SWEEPS: u32 = 40u;
const LN2: f32 = 0.6931471805599453;
// Squared norms below this after a cancelling rotation are not trusted in float32.
const CANCEL_FLOOR: f32 = 1e-24;

var<workgroup> wg_rotated: atomic<u32>;
var<workgroup> wg_bad: atomic<u32>;
var<workgroup> wg_any: u32;

fn h_of(s: u32, i: u32) -> f32 { return bitcast<f32>(state[record(s, i) + 2u]); }
fn set_h(s: u32, i: u32, h: f32) { state[record(s, i) + 2u] = bitcast<u32>(h); }
fn is_zero_row(s: u32, i: u32) -> bool { return bitcast<i32>(state[record(s, i)]) == ZERO_ROW; }

// Scales working row i to unit length and returns the log of its old norm; -1e30 for a zero row.
fn normalize(ub: u32, n: u32, i: u32) -> f32 {
  var ss = 0.0;
  for (var k = 0u; k < n; k++) {
    let v = A[ub + k * n + i];
    ss += v * v;
  }
  if (!(ss > 0.0) || non_finite(ss)) { return -1e30; }
  let inv = inverseSqrt(ss);
  for (var k = 0u; k < n; k++) { A[ub + k * n + i] *= inv; }
  return 0.5 * log(ss);
}

// One rotation of rows i and j; true when it rotated.
fn rotate(s: u32, ub: u32, n: u32, i: u32, j: u32) -> bool {
  if (is_zero_row(s, i) || is_zero_row(s, j)) { return false; }
  var cs = 0.0;
  for (var k = 0u; k < n; k++) { cs += A[ub + k * n + i] * A[ub + k * n + j]; }
  if (!(abs(cs) >= TOL)) { return false; }
  let hi = h_of(s, i);
  let hj = h_of(s, j);
  // g_j - g_i: the exponent difference is an exact integer, far below 2^24.
  let d = f32(bitcast<i32>(state[record(s, j)]) - bitcast<i32>(state[record(s, i)])) * LN2 + (hj - hi);
  let big = d <= 0.0;  // g_i >= g_j: p = i
  let p = select(j, i, big);
  let q = select(i, j, big);
  let r = exp(-abs(d));
  let r2 = r * r;
  let rz = -(1.0 - r2) / (2.0 * cs);
  let w = select(-1.0, 1.0, rz >= 0.0) / (abs(rz) + sqrt(r2 + rz * rz));  // MUTATION:angle
  let t = w * r;
  let log_cc = -0.5 * log(1.0 + t * t);
  let wr2 = w * r2;
  var lp = 0.0;
  var lq = 0.0;
  if (cs * cs <= 0.75) {
    // New squared norms of the unit rows' combinations, both >= 1/4 here (no cancellation).
    let np2 = 1.0 - 2.0 * wr2 * cs + wr2 * wr2;
    let nq2 = 1.0 + 2.0 * w * cs + w * w;
    let sp = inverseSqrt(np2);
    let sq = inverseSqrt(nq2);
    for (var k = 0u; k < n; k++) {
      let up = A[ub + k * n + p];
      let uq = A[ub + k * n + q];
      A[ub + k * n + p] = sp * (up - wr2 * uq);
      A[ub + k * n + q] = sq * (w * up + uq);
    }
    lp = 0.5 * log(np2);
    lq = 0.5 * log(nq2);
  } else {
    // Nearly parallel rows: the smaller combination is mostly cancelled, so measure both norms.
    var ssp = 0.0;
    var ssq = 0.0;
    for (var k = 0u; k < n; k++) {
      let up = A[ub + k * n + p];
      let uq = A[ub + k * n + q];
      let vp = up - wr2 * uq;
      let vq = w * up + uq;
      A[ub + k * n + p] = vp;
      A[ub + k * n + q] = vq;
      ssp += vp * vp;
      ssq += vq * vq;
    }
    if (!(ssp > CANCEL_FLOOR) || !(ssq > CANCEL_FLOOR)) {
      atomicStore(&wg_bad, 1u);
      return true;
    }
    let ip = inverseSqrt(ssp);
    let iq = inverseSqrt(ssq);
    for (var k = 0u; k < n; k++) {
      A[ub + k * n + p] *= ip;
      A[ub + k * n + q] *= iq;
    }
    lp = 0.5 * log(ssp);
    lq = 0.5 * log(ssq);
  }
  set_h(s, p, h_of(s, p) + log_cc + lp);  // MUTATION:scale
  set_h(s, q, h_of(s, q) + log_cc + lq);
  return true;
}

@compute @workgroup_size(JWG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let ub = s * n * n;
  if (tid == 0u) {
    atomicStore(&wg_bad, 0u);
  }
  // Working rows: C's unit rows transposed into A and renormalized; h_i = log f_i (+ the log norm).
  for (var i = tid; i < n; i += JWG) {
    for (var k = 0u; k < n; k++) { A[ub + k * n + i] = select(C[ub + i * n + k], 0.0, is_zero_row(s, i)); }
    if (is_zero_row(s, i)) {
      set_h(s, i, 0.0);
      continue;
    }
    let l = normalize(ub, n, i);
    if (l == -1e30) { atomicStore(&wg_bad, 1u); }
    set_h(s, i, log(bitcast<f32>(state[record(s, i) + 1u])) + l);
  }
  storageBarrier();
  workgroupBarrier();

  // Round-robin pairs over m = N rounded up to even players; player m - 1 stays put, the others
  // rotate. A player >= N (odd N) sits the round out.
  let m = n + (n & 1u);
  var converged = false;
  for (var sweep = 0u; sweep < MAX_SWEEPS; sweep++) {
    if (tid == 0u) { atomicStore(&wg_rotated, 0u); }
    workgroupBarrier();
    for (var round = 0u; round + 1u < m; round++) {
      for (var pr = tid; pr < m / 2u; pr += JWG) {
        var a = m - 1u;
        var b = round;
        if (pr > 0u) {
          a = (round + pr) % (m - 1u);
          b = (round + m - 1u - pr) % (m - 1u);
        }
        if (a < n && b < n && rotate(s, ub, n, min(a, b), max(a, b))) { atomicStore(&wg_rotated, 1u); }
      }
      storageBarrier();
      workgroupBarrier();
    }
    // Exact unit rows again, the rounding of the fused rotations folded into h.
    for (var i = tid; i < n; i += JWG) {
      if (is_zero_row(s, i)) { continue; }
      let l = normalize(ub, n, i);
      if (l == -1e30) { atomicStore(&wg_bad, 1u); } else { set_h(s, i, h_of(s, i) + l); }
    }
    storageBarrier();
    workgroupBarrier();
    if (tid == 0u) { wg_any = atomicLoad(&wg_rotated); }
    if (workgroupUniformLoad(&wg_any) == 0u) {
      converged = true;
      break;
    }
  }
  if (tid == 0u && (!converged || atomicLoad(&wg_bad) != 0u)) {
    state[state_base(s) + 1u] |= FLAG_JACOBI;
  }
}
