import { erf as erfFunction } from '../../math/special';
import { fixedActivation, SMOOTH } from './types';

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const TWO_OVER_PI = 2 / Math.PI;

/** erf(h), with closed-form moments and kernel; phi' = (2/sqrt(pi)) e^{-h^2} has Gaussian tails. */
export const erf = fixedActivation({
  id: 'erf',
  label: 'erf',
  description: 'The error function: like tanh, with moments in closed form.',
  phi: erfFunction,
  dphi: (h) => TWO_OVER_SQRT_PI * Math.exp(-h * h),
  traits: { ...SMOOTH, odd: true, zeroAtZero: true, float32Tails: true, saturates: true },
  quadrature: { breaks: [], smoothBeyond: 40 },
  // asin(2q/(1+2q)) written as atan2, which stays well conditioned as the argument -> 1.
  closedMoments: (q) => ({
    ephi: 0,
    ephi2: TWO_OVER_PI * Math.atan2(2 * q, Math.sqrt(1 + 4 * q)),
    edphi2: 4 / Math.PI / Math.sqrt(1 + 4 * q),
    edphi4: 16 / (Math.PI * Math.PI) / Math.sqrt(1 + 8 * q),
  }),
  // Williams (1997): E erf(u_1) erf(u_2) = (2/pi) asin(2 q12 / sqrt((1 + 2 q1)(1 + 2 q2))).
  closedKernel: (q1, q2, q12) => TWO_OVER_PI * Math.asin(Math.max(-1, Math.min(1, (2 * q12) / Math.sqrt((1 + 2 * q1) * (1 + 2 * q2))))),
  wgsl: { phi: 'return erf_f(h);', dphi: 'return 1.1283791670955126 * exp(-h * h);' },
});
