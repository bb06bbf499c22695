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
import { float64LogSingularValues } from '../../engine/cpu/network-sample';
import { browserFallbackEngine } from '../../engine/gpu/browser-gpu';
import { gpuPrefersCpu } from '../../engine/gpu/gpu-engine';
import type { Engine } from '../../engine/types';
import type { BackendChoice } from './presentation';

export function cpuEngine(): CpuEngine {
  const concurrency = browserConcurrency();
  return new CpuEngine({ workers: browserWorkers, concurrency, label: `CPU (float64, ${concurrency} workers)` });
}

/** The engine for a backend choice; why the CPU runs where it does travels in each snapshot's `backend`. */
export function chooseEngine(backend: BackendChoice): Engine {
  if (backend === 'cpu') return cpuEngine();
  // Samples the GPU's float32 T does not cover get their singular values from the float64 engine.
  return browserFallbackEngine(cpuEngine(), { route: (params) => gpuPrefersCpu(params), float64Recompute: float64LogSingularValues });
}
