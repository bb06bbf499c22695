/**
 * Turns per-sample results into the snapshot's statistics: mean and between-sample standard error per
 * index over the samples where that index is finite (docs/THEORY.md sections 2 and 7), rank histogram,
 * pooled quantiles of (1/L) log sigma(J), and the convergence history.
 */
import type { Params } from '../params/types';
import type { Convergence, ForwardStats, Histogram, PerSampleJson, Quantiles, SampleResult, Snapshot } from './types';
import { indexStats } from './stats';
import { forwardColumns, forwardStats } from './forward-stats';

export { indexStats };

/** The pooled-quantile probabilities of the reference protocol (docs/THEORY.md section 7). */
export const QUANTILE_PROBABILITIES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99];

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Quantiles with linear interpolation between order statistics (numpy's default definition). */
export function pooledQuantiles(values: Float64Array, probabilities: number[]): Quantiles {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const value = probabilities.map((p) => {
    if (n === 0) return null;
    const pos = (n - 1) * p;
    const lo = Math.floor(pos);
    const hi = Math.min(n - 1, lo + 1);
    const vlo = sorted[lo]!;
    const vhi = sorted[hi]!;
    if (vlo === -Infinity) return null;
    return finiteOrNull(vlo + (pos - lo) * (vhi - vlo));
  });
  return { p: probabilities, value };
}

/**
 * Histogram of `values` with about sqrt(n) equal bins (10 to 100) over the finite range. -Infinity values are
 * counted as zeros, not binned; a degenerate range gets one bin of width 1e-9 relative (never zero width).
 */
export function histogram(values: Float64Array): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  let finite = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    finite++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const zeros = values.length - finite;
  if (finite === 0) return { edges: [], counts: [], zeros, total: values.length };
  const bins = finite === 1 || hi === lo ? 1 : Math.max(10, Math.min(100, Math.ceil(Math.sqrt(finite))));
  if (hi === lo) {
    const half = Math.max(Math.abs(lo) * 1e-9, 1e-12);
    lo -= half;
    hi += half;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  }
  return { edges, counts, zeros, total: values.length };
}

export function rankHistogram(results: SampleResult[]): Record<string, number> {
  const hist: Record<string, number> = {};
  for (const r of results) hist[String(r.rank)] = (hist[String(r.rank)] ?? 0) + 1;
  return hist;
}

export function convergenceHistory(results: SampleResult[], layers: number[]): Convergence {
  const top = indexStats(
    results.map((r) => everyThird(r.convergence, 0)),
    layers.length,
  ).mean;
  const bottom = indexStats(
    results.map((r) => everyThird(r.convergence, 1)),
    layers.length,
  ).mean;
  const mean = indexStats(
    results.map((r) => everyThird(r.convergence, 2)),
    layers.length,
  ).mean;
  return { layer: layers, top, bottom, mean };
}

function everyThird(a: Float64Array, offset: number): Float64Array {
  const out = new Float64Array(Math.floor(a.length / 3));
  for (let i = 0; i < out.length; i++) out[i] = a[3 * i + offset]!;
  return out;
}

export function perSampleJson(r: SampleResult): PerSampleJson {
  return {
    sample: r.sample,
    exponents: Array.from(r.exponents, finiteOrNull),
    logSingularValues: r.logSingularValues ? Array.from(r.logSingularValues, finiteOrNull) : null,
    rank: r.rank,
    overflowLayer: r.overflowLayer,
    forward: r.forward ? forwardColumns(r.forward) : null,
  };
}

/** The forward block over the samples that recorded one (null when none has, or when it was not recorded). */
function forwardBlock(layers: readonly number[], good: SampleResult[]): ForwardStats | null {
  const records = good.flatMap((r) => (r.forward ? [r.forward] : []));
  return records.length > 0 && layers.length > 0 ? forwardStats(layers, records) : null;
}

/** One-line description of the protocol, shown by the CLI and the UI. */
export function protocolLine(p: Params): string {
  const burnIn = p.transient > 0 ? `first ${p.transient} layers discarded (burn-in)` : 'no burn-in';
  return `Haar-random Q_0 (N x k) per sample; x_0 ~ N(0, ${p.q0} I); fresh W and b every layer; QR after every layer; ${burnIn}; exponents per layer in natural-log units`;
}

export interface SnapshotInput {
  params: Params;
  /** Exponents tracked. */
  k: number;
  /** Whether singular values were accumulated (k = N and requested). */
  singularValues: boolean;
  /** Layers of the convergence checkpoints. */
  checkpoints: number[];
  /** Layers the forward block records (the run configuration's ForwardPlan). */
  forwardLayers: readonly number[];
  /** Finished samples (in any order). */
  results: SampleResult[];
  /** Samples in flight: layers done and their log sums, used while no sample has finished. */
  partial: { layer: number; sums: ArrayLike<number> }[];
  elapsedMs: number;
  /** Layer-samples completed. */
  work: number;
  done: boolean;
  perSample: boolean;
  backend: string;
  /** Why there are no singular values when k = N (e.g. the engine does not compute them). */
  singularValuesNote?: string;
  /** Engine-specific remarks added to the warnings (e.g. samples the GPU handed to the CPU). */
  notes?: string[];
}

/** The snapshot both engines stream: statistics over finished samples, or the samples in flight. */
export function buildSnapshot(input: SnapshotInput): Snapshot {
  const { params, k, results, partial, elapsedMs, work, done } = input;
  const good = results.filter((r) => r.overflowLayer === null).sort((x, y) => x.sample - y.sample);
  const overflowed = results.filter((r) => r.overflowLayer !== null);
  const warnings: string[] = [...(input.notes ?? [])];
  if (overflowed.length > 0) {
    const first = Math.min(...overflowed.map((r) => r.overflowLayer!));
    warnings.push(
      `Activations overflowed (became infinite or NaN) in ${overflowed.length} of ${results.length} finished samples, first at layer ${first}; those samples are excluded. Lower sw2 or the depth, or use residual scaling.`,
    );
  }

  let exponentRows: ArrayLike<number>[] = good.map((r) => r.exponents);
  let layers = params.depth;
  if (good.length === 0 && !done) {
    // No sample finished yet: show the samples in flight at the layers they reached.
    const measured = partial.filter((m) => m.layer > params.transient);
    layers = measured.length > 0 ? Math.min(...measured.map((m) => m.layer)) : 0;
    exponentRows = measured.map((m) => Array.from(m.sums, (s) => s / (m.layer - params.transient)));
    warnings.push(`Preliminary: no sample has reached depth ${params.depth} yet; estimates from the samples in flight.`);
  }

  let logSingularValues = null;
  let logSingularValuesNote: string | null = null;
  let quantiles = null;
  let hist: Histogram | null = null;
  if (k !== params.width) {
    logSingularValuesNote = `Singular values of J need k = N (k = ${params.k}, N = ${params.width}).`;
  } else if (!input.singularValues) {
    logSingularValuesNote = input.singularValuesNote ?? 'Singular values were not requested.';
  } else if (good.length === 0) {
    logSingularValuesNote = 'No sample has finished yet.';
  } else if (!good.some((r) => r.logSingularValues !== null)) {
    logSingularValuesNote = 'No sample has singular values (see the warnings).';
  } else {
    // A sample can lack them (a GPU engine without a float64 engine to recompute what float32 cannot): its warning says so.
    const rows = good.flatMap((r) => (r.logSingularValues ? [r.logSingularValues] : []));
    logSingularValues = indexStats(rows, k);
    const pooled = new Float64Array(rows.length * k);
    rows.forEach((row, i) =>
      pooled.set(
        row.map((v) => v / params.depth),
        i * k,
      ),
    );
    quantiles = pooledQuantiles(pooled, QUANTILE_PROBABILITIES);
    hist = histogram(pooled);
  }

  const snap: Snapshot = {
    params,
    backend: input.backend,
    protocol: protocolLine(params),
    exponents: indexStats(exponentRows, k),
    logSingularValues,
    logSingularValuesNote,
    quantiles,
    histogram: hist,
    rankHistogram: rankHistogram(good),
    convergence: convergenceHistory(good, input.checkpoints),
    forward: forwardBlock(input.forwardLayers, good),
    layers,
    samples: good.length,
    samplesFinished: results.length,
    elapsedMs,
    throughput: elapsedMs > 0 ? (work / elapsedMs) * 1000 : 0,
    warnings,
    done,
  };
  if (input.perSample && done) snap.perSample = good.map(perSampleJson);
  return snap;
}
