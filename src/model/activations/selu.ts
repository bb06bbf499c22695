import { fixedActivation, SMOOTH } from './types';

export const SELU_LAMBDA = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;

/** SELU (Klambauer et al. 2017); phi' jumps at 0, which the quadrature must be told. */
export const selu = fixedActivation({
  id: 'selu',
  label: 'SELU',
  description: 'The self-normalizing activation; φ′ jumps at 0.',
  // expm1 keeps phi accurate near 0 from below.
  phi: (h) => (h > 0 ? SELU_LAMBDA * h : SELU_LAMBDA * SELU_ALPHA * Math.expm1(h)),
  dphi: (h) => (h > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(h)),
  traits: { ...SMOOTH, zeroAtZero: true, smoothAtZero: false },
  quadrature: { breaks: [0], smoothBeyond: 40 },
  // lambda alpha as the product of the two f32 constants, as the float32 engine has always computed it.
  wgsl: {
    phi: `return select(f32(${SELU_LAMBDA}) * f32(${SELU_ALPHA}) * (exp(h) - 1.0), f32(${SELU_LAMBDA}) * h, h > 0.0);`,
    dphi: `return select(f32(${SELU_LAMBDA}) * f32(${SELU_ALPHA}) * exp(h), f32(${SELU_LAMBDA}), h > 0.0);`,
  },
});
