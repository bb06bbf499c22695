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
} as const;
export type StreamTag = (typeof STREAM_TAG)[keyof typeof STREAM_TAG];
export type StreamName = keyof typeof STREAM_TAG;
