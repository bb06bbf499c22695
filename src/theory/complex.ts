/**
 * Minimal complex arithmetic for the free-probability solvers (plain objects, no allocation tricks).
 * Validity of every helper: finite float64 inputs; results carry a normwise error of a few ulps per operation
 * (division by Smith's method and the square root avoid overflow and cancellation), and log, power and
 * square root take the principal branch, arg in (-pi, pi], with -0 in the imaginary part read as below
 * the negative real axis.
 */
export interface Complex {
  re: number;
  im: number;
}

/** The complex number re + i im. */
export const cx = (re: number, im = 0): Complex => ({ re, im });
/** a + b. */
export const cadd = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
/** a - b. */
export const csub = (a: Complex, b: Complex): Complex => ({ re: a.re - b.re, im: a.im - b.im });
/** a b. */
export const cmul = (a: Complex, b: Complex): Complex => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
/** s a for real s. */
export const cscale = (a: Complex, s: number): Complex => ({ re: a.re * s, im: a.im * s });
/** a / b (b != 0). */
export function cdiv(a: Complex, b: Complex): Complex {
  // Smith's algorithm: no overflow for large |b|.
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}
/** Principal logarithm. */
export const clog = (a: Complex): Complex => ({ re: Math.log(Math.hypot(a.re, a.im)), im: Math.atan2(a.im, a.re) });
/** e^a. */
export const cexp = (a: Complex): Complex => {
  const m = Math.exp(a.re);
  return { re: m * Math.cos(a.im), im: m * Math.sin(a.im) };
};
/** Principal power a^p for real p. */
export const cpow = (a: Complex, p: number): Complex => cexp(cscale(clog(a), p));
/** |a|, without overflow for large parts. */
export const cabs = (a: Complex): number => Math.hypot(a.re, a.im);
/** Principal square root (Re >= 0). */
export function csqrt(a: Complex): Complex {
  // Take the root of the larger of (|a| +- re)/2 and get the other part as im/(2t): the textbook
  // sqrt((|a| - re)/2) cancels catastrophically next to the positive or negative real axis.
  const m = cabs(a);
  if (m === 0) return { re: 0, im: 0 };
  if (a.re >= 0) {
    const t = Math.sqrt((m + a.re) / 2);
    return { re: t, im: a.im / (2 * t) };
  }
  const t = Math.sqrt((m - a.re) / 2);
  // Principal branch: Im sqrt has the sign of Im a (and is +t on the negative axis itself, im = +0).
  return { re: Math.abs(a.im) / (2 * t), im: a.im < 0 || Object.is(a.im, -0) ? -t : t };
}
