import type { EnsembleEntry } from './types';

/**
 * W = sqrt(sw2) O with O Haar-distributed: the Q of the QR of a Gaussian matrix with column j multiplied
 * by sign(R_jj); without that sign fix the law is not Haar (docs/THEORY.md section 1).
 */
export const orth: EnsembleEntry<'orth'> = {
  id: 'orth',
  label: 'orthogonal (Haar)',
  aliases: ['orthogonal', 'haar'],
  description: 'Random orthogonal matrices scaled by σw: every singular value of W is σw.',
  knobs: [],
  scale: (k) => Math.sqrt(k.sw2),
  drawCpu: (w, rows, cols, k, stream) => {
    if (rows !== cols) throw new Error(`orthogonal weights are square; asked for ${rows} x ${cols}`);
    const n = rows;
    stream.gaussian(w, n * n, 'weights', 1);
    stream.orthonormalize(w);
    const s = Math.sqrt(k.sw2);
    for (let e = 0; e < n * n; e++) w[e]! *= s;
  },
  // The Gaussian's scale (w_scale = sqrt(sw2)) does not change its Q factor; orthogonal-weights.wgsl scales O by it.
  gpu: {
    draw: 'return gaussian4(philox4x32_10(vec4<u32>(b, P.layer, tags.x, 0u), key)) * scale;',
    columnMajor: true,
    orthogonalize: true,
  },
  traits: { gaussianEntries: false, rotationInvariant: true, freeLaw: 'haar', asymptoticOnly: false, structuralZeros: false, rectangular: false },
};
