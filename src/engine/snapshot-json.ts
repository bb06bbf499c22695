/**
 * The public JSON shape of a snapshot: what the CLI prints and what <lyapunov-explorer>'s `snapshot`
 * property returns, so that a figure scripted from the CLI and a number read off the page are the same
 * record. Typed arrays and internal fields stay out; numbers that are not finite are already null.
 */
import type { Correction } from '../params/types';
import type { Snapshot } from './types';

export type SnapshotJson = ReturnType<typeof snapshotJson>;

export function snapshotJson(snap: Snapshot, corrections: Correction[]) {
  const { params, backend, protocol, exponents, logSingularValues, logSingularValuesNote, quantiles, histogram, rankHistogram } = snap;
  return {
    params,
    corrections,
    backend,
    protocol,
    exponents,
    logSingularValues,
    logSingularValuesNote,
    quantiles,
    histogram,
    rankHistogram,
    convergence: snap.convergence,
    forward: snap.forward,
    layers: snap.layers,
    samples: snap.samples,
    samplesFinished: snap.samplesFinished,
    elapsedMs: Math.round(snap.elapsedMs * 10) / 10,
    throughput: Math.round(snap.throughput),
    warnings: snap.warnings,
    done: snap.done,
    ...(snap.perSample ? { perSample: snap.perSample } : {}),
  };
}
