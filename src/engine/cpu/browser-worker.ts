/** Web Worker entry of the CPU engine. */
import type { RunRequest } from './protocol';
import { runAssignment } from './worker-core';

/** The worker global, typed by hand: the project's lib is DOM, not WebWorker. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<RunRequest>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;
scope.onmessage = (event) => {
  void runAssignment(event.data, (m, transfer) => scope.postMessage(m, transfer), {
    stopped: () => false,
    pause: () => Promise.resolve(),
  });
};
