import { residualStrength } from './schedule';
import { deltaMethodLog, type ArchitectureEntry } from './types';

/**
 * The full residual block (docs/THEORY.md 5.10): h_l = W_l x_{l-1} + b_l (m-dim), x_l = x_{l-1} +
 * c_l (V_l phi(h_l) + a_l), W_l m x N with entries of variance sw2/N, V_l N x m with variance sv2/m,
 * a_l ~ N(0, sa2 I). J_l = I + c_l V_l D_l W_l; m < N is a bottleneck (products of non-square matrices).
 */
export const fullBlock: ArchitectureEntry<'full'> = {
  id: 'full',
  label: 'full residual block',
  aliases: ['fullres', 'fullblock', 'block', 'resblock'],
  description: 'Each layer adds a two-matrix update: x ← x + c·(V·φ(Wx + b) + a), with inner width m.',
  knobs: ['alpha', 'ascale', 'beta', 'inner', 'sv2', 'sa2'],
  coefficients: (k, layer) => ({ a: 1, c: residualStrength(k, layer) }),
  innerWidth: (k) => k.inner,
  jacobian: 'J_l = I + c_l V_l D_l W_l',
  rankFromActivation: false,
  residual: true,
  outputMatrix: true,
  martingaleIncrements: true,
  gpuProgram: 'block',
  meanField: {
    // V_l and a_l are fresh and zero-mean: no cross term and no mean drift (5.10).
    step: (s, c, mo, k) => ({
      p: s.p + c * c * (k.sv2 * mo.ephi2 + k.sa2),
      p12: s.p12 + c * c * (k.sv2 * mo.kernel + k.sa2),
      m: 0,
    }),
    // chi = sv2 chiW. u.V y has variance chi/N; |V y|^2 (y = D W u, m entries) has variance
    // chi^2 (2/N + (3 kurtosis - 1)/m): the chi-square of V's N rows and the spread of |y|^2.
    gradient: (c, mo, k) => {
      const v = c * c * k.sv2 * mo.chiW;
      const N = k.width;
      return deltaMethodLog(1 + v, (4 * v) / N + v * v * (2 / N + (3 * mo.kurtosis - 1) / k.inner));
    },
  },
};
