/**
 * The two-point Gaussian kernel of an activation, E[phi(u_1) phi(u_2)] for centred Gaussians with
 * variances q1, q2 and covariance q12: the map of the covariance of two inputs through a layer at mean
 * field (docs/THEORY.md section 4 and 5.9). The entry's closed form where it has one (linear, ReLU, erf, ReLU^a),
 * else a product rule built from the same break-aware quadrature as the one-point moments.
 */
import { correlation, resolveActivation, type ActivationLike } from '../model/index';
import { piecewiseGaussianRuleZ } from './quadrature';

/**
 * Gauss-Legendre points per panel of the product rule. Panels are at most 2 wide in h, and the nearest
 * singularity of the activations (tanh's poles) lies pi/2 off the real axis, so 10 points leave an error
 * ~3.4^-20 ~ 1e-11 relative (measured against 20 points in test/unit/theory/signal.test.ts), at a quarter of the cost.
 */
const KERNEL_ORDER = 10;

/** E[phi(u_1) phi(u_2)] with Var u_1 = q1, Var u_2 = q2, Cov = q12 (|q12| <= sqrt(q1 q2)). */
export function gaussianKernel(actLike: ActivationLike, q1: number, q2: number, q12: number): number {
  if (!(q1 >= 0 && q2 >= 0)) throw new RangeError(`variances must be >= 0, got ${q1}, ${q2}`);
  const act = resolveActivation(actLike);
  const closed = act.closedKernel(q1, q2, q12);
  if (closed !== null) return closed;
  return kernelByQuadrature(actLike, q1, q2, q12);
}

/**
 * The product rule alone: u_1 = sqrt(q1) z_1 and u_2 = m + sigma z_2 with m = sqrt(q2) r z_1 and
 * sigma = sqrt(q2 (1 - r^2)); each inner rule puts its panel edges on the kinks of phi shifted by m and
 * its fine panels where |m + sigma z_2| < smoothBeyond only, so kinked activations (hard tanh, SELU') keep
 * the accuracy of the one-point rule (~1e-13) at a cost that does not grow with |m|.
 */
export function kernelByQuadrature(actLike: ActivationLike, q1: number, q2: number, q12: number): number {
  const act = resolveActivation(actLike);
  const { breaks, smoothBeyond } = act.quadrature;
  const r = correlation(q1, q2, q12);
  // For odd phi the integrand phi(u_1) E[phi(u_2) | u_1] is even in z_1: half the outer rule suffices.
  const outer = piecewiseGaussianRuleZ(q1, breaks, smoothBeyond, act.traits.odd && breaks.every((b) => breaks.includes(-b)), { order: KERNEL_ORDER });
  const s1 = Math.sqrt(q1);
  const s2 = Math.sqrt(q2);
  const sigma2 = q2 * (1 - r) * (1 + r);
  let sum = 0;
  for (let i = 0; i < outer.z.length; i++) {
    const z1 = outer.z[i]!;
    const m = s2 * r * z1;
    let inner: number;
    if (sigma2 === 0) {
      inner = act.phi(m);
    } else {
      const rule = piecewiseGaussianRuleZ(sigma2, breaks, smoothBeyond, false, { shift: m, order: KERNEL_ORDER });
      const sigma = Math.sqrt(sigma2);
      inner = 0;
      for (let j = 0; j < rule.z.length; j++) inner += rule.w[j]! * act.phi(m + sigma * rule.z[j]!);
    }
    sum += outer.w[i]! * act.phi(s1 * z1) * inner;
  }
  return sum;
}
