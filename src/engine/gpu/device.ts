/**
 * Adapter and device acquisition for the WebGPU engine, in the browser (navigator.gpu) and in Node
 * (Dawn's `webgpu` package). Races each request against a timeout, because a null or hung adapter must
 * send the user straight to the CPU engine, and asks for the adapter's real limits (device defaults
 * are lower: 128 MiB storage bindings, 16 KiB workgroup storage).
 */

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  /** Human-readable adapter name for the status line. */
  description: string;
}

export class GpuUnavailableError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new GpuUnavailableError(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The limits the engine needs raised to the adapter's values. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export async function acquireDevice(gpu: GPU, timeoutMs = 5000): Promise<AcquiredDevice> {
  const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), timeoutMs, 'requestAdapter');
  if (!adapter) throw new GpuUnavailableError('no WebGPU adapter is available');
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await withTimeout(adapter.requestDevice({ requiredLimits }), timeoutMs, 'requestDevice');
  const info = adapter.info;
  const description = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') || 'unknown adapter';
  return { adapter, device, description };
}
