/**
 * Which engine the page runs, run by run. The CPU engine (float64, Web Workers) always works. With
 * backend=auto or gpu, the WebGPU engine is used when navigator.gpu gives a device within the timeout and
 * the run is one it can do (it does not yet compute finite-depth singular values, so a run that needs them
 * goes to the CPU). Any GPU failure, a thrown error, a lost device or an uncaptured validation error,
 * switches this and every later run to the CPU, which restarts the run from scratch on the same random
 * stream. Every snapshot's `backend` says which engine ran and, for the CPU, why.
 */
import { CpuEngine } from '../../engine/cpu/cpu-engine';
import { browserConcurrency, browserWorkers } from '../../engine/cpu/browser-pool';
import { acquireDevice } from '../../engine/gpu/device';
import { GpuEngine, gpuUnsupported } from '../../engine/gpu/gpu-engine';
import type { Engine, RunOptions, Snapshot } from '../../engine/types';
import type { Params } from '../../params/types';
import type { BackendChoice } from './presentation';

export interface EngineChoice {
  engine: Engine;
  /** Kept for the status line; the reasons also travel in each snapshot's backend text. */
  note: string | null;
}

export function cpuEngine(): CpuEngine {
  const concurrency = browserConcurrency();
  return new CpuEngine({ workers: browserWorkers, concurrency, label: `CPU (float64, ${concurrency} workers)` });
}

type GpuState = { engine: GpuEngine; device: GPUDevice } | { reason: string };

/** Acquire a device from navigator.gpu, or say why not. Never throws. */
async function browserGpu(): Promise<GpuState> {
  const gpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined;
  if (!gpu) return { reason: 'this browser offers no WebGPU (navigator.gpu is missing)' };
  try {
    const { device, description } = await acquireDevice(gpu);
    return { engine: new GpuEngine(device, description), device };
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  }
}

export class PageEngine implements Engine {
  readonly backend = 'page';
  private readonly cpu = cpuEngine();
  private gpu: Promise<GpuState> | null = null;
  /** Set once the GPU has failed; every later run uses the CPU. */
  private broken: string | null = null;

  constructor(private readonly choice: BackendChoice) {}

  private gpuState(): Promise<GpuState> {
    this.gpu ??= browserGpu().then((state) => {
      if ('device' in state) {
        void state.device.lost.then((info) => {
          this.broken ??= `the GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`;
        });
        state.device.addEventListener('uncapturederror', (event) => {
          this.broken ??= `GPU error: ${(event as GPUUncapturedErrorEvent).error.message}`;
        });
      }
      return state;
    });
    return this.gpu;
  }

  /** Why this run goes to the CPU, or null to use the GPU. */
  private async cpuReason(params: Params, options: RunOptions): Promise<string | null> {
    if (this.choice === 'cpu') return 'backend=cpu';
    if (this.broken) return this.broken;
    const unsupported = gpuUnsupported(params);
    if (unsupported) return unsupported;
    if (options.singularValues && params.k === params.width) return 'the finite-depth singular values are computed by the CPU engine';
    const state = await this.gpuState();
    return 'reason' in state ? `no WebGPU: ${state.reason}` : null;
  }

  async *run(params: Params, options: RunOptions = {}): AsyncGenerator<Snapshot, void, void> {
    const reason = await this.cpuReason(params, options);
    if (reason === null) {
      const state = (await this.gpuState()) as { engine: GpuEngine };
      try {
        for await (const snap of state.engine.run(params, options)) {
          if (this.broken) throw new Error(this.broken);
          yield snap;
        }
        return;
      } catch (e) {
        if (options.signal?.aborted) return;
        this.broken ??= `the GPU run failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    const why = reason ?? this.broken;
    for await (const snap of this.cpu.run(params, options)) {
      yield why === 'backend=cpu' ? snap : { ...snap, backend: `${snap.backend} — CPU because ${why}` };
    }
  }

  dispose(): void {
    this.cpu.dispose();
    void this.gpu?.then((state) => {
      if ('device' in state) {
        state.engine.dispose();
        state.device.destroy();
      }
    });
  }
}

export async function chooseEngine(backend: BackendChoice): Promise<EngineChoice> {
  return { engine: new PageEngine(backend), note: null };
}
