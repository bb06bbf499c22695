import { residualStrength } from './schedule';
import { deltaMethodLog, type ArchitectureEntry } from './types';

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
  meanField: {
    // x_l = x + c phi(h): the cross term x . phi(h')/N is m E phi at mean field (5.7e), for both inputs.
    step: (s, c, mo) => ({
      p: s.p + 2 * c * s.m * mo.ephi + c * c * mo.ephi2,
      p12: s.p12 + 2 * c * s.m * mo.ephi + c * c * mo.kernel,
      m: s.m + c * mo.ephi,
    }),
    // |u + c D W u|^2 = 1 + 2c u.DWu + c^2 |DWu|^2: variance 4 c^2 chi/N + c^4 chi^2 (3 kurtosis - 1)/N.
    gradient: (c, mo, k) => {
      const v = c * c * mo.chiW;
      return deltaMethodLog(1 + v, (4 * v + v * v * (3 * mo.kurtosis - 1)) / k.width);
    },
  },
};
