/**
 * Gaussian integrals of power functions, in closed form or by a one-dimensional integral that stays
 * accurate up to the edges (docs/THEORY.md 5.9): the one-sided moments K_s = E[z_+^s] and the
 * two-point power kernel k_a(r) = E[X_+^a Y_+^a] of a standard bivariate normal pair with correlation r.
 * They are the moments of phi(h) = max(h, 0)^a (ReLU at a = 1).
 */
import { lgamma } from './gamma';

const LOG_2 = Math.LN2;
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

/** K_s = E[max(z, 0)^s] = 2^{s/2} Gamma((s + 1)/2) / (2 sqrt(pi)) for s > -1; Infinity for s <= -1. */
export function halfNormalMoment(s: number): number {
  if (!(s > -1)) return Infinity;
  if (s === 0) return 0.5;
  return Math.exp((s / 2) * LOG_2 + lgamma((s + 1) / 2) - LOG_2 - LOG_SQRT_PI);
}

/** Nodes of the tanh-sinh rule on (0, 1) at step h: x_j, weights w_j (both ends clustered doubly exponentially). */
function tanhSinh(h: number): { x: number[]; w: number[]; xFromOne: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  const xFromOne: number[] = [];
  for (let j = -Math.ceil(4 / h); j <= Math.ceil(4 / h); j++) {
    const t = j * h;
    const u = (Math.PI / 2) * Math.sinh(t);
    // x = (1 + tanh u)/2 and 1 - x = (1 - tanh u)/2, each written without cancellation.
    const e = Math.exp(-2 * Math.abs(u));
    const small = e / (1 + e); // (1 - tanh|u|)/2
    const xj = u >= 0 ? 1 - small : small;
    const oneMinus = u >= 0 ? small : 1 - small;
    const cosh = Math.cosh(u);
    const wj = (h * (Math.PI / 2) * Math.cosh(t)) / (2 * cosh * cosh);
    if (!(xj > 0) || !(oneMinus > 0) || !(wj > 0)) continue;
    x.push(xj);
    xFromOne.push(oneMinus);
    w.push(wj);
  }
  return { x, w, xFromOne };
}

const RULES = [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625].map(tanhSinh);

/**
 * k_a(r) = E[X_+^a Y_+^a] for a standard bivariate normal (X, Y) with correlation r in [-1, 1], a > -1/2.
 * In polar coordinates the radial integral is a Gamma function, leaving
 *   k_a(r) = Gamma(a + 1) (1 - r^2)^{a + 1/2} / (2 pi) * int_0^1 (1 - t^2)^{(a - 1)/2} (1 - r sqrt(1 - t^2))^{-(a + 1)} dt
 * (t = cos psi), evaluated by tanh-sinh quadrature, which resolves the endpoint singularity at t = 1 and
 * the peak of width sqrt(1 - r) at t = 0 as r -> 1. k_a(1) = K_{2a}, k_a(-1) = 0. Special cases: k_0(r) =
 * 1/4 + asin(r)/(2 pi), k_1 is Cho & Saul's first arc-cosine kernel (sin theta + (pi - theta) cos theta)/(2 pi).
 *
 * Validity: a > -1/2 (k_a(1) = K_{2a} is infinite below); relative accuracy ~1e-13.
 */
export function powerKernel(a: number, r: number): number {
  if (!(a > -0.5)) throw new RangeError(`the power kernel needs a > -1/2, got ${a}`);
  if (!(r >= -1 && r <= 1)) throw new RangeError(`correlation must lie in [-1, 1], got ${r}`);
  if (r === 1) return halfNormalMoment(2 * a);
  if (r === -1) return a > 0 ? 0 : a === 0 ? 0 : Infinity;
  if (a === 0) return 0.25 + Math.asin(r) / (2 * Math.PI);
  if (a === 1) {
    const theta = Math.acos(r);
    return (Math.sin(theta) + (Math.PI - theta) * r) / (2 * Math.PI);
  }
  const oneMinusR2 = (1 - r) * (1 + r);
  const prefactor = Math.exp(lgamma(a + 1) + (a + 0.5) * Math.log(oneMinusR2)) / (2 * Math.PI);
  const f = (t: number, oneMinusT: number) => {
    const s2 = oneMinusT * (1 + t); // 1 - t^2 without cancellation near t = 1
    const s = Math.sqrt(s2);
    // 1 - r s = (1 - r) + r (1 - s), 1 - s = t^2 / (1 + s): no cancellation as r -> 1, t -> 0.
    const denominator = 1 - r + (r * t * t) / (1 + s);
    return Math.exp(((a - 1) / 2) * Math.log(s2) - (a + 1) * Math.log(denominator));
  };
  let previous = NaN;
  for (const rule of RULES) {
    let sum = 0;
    for (let j = 0; j < rule.x.length; j++) sum += rule.w[j]! * f(rule.x[j]!, rule.xFromOne[j]!);
    const value = prefactor * sum;
    if (Math.abs(value - previous) <= 1e-14 * Math.abs(value)) return value;
    previous = value;
  }
  return previous;
}
