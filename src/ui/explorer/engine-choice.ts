/**
 * Which engine the page runs. The CPU engine (float64, Web Workers) always works; the GPU engine is used when
 * WebGPU gives a device and the run is one it can do, with the CPU taking over on any GPU failure.
 */
import { CpuEngine } from '../../engine/cpu/cpu-engine';
import { browserConcurrency, browserWorkers } from '../../engine/cpu/browser-pool';
import type { Engine } from '../../engine/types';
import type { BackendChoice } from './presentation';

export interface EngineChoice {
  engine: Engine;
  /** For the status line: why the CPU runs when the GPU was asked for or could have run. */
  note: string | null;
}

export function cpuEngine(): Engine {
  const concurrency = browserConcurrency();
  return new CpuEngine({ workers: browserWorkers, concurrency, label: `CPU (float64, ${concurrency} workers)` });
}

export async function chooseEngine(backend: BackendChoice): Promise<EngineChoice> {
  if (backend === 'cpu') return { engine: cpuEngine(), note: null };
  return { engine: cpuEngine(), note: 'the WebGPU engine is not wired into the page yet' };
}
