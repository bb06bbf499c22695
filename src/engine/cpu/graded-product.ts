/**
 * Singular values of a deep product of upper-triangular factors, T = R_L ... R_1, which is graded:
 * its log row norms span hundreds to thousands of nats, beyond float64's range (THEORY.md section 3).
 * T is kept as diag(e^s) C with unit-norm rows of C, and its singular values come from a one-sided
 * Jacobi SVD on the rows in the same row-scaled form, which keeps full relative accuracy.
 *
 * Rows can be exactly zero (s = -Infinity): the engine zeroes row j of R when direction j is exactly
 * singular, and a zero row of T can become nonzero again when later factors mix other rows into it.
 * So each new row is scaled by the largest s it draws on, not by its own s.
 */
export class RowScaledTriangular {
  /** Log row scales. */
  private s: Float64Array;
  /** Unit rows (row-major, upper triangular). */
  private c: Float64Array;
  private nextS: Float64Array;
  private nextC: Float64Array;
  private readonly weights: Float64Array;

  constructor(readonly n: number) {
    this.s = new Float64Array(n);
    this.c = new Float64Array(n * n);
    this.nextS = new Float64Array(n);
    this.nextC = new Float64Array(n * n);
    this.weights = new Float64Array(n);
    this.reset();
  }

  /** T = I. */
  reset(): void {
    const n = this.n;
    this.s.fill(0);
    this.c.fill(0);
    for (let i = 0; i < n; i++) this.c[i * n + i] = 1;
  }

  /** T <- R T for an upper-triangular R (row-major, stride n; the lower part is ignored). */
  leftMultiply(r: Float64Array): void {
    const n = this.n;
    const { s, c, nextS, nextC, weights } = this;
    for (let i = 0; i < n; i++) {
      // Row i of R T = sum_{k >= i} R_ik e^{s_k} C_k. Factor out m = max s_k over contributing rows.
      let m = -Infinity;
      for (let k = i; k < n; k++) if (r[i * n + k] !== 0 && s[k]! > m) m = s[k]!;
      const out = i * n;
      nextC.fill(0, out, out + n);
      if (m === -Infinity) {
        nextS[i] = -Infinity;
        continue;
      }
      for (let k = i; k < n; k++) {
        const rik = r[i * n + k]!;
        weights[k] = rik === 0 || s[k] === -Infinity ? 0 : rik * Math.exp(s[k]! - m);
      }
      // C rows are upper triangular: row k is zero before column k.
      for (let k = i; k < n; k++) {
        const wk = weights[k]!;
        if (wk === 0) continue;
        const rowK = k * n;
        for (let col = k; col < n; col++) nextC[out + col]! += wk * c[rowK + col]!;
      }
      let norm2 = 0;
      for (let col = i; col < n; col++) norm2 += nextC[out + col]! * nextC[out + col]!;
      if (norm2 === 0) {
        nextS[i] = -Infinity;
        continue;
      }
      const norm = Math.sqrt(norm2);
      const inv = 1 / norm;
      for (let col = i; col < n; col++) nextC[out + col]! *= inv;
      nextS[i] = m + Math.log(norm);
    }
    this.s = nextS;
    this.nextS = s;
    this.c = nextC;
    this.nextC = c;
  }

  /** log sigma_i(T), descending; -Infinity for exact zeros. Leaves the accumulated T unchanged. */
  logSingularValues(): Float64Array {
    return jacobiLogSingularValues(Float64Array.from(this.s), Float64Array.from(this.c), this.n);
  }

  state(): { s: Float64Array; c: Float64Array } {
    return { s: Float64Array.from(this.s), c: Float64Array.from(this.c) };
  }
}

/**
 * One-sided (Hestenes) Jacobi on the rows of diag(e^g) U (U: unit rows, row-major n x n; both arrays
 * are overwritten). Rotations orthogonalize pairs of rows; at convergence the singular values are the
 * row norms e^g. Rows with g = -Infinity are zero and give -Infinity. Returns g sorted descending.
 */
export function jacobiLogSingularValues(g: Float64Array, u: Float64Array, n: number, maxSweeps = 60): Float64Array {
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let a = 0; a < n - 1; a++) {
      for (let b = a + 1; b < n; b++) {
        if (g[a] === -Infinity || g[b] === -Infinity) continue;
        // i: the row with the larger norm.
        const i = g[a]! >= g[b]! ? a : b;
        const j = i === a ? b : a;
        const ri = i * n;
        const rj = j * n;
        let cs = 0;
        for (let t = 0; t < n; t++) cs += u[ri + t]! * u[rj + t]!;
        if (Math.abs(cs) < 1e-15) continue;
        rotated = true;
        const r = Math.exp(g[j]! - g[i]!);
        const rz = -(1 - r * r) / (2 * cs);
        const w = Math.sign(rz) / (Math.abs(rz) + Math.sqrt(r * r + rz * rz));
        const tt = w * r;
        const cc = 1 / Math.sqrt(1 + tt * tt);
        const r2 = r * r;
        // row_i <- e^{g_i} cc (u_i - w r^2 u_j),  row_j <- e^{g_j} cc (w u_i + u_j); then renormalize.
        let ni = 0;
        let nj = 0;
        for (let t = 0; t < n; t++) {
          const ui = u[ri + t]!;
          const uj = u[rj + t]!;
          const newI = ui - w * r2 * uj;
          const newJ = w * ui + uj;
          u[ri + t] = newI;
          u[rj + t] = newJ;
          ni += newI * newI;
          nj += newJ * newJ;
        }
        const si = Math.sqrt(ni);
        const sj = Math.sqrt(nj);
        for (let t = 0; t < n; t++) {
          u[ri + t]! /= si;
          u[rj + t]! /= sj;
        }
        g[i]! += Math.log(cc * si);
        g[j]! += Math.log(cc * sj);
      }
    }
    if (!rotated) break;
  }
  return Float64Array.from(g).sort().reverse();
}
