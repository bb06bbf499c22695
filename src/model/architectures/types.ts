/**
 * What an architecture is, in one place: the layer map, the form of its Jacobian, and which GPU layer
 * program runs it. Engines, theory, params and the UI read these entries.
 *
 * Single-matrix blocks (feedforward, residual): x_l = a x_{l-1} + c_l phi(W_l x_{l-1} + b_l) and
 * J_l = a I + c_l D_l W_l. The full residual block adds an output matrix V_l and bias a_l:
 * x_l = x_{l-1} + c_l (V_l phi(W_l x_{l-1} + b_l) + a_l), J_l = I + c_l V_l D_l W_l, with W_l of shape
 * m x N (docs/THEORY.md sections 1 and 5.10).
 */
import type { ScheduleKnobs } from './schedule';

/** The Params fields an architecture may read. */
export interface ArchitectureKnobs extends ScheduleKnobs {
  readonly width: number;
  /** Inner width m of the full block. */
  readonly inner: number;
  /** Variance times m of V_l's entries (full block). */
  readonly sv2: number;
  /** Variance of the full block's output bias a_l. */
  readonly sa2: number;
}

/** The GPU layer programs (src/engine/gpu/layer-programs.ts): which kernels a layer of this architecture runs. */
export type GpuLayerProgramId = 'square' | 'block';

export interface ArchitectureEntry<Id extends string = string> {
  readonly id: Id;
  readonly label: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Params fields this architecture reads (the UI dims the others). */
  readonly knobs: readonly (keyof ArchitectureKnobs)[];
  /** x_l = a x_{l-1} + c_l (...) and J_l = a I + c_l (...), at layer l = 1..L. */
  coefficients(k: ArchitectureKnobs, layer: number): { a: number; c: number };
  /** m: the rows of W_l (N except in the full block's bottleneck). */
  innerWidth(k: ArchitectureKnobs): number;
  /** The layer Jacobian in words, for the UI and docs. */
  readonly jacobian: string;
  /**
   * rank(J_l) <= #{i : phi'(h_i) != 0} (J_l = D_l W_l, no identity term): inactive units are structural
   * zeros the engines count exactly.
   */
  readonly rankFromActivation: boolean;
  /** Has a skip connection (theory: residual-net results apply, feedforward ones do not). */
  readonly residual: boolean;
  /** Has the output matrix V_l and bias a_l (the full block): the single-matrix theory does not apply. */
  readonly outputMatrix: boolean;
  /**
   * The increment x_l - x_{l-1} has zero mean given the past for every activation (V_l is fresh and
   * zero-mean), so products and outputs converge under sum c_l^2 < infinity (docs/THEORY.md 5.11).
   */
  readonly martingaleIncrements: boolean;
  readonly gpuProgram: GpuLayerProgramId;
  /** The layer's mean-field recursion and gradient increments (docs/THEORY.md 5.15). */
  readonly meanField: ArchitectureMeanField;
}

/**
 * Mean-field state after a layer for two inputs of equal norm (docs/THEORY.md 5.15): p = |x|^2/N,
 * p12 = x.x'/N and m = the mean of x's entries (the drift of non-odd activations in arch=res, 5.7e).
 */
export interface SignalState {
  readonly p: number;
  readonly p12: number;
  readonly m: number;
}

/**
 * Gaussian moments of the activation at the layer's pre-activation variance q = sw2 p + sb2, supplied by
 * the theory (the model folder does no integration).
 */
export interface LayerMoments {
  /** E phi(sqrt(q) z). */
  readonly ephi: number;
  /** E phi(sqrt(q) z)^2. */
  readonly ephi2: number;
  /** E phi(u_1) phi(u_2), (u_1, u_2) centred with variances q and covariance q12 = sw2 p12 + sb2. */
  readonly kernel: number;
  /** sw2 E phi'(sqrt(q) z)^2: the gain of D W on a direction orthogonal to x. */
  readonly chiW: number;
  /** E phi'^4 / (E phi'^2)^2 at the same variance (Infinity where E phi'^4 diverges). */
  readonly kurtosis: number;
}

export interface ArchitectureMeanField {
  /** One layer of the two-input recursion, at residual strength c = c_l. */
  step(s: SignalState, c: number, mo: LayerMoments, k: ArchitectureKnobs): SignalState;
  /**
   * The gradient along a direction u orthogonal to x, one layer: `logGain` = log E|J_l u|^2 (annealed,
   * what gradSq multiplies by) and `meanLog` = E log|J_l u|, from the mean and variance of |J_l u|^2 to
   * second order (delta method), with the width N and inner width m.
   */
  gradient(c: number, mo: LayerMoments, k: ArchitectureKnobs): { logGain: number; meanLog: number };
}

/**
 * E log|J u| from the mean M and variance V of |J u|^2 (second-order delta method):
 * (1/2)(log M - V / (2 M^2)). Shared by the entries so that each states only its M and V.
 */
export function deltaMethodLog(mean: number, variance: number): { logGain: number; meanLog: number } {
  const logGain = Math.log(mean);
  return { logGain, meanLog: 0.5 * (logGain - variance / (2 * mean * mean)) };
}
