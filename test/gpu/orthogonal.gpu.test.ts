/**
 * shaders/orthogonal.wgsl against the CPU engine's orthogonal weights (Dawn + SwiftShader): the same
 * W_l = sqrt(sw2) O_l, entry by entry, for the same (seed, sample, layer), and W^T W = sw2 I. The CPU
 * side is the float64 engine itself: after NetworkSample.advance(l), Workspace.w holds its W_l.
 * Every dispatch is inside validation and out-of-memory error scopes, and every buffer is destroyed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { NetworkSample, RunConfig, Workspace } from '../../src/engine/cpu/network-sample';
import { effectiveLimits, planGpuRun, type GpuPlan } from '../../src/engine/gpu/limits';
import { createPrograms, UNIFORM_SLOT, writeLayerUniform } from '../../src/engine/gpu/programs';
import { parseQuery } from '../../src/params/url';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

/** W_layer of samples 0..count-1 from the GPU kernels (row-major N x N each). */
async function gpuOrthogonal(n: number, sw2: number, seed: number, count: number, layer: number, plan: GpuPlan): Promise<Float32Array> {
  const d = device!;
  const p = createPrograms(d, plan, true);
  const uniform = d.createBuffer({ size: UNIFORM_SLOT, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const g = d.createBuffer({ size: 4 * count * n * n, usage: GPUBufferUsage.STORAGE });
  const w = d.createBuffer({ size: 4 * count * n * n, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = d.createBuffer({ size: 4 * count * n * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const u = new ArrayBuffer(UNIFORM_SLOT);
    writeLayerUniform(u, 0, {
      n, k: n, samples: count, layer, seed, sampleBase: 0, act: 'linear', sparse: false, orth: true, a: 0, c: 1,
      wScale: Math.sqrt(sw2), bScale: 0, keepThreshold: 0, keepAll: true, measured: true, feedforward: true,
    });
    d.queue.writeBuffer(uniform, 0, u);
    const group = (layout: GPUBindGroupLayout, buffers: GPUBuffer[]) =>
      d.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: uniform, size: 64 } }, ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } }))] });
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(p.weights.pipeline);
    pass.setBindGroup(0, group(p.weights.layout, [g]), [0]);
    pass.dispatchWorkgroups(Math.ceil((n * n) / 4 / plan.workgroupSize), count);
    pass.setPipeline(p.orthogonal!.pipeline);
    pass.setBindGroup(0, group(p.orthogonal!.layout, [g, w]), [0]);
    pass.dispatchWorkgroups(count);
    pass.end();
    enc.copyBufferToBuffer(w, 0, read, 0, read.size);
    d.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    return new Float32Array(read.getMappedRange().slice(0));
  } finally {
    for (const b of [uniform, g, w, read]) b.destroy();
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

function planFor(n: number, workgroupCap?: number): GpuPlan {
  const cap = workgroupCap ? { maxComputeInvocationsPerWorkgroup: workgroupCap } : {};
  return planGpuRun(effectiveLimits(device!, cap), { n, k: n, samples: 4, orth: true, checkpoints: 1, batchBytes: 1 << 20 });
}

describe.skipIf(!device && !gpuRequired)('orthogonal weights on the GPU (shaders/orthogonal.wgsl)', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  // Workgroups of 64 (N < workgroup) and of 4 (every loop strides several times).
  it.each([
    [5, 1, 64],
    [8, 2, 64],
    [16, 0.5, 64],
    [13, 1.5, 4],
    [13, 1.5, 1],
    [32, 1, 64],
  ])('N = %i, sw2 = %f, workgroup <= %i: the CPU engine\'s W entry by entry, and W^T W = sw2 I', async (n, sw2, wg) => {
    const count = 3;
    const layer = 2;
    const plan = planFor(n, wg);
    expect(plan.workgroupSize).toBe(wg);
    const gpu = await withErrorScopes(device!, () => gpuOrthogonal(n, sw2, 11, count, layer, plan));
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
