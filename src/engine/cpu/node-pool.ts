/** WorkerFactory over Node's worker_threads, used by the CLI and the benchmark. */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { WorkerFactory, WorkerResponse } from './protocol';
import { inProcessWorkers } from './in-process';

/** The bundled worker script beside the running bundle, or null when running from sources. */
export function nodeWorkerScript(): string | null {
  const path = fileURLToPath(new URL('./node-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

export function nodeWorkers(script: string): WorkerFactory {
  return () => {
    const worker = new Worker(script);
    return {
      postMessage: (m) => worker.postMessage(m),
      setHandlers(onMessage, onError) {
        worker.on('message', (m: WorkerResponse) => onMessage(m));
        worker.on('error', onError);
      },
      terminate: () => void worker.terminate(),
    };
  };
}

/** Threads when the bundle has its worker file, otherwise in-process; and the core count to use. */
export function defaultNodeWorkers(requested?: number): { factory: WorkerFactory; concurrency: number; label: string } {
  const script = nodeWorkerScript();
  if (requested === 0 || !script) return { factory: inProcessWorkers, concurrency: 1, label: 'cpu (float64, in-process)' };
  const concurrency = requested ?? availableParallelism();
  return { factory: nodeWorkers(script), concurrency, label: `cpu (float64, ${concurrency} worker threads)` };
}
