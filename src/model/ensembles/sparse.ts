import type { EnsembleEntry } from './types';

const TWO_32 = 4294967296;

/**
 * Threshold T of the sparse mask: both engines draw a uniform uint32 u per weight and keep it iff u < T,
 * so the keep probability is T / 2^32 and the CPU and GPU masks agree bit for bit.
 *
 * T = min(2^32 - 1, floor(p 2^32)) for p < 1. For p >= 1 it is exactly 2^32: that does not fit in a uint32,
 * but u < 2^32 holds for every uint32 u, i.e. every weight is kept (the GPU, which stores T as u32, has a
 * keep_all flag instead of wrapping 2^32 to 0). p <= 0 or NaN gives 0 (keep none); the codec never
 * produces those since p >= 0.01.
 */
export function sparseKeepThreshold(p: number): number {
  if (p >= 1) return TWO_32;
  if (!(p > 0)) return 0;
  return Math.min(TWO_32 - 1, Math.floor(p * TWO_32));
}

/** W_ij = m_ij g_ij sqrt(sw2/(N p)), m_ij ~ Bernoulli(p): the entry variance stays sw2/N. */
export const sparse: EnsembleEntry<'sparse'> = {
  id: 'sparse',
  label: 'sparse Gaussian',
  aliases: ['sparsegauss', 'sparsegaussian'],
  description: 'Gaussian weights of which only a fraction p is kept (rescaled to keep the variance).',
  knobs: ['p'],
  scale: (k, fanIn) => Math.sqrt(k.sw2 / (fanIn * k.p)),
  drawCpu: (w, rows, cols, k, stream) => {
    const count = rows * cols;
    stream.gaussian(w, count, 'weights', Math.sqrt(k.sw2 / (cols * k.p)));
    const mask = stream.uint32(count, 'sparseMask');
    const threshold = sparseKeepThreshold(k.p);
    for (let e = 0; e < count; e++) if (!(mask[e]! < threshold)) w[e] = 0;
  },
  gpu: {
    draw: [
      'let g = gaussian4(philox4x32_10(vec4<u32>(b, P.layer, tags.x, 0u), key)) * scale;',
      '    if (P.keep_all == 1u) { return g; }',
      '    let keep = philox4x32_10(vec4<u32>(b, P.layer, tags.y, 0u), key) < vec4<u32>(P.keep_threshold);',
      '    return select(vec4<f32>(0.0), g, keep);',
    ].join('\n'),
    columnMajor: false,
    orthogonalize: false,
  },
  traits: { gaussianEntries: false, rotationInvariant: false, freeLaw: 'ginibre', asymptoticOnly: true, structuralZeros: true, rectangular: true },
};
