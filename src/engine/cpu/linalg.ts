/**
 * Dense float64 kernels of the CPU engine. Matrices are flat Float64Arrays:
 *  - W (N x N) row-major, as the random stream lays out weights (element = row * N + col);
 *  - panels Q, Z (N x k) column-major, so each column is contiguous for the Householder QR.
 * Everything works in caller-owned buffers: the engine allocates once per run, never per layer.
 */

/**
 * out (N x k, column-major) = W (N x N, row-major) * Q (N x k, column-major).
 * Each output entry is a dot product of two contiguous vectors; 4 x 4 register blocking lets V8 keep
 * 16 accumulators in registers and load each operand once per 4 multiply-adds.
 */
export function matmulWQ(w: Float64Array, q: Float64Array, out: Float64Array, n: number, k: number): void {
  const n4 = n - (n % 4);
  const k4 = k - (k % 4);
  for (let j = 0; j < k4; j += 4) {
    const q0 = j * n,
      q1 = q0 + n,
      q2 = q1 + n,
      q3 = q2 + n;
    for (let i = 0; i < n4; i += 4) {
      const w0 = i * n,
        w1 = w0 + n,
        w2 = w1 + n,
        w3 = w2 + n;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let t = 0; t < n; t++) {
        const a0 = w[w0 + t]!,
          a1 = w[w1 + t]!,
          a2 = w[w2 + t]!,
          a3 = w[w3 + t]!;
        const b0 = q[q0 + t]!,
          b1 = q[q1 + t]!,
          b2 = q[q2 + t]!,
          b3 = q[q3 + t]!;
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      out[q0 + i] = c00;
      out[q1 + i] = c01;
      out[q2 + i] = c02;
      out[q3 + i] = c03;
      out[q0 + i + 1] = c10;
      out[q1 + i + 1] = c11;
      out[q2 + i + 1] = c12;
      out[q3 + i + 1] = c13;
      out[q0 + i + 2] = c20;
      out[q1 + i + 2] = c21;
      out[q2 + i + 2] = c22;
      out[q3 + i + 2] = c23;
      out[q0 + i + 3] = c30;
      out[q1 + i + 3] = c31;
      out[q2 + i + 3] = c32;
      out[q3 + i + 3] = c33;
    }
    for (let i = n4; i < n; i++) {
      for (let jj = j; jj < j + 4; jj++) out[jj * n + i] = dot(w, i * n, q, jj * n, n);
    }
  }
  for (let j = k4; j < k; j++) {
    for (let i = 0; i < n; i++) out[j * n + i] = dot(w, i * n, q, j * n, n);
  }
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s = 0;
  for (let t = 0; t < len; t++) s += a[ao + t]! * b[bo + t]!;
  return s;
}

/** y = W x + b for row-major W (N x N). */
export function matvec(w: Float64Array, x: Float64Array, b: Float64Array, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] = dot(w, i * n, x, 0, n) + b[i]!;
}

/** y = A x + b for row-major A (rows x cols); b may be null (no bias). */
export function matvecRect(a: Float64Array, rows: number, cols: number, x: Float64Array, b: Float64Array | null, y: Float64Array): void {
  for (let i = 0; i < rows; i++) y[i] = dot(a, i * cols, x, 0, cols) + (b === null ? 0 : b[i]!);
}

/**
 * out (rows x k, column-major) = A (rows x cols, row-major) * B (cols x k, column-major): the full
 * block's non-square products W Q and V (D W Q). Square ones go through the SIMD kernel (matmulWQ).
 */
export function matmulRect(a: Float64Array, rows: number, cols: number, b: Float64Array, k: number, out: Float64Array): void {
  for (let j = 0; j < k; j++) {
    const bo = j * cols;
    const oo = j * rows;
    for (let i = 0; i < rows; i++) out[oo + i] = dot(a, i * cols, b, bo, cols);
  }
}

/**
 * Column-reflector update x[:, c0..c1) <- (I - t v v^T) x[:, c0..c1) with v = (1, v[vOff+j+1 ..]) on rows
 * j..N-1: the inner loop of the QR. Implemented here in JavaScript and in WebAssembly SIMD.
 */
export type Reflect = (v: Float64Array, vOff: number, j: number, t: number, x: Float64Array, c0: number, c1: number, n: number) => void;

/** The dense kernels the engine needs, in one implementation (JavaScript or WebAssembly SIMD). */
export interface DenseKernels {
  readonly name: string;
  matmulWQ(w: Float64Array, q: Float64Array, out: Float64Array, n: number, k: number): void;
  reflect: Reflect;
}

/**
 * In-place Householder QR of the column-major N x k panel z (k <= N), LAPACK convention:
 * afterwards R is in the upper triangle (R[i][j] = z[j*N + i], i <= j) and reflector j is
 * H_j = I - tau_j v v^T with v = (1, z[j*N + j+1 .. j*N + N-1]).
 * Exactly singular panels are fine: a column that is already zero below and on the diagonal gives
 * tau = 0 and R_jj = 0 exactly (log -> -Infinity), never NaN.
 */
export function householderQR(z: Float64Array, tau: Float64Array, n: number, k: number, reflect: Reflect = applyReflector): void {
  for (let j = 0; j < k; j++) {
    const col = j * n;
    const alpha = z[col + j]!;
    let sigma = 0;
    for (let i = j + 1; i < n; i++) sigma += z[col + i]! * z[col + i]!;
    if (sigma === 0) {
      // Nothing to annihilate; H = I and R_jj = alpha (possibly exactly 0).
      tau[j] = 0;
      continue;
    }
    const norm = Math.sqrt(alpha * alpha + sigma);
    const beta = alpha >= 0 ? -norm : norm;
    tau[j] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < n; i++) z[col + i]! *= scale;
    z[col + j] = beta;
    // Apply H_j to the remaining columns: c <- c - tau v (v^T c).
    reflect(z, col, j, tau[j]!, z, j + 1, k, n);
  }
}

/**
 * Columns c0..c1-1 of x (column-major, N rows) <- H x, H = I - t v v^T with v = (1, v[vOff+j+1 ..]) on
 * rows j..N-1. Eight (then four) columns share each load of v, which matters because this rank-1 update is the
 * QR's inner loop and V8 does not vectorize it.
 */
export function applyReflector(v: Float64Array, vOff: number, j: number, t: number, x: Float64Array, c0: number, c1: number, n: number): void {
  let c = c0;
  for (; c + 8 <= c1; c += 8) {
    const x0 = c * n,
      x1 = x0 + n,
      x2 = x1 + n,
      x3 = x2 + n,
      x4 = x3 + n,
      x5 = x4 + n,
      x6 = x5 + n,
      x7 = x6 + n;
    let s0 = x[x0 + j]!,
      s1 = x[x1 + j]!,
      s2 = x[x2 + j]!,
      s3 = x[x3 + j]!;
    let s4 = x[x4 + j]!,
      s5 = x[x5 + j]!,
      s6 = x[x6 + j]!,
      s7 = x[x7 + j]!;
    for (let i = j + 1; i < n; i++) {
      const vi = v[vOff + i]!;
      s0 += vi * x[x0 + i]!;
      s1 += vi * x[x1 + i]!;
      s2 += vi * x[x2 + i]!;
      s3 += vi * x[x3 + i]!;
      s4 += vi * x[x4 + i]!;
      s5 += vi * x[x5 + i]!;
      s6 += vi * x[x6 + i]!;
      s7 += vi * x[x7 + i]!;
    }
    s0 *= t;
    s1 *= t;
    s2 *= t;
    s3 *= t;
    s4 *= t;
    s5 *= t;
    s6 *= t;
    s7 *= t;
    x[x0 + j]! -= s0;
    x[x1 + j]! -= s1;
    x[x2 + j]! -= s2;
    x[x3 + j]! -= s3;
    x[x4 + j]! -= s4;
    x[x5 + j]! -= s5;
    x[x6 + j]! -= s6;
    x[x7 + j]! -= s7;
    for (let i = j + 1; i < n; i++) {
      const vi = v[vOff + i]!;
      x[x0 + i]! -= s0 * vi;
      x[x1 + i]! -= s1 * vi;
      x[x2 + i]! -= s2 * vi;
      x[x3 + i]! -= s3 * vi;
      x[x4 + i]! -= s4 * vi;
      x[x5 + i]! -= s5 * vi;
      x[x6 + i]! -= s6 * vi;
      x[x7 + i]! -= s7 * vi;
    }
  }
  for (; c + 4 <= c1; c += 4) {
    const x0 = c * n,
      x1 = x0 + n,
      x2 = x1 + n,
      x3 = x2 + n;
    let s0 = x[x0 + j]!,
      s1 = x[x1 + j]!,
      s2 = x[x2 + j]!,
      s3 = x[x3 + j]!;
    for (let i = j + 1; i < n; i++) {
      const vi = v[vOff + i]!;
      s0 += vi * x[x0 + i]!;
      s1 += vi * x[x1 + i]!;
      s2 += vi * x[x2 + i]!;
      s3 += vi * x[x3 + i]!;
    }
    s0 *= t;
    s1 *= t;
    s2 *= t;
    s3 *= t;
    x[x0 + j]! -= s0;
    x[x1 + j]! -= s1;
    x[x2 + j]! -= s2;
    x[x3 + j]! -= s3;
    for (let i = j + 1; i < n; i++) {
      const vi = v[vOff + i]!;
      x[x0 + i]! -= s0 * vi;
      x[x1 + i]! -= s1 * vi;
      x[x2 + i]! -= s2 * vi;
      x[x3 + i]! -= s3 * vi;
    }
  }
  for (; c < c1; c++) {
    const xc = c * n;
    let s = x[xc + j]!;
    for (let i = j + 1; i < n; i++) s += v[vOff + i]! * x[xc + i]!;
    s *= t;
    x[xc + j]! -= s;
    for (let i = j + 1; i < n; i++) x[xc + i]! -= s * v[vOff + i]!;
  }
}

/**
 * q (N x k, column-major) = the first k columns of H_0 H_1 ... H_{k-1}, by backward accumulation
 * (each reflector touches only rows and columns >= j of the identity it starts from).
 */
export function formQ(z: Float64Array, tau: Float64Array, q: Float64Array, n: number, k: number, reflect: Reflect = applyReflector): void {
  q.fill(0, 0, n * k);
  for (let j = 0; j < k; j++) q[j * n + j] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const t = tau[j]!;
    if (t === 0) continue;
    reflect(z, j * n, j, t, q, j, k, n);
  }
}

/**
 * Haar-distributed orthonormal columns: QR of the column-major N x k Gaussian panel g (overwritten)
 * with column j of Q multiplied by sign(R_jj), the fix without which the law is not Haar.
 * The first k columns of a Haar N x N matrix are the Q of the first k Gaussian columns.
 */
export function haarColumns(g: Float64Array, tau: Float64Array, q: Float64Array, n: number, k: number, reflect: Reflect = applyReflector): void {
  householderQR(g, tau, n, k, reflect);
  formQ(g, tau, q, n, k, reflect);
  for (let j = 0; j < k; j++) {
    if (g[j * n + j]! < 0) {
      for (let i = 0; i < n; i++) q[j * n + i] = -q[j * n + i]!;
    }
  }
}

export const JS_KERNELS: DenseKernels = { name: 'js', matmulWQ, reflect: applyReflector };
