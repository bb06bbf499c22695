import { residualStrength } from './schedule';
import type { ArchitectureEntry } from './types';

/**
 * x_l = x_{l-1} + c_l phi(W_l x_{l-1} + b_l) with c_l = alpha / s, s = 1, sqrt(L) or L, so that the
 * total update over a deep network stays bounded for the depth-scaled variants, or c_l = alpha l^-beta.
 */
export const residual: ArchitectureEntry<'res'> = {
  id: 'res',
  label: 'residual',
  aliases: ['residual', 'resnet', 'resid'],
  description: 'Each layer adds a scaled update: x ← x + c·φ(Wx + b).',
  knobs: ['alpha', 'ascale', 'beta'],
  coefficients: (k, layer) => ({ a: 1, c: residualStrength(k, layer) }),
  innerWidth: (k) => k.width,
  jacobian: 'J_l = I + c_l D_l W_l',
  rankFromActivation: false,
  residual: true,
  outputMatrix: false,
  // Only odd phi with symmetric bias has E[phi'(h) W | past] = 0; the entry cannot know the activation.
  martingaleIncrements: false,
  gpuProgram: 'square',
};
