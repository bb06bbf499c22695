/**
 * Owns the run in flight: starting a run aborts the previous one (its workers or GPU buffers are freed by
 * the engine on abort), snapshots are coalesced to at most one per animation frame, and a failure is
 * reported instead of thrown. Knows nothing about Lit or the DOM beyond requestAnimationFrame.
 */
import type { Params } from '../../params/types';
import type { Engine, RunOptions, Snapshot } from '../../engine/types';

export interface RunCallbacks {
  snapshot(snap: Snapshot, runId: number): void;
  error(message: string, runId: number): void;
}

const nextFrame: (cb: () => void) => void =
  typeof requestAnimationFrame === 'function' ? (cb) => requestAnimationFrame(() => cb()) : (cb) => setTimeout(cb, 16);

export class RunController {
  private abort: AbortController | null = null;
  private runId = 0;
  private pending: { snap: Snapshot; id: number } | null = null;
  private frameRequested = false;

  constructor(
    private readonly engine: () => Promise<Engine>,
    private readonly callbacks: RunCallbacks,
  ) {}

  /** Params of the run in flight or last finished, to skip restarting an identical run. */
  current: Params | null = null;

  get running(): boolean {
    return this.abort !== null;
  }

  start(params: Params, options: Omit<RunOptions, 'signal'>): number {
    this.stop();
    const abort = new AbortController();
    this.abort = abort;
    const id = ++this.runId;
    this.current = params;
    void this.consume(params, options, abort, id);
    return id;
  }

  stop(): void {
    this.abort?.abort();
    this.abort = null;
    this.pending = null;
  }

  private async consume(params: Params, options: Omit<RunOptions, 'signal'>, abort: AbortController, id: number): Promise<void> {
    try {
      const engine = await this.engine();
      if (abort.signal.aborted) return;
      for await (const snap of engine.run(params, { ...options, signal: abort.signal })) {
        if (abort.signal.aborted) return;
        // The final snapshot is delivered at once; progress snapshots wait for the next frame.
        if (snap.done) {
          this.pending = null;
          this.callbacks.snapshot(snap, id);
        } else this.deliverOnFrame(snap, id);
      }
    } catch (e) {
      if (!abort.signal.aborted) this.callbacks.error(e instanceof Error ? e.message : String(e), id);
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  private deliverOnFrame(snap: Snapshot, id: number): void {
    this.pending = { snap, id };
    if (this.frameRequested) return;
    this.frameRequested = true;
    nextFrame(() => {
      this.frameRequested = false;
      const p = this.pending;
      this.pending = null;
      if (p && p.id === this.runId && this.abort) this.callbacks.snapshot(p.snap, p.id);
    });
  }
}
