import { logistic, logisticPrime } from './sigmoid';
import { fixedActivation, SMOOTH } from './types';

/** SiLU (swish) h sigmoid(h). */
export const silu = fixedActivation({
  id: 'silu',
  label: 'SiLU (swish)',
  aliases: ['swish'],
  description: 'h·sigmoid(h).',
  phi: (h) => h * logistic(h),
  dphi: (h) => logistic(h) + h * logisticPrime(h),
  traits: { ...SMOOTH, zeroAtZero: true },
  quadrature: { breaks: [], smoothBeyond: 40 },
  wgsl: { phi: 'return h * sigmoid_f(h);', dphi: 'return sigmoid_f(h) + h * sigmoid_prime(h);' },
});
