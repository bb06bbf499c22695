/**
 * What an architecture is, in one place: the layer map, the form of its Jacobian, and which GPU layer
 * program runs it. Engines, theory, params and the UI read these entries.
 *
 * Both architectures so far have the layer map x_l = a x_{l-1} + c phi(W_l x_{l-1} + b_l) and the layer
 * Jacobian J_l = a I + c D_l W_l (docs/THEORY.md section 1).
 */

/** How alpha is scaled with depth: c = alpha, alpha/sqrt(L) or alpha/L. */
export const ALPHA_SCALINGS = ['const', 'sqrtL', 'L'] as const;
export type AlphaScaling = (typeof ALPHA_SCALINGS)[number];

/** The Params fields an architecture may read. */
export interface ArchitectureKnobs {
  readonly alpha: number;
  readonly ascale: AlphaScaling;
  readonly depth: number;
}

/** The GPU layer programs (src/engine/gpu/layer-programs.ts): which kernels a layer of this architecture runs. */
export type GpuLayerProgramId = 'square';

export interface ArchitectureEntry<Id extends string = string> {
  readonly id: Id;
  readonly label: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Params fields this architecture reads (the UI dims the others). */
  readonly knobs: readonly (keyof ArchitectureKnobs)[];
  /** x_l = a x_{l-1} + c phi(h_l) and J_l = a I + c D_l W_l. */
  coefficients(k: ArchitectureKnobs): { a: number; c: number };
  /** The layer Jacobian in words, for the UI and docs. */
  readonly jacobian: string;
  /**
   * rank(J_l) <= #{i : phi'(h_i) != 0} (J_l = D_l W_l, no identity term): inactive units are structural
   * zeros the engines count exactly.
   */
  readonly rankFromActivation: boolean;
  /** Has a skip connection (theory: residual-net results apply, feedforward ones do not). */
  readonly residual: boolean;
  readonly gpuProgram: GpuLayerProgramId;
}
