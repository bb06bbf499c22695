import { powerKernel } from '../../math/gaussian';
import { correlation, fixedActivation, SMOOTH } from './types';

/** max(h, 0): phi' is 0 or 1, so inactive units make the layer Jacobian exactly singular. */
export const relu = fixedActivation({
  id: 'relu',
  label: 'ReLU',
  description: 'max(h, 0): half the units are off in each layer, which makes exactly singular directions.',
  phi: (h) => (h > 0 ? h : 0),
  dphi: (h) => (h > 0 ? 1 : 0),
  traits: { ...SMOOTH, zeroAtZero: true, homogeneousDegree: 1, binaryDerivative: true, structuralZeros: true, smoothAtZero: false },
  quadrature: { breaks: [0], smoothBeyond: 40 },
  closedMoments: (q) => ({ ephi: Math.sqrt(q / (2 * Math.PI)), ephi2: q / 2, edphi2: 0.5, edphi4: 0.5 }),
  // Cho & Saul's first arc-cosine kernel.
  closedKernel: (q1, q2, q12) => Math.sqrt(q1 * q2) * powerKernel(1, correlation(q1, q2, q12)),
  wgsl: { phi: 'return max(h, 0.0);', dphi: 'return select(0.0, 1.0, h > 0.0);' },
});
