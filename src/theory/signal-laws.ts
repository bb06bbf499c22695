/**
 * Closed statements about signal propagation in residual nets (docs/THEORY.md 5.11 and 5.15): which
 * convergence condition the schedule c_l = alpha l^-beta meets, and the large-l power laws of residual
 * nets with one c and an odd saturating activation.
 */
import { modelOf, type ActivationModel } from '../model/index';
import type { Params } from '../params/types';
import { gaussLegendre } from './quadrature';

export interface ScheduleVerdict {
  /** beta above which x_L and J converge: 1/2 with martingale increments, 1 otherwise. */
  readonly threshold: number;
  /** The increments x_l - x_{l-1} have zero mean given the past (full block; odd phi in arch=res). */
  readonly martingale: boolean;
  /** true: converges; false: diverges or drifts; null: not guaranteed either way (a non-Lipschitz phi). */
  readonly converges: boolean | null;
  /** One sentence for the UI. */
  readonly text: string;
}

/**
 * The convergence condition of docs/THEORY.md 5.11 for ascale=power, or null for other schedules. With zero
 * conditional mean (V_l fresh and zero-mean; or odd phi with symmetric bias in arch=res) J_L ... J_1 is an
 * L^2-bounded matrix martingale once sum c_l^2 < infinity (beta > 1/2). Otherwise a mean drifts like
 * sum c_l, finite only for beta > 1 (absolute convergence for a Lipschitz phi, by discrete Gronwall).
 */
export function scheduleVerdict(p: Params): ScheduleVerdict | null {
  const model = modelOf(p);
  const { architecture: arch, activation: act } = model;
  if (!arch.residual || !model.varyingC) return null;
  const martingale = arch.martingaleIncrements || act.traits.odd;
  const threshold = martingale ? 0.5 : 1;
  const why = arch.martingaleIncrements
    ? `the ${arch.label}'s increments have zero mean given the past (V_l is fresh and zero-mean)`
    : act.traits.odd
      ? `${act.label} is odd, so the increments have zero mean given the past`
      : `${act.label} is not odd: x_l drifts along a mean direction like the sum of c_l`;
  // phi homogeneous of degree d > 1 (ReLU^a, a > 1) grows faster than linearly: not Lipschitz.
  const d = act.traits.homogeneousDegree;
  const nonLipschitz = d !== null && d > 1;
  const b = p.beta;
  const bText = `β = ${b}`;
  if (b > 1) {
    if (nonLipschitz && !martingale)
      return { threshold, martingale, converges: null, text: `${bText} > 1: Σ c_l < ∞, but ${act.label} is not Lipschitz, so convergence is not guaranteed.` };
    return { threshold, martingale, converges: true, text: `${bText} > 1: Σ c_l < ∞, so x_L and J_L⋯J_1 converge absolutely as L → ∞.` };
  }
  if (b > 0.5) {
    if (martingale)
      return {
        threshold,
        martingale,
        converges: true,
        text: `1/2 < ${bText} ≤ 1: Σ c_l = ∞ but Σ c_l² < ∞, and ${why}: x_L and J converge (martingale convergence).`,
      };
    return { threshold, martingale, converges: false, text: `${bText} ≤ 1 and ${why}: it needs β > 1 to converge.` };
  }
  return {
    threshold,
    martingale,
    converges: false,
    text: `${bText} ≤ 1/2: Σ c_l² = ∞, so the log-gradient keeps growing (like L^(1−2β), or log L at β = 1/2).`,
  };
}

/** The large-l laws, each as y ~ coefficient * l^exponent (for grad: log-gain ~ coefficient sqrt(l)). */
export interface ResidualPowerLaws {
  /** p_l ~ rate * l. */
  readonly qRate: number;
  /** 1 - ... : c_l ~ C l^(2/pi - 1); null where sa2 > 0 changes the fixed point of the cosine. */
  readonly cExponent: number | null;
  /** dist_l ~ 2 rate * l (the cosine tends to 0). */
  readonly distRate: number | null;
  /** log gradSq_l ~ gradCoefficient * sqrt(l); E grad ~ half of it (the 1/N terms vanish per layer as c^2 chi -> 0). */
  readonly gradCoefficient: number;
}

/** The limit A = phi(+infinity) and I = integral of phi'(h)^2 dh, by Gauss-Legendre on panels out to 60. */
function saturationConstants(act: ActivationModel): { A: number; I: number } {
  const gl = gaussLegendre(20);
  let I = 0;
  const breaks = [...new Set([0, ...act.quadrature.breaks.filter((b) => b > 0 && b < 60), 60])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < breaks.length; i++) {
    const a = breaks[i]!;
    const b = breaks[i + 1]!;
    const panels = Math.ceil((b - a) / 0.5);
    const w = (b - a) / panels;
    for (let k = 0; k < panels; k++)
      for (let j = 0; j < gl.x.length; j++) {
        const h = a + (k + 0.5) * w + 0.5 * w * gl.x[j]!;
        I += 0.5 * w * gl.w[j]! * act.dphi(h) ** 2;
      }
  }
  // phi is odd: the integral over the real line is twice the half line.
  return { A: act.phi(1e6), I: 2 * I };
}

/**
 * Large-l asymptotes for a residual net with one c and an odd saturating phi (docs/THEORY.md 5.15). With
 * |phi| -> A, each layer adds c^2 (sv2 A^2 + sa2) to p (sv2 = 1, sa2 = 0 for arch=res); then
 * E phi'(sqrt(q) z)^2 ~ I / sqrt(2 pi q) with q ~ sw2 p, so the per-layer gain c^2 sv2 sw2 E phi'^2 falls
 * like l^(-1/2) and the log-gain grows like sqrt(l); the kernel tends to A^2 (2/pi) arcsin(rho), whose
 * linearization at rho = 0 gives l d rho/dl = (2/pi - 1) rho.
 */
export function residualPowerLaws(p: Params): ResidualPowerLaws | null {
  const model = modelOf(p);
  const { architecture: arch, activation: act } = model;
  if (!arch.residual || model.varyingC || !act.traits.odd || !act.traits.saturates) return null;
  const { A, I } = saturationConstants(act);
  const c = model.c;
  const sv2 = arch.outputMatrix ? p.sv2 : 1;
  const sa2 = arch.outputMatrix ? p.sa2 : 0;
  const K = sv2 * A * A + sa2;
  const qRate = c * c * K;
  if (!(qRate > 0)) return null;
  const gradCoefficient = (2 * c * c * sv2 * p.sw2 * I) / Math.sqrt(2 * Math.PI * p.sw2 * qRate);
  const cosineLaw = sa2 === 0;
  return { qRate, cExponent: cosineLaw ? 2 / Math.PI - 1 : null, distRate: cosineLaw ? 2 * qRate : null, gradCoefficient };
}
