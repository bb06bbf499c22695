import type { EnsembleEntry } from './types';

/** W_ij i.i.d. N(0, sw2/N). */
export const gauss: EnsembleEntry<'gauss'> = {
  id: 'gauss',
  label: 'Gaussian',
  aliases: ['gaussian', 'normal', 'iid'],
  description: 'Independent Gaussian weights of variance σw²/N.',
  knobs: [],
  scale: (k, fanIn) => Math.sqrt(k.sw2 / fanIn),
  drawCpu: (w, rows, cols, k, stream) => stream.gaussian(w, rows * cols, 'weights', Math.sqrt(k.sw2 / cols)),
  gpu: {
    draw: 'return gaussian4(philox4x32_10(vec4<u32>(b, P.layer, tags.x, 0u), key)) * scale;',
    columnMajor: false,
    orthogonalize: false,
  },
  traits: { gaussianEntries: true, rotationInvariant: true, freeLaw: 'ginibre', asymptoticOnly: false, structuralZeros: false, rectangular: true },
};
