import type { ArchitectureEntry } from './types';

/** x_l = phi(W_l x_{l-1} + b_l): each layer replaces the signal. */
export const feedforward: ArchitectureEntry<'ff'> = {
  id: 'ff',
  label: 'feedforward',
  aliases: ['feedforward', 'mlp', 'plain'],
  description: 'Each layer replaces the signal: x ← φ(Wx + b).',
  knobs: [],
  coefficients: () => ({ a: 0, c: 1 }),
  innerWidth: (k) => k.width,
  jacobian: 'J_l = D_l W_l',
  rankFromActivation: true,
  residual: false,
  outputMatrix: false,
  martingaleIncrements: false,
  gpuProgram: 'square',
};
