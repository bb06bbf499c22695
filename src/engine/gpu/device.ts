/**
 * Adapter and device acquisition for the WebGPU engine, in the browser (navigator.gpu) and in Node
 * (Dawn's `webgpu` package). Races each request against a timeout, because a null or hung adapter must
 * send the user straight to the CPU engine, and asks for the adapter's real limits (device defaults
 * are lower: 128 MiB storage bindings, 16 KiB workgroup storage).
 */
import { checkDeviceLimits, effectiveLimits, LIMIT_NAMES } from './limits';

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  /** Human-readable adapter name for the status line. */
  description: string;
}

export class GpuUnavailableError extends Error {
  override readonly name = 'GpuUnavailableError';
}

/** The adapter in words for a status line: vendor, architecture, device and description, where given. */
export function adapterLabel(info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'> | undefined): string {
  if (!info) return 'unknown adapter';
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') || 'unknown adapter';
}

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

/** The limits the engine needs raised to the adapter's values (those limits.ts plans with). */
const RAISED_LIMITS = LIMIT_NAMES;

/**
 * A device with the adapter's limits, and those of `optionalFeatures` the adapter offers (the bench asks
 * for 'timestamp-query'; device.features says which were granted).
 */
export async function acquireDevice(gpu: GPU, timeoutMs = 5000, optionalFeatures: readonly GPUFeatureName[] = []): Promise<AcquiredDevice> {
  const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), timeoutMs, 'requestAdapter');
  if (!adapter) throw new GpuUnavailableError('no WebGPU adapter is available');
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures = optionalFeatures.filter((f) => adapter.features.has(f));
  const device = await withTimeout(adapter.requestDevice({ requiredLimits, requiredFeatures }), timeoutMs, 'requestDevice');
  try {
    // Run-independent needs (storage buffers per kernel); sizes are checked per run (limits.ts).
    checkDeviceLimits(effectiveLimits(device));
  } catch (e) {
    device.destroy();
    throw e;
  }
  return { adapter, device, description: adapterLabel(adapter.info) };
}

/** A copy of `src` (which needs COPY_SRC usage) read back to the CPU through a staging buffer. */
export async function readBuffer<T extends Float32Array | Uint32Array>(device: GPUDevice, src: GPUBuffer, kind: { new (b: ArrayBuffer): T }): Promise<T> {
  const staging = device.createBuffer({ size: src.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, staging, 0, src.size);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return new kind(staging.getMappedRange().slice(0));
  } finally {
    staging.destroy();
  }
}

/**
 * Whether an adapter is a CPU emulation of a GPU (SwiftShader, WARP, llvmpipe...): it says so
 * (isFallbackAdapter, where exposed), or its name does. The engine plans smaller QR workgroups there
 * (limits.ts) and the bench a shorter protocol.
 */
export function isEmulatedAdapter(info: { isFallbackAdapter?: boolean; description?: string; device?: string } | undefined, name = ''): boolean {
  return info?.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|warp|fallback/i.test(`${name} ${info?.description ?? ''} ${info?.device ?? ''}`);
}
