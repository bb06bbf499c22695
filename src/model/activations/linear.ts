import { fixedActivation, SMOOTH } from './types';

/** phi(h) = h: the network is a product of Gaussian (or orthogonal, sparse) matrices. */
export const linear = fixedActivation({
  id: 'linear',
  label: 'linear (identity)',
  aliases: ['identity', 'id', 'lin', 'none'],
  description: 'φ(h) = h: a product of random matrices, with exact theory.',
  phi: (h) => h,
  dphi: () => 1,
  traits: { ...SMOOTH, odd: true, zeroAtZero: true, identity: true, homogeneousDegree: 1 },
  quadrature: { breaks: [], smoothBeyond: 40 },
  closedMoments: (q) => ({ ephi: 0, ephi2: q, edphi2: 1, edphi4: 1 }),
  closedKernel: (_q1, _q2, q12) => q12,
  wgsl: { phi: 'return h;', dphi: 'return 1.0;' },
});
