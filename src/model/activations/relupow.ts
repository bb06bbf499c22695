import { halfNormalMoment, powerKernel } from '../../math/gaussian';
import { correlation, type ActivationEntry, type ActivationModel } from './types';

/**
 * phi(h) = max(h, 0)^a with a = apow in [0.6, 3] (docs/THEORY.md 5.9): ReLU at a = 1, its square at a = 2.
 * phi'(h) = a h^{a-1} for h > 0 and 0 below, so D has the exact zeros of ReLU. Its Gaussian moments are
 * Gamma functions (K_s = E z_+^s), E phi'^4 diverges for a <= 3/4, and the two-point kernel is the
 * power kernel (q1 q2)^{a/2} k_a(r), an arc-cosine kernel of Cho & Saul at integer a.
 */
function relupowAt(a: number): ActivationModel {
  const k2a = halfNormalMoment(2 * a);
  const ka = halfNormalMoment(a);
  const kd2 = halfNormalMoment(2 * a - 2);
  const kd4 = halfNormalMoment(4 * a - 4);
  return {
    id: 'relupow',
    key: `relupow:${a}`,
    label: `ReLU^${a}`,
    shape: a,
    phi: (h) => (h > 0 ? h ** a : 0),
    dphi: (h) => (h > 0 ? a * h ** (a - 1) : 0),
    traits: {
      odd: false,
      zeroAtZero: true,
      identity: false,
      homogeneousDegree: a,
      binaryDerivative: a === 1,
      structuralZeros: true,
      // phi' -> 0 at 0+ for a > 1; it jumps (a = 1) or diverges (a < 1) otherwise.
      smoothAtZero: a > 1,
      float32Tails: false,
      saturates: false,
    },
    quadrature: { breaks: [0], smoothBeyond: Infinity },
    // 0 ** negative = Infinity and 0 ** 0 = 1 give the q -> 0+ limits.
    closedMoments: (q) => ({
      ephi: q ** (a / 2) * ka,
      ephi2: q ** a * k2a,
      edphi2: a * a * q ** (a - 1) * kd2,
      edphi4: a ** 4 * q ** (2 * a - 2) * kd4,
    }),
    closedKernel: (q1, q2, q12) => (q1 * q2) ** (a / 2) * powerKernel(a, correlation(q1, q2, q12)),
  };
}

export const relupow: ActivationEntry<'relupow'> = {
  id: 'relupow',
  label: 'ReLU^a (power)',
  aliases: ['relupower', 'powerrelu', 'relu^a'],
  description: 'max(h, 0)^a, with a set by the exponent knob: ReLU at a = 1, squared ReLU at a = 2.',
  shapeKnob: 'apow',
  // exp2(theta log2 h) for h > 0: WGSL leaves pow(0, y) undefined. A subnormal h (which a GPU may flush
  // to 0 inside log2) is raised to the smallest normal, so phi' stays finite for a < 1.
  wgsl: {
    phi: 'if (h <= 0.0) { return 0.0; }\n    return exp2(theta * log2(h));',
    dphi: 'if (h <= 0.0) { return 0.0; }\n    return theta * exp2((theta - 1.0) * log2(max(h, 1.17549435e-38)));',
  },
  at: relupowAt,
};
