/**
 * An Engine that runs a primary engine (the WebGPU one) and falls back to a second one (the float64
 * CPU engine) when the primary cannot be had or fails:
 *  - creating it fails (no navigator.gpu, no adapter, a request that timed out);
 *  - its run throws: a refusal, a validation error, a lost device or an uncaptured GPU error (the GPU
 *    engine turns the last two into a rejected run, see gpu/gpu-engine.ts).
 * The run is then restarted from scratch on the fallback engine, which draws the same networks from
 * the same seed (so the numbers agree to float32 accuracy), and this and every later run use it; the
 * reason is kept in `fallbackReason` and appended to every fallback snapshot's `backend`
 * ("cpu (float64, …) — GPU unavailable: <reason>").
 *
 * Two narrower cases do not retire the primary: an error that `perRun` accepts (by default a
 * GpuLimitError or GpuOutOfMemoryError: these parameters are too large for this device, smaller ones
 * are not), and runs that
 * `route` sends to the fallback (for example runs that need what only the CPU computes). Both go to the
 * fallback for that run only, with the reason in the snapshots' `backend`.
 */
import type { Params } from '../params/types';
import { GpuLimitError, GpuOutOfMemoryError, GpuUnsupportedError } from './gpu/limits';
import type { Engine, RunOptions, Snapshot } from './types';

export interface FallbackEngineOptions {
  /** Creates the primary engine; called once, by the first run that wants it. Throwing = unavailable. */
  primary: () => Engine | Promise<Engine>;
  /** Runs everything the primary does not. */
  fallback: Engine;
  /** A reason to run these parameters on the fallback although the primary works, or null. */
  route?: (params: Params, options: RunOptions) => string | null;
  /** Errors of the primary that concern only this run (default: GpuLimitError, GpuOutOfMemoryError). */
  perRun?: (error: unknown) => boolean;
}

/** Errors that say these parameters do not fit this device, not that the device is unusable. */
const isPerRunError = (e: unknown) => e instanceof GpuLimitError || e instanceof GpuOutOfMemoryError || e instanceof GpuUnsupportedError;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class FallbackEngine implements Engine {
  private primaryEngine: Promise<Engine> | null = null;
  private created: Engine | null = null;
  private reason: string | null = null;
  private runReason: string | null = null;
  private disposed = false;

  constructor(private readonly options: FallbackEngineOptions) {}

  /**
   * Why every run now goes to the fallback engine (the primary is unavailable or failed), or null.
   * A primary that reports a `failure` of its own (GpuEngine: a device lost between runs) counts too.
   */
  get fallbackReason(): string | null {
    this.poll();
    return this.reason;
  }

  private poll(): void {
    const failure = (this.created as { failure?: unknown } | null)?.failure;
    if (this.reason === null && typeof failure === 'string') this.retire(failure);
  }

  /** Why the latest run went to the fallback engine, or null when the primary ran it. */
  get lastRunReason(): string | null {
    return this.runReason;
  }

  get backend(): string {
    this.poll();
    if (this.reason !== null) return `${this.options.fallback.backend} — GPU unavailable: ${this.reason}`;
    return this.created?.backend ?? this.options.fallback.backend;
  }

  /** The primary engine, created on first use; null once it is known to be unavailable. */
  private async primary(): Promise<Engine | null> {
    if (this.reason !== null) return null;
    this.primaryEngine ??= Promise.resolve().then(() => this.options.primary());
    try {
      const engine = await this.primaryEngine;
      this.created = engine;
      if (this.disposed) engine.dispose();
      return engine;
    } catch (e) {
      this.retire(message(e));
      return null;
    }
  }

  private retire(reason: string): void {
    if (this.reason !== null) return;
    this.reason = reason;
    // The primary is never used again: release what it holds (a GPU engine's buffers and device).
    this.created?.dispose();
  }

  async *run(params: Params, options: RunOptions = {}): AsyncGenerator<Snapshot, void, void> {
    this.poll();
    let why = this.reason ?? this.options.route?.(params, options) ?? null;
    let label = this.reason !== null ? 'GPU unavailable' : null;
    if (why === null) {
      const engine = await this.primary();
      if (engine) {
        this.runReason = null;
        try {
          for await (const snap of engine.run(params, options)) yield snap;
          return;
        } catch (e) {
          if (options.signal?.aborted) return;
          if ((this.options.perRun ?? isPerRunError)(e)) {
            why = message(e);
          } else {
            this.retire(message(e));
          }
        }
      }
      if (options.signal?.aborted) return;
      label = 'GPU unavailable';
      why ??= this.reason;
    }
    this.runReason = why;
    const suffix = why === null ? '' : label ? ` — ${label}: ${why}` : ` — ${why}`;
    for await (const snap of this.options.fallback.run(params, options)) {
      yield suffix ? { ...snap, backend: `${snap.backend}${suffix}` } : snap;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.options.fallback.dispose();
    this.created?.dispose();
  }
}
