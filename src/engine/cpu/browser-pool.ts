/**
 * WorkerFactory over Web Workers (one per core), falling back to in-process if workers fail to start.
 * The worker is inlined into the bundle (a blob URL) so that the library build and the single-file
 * offline build are each one file with no further requests.
 */
import type { WorkerFactory, WorkerResponse } from './protocol';
import { inProcessWorkers } from './in-process';
import CpuWorker from './browser-worker?worker&inline';

export const browserWorkers: WorkerFactory = () => {
  let worker: Worker;
  try {
    worker = new CpuWorker();
  } catch {
    return inProcessWorkers();
  }
  return {
    postMessage: (m) => worker.postMessage(m),
    setHandlers(onMessage, onError) {
      worker.onmessage = (e: MessageEvent<WorkerResponse>) => onMessage(e.data);
      worker.onerror = (e: ErrorEvent) => onError(new Error(e.message || 'worker failed to load'));
    },
    terminate: () => worker.terminate(),
  };
};

export function browserConcurrency(): number {
  return Math.max(1, navigator.hardwareConcurrency || 2);
}
