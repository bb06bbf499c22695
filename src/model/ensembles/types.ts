/**
 * What a weight ensemble is, in one place: how it draws W_l from the random stream on the CPU, the WGSL
 * that draws it on the GPU, its scale, and the traits that decide which engine rule and which theory
 * applies. Engines, theory, params and the UI read these entries; none of them names an ensemble.
 */
import type { StreamName } from '../stream';

/** The Params fields an ensemble may read. */
export interface WeightKnobs {
  /** sigma_w^2: the entry variance times N. */
  readonly sw2: number;
  /** Keep probability of sparse weights. */
  readonly p: number;
}

/** Where an ensemble draws from: one layer of one sample's random stream, plus the linear algebra it needs. */
export interface WeightStream {
  /** out[0..count) = scale * the standard Gaussians 0..count-1 of stream `tag`. */
  gaussian(out: Float64Array, count: number, tag: StreamName, scale: number): void;
  /** The raw uint32 words 0..count-1 of stream `tag` (valid until the next call). */
  uint32(count: number, tag: StreamName): Uint32Array;
  /** Replaces a row-major N x N matrix by the Q of its QR with the Haar sign fix (row-major; square only). */
  orthonormalize(w: Float64Array): void;
}

export interface EnsembleTraits {
  /** Entries i.i.d. N(0, sw2/N) exactly: the finite-N Gaussian results (Newman, exact ReLU) apply. */
  readonly gaussianEntries: boolean;
  /**
   * The law of W is invariant under W -> U W V for orthogonal U, V: the frame increments of linear nets do
   * not depend on the frame, so finite-N exact results are unbiased at every depth.
   */
  readonly rotationInvariant: boolean;
  /** The N -> infinity law of W W^T that free probability uses: Marchenko-Pastur (Ginibre) or a point mass (Haar). */
  readonly freeLaw: 'ginibre' | 'haar';
  /** The N -> infinity laws hold only asymptotically, not at any finite N (sparse weights). */
  readonly asymptoticOnly: boolean;
  /**
   * W can have exactly zero rows, columns or minors (sparse weights): exactly singular directions that
   * float32 cannot tell from small ones (the CPU's float64 threshold is safe; docs/THEORY.md section 2).
   */
  readonly structuralZeros: boolean;
  /**
   * Draws non-square matrices (the full block's m x N W_l and N x m V_l) with the same law per entry.
   * Haar-orthogonal weights are square only.
   */
  readonly rectangular: boolean;
}

export interface EnsembleGpu {
  /**
   * WGSL body of `fn draw_weights(P: Layer, b: u32, key: vec2<u32>, tags: vec2<u32>, scale: f32) -> vec4<f32>`:
   * elements 4b..4b+3 (row-major element e = row * cols + col) of the matrix whose Gaussians have stream tag
   * tags.x and scale `scale` (and whose other draws, such as a mask, tag tags.y), for the Philox key
   * (seed, sample), ending in a return. W_l uses (weights, sparseMask), the full block's V_l
   * (outputWeights, outputMask).
   */
  readonly draw: string;
  /** The draw is stored column-major (the layout the QR kernels factor), as orthogonalize needs. */
  readonly columnMajor: boolean;
  /** W_l = w_scale * (the Haar Q of the drawn Gaussian), by the blocked QR: orthogonal weights. */
  readonly orthogonalize: boolean;
}

export interface EnsembleEntry<Id extends string = string> {
  readonly id: Id;
  readonly label: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Params fields besides sw2 that this ensemble reads (the UI dims the others). */
  readonly knobs: readonly (keyof WeightKnobs)[];
  /**
   * The scale of the Gaussians drawn for a matrix with `fanIn` columns: the entry scale sqrt(sw2/fanIn)
   * (or its sparse rescaling), or for orthogonal weights the factor sqrt(sw2) of O. The one place this
   * formula lives. For the full block's V_l, sw2 is sv2 and fanIn is m.
   */
  scale(k: WeightKnobs, fanIn: number): number;
  /**
   * A row-major rows x cols matrix (W_l, or the full block's V_l) of one sample and layer, on the CPU, in
   * float64, entries of variance sw2/cols. `stream` is already directed at the matrix's own tags.
   */
  drawCpu(w: Float64Array, rows: number, cols: number, k: WeightKnobs, stream: WeightStream): void;
  readonly gpu: EnsembleGpu;
  readonly traits: EnsembleTraits;
}
