import { deltaMethodLog, type ArchitectureEntry } from './types';

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
  meanField: {
    step: (_s, _c, mo) => ({ p: mo.ephi2, p12: mo.kernel, m: mo.ephi }),
    // |D W u|^2 = (sw2/N) sum_i phi'(h_i)^2 g_i^2: mean chiW, variance chiW^2 (3 kurtosis - 1)/N (5.4).
    gradient: (_c, mo, k) => deltaMethodLog(mo.chiW, (mo.chiW * mo.chiW * (3 * mo.kurtosis - 1)) / k.width),
  },
};
