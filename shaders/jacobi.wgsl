// The singular values of T = R_L ... R_1 on the GPU: one-sided Jacobi on T's rows in row-scaled form
// (docs/THEORY.md section 3), the float32 counterpart of graded-product.ts's jacobiInPlace, one workgroup
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
// (N - 1 rounds of N / 2 disjoint pairs per sweep), so the pairs of a round are independent; each
// pair has G invocations that share its dot product and norms through workgroup memory (main). The
// working rows are kept column-major in A (element k of row i at k N + i), so that the pairs of a
// round read neighbouring words.
//
// Convergence: no pair with |cs| >= TOL in a whole sweep. TOL is far above float32's rounding of a
// dot product of unit rows (~6e-8 sqrt(N)) and moves log sigma by O(TOL) at most (O(TOL^2) unless two
// singular values nearly coincide). A sample that does not converge in MAX_SWEEPS, or whose row
// cancels below float32's reach, gets FLAG_JACOBI and is recomputed on the CPU.
//
// Dispatches (one workgroup per sample each): `start`, then MAX_SWEEPS times the parts of a sweep,
// `sweep_part`, each taking the next rounds_per_part(N) rounds. Where the sweeps used to be one
// dispatch, at N = 1024 it held the GPU for a second or more (the browser's own drawing waits behind
// it, and a driver may reset a GPU that does not answer within about 2 s). The sweep's progress lives
// in the sample's header word 3 (JS_*), so a converged or flagged sample's later parts return at once.
// Bindings, the row records and the flag bits: shaders/tstate.wgsl.

override JWG: u32 = 64u;       // invocations per workgroup, a power of two (singular-values.ts)
const TOL: f32 = 2e-5;          // MUTATION:tolerance
override MAX_SWEEPS: u32 = 40u; // singular-values.ts dispatches this many sweeps' parts
// A part of a sweep is about PART_WORK N^-2 rounds (at least one): each round is N/2 pairs of rows of
// N, so a part is about 3 PART_WORK flops per sample whatever N. singular-values.ts reads it too.
override PART_WORK: u32 = 8388608u;
const LN2: f32 = 0.6931471805599453;
// Squared norms below this after a cancelling rotation are not trusted in float32.
const CANCEL_FLOOR: f32 = 1e-24;

var<workgroup> wg_rotated: atomic<u32>;
var<workgroup> wg_bad: atomic<u32>;
var<workgroup> wg_status: u32;
var<workgroup> red: array<f32, JWG>;        // partial dot products, G per pair
var<workgroup> red2: array<vec2<f32>, JWG>; // partial squared norms

fn h_of(s: u32, i: u32) -> f32 { return bitcast<f32>(state[record(s, i) + 2u]); }
fn set_h(s: u32, i: u32, h: f32) { state[record(s, i) + 2u] = bitcast<u32>(h); }
fn is_zero_row(s: u32, i: u32) -> bool { return bitcast<i32>(state[record(s, i)]) == ZERO_ROW; }

// The sweep's progress, in the sample's header word 3: the next round (bits 0-15), the sweeps done
// (bits 16-23), whether this sweep has rotated a pair so far, and whether the sample has converged.
const JS_ROUND: u32 = 0xffffu;
const JS_SWEEP_SHIFT: u32 = 16u;
const JS_ROTATED: u32 = 0x1000000u;
const JS_CONVERGED: u32 = 0x2000000u;
// wg_status of a sample that has nothing left to do (converged, or flagged: its result is not used).
const JS_SKIP: u32 = 0xffffffffu;

fn rounds_per_part(n: u32) -> u32 { return max(1u, PART_WORK / (n * n)); }

// The sample's status word for every invocation (a uniform value, as the barriers after it need).
fn load_status(s: u32, tid: u32) -> u32 {
  if (tid == 0u) {
    let hb = state_base(s);
    let status = state[hb + 3u];
    wg_status = select(status, JS_SKIP, state[hb + 1u] != 0u || (status & JS_CONVERGED) != 0u);
  }
  return workgroupUniformLoad(&wg_status);
}

// Elements k, k + G, k + 2G, k + 3G of working row i (column-major in A: element k at k N + i).
// The loops below take four of them per iteration so that four loads are in flight at once: one at
// a time, each iteration waited for its load from L2.
fn row4(ub: u32, n: u32, k: u32, g: u32, i: u32) -> vec4<f32> {
  return vec4<f32>(A[ub + k * n + i], A[ub + (k + g) * n + i], A[ub + (k + 2u * g) * n + i], A[ub + (k + 3u * g) * n + i]);
}
fn set_row4(ub: u32, n: u32, k: u32, g: u32, i: u32, v: vec4<f32>) {
  A[ub + k * n + i] = v.x;
  A[ub + (k + g) * n + i] = v.y;
  A[ub + (k + 2u * g) * n + i] = v.z;
  A[ub + (k + 3u * g) * n + i] = v.w;
}

// Slice (k = first, first + step, ...) of u_i . u_j.
fn dot_slice(ub: u32, n: u32, i: u32, j: u32, first: u32, step: u32) -> f32 {
  var acc = vec4<f32>(0.0);
  var k = first;
  for (; k + 3u * step < n; k += 4u * step) { acc += row4(ub, n, k, step, i) * row4(ub, n, k, step, j); }
  var sum = (acc.x + acc.y) + (acc.z + acc.w);
  for (; k < n; k += step) { sum += A[ub + k * n + i] * A[ub + k * n + j]; }
  return sum;
}

// On the slice: row p <- a1 u_p + a2 u_q, row q <- b1 u_p + b2 u_q; returns the slice's squared norms.
fn combine_slice(ub: u32, n: u32, p: u32, q: u32, c: vec4<f32>, first: u32, step: u32) -> vec2<f32> {
  var sp = vec4<f32>(0.0);
  var sq = vec4<f32>(0.0);
  var k = first;
  for (; k + 3u * step < n; k += 4u * step) {
    let up = row4(ub, n, k, step, p);
    let uq = row4(ub, n, k, step, q);
    let vp = c.x * up + c.y * uq;
    let vq = c.z * up + c.w * uq;
    set_row4(ub, n, k, step, p, vp);
    set_row4(ub, n, k, step, q, vq);
    sp += vp * vp;
    sq += vq * vq;
  }
  var ss = vec2<f32>((sp.x + sp.y) + (sp.z + sp.w), (sq.x + sq.y) + (sq.z + sq.w));
  for (; k < n; k += step) {
    let up = A[ub + k * n + p];
    let uq = A[ub + k * n + q];
    let vp = c.x * up + c.y * uq;
    let vq = c.z * up + c.w * uq;
    A[ub + k * n + p] = vp;
    A[ub + k * n + q] = vq;
    ss += vec2<f32>(vp * vp, vq * vq);
  }
  return ss;
}

fn scale_slice(ub: u32, n: u32, i: u32, f: f32, first: u32, step: u32) {
  var k = first;
  for (; k + 3u * step < n; k += 4u * step) { set_row4(ub, n, k, step, i, f * row4(ub, n, k, step, i)); }
  for (; k < n; k += step) { A[ub + k * n + i] *= f; }
}

// Scales working row i to unit length (one invocation) and returns the log of its old norm; -1e30
// for a zero row.
fn normalize(ub: u32, n: u32, i: u32) -> f32 {
  let ss = dot_slice(ub, n, i, i, 0u, 1u);
  if (!(ss > 0.0) || non_finite(ss)) { return -1e30; }
  scale_slice(ub, n, i, inverseSqrt(ss), 0u, 1u);
  return 0.5 * log(ss);
}

// u_i . u_j of a pair from its G partial sums red[lead ..], in four independent chains: a dependent
// chain of G (up to 32) loads and adds is latency in every round.
fn pair_sum(lead: u32, G: u32) -> f32 {
  var acc = vec4<f32>(0.0);
  var e = 0u;
  for (; e + 3u < G; e += 4u) { acc += vec4<f32>(red[lead + e], red[lead + e + 1u], red[lead + e + 2u], red[lead + e + 3u]); }
  var sum = (acc.x + acc.y) + (acc.z + acc.w);
  for (; e < G; e++) { sum += red[lead + e]; }
  return sum;
}

// The rotation of rows p, q (g_p >= g_q) for cs = u_p . u_q and d = g_q - g_p <= 0: the coefficients
// (a1, a2, b1, b2) of the new rows, log cc, and whether the norms must be measured (nearly
// parallel rows) rather than taken from the closed form (np2, nq2).
struct Rotation {
  c: vec4<f32>,
  log_cc: f32,
  measure: bool,
  np2: f32,
  nq2: f32,
}

fn rotation(cs: f32, d: f32) -> Rotation {
  let r = exp(d);
  let r2 = r * r;
  let rz = -(1.0 - r2) / (2.0 * cs);
  let w = select(-1.0, 1.0, rz >= 0.0) / (abs(rz) + sqrt(r2 + rz * rz));  // MUTATION:angle
  let t = w * r;
  let log_cc = -0.5 * log(1.0 + t * t);
  let wr2 = w * r2;
  if (cs * cs <= 0.75) {
    // New squared norms of the unit rows' combinations, both >= 1/4 here (no cancellation).
    let np2 = 1.0 - 2.0 * wr2 * cs + wr2 * wr2;
    let nq2 = 1.0 + 2.0 * w * cs + w * w;
    let sp = inverseSqrt(np2);
    let sq = inverseSqrt(nq2);
    return Rotation(vec4<f32>(sp, -wr2 * sp, w * sq, sq), log_cc, false, np2, nq2);
  }
  // Nearly parallel rows: the smaller combination is mostly cancelled, so its norm is measured.
  return Rotation(vec4<f32>(1.0, -wr2, w, 1.0), log_cc, true, 1.0, 1.0);
}

// Working rows: C's unit rows transposed into A and renormalized; h_i = log f_i (+ the log norm).
@compute @workgroup_size(JWG)
fn start(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let ub = s * n * n;
  if (tid == 0u) {
    atomicStore(&wg_bad, 0u);
    state[state_base(s) + 3u] = 0u;
  }
  // A sample the T product flagged is recomputed on the CPU whatever happens here.
  if (load_status(s, tid) == JS_SKIP) { return; }
  for (var i = tid; i < n; i += JWG) {
    let zero = is_zero_row(s, i);
    for (var k = 0u; k < n; k++) { A[ub + k * n + i] = select(C[ub + i * n + k], 0.0, zero); }
    if (zero) {
      set_h(s, i, 0.0);
      continue;
    }
    let l = normalize(ub, n, i);
    if (l == -1e30) { atomicStore(&wg_bad, 1u); }
    set_h(s, i, log(bitcast<f32>(state[record(s, i) + 1u])) + l);
  }
  workgroupBarrier();
  if (tid == 0u && atomicLoad(&wg_bad) != 0u) { state[state_base(s) + 1u] |= FLAG_JACOBI; }
}

// The next rounds_per_part(N) rounds of the sample's current sweep; the part that ends a sweep also
// renormalizes the rows and decides: converged, another sweep, or FLAG_JACOBI after MAX_SWEEPS.
@compute @workgroup_size(JWG)
fn sweep_part(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let ub = s * n * n;
  if (tid == 0u) {
    atomicStore(&wg_bad, 0u);
    atomicStore(&wg_rotated, 0u);
  }
  let status = load_status(s, tid);
  if (status == JS_SKIP) { return; }

  // Round-robin pairs over m = N rounded up to even players; player m - 1 stays put, the others
  // rotate. A player >= N (odd N) sits the round out. Each pair gets G invocations (a power of two,
  // as many as the workgroup allows, at most 32), which take the strided slices k = g mod G of its
  // rows: the dot product and the norms are summed over the G partial sums in workgroup memory.
  let m = n + (n & 1u);
  let pairs = m / 2u;
  let G = min(32u, 1u << firstLeadingBit(max(1u, JWG / pairs)));
  let per_batch = JWG / G;
  let batches = (pairs + per_batch - 1u) / per_batch;
  let g = tid % G;
  let lead = tid - g;  // this pair's first invocation
  let first_round = status & JS_ROUND;
  let end_round = min(m - 1u, first_round + rounds_per_part(n));
  for (var round = first_round; round < end_round; round++) {
    for (var batch = 0u; batch < batches; batch++) {
      let pr = batch * per_batch + tid / G;
      var a = m - 1u;
      var b = round;
      if (pr > 0u) {
        a = (round + pr) % (m - 1u);
        b = (round + m - 1u - pr) % (m - 1u);
      }
      let i = min(a, b);
      let j = max(a, b);
      let live = pr < pairs && j < n && !is_zero_row(s, i) && !is_zero_row(s, j);
      var part = 0.0;
      if (live) { part = dot_slice(ub, n, i, j, g, G); }
      red[tid] = part;
      workgroupBarrier();
      let cs = pair_sum(lead, G);
      let turn = live && abs(cs) >= TOL;
      var rot = Rotation(vec4<f32>(0.0), 0.0, false, 1.0, 1.0);
      var p = i;
      var q = j;
      var norms = vec2<f32>(0.0);
      if (turn) {
        // g_j - g_i: the exponent difference is an exact integer, far below 2^24.
        let d = f32(bitcast<i32>(state[record(s, j)]) - bitcast<i32>(state[record(s, i)])) * LN2 + (h_of(s, j) - h_of(s, i));
        if (d > 0.0) {  // g_j > g_i: p = j
          p = j;
          q = i;
        }
        rot = rotation(cs, -abs(d));
        norms = combine_slice(ub, n, p, q, rot.c, g, G);
      }
      red2[tid] = norms;
      workgroupBarrier();
      if (turn) {
        var lp = 0.5 * log(rot.np2);
        var lq = 0.5 * log(rot.nq2);
        if (rot.measure) {
          var ss = vec2<f32>(0.0);
          for (var e = 0u; e < G; e++) { ss += red2[lead + e]; }
          if (!(ss.x > CANCEL_FLOOR) || !(ss.y > CANCEL_FLOOR)) {
            atomicStore(&wg_bad, 1u);
          } else {
            scale_slice(ub, n, p, inverseSqrt(ss.x), g, G);
            scale_slice(ub, n, q, inverseSqrt(ss.y), g, G);
            lp = 0.5 * log(ss.x);
            lq = 0.5 * log(ss.y);
          }
        }
        if (g == 0u) {
          set_h(s, p, h_of(s, p) + rot.log_cc + lp);  // MUTATION:scale
          set_h(s, q, h_of(s, q) + rot.log_cc + lq);
          atomicStore(&wg_rotated, 1u);
        }
      }
      storageBarrier();
      workgroupBarrier();
    }
  }
  let rotated = atomicLoad(&wg_rotated) != 0u || (status & JS_ROTATED) != 0u;
  let sweeps = (status >> JS_SWEEP_SHIFT) & 0xffu;
  if (end_round < m - 1u) {
    if (tid == 0u) {
      state[state_base(s) + 3u] = end_round | (sweeps << JS_SWEEP_SHIFT) | select(0u, JS_ROTATED, rotated);
      if (atomicLoad(&wg_bad) != 0u) { state[state_base(s) + 1u] |= FLAG_JACOBI; }
    }
    return;
  }
  // The sweep is complete. Exact unit rows again, the rounding of the fused rotations folded into h.
  for (var i = tid; i < n; i += JWG) {
    if (is_zero_row(s, i)) { continue; }
    let l = normalize(ub, n, i);
    if (l == -1e30) { atomicStore(&wg_bad, 1u); } else { set_h(s, i, h_of(s, i) + l); }
  }
  workgroupBarrier();
  if (tid == 0u) {
    let hb = state_base(s);
    var next = (sweeps + 1u) << JS_SWEEP_SHIFT;
    if (!rotated) {
      next = JS_CONVERGED;
    } else if (sweeps + 1u >= MAX_SWEEPS) {
      state[hb + 1u] |= FLAG_JACOBI;
    }
    state[hb + 3u] = next;
    if (atomicLoad(&wg_bad) != 0u) { state[hb + 1u] |= FLAG_JACOBI; }
  }
}
