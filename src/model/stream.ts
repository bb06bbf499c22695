/**
 * The streams of the shared random generator (src/engine/rng.ts documents the counter layout): what is
 * drawn from which tag. Part of the public contract: a changed tag changes every shared link's networks.
 * The WGSL kernels use the same numbers (shaders/frame.wgsl, the ensembles' and the forward pass's draws).
 */
export const STREAM_TAG = {
  weights: 0,
  bias: 1,
  input: 2,
  initialFrame: 3,
  sparseMask: 4,
  /** The second input's direction (docs/THEORY.md 5.14). */
  secondInput: 5,
  /** The full block's V_l, its sparse mask and its output bias a_l (docs/THEORY.md 5.10). */
  outputWeights: 6,
  outputMask: 7,
  outputBias: 8,
} as const;
export type StreamTag = (typeof STREAM_TAG)[keyof typeof STREAM_TAG];
export type StreamName = keyof typeof STREAM_TAG;
