import { fixedActivation, SMOOTH } from './types';

/** The logistic function 1/(1 + e^{-h}), evaluated without overflow on either side. */
export function logistic(h: number): number {
  if (h >= 0) return 1 / (1 + Math.exp(-h));
  const e = Math.exp(h);
  return e / (1 + e);
}

/** logistic'(h) = e^{-|h|} / (1 + e^{-|h|})^2, exact to rounding for every h (no 1 - s cancellation). */
export function logisticPrime(h: number): number {
  const e = Math.exp(-Math.abs(h));
  const d = 1 + e;
  return e / (d * d);
}

export const sigmoid = fixedActivation({
  id: 'sigmoid',
  label: 'sigmoid',
  aliases: ['logistic'],
  description: 'The logistic function: not odd, so residual nets drift.',
  phi: logistic,
  dphi: logisticPrime,
  traits: { ...SMOOTH, saturates: true },
  quadrature: { breaks: [], smoothBeyond: 40 },
  wgsl: { phi: 'return sigmoid_f(h);', dphi: 'return sigmoid_prime(h);' },
});
