/**
 * WebGPU in the page: a GpuEngine from navigator.gpu, or the reason there is none, and the
 * FallbackEngine the UI runs (GPU first, the CPU engine on any GPU failure).
 *
 *   const engine = browserFallbackEngine(cpuEngine());          // GPU acquired on the first run
 *   // or, to show the adapter before the first run:
 *   const gpu = await browserGpuEngine();
 *   status = 'engine' in gpu ? gpu.adapterLabel : `CPU: ${gpu.reason}`;
 */
import { FallbackEngine, type FallbackEngineOptions } from '../fallback-engine';
import type { Engine } from '../types';
import { acquireDevice, adapterLabel, GpuUnavailableError } from './device';
import { GpuEngine, type GpuEngineOptions } from './gpu-engine';

export { adapterLabel };

export type BrowserGpu =
  | {
      engine: GpuEngine;
      device: GPUDevice;
      /** Vendor, architecture, device and description of the adapter, for the status line. */
      adapterLabel: string;
    }
  | { reason: string };

export interface BrowserGpuOptions extends Omit<GpuEngineOptions, 'ownsDevice'> {
  /** How long requestAdapter and requestDevice may each take (default 5 s: a slow software adapter answers within about 1 s, so the timeout costs nothing when things work). */
  timeoutMs?: number;
  /** navigator.gpu by default. */
  gpu?: GPU;
}

/**
 * Acquires a device from navigator.gpu (each request raced against the timeout) and wraps it in a
 * GpuEngine that owns it (its dispose() destroys the device). Never throws: a missing navigator.gpu,
 * a null adapter, a timeout or a refused device come back as { reason }.
 */
export async function browserGpuEngine(options: BrowserGpuOptions = {}): Promise<BrowserGpu> {
  const { timeoutMs = 5000, gpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined, ...engineOptions } = options;
  if (!gpu) return { reason: 'this browser offers no WebGPU (navigator.gpu is missing)' };
  try {
    const { device, description } = await acquireDevice(gpu, timeoutMs);
    return { engine: new GpuEngine(device, description, { ...engineOptions, ownsDevice: true }), device, adapterLabel: description };
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * GPU first, `cpu` after any GPU failure (see FallbackEngine); the device is requested on the first
 * run that wants the GPU. `route` sends runs the GPU engine does not do to the CPU for that run only.
 */
export function browserFallbackEngine(cpu: Engine, options: BrowserGpuOptions & Pick<FallbackEngineOptions, 'route' | 'perRun'> = {}): FallbackEngine {
  const { route, perRun, ...gpuOptions } = options;
  return new FallbackEngine({
    primary: async () => {
      const gpu = await browserGpuEngine(gpuOptions);
      if ('reason' in gpu) throw new GpuUnavailableError(gpu.reason);
      return gpu.engine;
    },
    fallback: cpu,
    route,
    perRun,
  });
}
