import type { ArchitectureEntry, AlphaScaling } from './types';

const DEPTH_SCALE: Record<AlphaScaling, (depth: number) => number> = {
  const: () => 1,
  sqrtL: (depth) => Math.sqrt(depth),
  L: (depth) => depth,
};

/**
 * x_l = x_{l-1} + c phi(W_l x_{l-1} + b_l) with c = alpha / s, s = 1, sqrt(L) or L, so that the total
 * update over a deep network stays bounded for the depth-scaled variants.
 */
export const residual: ArchitectureEntry<'res'> = {
  id: 'res',
  label: 'residual',
  aliases: ['residual', 'resnet', 'resid'],
  description: 'Each layer adds a scaled update: x ← x + c·φ(Wx + b).',
  knobs: ['alpha', 'ascale'],
  coefficients: (k) => ({ a: 1, c: k.alpha / DEPTH_SCALE[k.ascale](k.depth) }),
  jacobian: 'J_l = I + c D_l W_l',
  rankFromActivation: false,
  residual: true,
  gpuProgram: 'square',
};
