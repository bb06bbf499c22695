/**
 * Gamma-family functions for x > 0 in float64 (absolute error ~1e-15), used by the exact finite-N
 * Lyapunov spectra (digamma), their standard deviations (trigamma) and binomial/Poisson weights (lgamma).
 * Each shifts x upward with the recurrence and then uses the asymptotic (Stirling) series.
 */

const SHIFT_TO = 12;
const HALF_LOG_2PI = 0.9189385332046728;

/** psi(x) = d/dx log Gamma(x), x > 0. */
export function digamma(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  let acc = 0;
  while (x < SHIFT_TO) {
    acc -= 1 / x;
    x += 1;
  }
  const r = 1 / (x * x);
  // Bernoulli-number series: -1/(2x) - sum B_2k / (2k x^{2k})
  const series = r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r * (1 / 132 - r * (691 / 32760))))));
  return acc + Math.log(x) - 0.5 / x - series;
}

/** psi1(x) = d^2/dx^2 log Gamma(x), x > 0. */
export function trigamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  let acc = 0;
  while (x < SHIFT_TO) {
    acc += 1 / (x * x);
    x += 1;
  }
  const ix = 1 / x;
  const r = ix * ix;
  const series = ix + r / 2 + ix * r * (1 / 6 - r * (1 / 30 - r * (1 / 42 - r * (1 / 30 - r * (5 / 66)))));
  return acc + series;
}

/** log Gamma(x), x > 0. */
export function lgamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  let logProd = 0;
  let prod = 1;
  while (x < SHIFT_TO) {
    prod *= x;
    // Fold the product into the log before it can overflow or lose range.
    if (prod > 1e280) {
      logProd += Math.log(prod);
      prod = 1;
    }
    x += 1;
  }
  logProd += Math.log(prod);
  const ix = 1 / x;
  const r = ix * ix;
  const series = ix * (1 / 12 - r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r * (1 / 1188)))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series - logProd;
}
