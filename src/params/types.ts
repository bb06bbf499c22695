/**
 * The typed shape of every knob of the model. The table in `table.ts` is the single source of truth for
 * defaults, ranges, URL keys, labels and help; this file only names the value types so that engines,
 * theory and UI can depend on the shape without pulling in the table.
 */

export const ACTIVATIONS = ['linear', 'tanh', 'relu', 'hardtanh', 'erf', 'sigmoid', 'gelu', 'silu', 'selu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const ARCHITECTURES = ['ff', 'res'] as const;
/** ff: feedforward (a = 0, c = 1); res: residual (a = 1, c = alpha / scale(L)). */
export type Architecture = (typeof ARCHITECTURES)[number];

export const ALPHA_SCALINGS = ['const', 'sqrtL', 'L'] as const;
/** Residual strength alpha is divided by 1, sqrt(L) or L. */
export type AlphaScaling = (typeof ALPHA_SCALINGS)[number];

export const WEIGHT_ENSEMBLES = ['gauss', 'orth', 'sparse'] as const;
export type WeightEnsemble = (typeof WEIGHT_ENSEMBLES)[number];

export interface Params {
  /** N, network width. */
  width: number;
  /** Number of Lyapunov exponents tracked (columns of Q), 1..width. */
  k: number;
  /** L, number of layers. */
  depth: number;
  /** sigma_w^2: weight variance times N. */
  sw2: number;
  /** sigma_b^2: bias variance. */
  sb2: number;
  act: Activation;
  arch: Architecture;
  /** Residual strength before depth scaling. */
  alpha: number;
  ascale: AlphaScaling;
  weights: WeightEnsemble;
  /** Keep-probability of sparse weights. */
  p: number;
  /** Input variance per component: x_0 ~ N(0, q0 I). */
  q0: number;
  /** Independent networks (W, b, x_0, Q_0 all fresh). */
  samples: number;
  /** uint32 seed of the counter-based random stream. */
  seed: number;
  /** Burn-in layers whose log|R_ii| are discarded before averaging. */
  transient: number;
}

/** One correction made while parsing user input (URL query, CLI flags, element attributes). */
export interface Correction {
  /** URL key concerned (or the unknown key). */
  key: string;
  /** The raw value as given, or null when the key was missing but had to be adjusted. */
  given: string | null;
  /** The value used instead, serialized as in a URL. */
  used: string;
  /** Human-readable reason, e.g. "k=80 exceeds width=64; clamped to 64". */
  reason: string;
}
