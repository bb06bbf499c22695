import { fixedActivation, SMOOTH } from './types';

/**
 * tanh, with tanh'(h) = 4 t / (1 + t)^2, t = e^{-2|h|}: no cancellation and no overflow. 1 - tanh^2 is
 * wrong by 6% at h = 8 in float32 (docs/THEORY.md section 2).
 */
export const tanh = fixedActivation({
  id: 'tanh',
  label: 'tanh',
  description: 'The classic saturating nonlinearity; ordered or chaotic depending on σw² and σb².',
  phi: Math.tanh,
  dphi: (h) => {
    const t = Math.exp(-2 * Math.abs(h));
    const d = 1 + t;
    return (4 * t) / (d * d);
  },
  traits: { ...SMOOTH, odd: true, zeroAtZero: true, saturates: true },
  // tanh^2 is 1 to within 4 e^{-40} beyond |h| = 20.
  quadrature: { breaks: [], smoothBeyond: 20 },
  wgsl: {
    phi: 'return tanh(h);',
    dphi: 'let t = exp(-2.0 * abs(h));\n    let d = 1.0 + t;\n    return 4.0 * t / (d * d);',
  },
});
