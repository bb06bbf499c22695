/** worker_threads entry of the CPU engine (bundled to dist-cli/node-worker.js). */
import { parentPort } from 'node:worker_threads';
import type { RunRequest } from './protocol';
import { runAssignment } from './worker-core';

const port = parentPort;
if (port) {
  port.on('message', (request: RunRequest) => {
    // Cancellation terminates the thread, so the loop needs no pauses.
    void runAssignment(request, (m, transfer) => port.postMessage(m, transfer), {
      stopped: () => false,
      pause: () => Promise.resolve(),
    });
  });
}
