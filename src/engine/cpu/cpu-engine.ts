/**
 * The float64 CPU engine: distributes samples over workers, gathers their results and turns them into
 * progressive snapshots. A parameter change aborts the run: workers are terminated at once.
 */
import type { Params } from '../../params/types';
import {
  convergenceHistory,
  indexStats,
  perSampleJson,
  pooledQuantiles,
  protocolLine,
  QUANTILE_PROBABILITIES,
  rankHistogram,
} from '../aggregate';
import type { Engine, RunOptions, SampleResult, Snapshot } from '../types';
import { RunConfig } from './network-sample';
import type { ProgressMessage, WorkerFactory, WorkerLike, WorkerResponse } from './protocol';

export interface CpuEngineOptions {
  workers: WorkerFactory;
  /** Number of workers; capped by the number of samples. */
  concurrency: number;
  /** Label for snapshots, e.g. "cpu (4 workers)". */
  label?: string;
}

export class CpuEngine implements Engine {
  readonly backend = 'cpu';
  private live = new Set<WorkerLike>();

  constructor(private readonly options: CpuEngineOptions) {}

  dispose(): void {
    for (const w of this.live) w.terminate();
    this.live.clear();
  }

  async *run(params: Params, options: RunOptions = {}): AsyncGenerator<Snapshot, void, void> {
    const { signal, snapshotIntervalMs = 100, perSample = false, singularValues = true } = options;
    const config = new RunConfig(params, singularValues);
    const started = performance.now();
    const nWorkers = Math.max(1, Math.min(this.options.concurrency, params.samples));
    const runId = Math.floor(Math.random() * 2 ** 31);

    const results: SampleResult[] = [];
    const inFlight = new Map<number, ProgressMessage>();
    const workByWorker = new Array<number>(nWorkers).fill(0);
    let doneWorkers = 0;
    const kernelNames = new Set<string>();
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    // The pending snapshot timer; cleared on every wake-up so it never keeps a Node process alive.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const notify = () => {
      clearTimeout(timer);
      const w = wake;
      wake = null;
      w?.();
    };

    const workers: WorkerLike[] = [];
    const onAbort = () => notify();
    signal?.addEventListener('abort', onAbort);
    try {
      for (let wi = 0; wi < nWorkers; wi++) {
        const worker = this.options.workers();
        workers.push(worker);
        this.live.add(worker);
        worker.setHandlers(
          (m: WorkerResponse) => {
            if (m.runId !== runId) return;
            switch (m.type) {
              case 'progress':
                inFlight.set(m.sample, m);
                workByWorker[wi] = m.work;
                break;
              case 'result':
                inFlight.delete(m.result.sample);
                results.push(m.result);
                kernelNames.add(m.kernels);
                workByWorker[wi] = m.work;
                break;
              case 'done':
                doneWorkers++;
                break;
              case 'error':
                failure = new Error(`CPU worker failed: ${m.message}`);
                break;
            }
            notify();
          },
          (e: Error) => {
            failure = e;
            notify();
          },
        );
        // Interleaved assignment keeps every worker's share of samples equal.
        const samples: number[] = [];
        for (let s = wi; s < params.samples; s += nWorkers) samples.push(s);
        worker.postMessage({ type: 'run', runId, params, samples, progressMs: Math.min(100, snapshotIntervalMs), singularValues });
      }

      let lastEmit = -Infinity;
      for (;;) {
        if (signal?.aborted) return;
        if (failure) throw failure;
        const finished = doneWorkers === nWorkers;
        const now = performance.now();
        if (finished || now - lastEmit >= snapshotIntervalMs) {
          lastEmit = now;
          const work = workByWorker.reduce((s, w) => s + w, 0);
          const label = this.options.label ?? 'cpu';
          const backend = kernelNames.size > 0 ? `${label}, ${[...kernelNames].join('+')} kernels` : label;
          yield this.snapshot(params, config, results, inFlight, now - started, work, finished, perSample, backend);
          if (finished) return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          const wait = Math.max(0, snapshotIntervalMs - (performance.now() - lastEmit));
          timer = setTimeout(notify, wait);
        });
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const w of workers) {
        w.terminate();
        this.live.delete(w);
      }
    }
  }

  private snapshot(
    params: Params,
    config: RunConfig,
    results: SampleResult[],
    inFlight: Map<number, ProgressMessage>,
    elapsedMs: number,
    work: number,
    done: boolean,
    perSample: boolean,
    backend: string,
  ): Snapshot {
    const k = config.k;
    const good = results.filter((r) => r.overflowLayer === null).sort((x, y) => x.sample - y.sample);
    const overflowed = results.filter((r) => r.overflowLayer !== null);
    const warnings: string[] = [];
    if (overflowed.length > 0) {
      const first = Math.min(...overflowed.map((r) => r.overflowLayer!));
      warnings.push(
        `Activations overflowed (became infinite or NaN) in ${overflowed.length} of ${results.length} finished samples, first at layer ${first}; those samples are excluded. Lower sw2 or the depth, or use residual scaling.`,
      );
    }

    let exponentRows: ArrayLike<number>[] = good.map((r) => r.exponents);
    let layers = params.depth;
    let preliminary = false;
    if (good.length === 0 && !done) {
      // No sample finished yet: show the samples in flight at the layers they reached.
      preliminary = true;
      const partial = [...inFlight.values()].filter((m) => m.layer > params.transient);
      layers = partial.length > 0 ? Math.min(...partial.map((m) => m.layer)) : 0;
      exponentRows = partial.map((m) => m.sums.map((s) => s / (m.layer - params.transient)));
    }
    if (preliminary) warnings.push(`Preliminary: no sample has reached depth ${params.depth} yet; estimates from the samples in flight.`);

    let logSingularValues = null;
    let logSingularValuesNote: string | null = null;
    let quantiles = null;
    if (config.k !== config.n) {
      logSingularValuesNote = `Singular values of J need k = N (k = ${params.k}, N = ${params.width}).`;
    } else if (!config.trackSingularValues) {
      logSingularValuesNote = 'Singular values were not requested.';
    } else if (good.length === 0) {
      logSingularValuesNote = 'No sample has finished yet.';
    } else {
      const rows = good.map((r) => r.logSingularValues!);
      logSingularValues = indexStats(rows, k);
      const pooled = new Float64Array(rows.length * k);
      rows.forEach((row, i) => pooled.set(row.map((v) => v / params.depth), i * k));
      quantiles = pooledQuantiles(pooled, QUANTILE_PROBABILITIES);
    }

    const checkpointLayers = Array.from({ length: config.checkpoints }, (_, i) => config.checkpointLayer(i));
    const snap: Snapshot = {
      params,
      backend,
      protocol: protocolLine(params),
      exponents: indexStats(exponentRows, k),
      logSingularValues,
      logSingularValuesNote,
      quantiles,
      rankHistogram: rankHistogram(good),
      convergence: convergenceHistory(good, checkpointLayers),
      layers,
      samples: good.length,
      samplesFinished: results.length,
      elapsedMs,
      throughput: elapsedMs > 0 ? (work / elapsedMs) * 1000 : 0,
      warnings,
      done,
    };
    if (perSample && done) snap.perSample = good.map(perSampleJson);
    return snap;
  }
}
