/**
 * Singular values of the network Jacobian at finite depth (docs/THEORY.md section 3, recommended method).
 *
 * The Benettin sweep with k = N gives J Q_0 = Q_L T with T = R_L ... R_1 upper triangular, so
 * sigma(J) = sigma(T). T is graded: its log row norms span hundreds to thousands of nats, far beyond
 * float64 range, so it is stored row-scaled as diag(e^s) C with unit rows C, and its singular values
 * come from one-sided (Hestenes) Jacobi on the rows in the same row-scaled form.
 *
 * Row scales. Internally e^{s_k} = 2^{x_k} f_k with an integer x_k (int32) and f_k in [1, 2). The factors
 * e^{s_k - m_i} of the update are then exact powers of two from a table (times f_k) instead of
 * N^2/2 calls of exp per layer, and no rounding error grows with |s|: a float64 log scale near
 * |s| = 500 is rounded to 6e-14 at every layer, which over thousands of layers would become the
 * dominant error. s = x ln 2 + ln f is formed only for output.
 *
 * Exactly singular directions (docs/THEORY.md section 2: the engine zeroes row j of R_l) need more than the
 * sheet says. A zero row of T is refilled by the next layer (row j of R_{l+1} mixes the rows below it
 * in). T is then still exactly singular, but with all rows nonzero and one of them dependent, and
 * row-scaled accuracy is lost: with dependent rows, a relative error eps in a large row can move the
 * small singular values by orders of magnitude (the relative perturbation theory needs C of full row
 * rank), and Jacobi reports a round-off value instead of -Infinity. (Measured on the mpmath fixtures
 * with the plain method: every refilled row gave a finite value between -60 and -440 instead of
 * -Infinity, and the genuine values were off by up to 5e-9 at N = 8 and by 93 at N = 16, L = 200;
 * with the scheme below, 1e-13 and the exact count.) A zero row persists only if no nonzero row lies
 * below it, and getting it there is a change of frame, which the engine does not do. So it is done
 * here:
 *
 *   T = G That,  G orthogonal and pending (never applied to That), That row-scaled upper triangular
 *   whose nonzero rows (the first `rank`) are linearly independent and whose other rows are zero.
 *
 * sigma(T) = sigma(That). A layer gives R T = (R G) That; R G is refactored as G' Rhat by a
 * rank-revealing (echelon) Givens QR that pushes every exactly zero direction to the bottom, and
 * That <- Rhat That. G starts as I and becomes a short list of adjacent-row Givens rotations after a
 * refilled zero row or a zero diagonal; R G is then banded and the refactorization costs O(N^2) per
 * layer. A layer with G = I and no zero among R_ii (i < rank) takes the plain path: every layer of a
 * network without such an event, and every layer of a ReLU network, whose zero rows are trailing.
 * The exact rank comes out because a direction that is zero in exact arithmetic for structural
 * reasons is also exactly zero in float64 (rotations clear entries exactly).
 */

/** Jacobi stops once every pair of rows has |cos angle| below this (docs/THEORY.md section 3). */
export const JACOBI_TOLERANCE = 1e-15;
/** Cap on Jacobi sweeps; ordinary inputs converge in well under 20. */
export const JACOBI_MAX_SWEEPS = 60;

/** Sums of squares outside this band are recomputed with scaling, so norms never under- or overflow. */
const SAFE_SQ_MIN = 1e-280;
const SAFE_SQ_MAX = 1e280;
/** Coefficient magnitudes beyond these are rescaled before use (only for absurdly scaled R). */
const COEF_BIG = 2 ** 500;
const COEF_SMALL = 2 ** -500;
/** Weights are re-based once the rows are this many binary orders (about 280 nats) below the reference. */
const REF_SPAN = 400;
/**
 * Terms more than 2^MIN_EXP below the reference scale are dropped: beyond the normal range, and (given
 * the checks in multiplyRows) at least 2^-500 below the largest term of their row.
 */
const MIN_EXP = 1022;

/** Binary exponent stored for an exactly zero row; real exponents stay within +-MAX_EXP. */
const ZERO_ROW = -0x80000000;
const MAX_EXP = 0x40000000;

/** POW2[q + POW2_BIAS] = 2^q exactly, for q in [-1074, 1023]. */
const POW2_BIAS = 1074;
const POW2 = (() => {
  const t = new Float64Array(POW2_BIAS + 1024);
  let x = 1;
  for (let q = 0; q <= 1023; q++, x *= 2) t[q + POW2_BIAS] = x;
  x = 1;
  for (let q = 0; q >= -1074; q--, x /= 2) t[q + POW2_BIAS] = x;
  return t;
})();

/** Integer q with 2^q <= x < 2^{q+1}, for finite x > 0. */
function binaryExponent(x: number): number {
  let q = Math.floor(Math.log2(x));
  if (q > 1023) q = 1023;
  if (q < -1074) q = -1074;
  // log2 can round across a power of two; fix with exact comparisons.
  while (q > -1074 && POW2[q + POW2_BIAS] > x) q--;
  while (q < 1023 && POW2[q + 1 + POW2_BIAS] <= x) q++;
  return q;
}

/** v * 2^q exactly (two steps so that 2^q itself never over- or underflows for |q| <= 2100). */
function scaleByPow2(v: Float64Array, from: number, to: number, q: number): void {
  const q1 = q >> 1;
  const f1 = POW2[q1 + POW2_BIAS];
  const f2 = POW2[q - q1 + POW2_BIAS];
  for (let j = from; j < to; j++) v[j] = v[j] * f1 * f2;
}

export interface GradedState {
  /** Log row scales; -Infinity marks an exactly zero row. */
  s: Float64Array;
  /** Unit rows, row-major n x n, upper triangular; zero rows where s = -Infinity. */
  c: Float64Array;
  /**
   * The pending left factor G as rotations (row a, cos, sin) acting on rows (a, a+1), flattened;
   * empty while G = I. It does not change the singular values but does change later products.
   */
  g: Float64Array;
  /** The exact internal scales e^{s_k} = 2^{x_k} f_k (restore() uses them when present, for a bitwise round trip). */
  x: Int32Array;
  f: Float64Array;
}

/** Growable list of adjacent-row Givens rotations [c s; -s c] on rows (a, a+1). */
class RotationList {
  row = new Int32Array(16);
  cos = new Float64Array(16);
  sin = new Float64Array(16);
  length = 0;

  push(a: number, c: number, s: number): void {
    if (this.length === this.row.length) {
      // Grows only when a new maximum is reached (a new singular event), never per layer otherwise.
      const cap = 2 * this.row.length;
      const row = new Int32Array(cap);
      const cos = new Float64Array(cap);
      const sin = new Float64Array(cap);
      row.set(this.row);
      cos.set(this.cos);
      sin.set(this.sin);
      this.row = row;
      this.cos = cos;
      this.sin = sin;
    }
    this.row[this.length] = a;
    this.cos[this.length] = c;
    this.sin[this.length] = s;
    this.length++;
  }
}

export class RowScaledTriangular {
  readonly n: number;
  /** Binary exponents x_k of the row scales; ZERO_ROW for a zero row. Int32, so table lookups index with integers. */
  private readonly x: Int32Array;
  /** Mantissas f_k in [1, 2) of the row scales (0 for a zero row). */
  private readonly f: Float64Array;
  /** Unit rows of That, row-major, upper triangular. */
  private readonly c: Float64Array;
  /** Rows >= rank of That are exactly zero; rows < rank are nonzero and independent. */
  private rank: number;
  /** Pending G = Gamma_1^T Gamma_2^T ... (Gamma_t: the t-th rotation); next: scratch for G'. */
  private pending = new RotationList();
  private next = new RotationList();
  // Scratch, allocated once.
  private readonly coef: Float64Array;
  private readonly mantissa = new Float64Array(1);
  private readonly weight: Float64Array;
  private readonly suffixMax: Int32Array;
  private readonly lowest: Int32Array;
  private readonly factor: Float64Array;
  private readonly gWork: Float64Array;
  private readonly uWork: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`RowScaledTriangular: bad size ${n}`);
    this.n = n;
    this.x = new Int32Array(n);
    this.f = new Float64Array(n);
    this.c = new Float64Array(n * n);
    this.rank = n;
    this.coef = new Float64Array(n);
    this.weight = new Float64Array(n);
    this.suffixMax = new Int32Array(n);
    this.lowest = new Int32Array(n);
    this.factor = new Float64Array(n * n);
    this.gWork = new Float64Array(n);
    this.uWork = new Float64Array(n * n);
    this.reset();
  }

  /** T = I. */
  reset(): void {
    const n = this.n;
    this.x.fill(0);
    this.f.fill(1);
    this.c.fill(0);
    for (let i = 0; i < n; i++) this.c[i * n + i] = 1;
    this.rank = n;
    this.pending.length = 0;
  }

  /** T <- R T for an upper-triangular R (row-major, stride n, lower part ignored). */
  leftMultiply(r: Float64Array): void {
    const n = this.n;
    if (r.length < n * n) throw new RangeError(`leftMultiply: R has ${r.length} entries, need ${n * n}`);
    let plain = this.pending.length === 0;
    for (let i = 0; plain && i < this.rank; i++) plain = r[i * n + i] !== 0;
    this.multiplyRows(plain ? r : this.refactor(r));
    this.compactZeroRows();
  }

  /** log sigma_i(T), descending; -Infinity for exact zero singular values. Does not modify the accumulated T. */
  logSingularValues(): Float64Array {
    const g = this.gWork;
    this.logScales(g);
    this.uWork.set(this.c);
    jacobiInPlace(g, this.uWork, this.n);
    return sortedDescending(g);
  }

  /** Serialize the state (log row scales s, unit rows C, pending rotations) so that the engine can move it between workers. */
  state(): GradedState {
    const p = this.pending;
    const g = new Float64Array(3 * p.length);
    for (let t = 0; t < p.length; t++) {
      g[3 * t] = p.row[t];
      g[3 * t + 1] = p.cos[t];
      g[3 * t + 2] = p.sin[t];
    }
    const s = new Float64Array(this.n);
    this.logScales(s);
    return { s, c: Float64Array.from(this.c), g, x: Int32Array.from(this.x), f: Float64Array.from(this.f) };
  }

  /**
   * Restore a state produced by state(), possibly on another instance or worker. Only s and c are
   * required; without g the pending frame is taken as I (right for a state with no singular event),
   * and without x, f the scales are rebuilt from s (to about |s| eps).
   */
  restore(state: { s: Float64Array; c: Float64Array; g?: Float64Array; x?: Int32Array; f?: Float64Array }): void {
    const n = this.n;
    if (state.s.length !== n || state.c.length !== n * n) {
      throw new RangeError(`restore: state is not for n = ${n}`);
    }
    const g = state.g ?? new Float64Array(0);
    if (g.length % 3 !== 0) throw new RangeError('restore: malformed rotation list');
    const sx = state.x;
    const sf = state.f;
    const exact = sx !== undefined && sf !== undefined && sx.length === n && sf.length === n;
    for (let i = 0; i < n; i++) {
      const si = state.s[i];
      if (Number.isNaN(si) || si === Infinity) throw new RangeError('restore: bad row scale');
      if (exact) {
        this.x[i] = sx[i];
        this.f[i] = sf[i];
      } else if (si === -Infinity) {
        this.x[i] = ZERO_ROW;
        this.f[i] = 0;
      } else {
        if (Math.abs(si) > 1e9) throw new RangeError('restore: row scale out of range');
        const q = Math.floor(si / Math.LN2);
        this.x[i] = q;
        this.f[i] = Math.exp(si - q * Math.LN2);
      }
    }
    this.c.set(state.c);
    this.pending.length = 0;
    for (let t = 0; t < g.length; t += 3) {
      const a = g[t];
      if (!Number.isInteger(a) || a < 0 || a >= n - 1) throw new RangeError('restore: bad rotation row');
      this.pending.push(a, g[t + 1], g[t + 2]);
    }
    const c = this.c;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j < i; j++) c[ri + j] = 0;
      if (!exact) {
        // Bring f into [1, 2) (exp above may land on 2 or just below 1).
        const fi = this.f[i];
        if (fi > 0 && Number.isFinite(fi)) {
          const q = binaryExponent(fi);
          this.x[i] += q;
          this.f[i] = fi * POW2[-q + POW2_BIAS];
        }
      }
      let zero = true;
      for (let j = i; j < n; j++) if (c[ri + j] !== 0) zero = false;
      if (zero || this.x[i] === ZERO_ROW) {
        c.fill(0, ri, ri + n);
        this.x[i] = ZERO_ROW;
        this.f[i] = 0;
      }
    }
    this.rank = n;
    this.compactZeroRows();
  }

  /** out_k = log of the row scale: x_k ln 2 + ln f_k, -Infinity for a zero row. */
  private logScales(out: Float64Array): void {
    for (let k = 0; k < this.n; k++) {
      const xk = this.x[k];
      out[k] = xk === ZERO_ROW ? -Infinity : xk * Math.LN2 + Math.log(this.f[k]);
    }
  }

  /**
   * That <- F That for an upper-triangular F: row i of the product is sum_{k>=i} F_ik 2^{x_k} f_k C_k.
   * Rows are overwritten top-down in place, since row i only involves rows k >= i.
   *
   * The brief's rule is to factor out of row i the largest scale that contributes to it (not row i's
   * own: a zero row can receive rows from below), so that every factor is <= 1. Since the scales are
   * powers of two, the same numbers come from w_k = f_k 2^{x_k - ref} computed once per layer, times
   * F_ik: the two differ by an exact power of two. ref starts at the largest scale and moves down
   * with the rows once they are more than REF_SPAN binary orders below it, so the w_k that matter
   * stay in the normal range; a row whose coefficients still come out tiny takes the exact per-row
   * path.
   */
  private multiplyRows(r: Float64Array): void {
    const n = this.n;
    const x = this.x;
    const c = this.c;
    const a = this.coef;
    const w = this.weight;
    const suffixMax = this.suffixMax;
    // Rows >= rank are zero and contribute nothing.
    const kEnd = this.rank;
    let m = ZERO_ROW;
    for (let k = kEnd - 1; k >= 0; k--) {
      if (x[k] > m) m = x[k];
      suffixMax[k] = m;
    }
    let ref = ZERO_ROW;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      if (i >= kEnd) {
        c.fill(0, ri, ri + n);
        x[i] = ZERO_ROW;
        this.f[i] = 0;
        continue;
      }
      if (ref === ZERO_ROW || ref - suffixMax[i] > REF_SPAN) {
        ref = suffixMax[i];
        this.fillWeights(i, kEnd, ref);
      }
      let amax = 0;
      for (let k = i; k < kEnd; k++) {
        const ak = r[ri + k] * w[k];
        a[k] = ak;
        const abs = ak < 0 ? -ak : ak;
        if (abs > amax) amax = abs;
      }
      let xm = ref;
      // The exact path also when the row's own term vanished only because ref is above its range:
      // that term carries the diagonal, and losing it would make That structurally singular.
      const ownLost = w[i] === 0 && r[ri + i] !== 0 && x[i] !== ZERO_ROW;
      if (!(amax > COEF_SMALL && amax < COEF_BIG) || ownLost) {
        xm = this.exactCoefficients(r, i, kEnd);
        if (xm === ZERO_ROW) {
          c.fill(0, ri, ri + n);
          x[i] = ZERO_ROW;
          this.f[i] = 0;
          continue;
        }
      }
      for (let k = kEnd; k < n; k++) a[k] = 0;
      accumulateRow(c, a, n, i, kEnd);
      const q = normalizeRowPow2(c, ri + i, ri + n, this.mantissa);
      if (q === null) {
        // Exact cancellation: the row is zero, not tiny.
        c.fill(0, ri, ri + n);
        x[i] = ZERO_ROW;
        this.f[i] = 0;
      } else {
        const xi = xm + q;
        // Int32 storage: about 2^30 doublings (3e8 nats) is far beyond anything finite depth produces.
        if (xi > MAX_EXP || xi < -MAX_EXP) throw new RangeError('RowScaledTriangular: row scale beyond 2^(+-2^30)');
        x[i] = xi;
        this.f[i] = this.mantissa[0];
      }
    }
  }

  /** w_k = f_k 2^{x_k - ref} for k in [from, to); 0 where that is below the normal range (or a zero row). */
  private fillWeights(from: number, to: number, ref: number): void {
    const x = this.x;
    const f = this.f;
    const w = this.weight;
    for (let k = from; k < to; k++) {
      const d = x[k] - ref;
      w[k] = d >= -MIN_EXP ? f[k] * POW2[(d + POW2_BIAS) | 0] : 0;
    }
  }

  /**
   * The brief's rule verbatim, for rows whose coefficients fell outside the safe band: factor out
   * 2^xm with xm the largest contributing exponent. Fills coef, returns xm (ZERO_ROW if nothing
   * contributes). Also rescales absurdly large or small R entries by an exact power of two.
   */
  private exactCoefficients(r: Float64Array, i: number, kEnd: number): number {
    const x = this.x;
    const f = this.f;
    const a = this.coef;
    const ri = i * this.n;
    let xm = ZERO_ROW;
    for (let k = i; k < kEnd; k++) {
      if (r[ri + k] !== 0 && x[k] > xm) xm = x[k];
    }
    if (xm === ZERO_ROW) return ZERO_ROW;
    let amax = 0;
    for (let k = i; k < kEnd; k++) {
      const rk = r[ri + k];
      const d = x[k] - xm; // an integer <= 0; hugely negative for a zero row
      const ak = rk !== 0 && d >= -MIN_EXP ? rk * f[k] * POW2[(d + POW2_BIAS) | 0] : 0;
      a[k] = ak;
      const abs = ak < 0 ? -ak : ak;
      if (abs > amax) amax = abs;
    }
    if (amax === 0) return ZERO_ROW;
    if (amax > COEF_BIG || amax < COEF_SMALL) {
      const qa = binaryExponent(amax);
      for (let k = i; k < kEnd; k++) a[k] *= POW2[-qa + POW2_BIAS];
      xm += qa;
    }
    return xm;
  }

  /**
   * Rhat with R G = G' Rhat, G' replacing the pending G. B = R G is formed in scratch, its columns
   * >= rank (they meet zero rows of That) are dropped, and B is reduced to row echelon form by
   * adjacent-row Givens rotations, each clearing one entry exactly. A column with nothing left at or
   * below the current pivot row gets no pivot: an exactly singular direction, and the zero rows it
   * leaves end up at the bottom.
   */
  private refactor(r: Float64Array): Float64Array {
    const n = this.n;
    const b = this.factor;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j < i; j++) b[ri + j] = 0;
      for (let j = i; j < n; j++) b[ri + j] = r[ri + j];
    }
    // B = R Gamma_1^T Gamma_2^T ...: Gamma^T on the right rotates columns (a, a+1) the same way.
    // Rows are independent, so each row takes the whole sequence in turn (contiguous access).
    const p = this.pending;
    const prow = p.row;
    const pcos = p.cos;
    const psin = p.sin;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      // Row i of B is zero left of column `left`; a rotation of two such columns does nothing.
      let left = i;
      for (let t = 0; t < p.length; t++) {
        const a = prow[t];
        if (a + 1 < left) continue;
        if (a < left) left = a;
        const col = ri + a;
        const cs = pcos[t];
        const sn = psin[t];
        const u = b[col];
        const v = b[col + 1];
        b[col] = cs * u + sn * v;
        b[col + 1] = cs * v - sn * u;
      }
    }
    // Lowest row that can be nonzero in each column: col for R, and a rotation of columns (a, a+1)
    // gives both the lower of the two.
    const lowest = this.lowest;
    for (let col = 0; col < n; col++) lowest[col] = col;
    for (let t = 0; t < p.length; t++) {
      const col = prow[t];
      const m = Math.max(lowest[col], lowest[col + 1]);
      lowest[col] = m;
      lowest[col + 1] = m;
    }
    const rank = this.rank;
    for (let i = 0; i < n; i++) b.fill(0, i * n + rank, i * n + n);
    const q = this.next;
    q.length = 0;
    let piv = 0;
    for (let col = 0; col < rank && piv < n; col++) {
      let i = lowest[col];
      while (i > piv && b[i * n + col] === 0) i--;
      for (; i > piv; i--) {
        const y = b[i * n + col];
        if (y === 0) continue;
        const xv = b[(i - 1) * n + col];
        // [c s; -s c] on rows (i-1, i) with c = x/h, s = y/h clears (i, col); x = 0 is an exact swap.
        const h = Math.hypot(xv, y);
        const cs = xv / h;
        const sn = y / h;
        const r0 = (i - 1) * n;
        const r1 = i * n;
        for (let j = col; j < rank; j++) {
          const u = b[r0 + j];
          const v = b[r1 + j];
          b[r0 + j] = cs * u + sn * v;
          b[r1 + j] = cs * v - sn * u;
        }
        b[r1 + col] = 0;
        q.push(i - 1, cs, sn);
      }
      if (b[piv * n + col] !== 0) piv++;
    }
    // Rows >= piv are exactly zero by construction; make it explicit.
    b.fill(0, piv * n, n * n);
    this.next = p;
    this.pending = q;
    return b;
  }

  /**
   * Keep the zero rows of That at the bottom. Elsewhere they only arise from exact cancellation in
   * multiplyRows (not for generic data); such a row is cycled down by swaps, recorded in G like any
   * other rotation, so that it stays zero instead of being refilled by the next layer.
   */
  private compactZeroRows(): void {
    const n = this.n;
    const x = this.x;
    const f = this.f;
    const c = this.c;
    let rank = 0;
    for (let i = 0; i < n; i++) if (x[i] !== ZERO_ROW) rank = i + 1;
    for (let i = rank - 1; i >= 0; i--) {
      if (x[i] !== ZERO_ROW) continue;
      // Move zero row i below rows i+1..rank-1 with swaps [0 1; -1 0] on (a, a+1): the sign lands
      // on the zero row, so the nonzero rows move up unchanged.
      for (let a = i; a < rank - 1; a++) {
        x[a] = x[a + 1];
        f[a] = f[a + 1];
        c.copyWithin(a * n, (a + 1) * n, (a + 2) * n);
        this.pending.push(a, 0, 1);
      }
      x[rank - 1] = ZERO_ROW;
      f[rank - 1] = 0;
      c.fill(0, (rank - 1) * n, rank * n);
      rank--;
    }
    this.rank = rank;
  }
}

/**
 * Row i of C <- a_i C_i + sum_{i<k<kEnd} a_k C_k, in place (rows k > i are still the old ones). Row k of
 * C is zero left of column k. Source rows are taken 8 at a time, so each entry of row i is loaded and
 * stored once per 8 multiply-adds: this loop is the whole cost of the method (N^3/6 per layer), and
 * the blocking doubles its speed in V8.
 */
function accumulateRow(c: Float64Array, a: Float64Array, n: number, i: number, kEnd: number): void {
  const ri = i * n;
  const ai = a[i];
  if (ai === 0) {
    for (let j = i; j < n; j++) c[ri + j] = 0;
  } else {
    for (let j = i; j < n; j++) c[ri + j] *= ai;
  }
  let k = i + 1;
  for (; k + 7 < kEnd; k += 8) {
    const a0 = a[k];
    const a1 = a[k + 1];
    const a2 = a[k + 2];
    const a3 = a[k + 3];
    const a4 = a[k + 4];
    const a5 = a[k + 5];
    const a6 = a[k + 6];
    const a7 = a[k + 7];
    if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0 && a4 === 0 && a5 === 0 && a6 === 0 && a7 === 0) continue;
    const r0 = k * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    const r4 = r3 + n;
    const r5 = r4 + n;
    const r6 = r5 + n;
    const r7 = r6 + n;
    // The triangle where the 8 source rows start (row k + t is zero left of column k + t).
    c[ri + k] += a0 * c[r0 + k];
    c[ri + k + 1] += a0 * c[r0 + k + 1] + a1 * c[r1 + k + 1];
    c[ri + k + 2] += a0 * c[r0 + k + 2] + a1 * c[r1 + k + 2] + a2 * c[r2 + k + 2];
    c[ri + k + 3] += a0 * c[r0 + k + 3] + a1 * c[r1 + k + 3] + a2 * c[r2 + k + 3] + a3 * c[r3 + k + 3];
    c[ri + k + 4] += a0 * c[r0 + k + 4] + a1 * c[r1 + k + 4] + a2 * c[r2 + k + 4] + a3 * c[r3 + k + 4] + a4 * c[r4 + k + 4];
    c[ri + k + 5] += a0 * c[r0 + k + 5] + a1 * c[r1 + k + 5] + a2 * c[r2 + k + 5] + a3 * c[r3 + k + 5] + a4 * c[r4 + k + 5] + a5 * c[r5 + k + 5];
    c[ri + k + 6] +=
      a0 * c[r0 + k + 6] + a1 * c[r1 + k + 6] + a2 * c[r2 + k + 6] + a3 * c[r3 + k + 6] + a4 * c[r4 + k + 6] + a5 * c[r5 + k + 6] + a6 * c[r6 + k + 6];
    for (let j = k + 7; j < n; j++) {
      c[ri + j] += a0 * c[r0 + j] + a1 * c[r1 + j] + a2 * c[r2 + j] + a3 * c[r3 + j] + a4 * c[r4 + j] + a5 * c[r5 + j] + a6 * c[r6 + j] + a7 * c[r7 + j];
    }
  }
  for (; k < kEnd; k++) {
    const ak = a[k];
    if (ak === 0) continue;
    const rk = k * n;
    for (let j = k; j < n; j++) c[ri + j] += ak * c[rk + j];
  }
}

/**
 * Scale v[from..to) to unit norm. The old norm is returned as 2^q * m with m in [1, 2): q is the
 * return value, m is written to mOut[0]. null for an exactly zero vector.
 */
function normalizeRowPow2(v: Float64Array, from: number, to: number, mOut: Float64Array): number | null {
  let ss = 0;
  for (let j = from; j < to; j++) ss += v[j] * v[j];
  let q0 = 0;
  if (!(ss >= SAFE_SQ_MIN && ss <= SAFE_SQ_MAX)) {
    // Squares left the normal range: rescale exactly by a power of two first.
    let amax = 0;
    for (let j = from; j < to; j++) amax = Math.max(amax, Math.abs(v[j]));
    if (amax === 0) return null;
    // Only a non-finite entry of R gets here with NaN or Infinity; refuse it rather than spread NaN.
    if (!Number.isFinite(amax)) throw new RangeError('RowScaledTriangular: R has a non-finite entry');
    q0 = binaryExponent(amax);
    scaleByPow2(v, from, to, -q0);
    ss = 0;
    for (let j = from; j < to; j++) ss += v[j] * v[j];
  }
  const norm = Math.sqrt(ss);
  const inv = 1 / norm;
  for (let j = from; j < to; j++) v[j] *= inv;
  const q = binaryExponent(norm);
  mOut[0] = norm * POW2[-q + POW2_BIAS];
  return q0 + q;
}
/**
 * log sigma of the matrix with rows e^{g_i} u_i (u: n x n row-major, unit rows; g_i = -Infinity for a
 * zero row), descending, by row-scaled one-sided Jacobi. Inputs are not modified. Rows must be
 * linearly independent apart from exactly zero rows; an exactly dependent set of nonzero rows gives a
 * round-off value instead of -Infinity (RowScaledTriangular never passes such rows).
 */
export function jacobiLogSingularValues(g: Float64Array, u: Float64Array, n: number): Float64Array {
  if (g.length < n || u.length < n * n) throw new RangeError('jacobiLogSingularValues: arrays too short');
  const gw = Float64Array.from(g.subarray(0, n));
  const uw = Float64Array.from(u.subarray(0, n * n));
  for (let i = 0; i < n; i++) {
    if (gw[i] === -Infinity) continue;
    // Accept rows that are not exactly unit length.
    const lg = normalizeRow(uw, i * n, i * n + n);
    gw[i] = lg === -Infinity ? -Infinity : gw[i] + lg;
    if (lg === -Infinity) uw.fill(0, i * n, i * n + n);
  }
  jacobiInPlace(gw, uw, n);
  return sortedDescending(gw);
}

/**
 * One-sided Jacobi on the rows in row-scaled form (docs/THEORY.md section 3). For rows p, q with
 * g_p >= g_q: r = e^{g_q - g_p}, cs = u_p . u_q, rz = -(1 - r^2)/(2 cs),
 * w = sign(rz)/(|rz| + sqrt(r^2 + rz^2)), t = w r, cc = 1/sqrt(1 + t^2),
 * row_p <- e^{g_p} cc (u_p - w r^2 u_q),  row_q <- e^{g_q} cc (w u_p + u_q);
 * both rows are then renormalized to unit length with the log of the norm moved into g.
 * On return g holds the log singular values (unsorted).
 */
function jacobiInPlace(g: Float64Array, u: Float64Array, n: number): void {
  for (let sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let i = 0; i < n - 1; i++) {
      if (g[i] === -Infinity) continue;
      const ri = i * n;
      for (let j = i + 1; j < n; j++) {
        if (g[j] === -Infinity) continue;
        if (g[i] === -Infinity) break;
        const rj = j * n;
        const cs = dot(u, ri, rj, n);
        if (!(Math.abs(cs) >= JACOBI_TOLERANCE)) continue;
        rotated = true;
        // p is the larger row, so that r <= 1 and nothing overflows.
        const big = g[i] >= g[j];
        const p = big ? ri : rj;
        const q = big ? rj : ri;
        const ip = big ? i : j;
        const iq = big ? j : i;
        const r = Math.exp(g[iq] - g[ip]);
        const r2 = r * r;
        const rz = -(1 - r2) / (2 * cs);
        const w = (rz >= 0 ? 1 : -1) / (Math.abs(rz) + Math.sqrt(r2 + rz * rz));
        const t = w * r;
        const logCc = -0.5 * Math.log1p(t * t);
        const wr2 = w * r2;
        if (cs * cs <= 0.75) {
          // New squared norms from unit u_p, u_q with u_p . u_q = cs; both are >= 1/4 here, so the
          // formulas do not cancel and rotation and renormalization fuse into one pass. (The rows
          // are unit only to rounding; the end-of-sweep renormalization below settles that.)
          const np2 = 1 - 2 * wr2 * cs + wr2 * wr2;
          const nq2 = 1 + 2 * w * cs + w * w;
          const sp = 1 / Math.sqrt(np2);
          const sq = 1 / Math.sqrt(nq2);
          const a1 = sp;
          const a2 = -wr2 * sp;
          const b1 = w * sq;
          const b2 = sq;
          for (let k = 0; k < n; k++) {
            const up = u[p + k];
            const uq = u[q + k];
            u[p + k] = a1 * up + a2 * uq;
            u[q + k] = b1 * up + b2 * uq;
          }
          g[ip] += logCc + 0.5 * Math.log(np2);
          g[iq] += logCc + 0.5 * Math.log(nq2);
        } else {
          // Nearly parallel rows: the small one is mostly cancelled, so measure it.
          for (let k = 0; k < n; k++) {
            const up = u[p + k];
            const uq = u[q + k];
            u[p + k] = up - wr2 * uq;
            u[q + k] = w * up + uq;
          }
          const lp = normalizeRow(u, p, p + n);
          g[ip] = lp === -Infinity ? -Infinity : g[ip] + logCc + lp;
          const lq = normalizeRow(u, q, q + n);
          g[iq] = lq === -Infinity ? -Infinity : g[iq] + logCc + lq;
          if (lp === -Infinity) u.fill(0, p, p + n);
          if (lq === -Infinity) u.fill(0, q, q + n);
        }
      }
    }
    // Exact unit rows again; what the fused rotations left is folded into g.
    for (let i = 0; i < n; i++) {
      if (g[i] === -Infinity) continue;
      const li = normalizeRow(u, i * n, i * n + n);
      g[i] = li === -Infinity ? -Infinity : g[i] + li;
    }
    if (!rotated) return;
  }
}

/** u[a..a+n) . u[b..b+n), with four partial sums for instruction-level parallelism. */
function dot(u: Float64Array, a: number, b: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += u[a + k] * u[b + k];
    s1 += u[a + k + 1] * u[b + k + 1];
    s2 += u[a + k + 2] * u[b + k + 2];
    s3 += u[a + k + 3] * u[b + k + 3];
  }
  for (; k < n; k++) s0 += u[a + k] * u[b + k];
  return s0 + s1 + (s2 + s3);
}

/**
 * Scale v[from..to) to unit Euclidean norm and return the log of the old norm (-Infinity for a zero
 * vector, left as is). Squares are rescaled where they would leave the normal float64 range.
 */
function normalizeRow(v: Float64Array, from: number, to: number): number {
  let ss = 0;
  for (let j = from; j < to; j++) ss += v[j] * v[j];
  if (ss === 0) {
    // Either exactly zero or so small that all squares underflow; decide by the entries.
    let amax = 0;
    for (let j = from; j < to; j++) amax = Math.max(amax, Math.abs(v[j]));
    if (amax === 0) return -Infinity;
  }
  if (ss >= SAFE_SQ_MIN && ss <= SAFE_SQ_MAX) {
    const inv = 1 / Math.sqrt(ss);
    for (let j = from; j < to; j++) v[j] *= inv;
    return 0.5 * Math.log(ss);
  }
  let amax = 0;
  for (let j = from; j < to; j++) amax = Math.max(amax, Math.abs(v[j]));
  const scale = 1 / amax;
  let ss2 = 0;
  for (let j = from; j < to; j++) {
    const x = v[j] * scale;
    v[j] = x;
    ss2 += x * x;
  }
  const inv = 1 / Math.sqrt(ss2);
  for (let j = from; j < to; j++) v[j] *= inv;
  return Math.log(amax) + 0.5 * Math.log(ss2);
}

function sortedDescending(g: Float64Array): Float64Array {
  const out = Float64Array.from(g);
  out.sort();
  out.reverse();
  return out;
}
