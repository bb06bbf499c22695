/**
 * A WorkerLike that runs the worker body on the calling thread, yielding between chunks. Used by
 * tests, by Node without worker files (bundled library use) and as the last resort in a browser
 * that cannot start workers.
 */
import type { RunRequest, WorkerFactory, WorkerLike, WorkerResponse } from './protocol';
import { nextMacrotask } from '../run-config';
import { runAssignment } from './worker-core';

export const inProcessWorkers: WorkerFactory = () => {
  let stopped = false;
  let onMessage: (m: WorkerResponse) => void = () => {};
  let onError: (e: Error) => void = () => {};
  const worker: WorkerLike = {
    postMessage(request: RunRequest) {
      void runAssignment(request, (m) => !stopped && onMessage(m), {
        stopped: () => stopped,
        pause: nextMacrotask,
      }).catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
    },
    setHandlers(m, e) {
      onMessage = m;
      onError = e;
    },
    terminate() {
      stopped = true;
    },
  };
  return worker;
};
