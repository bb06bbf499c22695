/**
 * WebGPU in Node for the CLI and the bench: Dawn (the `webgpu` package). Without a GPU, the Vulkan
 * loader is pointed at Chromium's SwiftShader driver when it is installed (as in vitest.config.ts); it
 * must be set before Dawn creates its instance, which reads the environment natively.
 */
import { existsSync } from 'node:fs';
import { acquireDevice, GpuUnavailableError, type AcquiredDevice } from './device';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Dawn frees its instance when the create() result is collected: keep it for the process's life. */
let dawnGpu: GPU | null = null;

export interface NodeDeviceOptions {
  timeoutMs?: number;
  /** Dawn instance flags; they apply when the process's instance is created, i.e. on the first call. */
  dawnFlags?: string[];
  /** Features to enable where the adapter offers them (acquireDevice). */
  optionalFeatures?: GPUFeatureName[];
}

export async function nodeDevice(options: NodeDeviceOptions = {}): Promise<AcquiredDevice> {
  const { timeoutMs = 5000, dawnFlags = [], optionalFeatures = [] } = options;
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  if (!dawnGpu) {
    let mod: { create(flags: string[]): GPU; globals: object };
    try {
      mod = (await import('webgpu')) as unknown as { create(flags: string[]): GPU; globals: object };
    } catch (e) {
      throw new GpuUnavailableError(`Dawn for Node (the webgpu package) could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
    Object.assign(globalThis, mod.globals);
    dawnGpu = mod.create(dawnFlags);
  }
  return acquireDevice(dawnGpu, timeoutMs, optionalFeatures);
}
