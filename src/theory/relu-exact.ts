/**
 * Exact finite-N Lyapunov spectrum of zero-bias ReLU nets with Gaussian W (docs/THEORY.md 5.2, derived
 * there). K_l = number of active units ~ Binomial(N, 1/2), independent across layers; given K, the
 * Gram matrix of D W Q is Wishart(K) for any orthonormal Q, so R_kk^2 = (sw2/N) chi^2_{K-k+1}
 * (0 if K < k). Exponent k is finite in a sample only while every layer has K_l >= k.
 */
import { digamma, lgamma } from '../math/gamma';

/** log P(K = j), K ~ Binomial(N, 1/2), j = 0..N, in log space so that large N cannot underflow. */
function logBinomialHalf(N: number): Float64Array {
  const out = new Float64Array(N + 1);
  const c = lgamma(N + 1) - N * Math.LN2;
  for (let j = 0; j <= N; j++) out[j] = c - lgamma(j + 1) - lgamma(N - j + 1);
  return out;
}

/**
 * Conditional exponents lambda_k = (1/2)[log(2 sw2/N) + E(psi((K-k+1)/2) | K >= k)], k = 1..k, the
 * mean over samples whose Jacobian has rank >= k, and P(K >= k) for one layer. Entries with k > N
 * (no K >= k possible) are -Infinity with probability 0.
 *
 * Validity: exact at every N and every depth L (no transient) for feedforward ReLU, zero bias,
 * Gaussian W of variance sw2/N; not with bias, orthogonal W or leaky ReLU.
 */
export function reluExactSpectrum(N: number, sw2: number, k: number = N): { lambda: Float64Array; pRankAtLeast: Float64Array } {
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`N must be a positive integer, got ${N}`);
  const kk = Math.max(0, Math.floor(k));
  const lw = logBinomialHalf(N);
  const lambda = new Float64Array(kk);
  const pRankAtLeast = new Float64Array(kk);
  const base = 0.5 * Math.log((2 * sw2) / N);
  for (let idx = 1; idx <= kk; idx++) {
    if (idx > N) {
      lambda[idx - 1] = -Infinity;
      pRankAtLeast[idx - 1] = 0;
      continue;
    }
    // Weights relative to the largest one in the tail j >= idx (log-sum-exp).
    let lmax = -Infinity;
    for (let j = idx; j <= N; j++) lmax = Math.max(lmax, lw[j]!);
    let wsum = 0;
    let psum = 0;
    // Smallest terms first for the sum.
    for (let j = N; j >= idx; j--) {
      const wj = Math.exp(lw[j]! - lmax);
      wsum += wj;
      psum += wj * digamma((j - idx + 1) / 2);
    }
    lambda[idx - 1] = base + 0.5 * (psum / wsum);
    pRankAtLeast[idx - 1] = Math.exp(lmax + Math.log(wsum));
  }
  return { lambda, pRankAtLeast };
}

/**
 * log P(K >= r) for r = 0..N+1 (K ~ Binomial(N, 1/2)), accurate both when it is tiny and when it
 * is close to 0 (then it is log1p of minus the small lower tail).
 */
function logTailAtLeast(N: number): Float64Array {
  const lw = logBinomialHalf(N);
  const p = Array.from(lw, (v) => Math.exp(v));
  const upper = new Float64Array(N + 2); // P(K >= r)
  for (let r = N; r >= 0; r--) upper[r] = upper[r + 1]! + p[r]!;
  const lower = new Float64Array(N + 2); // P(K < r)
  for (let r = 1; r <= N + 1; r++) lower[r] = lower[r - 1]! + p[r - 1]!;
  const out = new Float64Array(N + 2);
  for (let r = 0; r <= N + 1; r++) {
    if (r === N + 1) out[r] = -Infinity;
    else out[r] = lower[r]! < 0.5 ? Math.log1p(-lower[r]!) : Math.log(upper[r]!);
  }
  // For large N the upper tail underflows before its log does: recompute from log weights.
  for (let r = 0; r <= N; r++) {
    if (out[r] === -Infinity) {
      let lmax = -Infinity;
      for (let j = r; j <= N; j++) lmax = Math.max(lmax, lw[j]!);
      let s = 0;
      for (let j = N; j >= r; j--) s += Math.exp(lw[j]! - lmax);
      out[r] = lmax + Math.log(s);
    }
  }
  return out;
}

/**
 * P(rank J >= k) = P(K >= k)^L for a depth-L zero-bias ReLU net (rank J = min_l K_l).
 *
 * Validity: exact for zero-bias ReLU with Gaussian or orthogonal W, any N and L (with a bias K is no
 * longer Binomial(N, 1/2)).
 */
export function reluRankProbability(N: number, L: number, k: number): number {
  if (k <= 0) return 1;
  if (k > N) return 0;
  return Math.exp(L * logTailAtLeast(N)[k]!);
}

/**
 * P(rank J = r), r = 0..N, for a depth-L zero-bias ReLU net: P(min_l K_l >= r) - P(min >= r + 1),
 * evaluated as a difference of exponentials of L log P(K >= r) without cancellation.
 *
 * Validity: exact for zero-bias ReLU with Gaussian or orthogonal W, any N and L.
 */
export function reluRankDistribution(N: number, L: number): Float64Array {
  const lt = logTailAtLeast(N);
  const out = new Float64Array(N + 1);
  for (let r = 0; r <= N; r++) {
    const a = L * lt[r]!;
    const b = L * lt[r + 1]!;
    // e^a - e^b = e^a (1 - e^{b-a}) = -e^a expm1(b - a).
    out[r] = b === -Infinity ? Math.exp(a) : -Math.exp(a) * Math.expm1(b - a);
  }
  return out;
}

/**
 * Large-N ReLU spectrum lambda(t) = (1/2) log(sw2 (t - 1/2)) for t in (1/2, 1], -Infinity below
 * (half the directions are killed in every layer). With He initialization (sw2 = 2) it is
 * (1/2) log(2t - 1).
 *
 * Validity: N -> infinity, zero-bias ReLU with Gaussian W (docs/THEORY.md 5.2, 5.5).
 */
export function reluLargeN(sw2: number, t: number): number {
  return t > 0.5 ? 0.5 * Math.log(sw2 * (t - 0.5)) : -Infinity;
}
