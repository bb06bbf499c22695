/**
 * WebGPU in Node for tests: Dawn (the `webgpu` package) on SwiftShader's Vulkan driver, which
 * vitest.config.ts points the loader at. Under CI=true (or REQUIRE_WEBGPU=1) a missing adapter fails
 * the tests; elsewhere they are skipped with a message saying how to enable them.
 */
import { create, globals } from 'webgpu';
import { acquireDevice, type AcquiredDevice } from '../../src/engine/gpu/device';

Object.assign(globalThis, globals);
// Dawn frees its instance when the object from create() is collected, even while devices from it
// live: keep it reachable for the whole process.
const holder = globalThis as unknown as { __dawnGpu?: GPU };
holder.__dawnGpu ??= create([]);

export const gpuRequired = process.env.CI === 'true' || process.env.REQUIRE_WEBGPU === '1';

/** A fresh device per test file (an adapter can make only one device), or null with the reason. */
export async function testDevice(): Promise<{ acquired: AcquiredDevice | null; reason: string }> {
  try {
    return { acquired: await acquireDevice(holder.__dawnGpu!), reason: '' };
  } catch (e) {
    const reason = `${e instanceof Error ? e.message : String(e)}. Install Debian's chromium (SwiftShader Vulkan driver) and libvulkan1 to run the WebGPU tests.`;
    if (!gpuRequired) console.warn(`Skipping WebGPU tests: ${reason}`);
    return { acquired: null, reason };
  }
}

/** Runs fn inside validation and out-of-memory error scopes and fails on any GPU error. */
export async function withErrorScopes<T>(device: GPUDevice, fn: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  const result = await fn();
  const oom = await device.popErrorScope();
  const validation = await device.popErrorScope();
  if (oom) throw new Error(`GPU out-of-memory error: ${oom.message}`);
  if (validation) throw new Error(`GPU validation error: ${validation.message}`);
  return result;
}

/** Encodes one compute pass with `encode` and submits it. */
export function submitPass(device: GPUDevice, encode: (pass: GPUComputePassEncoder) => void): void {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encode(pass);
  pass.end();
  device.queue.submit([enc.finish()]);
}
