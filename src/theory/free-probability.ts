/**
 * Lyapunov spectrum at N -> infinity for feedforward layers A = D W (docs/THEORY.md 5.5):
 *   lambda(t) = -(1/2) log S_{A^T A}(t - 1),  t in (0, 1) the fraction of exponents below,
 * with S_{A^T A} = S_{D^2} S_{W W^T}, S_{WW^T}(z) = 1/(sw2 (1 + z)) (Ginibre law) or 1/sw2 (Haar).
 */
import { resolveActivation, type ActivationLike, type ActivationModel } from '../model/index';
import { expectations, fixedPoint } from './meanfield';
import { piecewiseGaussianNodes } from './quadrature';

/**
 * The N -> infinity law of W W^T (the ensemble's `freeLaw` trait): Marchenko-Pastur for Ginibre-like W,
 * S(z) = 1/(sw2 (1 + z)), or a point mass for Haar-orthogonal W, S = 1/sw2.
 */
export type FreeLaw = 'ginibre' | 'haar';

/**
 * The variance at which feedforward layers are evaluated: q*, or any q (1) where the law of phi'^2 does
 * not depend on it (degree-1 homogeneous phi: linear, ReLU); null where q* diverges.
 */
export function layerVariance(act: ActivationModel, sw2: number, sb2: number): number | null {
  if (act.traits.homogeneousDegree === 1) return 1;
  const fp = fixedPoint(act, sw2, sb2);
  if (fp.kind === 'finite' || fp.kind === 'marginal') return fp.q;
  if (fp.kind === 'zero') return 0;
  return null;
}

/**
 * S_{D^2}(t - 1) with d = phi'(sqrt(q) z)^2, for t in (0, 1]: solve psi_D(u) = E[u d/(1 - u d)] = t - 1
 * for u < 0 (bisection in v, u = -e^v), then S = u t/(t - 1); t = 1 gives its limit 1/E d.
 * Binary d (ReLU, hard tanh) has the closed form t/(t - 1 + f), and no solution (NaN) for t <= 1 - f.
 *
 * Validity: any q >= 0 and t in (0, 1]; the S-transform of the law of phi'(sqrt(q) z)^2 itself, exact up
 * to quadrature (~1e-12), with no large-N assumption (that enters where it is used).
 */
export function sTransformD2(actLike: ActivationLike, q: number, t: number): number {
  const act = resolveActivation(actLike);
  if (act.traits.identity) return 1;
  if (act.traits.binaryDerivative) {
    // E phi'^2 = P(d = 1) = f because d is 0 or 1.
    const f = expectations(act, q).edphi2;
    return t > 1 - f ? t / (t - 1 + f) : NaN;
  }
  const { dphi } = act;
  // Where phi' jumps (SELU at 0) the quadrature must be told, or it loses 1e-2 there.
  const { h, w } = piecewiseGaussianNodes(q, act.quadrature.breaks);
  const d = h.map((hi) => dphi(hi) ** 2);
  let ed = 0;
  for (let i = 0; i < d.length; i++) ed += w[i]! * d[i]!;
  if (t >= 1) return 1 / ed;
  const psi = (u: number) => {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += (w[i]! * u * d[i]!) / (1 - u * d[i]!);
    return s;
  };
  // psi is increasing in u on u < 0, from -P(d > 0) at -infinity to 0 at 0.
  let lo = -60;
  let hi = 60;
  const target = t - 1;
  for (let it = 0; it < 200 && hi - lo > 1e-13; it++) {
    const mid = 0.5 * (lo + hi);
    // psi(-e^v) decreases in v.
    if (psi(-Math.exp(mid)) > target) lo = mid;
    else hi = mid;
  }
  const u = -Math.exp(0.5 * (lo + hi));
  return (u * t) / (t - 1);
}

/**
 * lambda(t) for feedforward nets at the mean-field fixed point q*: -Infinity where t < 1 - f for
 * Bernoulli d; null when there is no finite fixed point (the variance diverges) and the spectrum
 * depends on it (not for linear and ReLU, whose phi'^2 is independent of q).
 *
 * Validity: N -> infinity with q at its fixed point (use a burn-in); the finite-N bias is O(1/N),
 * about 0.015 over the bulk at N = 64 and 0.1-0.3 for the bottom 10% of exponents (docs/THEORY.md 5.5).
 * Sparse weights tend to the Gaussian result as N -> infinity at fixed p.
 */
export function freeSpectrum(actLike: ActivationLike, sw2: number, sb2: number, law: FreeLaw, ts: readonly number[]): { t: number[]; lambda: number[] } | null {
  const act = resolveActivation(actLike);
  const q = layerVariance(act, sw2, sb2);
  if (q === null) return null;
  const lambda = ts.map((t) => {
    const s = sTransformD2(act, q, t);
    if (!(s > 0)) return -Infinity;
    const w = law === 'ginibre' ? 0.5 * Math.log(sw2 * t) : 0.5 * Math.log(sw2);
    return w - 0.5 * Math.log(s);
  });
  return { t: [...ts], lambda };
}

/**
 * freeSpectrum at t_i = 1 - (i - 1/2)/N for the tracked indices i = 1..k, to plot against index i.
 *
 * Validity: as freeSpectrum (N -> infinity); at finite N the bottom ~10% of indices are off by 0.1-0.3.
 */
export function freeSpectrumIndexed(
  N: number,
  k: number,
  act: ActivationLike,
  sw2: number,
  sb2: number,
  law: FreeLaw,
): { t: number[]; lambda: number[] } | null {
  const ts = Array.from({ length: k }, (_, i) => 1 - (i + 0.5) / N);
  return freeSpectrum(act, sw2, sb2, law, ts);
}
