/**
 * The float64 CPU engine: distributes samples over workers, gathers their results and turns them into
 * progressive snapshots. A parameter change aborts the run: workers are terminated at once.
 */
import type { Params } from '../../params/types';
import { buildSnapshot } from '../aggregate';
import type { Engine, RunOptions, SampleResult, Snapshot } from '../types';
import { RunConfig } from '../run-config';
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
    const { signal, snapshotIntervalMs = 100, perSample = false, singularValues = true, forwardStats = true } = options;
    const config = new RunConfig(params, singularValues, forwardStats);
    const started = performance.now();
    const nWorkers = Math.max(1, Math.min(this.options.concurrency, params.samples));
    const runId = Math.floor(Math.random() * 2 ** 31);
    const checkpointLayers = config.checkpointLayers();

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
        worker.postMessage({ type: 'run', runId, params, samples, progressMs: Math.min(100, snapshotIntervalMs), singularValues, forwardStats });
      }

      let lastEmit = -Infinity;
      let emittedData = false;
      for (;;) {
        if (signal?.aborted) return;
        if (failure) throw failure;
        const finished = doneWorkers === nWorkers;
        const now = performance.now();
        // The first data are shown at once, not after a full interval: that is the first plot a user sees.
        const firstData = !emittedData && (results.length > 0 || inFlight.size > 0);
        if (finished || firstData || now - lastEmit >= snapshotIntervalMs) {
          lastEmit = now;
          emittedData ||= results.length > 0 || inFlight.size > 0;
          const work = workByWorker.reduce((s, w) => s + w, 0);
          const label = this.options.label ?? 'cpu';
          const backend = kernelNames.size > 0 ? `${label}, ${[...kernelNames].join('+')} kernels` : label;
          const partial = [...inFlight.values()].map((m) => ({ layer: m.layer, sums: m.sums }));
          yield buildSnapshot({
            params,
            k: config.k,
            singularValues: config.trackSingularValues,
            checkpoints: checkpointLayers,
            forwardLayers: config.forward.layers,
            results,
            partial,
            elapsedMs: now - started,
            work,
            done: finished,
            perSample,
            backend,
          });
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
}
