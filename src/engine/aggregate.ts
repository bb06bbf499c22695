/**
 * Turns per-sample results into the snapshot's statistics: mean and between-sample standard error per
 * index over the samples where that index is finite (THEORY.md sections 2 and 7), rank histogram,
 * pooled quantiles of (1/L) log sigma(J), and the convergence history.
 */
import type { Params } from '../params/types';
import type { Convergence, IndexStats, PerSampleJson, Quantiles, SampleResult } from './types';

/** The pooled-quantile probabilities of the reference protocol (THEORY.md section 7). */
export const QUANTILE_PROBABILITIES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99];

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Mean/SE/count per index of `rows` (each of length len), skipping non-finite entries. */
export function indexStats(rows: ArrayLike<number>[], len: number): IndexStats {
  const mean: (number | null)[] = [];
  const sem: (number | null)[] = [];
  const count: number[] = [];
  for (let i = 0; i < len; i++) {
    // Welford's update: stable for the long, nearly constant columns we average here.
    let n = 0;
    let m = 0;
    let m2 = 0;
    for (const row of rows) {
      const v = row[i]!;
      if (!Number.isFinite(v)) continue;
      n++;
      const delta = v - m;
      m += delta / n;
      m2 += delta * (v - m);
    }
    count.push(n);
    mean.push(n > 0 ? m : null);
    sem.push(n > 1 ? Math.sqrt(m2 / (n - 1) / n) : null);
  }
  return { mean, sem, count };
}

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

export function rankHistogram(results: SampleResult[]): Record<string, number> {
  const hist: Record<string, number> = {};
  for (const r of results) hist[String(r.rank)] = (hist[String(r.rank)] ?? 0) + 1;
  return hist;
}

export function convergenceHistory(results: SampleResult[], layers: number[]): Convergence {
  const top = indexStats(results.map((r) => everyThird(r.convergence, 0)), layers.length).mean;
  const bottom = indexStats(results.map((r) => everyThird(r.convergence, 1)), layers.length).mean;
  const mean = indexStats(results.map((r) => everyThird(r.convergence, 2)), layers.length).mean;
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
  };
}

/** One-line description of the protocol, shown by the CLI and the UI. */
export function protocolLine(p: Params): string {
  const burnIn = p.transient > 0 ? `first ${p.transient} layers discarded (burn-in)` : 'no burn-in';
  return `Haar-random Q_0 (N x k) per sample; x_0 ~ N(0, ${p.q0} I); fresh W and b every layer; QR after every layer; ${burnIn}; exponents per layer in natural-log units`;
}
