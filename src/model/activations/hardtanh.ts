import { erf, erfc, normalPdf } from '../../math/special';
import { fixedActivation, SMOOTH } from './types';

/** clip(h, -1, 1): phi' is 1 inside and 0 on the saturated units (structural zeros, as for ReLU). */
export const hardtanh = fixedActivation({
  id: 'hardtanh',
  label: 'hard tanh',
  description: 'clip(h, −1, 1): saturated units have φ′ = 0 exactly.',
  phi: (h) => (h > 1 ? 1 : h < -1 ? -1 : h),
  dphi: (h) => (h > -1 && h < 1 ? 1 : 0),
  traits: { ...SMOOTH, odd: true, zeroAtZero: true, binaryDerivative: true, structuralZeros: true, saturates: true },
  quadrature: { breaks: [-1, 1], smoothBeyond: 40 },
  closedMoments: (q) => {
    if (q === 0) return { ephi: 0, ephi2: 0, edphi2: 1, edphi4: 1 };
    const a = 1 / Math.sqrt(q);
    const inside = erf(a * Math.SQRT1_2); // P(|h| < 1) = 2 Phi(A) - 1
    const outside = erfc(a * Math.SQRT1_2); // 2 (1 - Phi(A)), accurate when tiny
    return { ephi: 0, ephi2: q * (inside - 2 * a * normalPdf(a)) + outside, edphi2: inside, edphi4: inside };
  },
  wgsl: { phi: 'return clamp(h, -1.0, 1.0);', dphi: 'return select(0.0, 1.0, h > -1.0 && h < 1.0);' },
});
