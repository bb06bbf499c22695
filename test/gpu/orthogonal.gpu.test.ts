/**
 * Orthogonal weights on the GPU (weights.wgsl's Gaussian, column-major, through the blocked QR with the
 * Haar sign fix, then orthogonal-weights.wgsl) against the CPU engine's, entry by entry: the same
 * W_l = sqrt(sw2) O_l for the same (seed, sample, layer), and W^T W = sw2 I. The CPU side is the
 * float64 engine itself: after NetworkSample.advance(l), Workspace.w holds its W_l. Every dispatch is
 * inside validation and out-of-memory error scopes, and every buffer is destroyed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { NetworkSample, Workspace } from '../../src/engine/cpu/network-sample';
import { RunConfig } from '../../src/engine/run-config';
import { GpuBatch } from '../../src/engine/gpu/batch';
import { readBuffer } from '../../src/engine/gpu/device';
import { effectiveLimits, planGpuRun, type GpuPlan } from '../../src/engine/gpu/limits';
import { createPrograms } from '../../src/engine/gpu/programs';
import { layerValues, UNIFORM_SLOT, writeLayerUniform } from '../../src/engine/gpu/layer-uniform';
import { parseQuery } from '../../src/params/url';
import { gpuRequired, submitPass, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

/** W_layer of samples 0..count-1 from the engine's batch (row-major N x N each). */
async function gpuOrthogonal(n: number, sw2: number, seed: number, count: number, layer: number, plan: GpuPlan, k = n): Promise<Float32Array> {
  const d = device!;
  const owned: GPUBuffer[] = [];
  try {
    const batch = new GpuBatch(d, createPrograms(d, plan), plan, { n, k, count, orthogonalize: true, checkpoints: 1 }, (b) => owned.push(b));
    const u = new ArrayBuffer(UNIFORM_SLOT);
    const config = new RunConfig(parseQuery(`act=linear&weights=orth&width=${n}&k=${k}&sw2=${sw2}&seed=${seed}&samples=${count}&depth=${layer}`).params);
    writeLayerUniform(u, 0, layerValues(config, 0, count, layer));
    d.queue.writeBuffer(batch.buffers.uniform, 0, u);
    submitPass(d, (pass) => {
      batch.weights(pass, 0);
      batch.orthogonal(pass, 0);
    });
    // The weights' QR is in Haar mode: a measured layer slot must still leave the log sums alone.
    expect(Array.from(await readBuffer(d, batch.buffers.sums, Float32Array)).every((v) => v === 0)).toBe(true);
    return await readBuffer(d, batch.buffers.w, Float32Array);
  } finally {
    for (const b of owned) b.destroy();
  }
}

/** The CPU engine's W_layer for each sample (row-major, float64). */
function cpuOrthogonal(n: number, sw2: number, seed: number, count: number, layer: number): Float64Array[] {
  const { params, corrections } = parseQuery(`act=linear&weights=orth&width=${n}&depth=${layer}&sw2=${sw2}&seed=${seed}&samples=${count}`);
  expect(corrections).toEqual([]);
  const config = new RunConfig(params, false);
  const ws = new Workspace(config);
  return Array.from({ length: count }, (_, s) => {
    const sample = new NetworkSample(config, s, ws);
    sample.advance(layer, ws);
    return Float64Array.from(ws.w.subarray(0, n * n));
  });
}

function planFor(n: number, workgroupCap?: number, k = n, emulated = false): GpuPlan {
  const cap = workgroupCap ? { maxComputeInvocationsPerWorkgroup: workgroupCap } : {};
  return planGpuRun(effectiveLimits(device!, cap), { n, k, samples: 4, orthogonalize: true, checkpoints: 1, batchBytes: 1 << 24, emulated });
}

describe.skipIf(!device && !gpuRequired)('orthogonal weights on the GPU (blocked QR of the Gaussian, orthogonal-weights.wgsl)', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  // Workgroups of 64, 4 and 1 (the QR's panels then 8 and 4 columns wide, with several slots per
  // invocation); several panels (N = 40, 72), the emulation's plan, and k < N (the weights' QR is
  // then planned for N x N, wider than the Jacobian's N x k).
  it.each<[number, number, number, number, boolean]>([
    [5, 1, 64, 5, false],
    [8, 2, 64, 8, false],
    [16, 0.5, 64, 16, false],
    [13, 1.5, 4, 13, false],
    [13, 1.5, 1, 13, false],
    [32, 1, 64, 32, false],
    [40, 1.3, 64, 40, true],
    [72, 1, 64, 72, false],
    [40, 2, 64, 5, false],
  ])("N = %i, sw2 = %f, workgroup <= %i, k = %i, emulated %s: the CPU engine's W entry by entry, and W^T W = sw2 I", async (n, sw2, wg, k, emulated) => {
    const count = 3;
    const layer = 2;
    const plan = planFor(n, wg, k, emulated);
    expect(plan.workgroupSize).toBe(wg);
    expect(plan.orthQr!.panelWidth).toBe(Math.min(32, 2 ** Math.ceil(Math.log2(n)), wg === 1 ? 4 : wg === 4 ? 8 : 32));
    const gpu = await withErrorScopes(device!, () => gpuOrthogonal(n, sw2, 11, count, layer, plan, k));
    const cpu = cpuOrthogonal(n, sw2, 11, count, layer);
    let worst = 0;
    for (let s = 0; s < count; s++) {
      const w = gpu.subarray(s * n * n, (s + 1) * n * n);
      for (let e = 0; e < n * n; e++) worst = Math.max(worst, Math.abs(w[e]! - cpu[s]![e]!) / Math.sqrt(sw2));
      // W^T W = sw2 I in float32.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let r = 0; r < n; r++) dot += w[r * n + i]! * w[r * n + j]!;
          expect(Math.abs(dot - (i === j ? sw2 : 0)), `sample ${s} (${i}, ${j})`).toBeLessThan(2e-6 * n * sw2);
        }
      }
    }
    // float32 Gaussians (1e-7 relative) and QR rounding, amplified by the Gaussian's conditioning
    // (measured: 2e-7 to 1.1e-6 relative to sqrt(sw2)).
    expect(worst).toBeLessThan(1e-5);
  });

  it('is Haar, not merely orthogonal: diagonal entries have no sign bias (the sign fix)', async () => {
    // Without the sign fix Householder QR makes Q's diagonal mostly negative; with it E O_ii = 0.
    const n = 8;
    const count = 64;
    const gpu = await withErrorScopes(device!, () => gpuOrthogonal(n, 1, 5, count, 1, planFor(n)));
    let sum = 0;
    for (let s = 0; s < count; s++) for (let i = 0; i < n; i++) sum += gpu[s * n * n + i * n + i]!;
    // E O_ii = 0 and Var O_ii = 1/N, so the mean of 512 entries has SE 1/sqrt(512 N) = 0.016.
    expect(Math.abs(sum / (count * n))).toBeLessThan(0.07);
  });
});
