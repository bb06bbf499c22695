/**
 * Exact Lyapunov spectrum of products of real Gaussian matrices (Newman 1986; docs/THEORY.md 5.1).
 * Per layer the QR diagonal satisfies R_kk^2 = (sw2/N) chi^2_{N-k+1}, independently in k and l
 * (Bartlett decomposition), and E log chi^2_m = log 2 + psi(m/2).
 */
import { digamma, trigamma } from '../math/gamma';

/**
 * lambda_k = (1/2) log sw2 + (1/2)[psi((N-k+1)/2) + log(2/N)] for k = 1..k (descending).
 *
 * Validity: exact for every N and every depth L (the Benettin estimate is unbiased at any L) for
 * feedforward linear nets with real Gaussian W of variance sw2/N; not for orthogonal, sparse or
 * nonlinear nets.
 */
export function newmanSpectrum(N: number, sw2: number, k: number = N): Float64Array {
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`N must be a positive integer, got ${N}`);
  const kk = Math.min(Math.max(0, Math.floor(k)), N);
  const out = new Float64Array(kk);
  const base = 0.5 * Math.log(sw2) + 0.5 * Math.log(2 / N);
  for (let j = 1; j <= kk; j++) out[j - 1] = base + 0.5 * digamma((N - j + 1) / 2);
  return out;
}

/**
 * Sum of the Newman exponents, E log|det W| = (N/2) log(2 sw2/N) + (1/2) sum_{m=1}^N psi(m/2).
 *
 * Validity: same as newmanSpectrum (real Gaussian W, any N).
 */
export function newmanLogDet(N: number, sw2: number): number {
  let s = 0;
  for (let m = 1; m <= N; m++) s += digamma(m / 2);
  return 0.5 * N * Math.log((2 * sw2) / N) + 0.5 * s;
}

/**
 * Per-sample standard deviation of the depth-L estimate of lambda_k: (1/2) sqrt(psi1((N-k+1)/2)/L)
 * (the variance of log chi^2_m is psi1(m/2), averaged over L independent layers).
 *
 * Validity: exact for Gaussian linear nets at every L; divide by sqrt(S) for the standard error of a
 * mean over S networks.
 */
export function newmanSampleSd(N: number, k: number, L: number): number {
  return 0.5 * Math.sqrt(trigamma((N - k + 1) / 2) / L);
}

/**
 * Triangle law lambda(t) = (1/2) log(sw2 t), t in (0, 1] the fraction of exponents below.
 *
 * Validity: N -> infinity limit of the Newman spectrum (Isopi-Newman); Gaussian linear nets. The
 * bottom exponents deviate at finite N (psi(1/2) vs log(1/(2N))).
 */
export function triangleLaw(sw2: number, t: number): number {
  return 0.5 * Math.log(sw2 * t);
}

/**
 * Plotting position t_k = 1 - (k - 1/2)/N of index k (midpoint of its 1/N-wide slot).
 *
 * Validity: any 1 <= k <= N; used to compare finite-N indices with N -> infinity laws.
 */
export function triangleT(k: number, N: number): number {
  return 1 - (k - 0.5) / N;
}
