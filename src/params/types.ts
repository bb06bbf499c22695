/**
 * The typed shape of every knob of the model. The table in `table.ts` is the single source of truth for
 * defaults, ranges, URL keys, labels and help; this file only names the value types so that engines,
 * theory and UI can depend on the shape without pulling in the table. The values of the enum knobs are
 * the ids of the model registry (src/model/).
 */
import type { ActivationId, AlphaScaling, ArchitectureId, EnsembleId } from '../model/index';

export { ACTIVATION_IDS as ACTIVATIONS, ALPHA_SCALINGS, ARCHITECTURE_IDS as ARCHITECTURES, ENSEMBLE_IDS as WEIGHT_ENSEMBLES } from '../model/index';
export type Activation = ActivationId;
export type Architecture = ArchitectureId;
export type { AlphaScaling };
export type WeightEnsemble = EnsembleId;

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
  /** Exponent a of the power activation max(h, 0)^a (read only by the power activation's entry, src/model/activations/). */
  apow: number;
  arch: Architecture;
  /** m, the inner width of the full residual block (rows of W, columns of V); defaults to the width. */
  inner: number;
  /** Residual strength before depth scaling. */
  alpha: number;
  ascale: AlphaScaling;
  /** Decay exponent of ascale=power: c_l = alpha l^-beta. */
  beta: number;
  weights: WeightEnsemble;
  /** Keep-probability of sparse weights. */
  p: number;
  /** Variance times m of the full block's output weights V. */
  sv2: number;
  /** Variance of the full block's output bias a. */
  sa2: number;
  /** Input variance per component: x_0 ~ N(0, q0 I). */
  q0: number;
  /** Cosine between the first input and the second (same length, docs/THEORY.md 5.14). */
  c0: number;
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
