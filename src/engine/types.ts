/**
 * The engine contract shared by the CPU and GPU engines, the CLI and the UI. A Snapshot is what the
 * CLI prints as JSON and what <lyapunov-explorer> exposes as its `snapshot` property.
 */
import type { Params } from '../params/types';

/** Per-index statistics over samples. null = no finite value (all samples -Infinity) or undefined SE. */
export interface IndexStats {
  mean: (number | null)[];
  /** Between-sample standard error sd / sqrt(count); null when count < 2. */
  sem: (number | null)[];
  /** Number of samples in which this index is finite. */
  count: number[];
}

export interface Quantiles {
  /** Probabilities (0..1). */
  p: number[];
  /** Pooled quantiles of (1/L) log sigma(J); null = -Infinity (zero singular value). */
  value: (number | null)[];
}

/** Histogram of the pooled (1/L) log sigma_i(J) over samples and indices (the density plot's data). */
export interface Histogram {
  /** Bin edges, ascending, length counts.length + 1. */
  edges: number[];
  /** Finite values per bin (the last bin includes its right edge). */
  counts: number[];
  /** Exactly zero singular values (log sigma = -Infinity), not in any bin. */
  zeros: number;
  /** All values pooled, zeros included. */
  total: number;
}

export interface Convergence {
  /** Layer index l (after the burn-in) at which the running estimates were taken. */
  layer: number[];
  /** Sample means of the running estimates S_i(l) / (l - transient). */
  top: (number | null)[];
  bottom: (number | null)[];
  /** Mean over the finite indices. */
  mean: (number | null)[];
}

/**
 * The forward block (docs/THEORY.md 5.14): per recorded layer (0 = the inputs), mean, SE and count over
 * samples of q = |x_l|^2/N, c = cos(x_l, x'_l), dist = |x_l - x'_l|^2/N, grad = log|J_l...J_1 u| and
 * gradSq = |J_l...J_1 u|^2.
 */
export interface ForwardStats {
  layers: number[];
  /** Which unit u grad and gradSq follow. */
  u: string;
  q: IndexStats;
  c: IndexStats;
  dist: IndexStats;
  grad: IndexStats;
  gradSq: IndexStats;
}

/** The complete result of one network (one sample). -Infinity marks an exactly singular direction. */
export interface SampleResult {
  sample: number;
  /** lambda_i = (1/(L - transient)) sum log|R_ii|, i = 1..k. */
  exponents: Float64Array;
  /** log sigma_i(J) of the whole depth, descending (k = N only). */
  logSingularValues: Float64Array | null;
  /** Number of finite exponents. */
  rank: number;
  /** Running estimates at the convergence checkpoints (top, bottom, finite mean per checkpoint). */
  convergence: Float64Array;
  /** First layer whose activations were not finite; null when none. Such samples are excluded. */
  overflowLayer: number | null;
  /** q, c, dist, grad, gradSq per recorded layer (src/engine/forward-stats.ts), NaN where not reached; null if the engine did not record them. */
  forward: Float64Array | null;
}

export interface PerSampleJson {
  sample: number;
  exponents: (number | null)[];
  logSingularValues: (number | null)[] | null;
  rank: number;
  overflowLayer: number | null;
  /** This network's forward block at the snapshot's forward.layers (null: not recorded, or not finite). */
  forward: Record<'q' | 'c' | 'dist' | 'grad' | 'gradSq', (number | null)[]> | null;
}

export interface Snapshot {
  params: Params;
  backend: string;
  /** Q_0, burn-in and input variance in one line. */
  protocol: string;
  exponents: IndexStats;
  logSingularValues: IndexStats | null;
  /** Why logSingularValues is null, when it is. */
  logSingularValuesNote: string | null;
  quantiles: Quantiles | null;
  /** Histogram of the same pooled values; null exactly when quantiles is. */
  histogram: Histogram | null;
  /** rank -> number of samples. */
  rankHistogram: Record<string, number>;
  convergence: Convergence;
  /** Forward signal, two-input geometry and gradient against layer; null until a sample has finished. */
  forward: ForwardStats | null;
  /** Layers completed by the samples included in the statistics. */
  layers: number;
  /** Samples included in the statistics (completed, not overflowed). */
  samples: number;
  /** Samples finished so far, including those excluded for overflow. */
  samplesFinished: number;
  elapsedMs: number;
  /** Layer-samples per second so far. */
  throughput: number;
  warnings: string[];
  done: boolean;
  perSample?: PerSampleJson[];
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Minimum time between progressive snapshots. */
  snapshotIntervalMs?: number;
  /** Include every sample's results in the final snapshot. */
  perSample?: boolean;
  /**
   * Accumulate T = R_L ... R_1 for the finite-depth singular values (default true; only possible when
   * k = N). Costs about N^3/3 flops and N^2 memory per layer and sample.
   */
  singularValues?: boolean;
  /**
   * Record the forward block (default true). Off only to measure its cost (`npm run bench`); the CPU
   * engine then also skips the second input's forward pass. The GPU engine always records it.
   */
  forwardStats?: boolean;
}

export interface Engine {
  readonly backend: string;
  /** Progressive snapshots; the last one has done = true. Aborting the signal stops promptly. */
  run(params: Params, options?: RunOptions): AsyncGenerator<Snapshot, void, void>;
  dispose(): void;
}
