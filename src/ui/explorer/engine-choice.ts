/**
 * Which engine the page runs. The CPU engine (float64, Web Workers) always works. With backend=auto or
 * gpu, the WebGPU engine runs everything it does right (singular values included), through a
 * FallbackEngine: no navigator.gpu, no adapter within the timeout, a refused device, a lost device or an
 * uncaptured error switch this and every later run to the CPU, which restarts the run from scratch on the
 * same random stream; a run too large for the device's limits, or one float32 cannot do right
 * (gpuPrefersCpu: sparse feedforward nets), goes to the CPU for that run only. Every snapshot's `backend`
 * says which engine ran and, for the CPU, why.
 */
import { browserConcurrency, browserWorkers } from '../../engine/cpu/browser-pool';
import { CpuEngine } from '../../engine/cpu/cpu-engine';
import { browserFallbackEngine } from '../../engine/gpu/browser-gpu';
import { gpuPrefersCpu } from '../../engine/gpu/gpu-engine';
import type { Engine } from '../../engine/types';
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

export async function chooseEngine(backend: BackendChoice): Promise<EngineChoice> {
  if (backend === 'cpu') return { engine: cpuEngine(), note: null };
  return { engine: browserFallbackEngine(cpuEngine(), { route: (params) => gpuPrefersCpu(params) }), note: null };
}
