/** WorkerFactory over Web Workers (one per core), falling back to in-process if workers fail to start. */
import type { WorkerFactory, WorkerResponse } from './protocol';
import { inProcessWorkers } from './in-process';

export const browserWorkers: WorkerFactory = () => {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./browser-worker.ts', import.meta.url), { type: 'module' });
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
