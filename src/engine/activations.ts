/**
 * Activation functions phi and their derivatives phi', in float64, written so that the derivative is
 * accurate where naive forms cancel (THEORY.md section 2: tanh' is not 1 - tanh^2, sigmoid' is not
 * s(1 - s)). The CPU engine and the mean-field theory share these, so both describe the same model.
 */
import type { Activation } from '../params/types';
import { erf, normalCdf, normalPdf } from '../math/special';

export const SELU_LAMBDA = 1.0507009873554805;
export const SELU_ALPHA = 1.6732632423543772;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

export interface ActivationFunctions {
  phi(h: number): number;
  dphi(h: number): number;
  /**
   * True when phi' is exactly zero on a set of positive probability (ReLU, hard-tanh): those zeros are
   * structural and make the layer Jacobian exactly singular, so the engine counts them instead of
   * trusting a floating-point threshold.
   */
  readonly structuralZeros: boolean;
  /** phi is odd, so residual nets have no mean drift (THEORY.md 5.7e/f). */
  readonly odd: boolean;
}

/** sigmoid'(h) = e^{-|h|} / (1 + e^{-|h|})^2, exact to rounding for every h (no 1 - s cancellation). */
function sigmoidPrime(h: number): number {
  const e = Math.exp(-Math.abs(h));
  const d = 1 + e;
  return e / (d * d);
}

function sigmoid(h: number): number {
  if (h >= 0) return 1 / (1 + Math.exp(-h));
  const e = Math.exp(h);
  return e / (1 + e);
}

const TABLE: Record<Activation, ActivationFunctions> = {
  linear: { phi: (h) => h, dphi: () => 1, structuralZeros: false, odd: true },
  tanh: {
    phi: Math.tanh,
    // tanh'(h) = 4 t / (1 + t)^2 with t = e^{-2|h|}: no cancellation, no overflow.
    dphi: (h) => {
      const t = Math.exp(-2 * Math.abs(h));
      const d = 1 + t;
      return (4 * t) / (d * d);
    },
    structuralZeros: false,
    odd: true,
  },
  relu: { phi: (h) => (h > 0 ? h : 0), dphi: (h) => (h > 0 ? 1 : 0), structuralZeros: true, odd: false },
  hardtanh: {
    phi: (h) => (h > 1 ? 1 : h < -1 ? -1 : h),
    dphi: (h) => (h > -1 && h < 1 ? 1 : 0),
    structuralZeros: true,
    odd: true,
  },
  erf: { phi: erf, dphi: (h) => TWO_OVER_SQRT_PI * Math.exp(-h * h), structuralZeros: false, odd: true },
  sigmoid: { phi: sigmoid, dphi: sigmoidPrime, structuralZeros: false, odd: false },
  gelu: {
    phi: (h) => h * normalCdf(h),
    dphi: (h) => normalCdf(h) + h * normalPdf(h),
    structuralZeros: false,
    odd: false,
  },
  silu: {
    phi: (h) => h * sigmoid(h),
    dphi: (h) => sigmoid(h) + h * sigmoidPrime(h),
    structuralZeros: false,
    odd: false,
  },
  selu: {
    // expm1 keeps phi accurate near 0 from below.
    phi: (h) => (h > 0 ? SELU_LAMBDA * h : SELU_LAMBDA * SELU_ALPHA * Math.expm1(h)),
    dphi: (h) => (h > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(h)),
    structuralZeros: false,
    odd: false,
  },
};

export function activation(act: Activation): ActivationFunctions {
  return TABLE[act];
}
