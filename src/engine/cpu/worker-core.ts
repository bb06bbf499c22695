/**
 * The body of a CPU worker: runs its samples one after another through all layers (so complete
 * samples arrive early and steadily), reporting the sample in flight about every `progressMs`.
 */
import { RunConfig } from '../run-config';
import { NetworkSample, Workspace } from './network-sample';
import type { RunRequest, WorkerResponse } from './protocol';

export type Post = (message: WorkerResponse, transfer: ArrayBuffer[]) => void;

export interface RunControl {
  /** Checked between chunks: true stops the run without further messages. */
  stopped(): boolean;
  /** Lets other tasks run between chunks (needed in-process; optional in a real worker). */
  pause(): Promise<void>;
}

/** Length of the first work slice before the first progress report. */
const FIRST_SLICE_MS = 15;

export async function runAssignment(request: RunRequest, post: Post, control: RunControl): Promise<void> {
  const { runId, params, samples, progressMs, singularValues, forwardStats } = request;
  try {
    const config = new RunConfig(params, singularValues, forwardStats);
    const ws = new Workspace(config);
    let work = 0;
    // The first report comes after a short slice, so the page can plot something within a frame or two.
    let slice = Math.min(progressMs, FIRST_SLICE_MS);
    for (const sample of samples) {
      const net = new NetworkSample(config, sample, ws);
      while (!net.finished) {
        const start = performance.now();
        const before = net.layer;
        // Advance layer by layer until the chunk's time is used, then report and pause.
        do net.advance(1, ws);
        while (!net.finished && performance.now() - start < slice);
        slice = progressMs;
        work += net.layer - before;
        if (control.stopped()) return;
        if (!net.finished) {
          const sums = Float64Array.from(net.sums);
          post({ type: 'progress', runId, sample, layer: net.layer, sums, work }, [sums.buffer]);
        }
        await control.pause();
        if (control.stopped()) return;
      }
      const result = net.result();
      const transfer = [result.exponents.buffer as ArrayBuffer, result.convergence.buffer as ArrayBuffer];
      if (result.logSingularValues) transfer.push(result.logSingularValues.buffer as ArrayBuffer);
      if (result.forward) transfer.push(result.forward.buffer as ArrayBuffer);
      post({ type: 'result', runId, result, work, kernels: ws.kernels.name }, transfer);
    }
    post({ type: 'done', runId }, []);
  } catch (err) {
    post({ type: 'error', runId, message: err instanceof Error ? err.message : String(err) }, []);
  }
}
