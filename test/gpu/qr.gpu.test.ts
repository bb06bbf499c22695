/**
 * The blocked Householder QR (shaders/qr-panel.wgsl, qr-apply.wgsl, qr-finish.wgsl, driven by
 * GpuBatch.qr) against the float64 Householder QR of the CPU engine (linalg.ts) on the same float32
 * input, entry by entry: R, the explicit Q and the log|R_jj| sums, for one panel, several panels with a
 * partial last one, k < N, 4-column panels (a workgroup-memory cap), and an exactly zero column (a
 * flagged direction, never log(0)). Also the initial frame Q_0 (frame.wgsl + the QR with the Haar sign
 * fix) against the CPU engine's own Q_0 for the same stream. Every dispatch is inside validation and
 * out-of-memory error scopes, and every buffer is destroyed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { formQ, householderQR } from '../../src/engine/cpu/linalg';
import { NetworkSample, Workspace } from '../../src/engine/cpu/network-sample';
import { RunConfig } from '../../src/engine/run-config';
import { GpuBatch } from '../../src/engine/gpu/batch';
import { readBuffer } from '../../src/engine/gpu/device';
import { effectiveLimits, planGpuRun, type GpuLimits, type QrPlan } from '../../src/engine/gpu/limits';
import { createPrograms } from '../../src/engine/gpu/programs';
import { layerValues, UNIFORM_SLOT, writeLayerUniform } from '../../src/engine/gpu/layer-uniform';
import { parseQuery } from '../../src/params/url';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;
const COUNT = 2;

interface QrOut {
  z: Float32Array;
  q: Float32Array;
  sums: Float32Array;
  dead: Uint32Array;
  panelWidth: number;
  panel: QrPlan['panel'];
  splitApply: boolean;
}

/** Runs the GPU QR (or the initial frame, with `frameSeed`) on COUNT samples of N x k. */
async function gpuQr(n: number, k: number, z: Float32Array | null, cap: Partial<GpuLimits> = {}, frameSeed = 0, emulated = false): Promise<QrOut> {
  const d = device!;
  const plan = planGpuRun(effectiveLimits(d, cap), { n, k, samples: COUNT, orthogonalize: false, checkpoints: 1, batchBytes: 1 << 26, emulated });
  const owned: GPUBuffer[] = [];
  try {
    return await withErrorScopes(d, async () => {
      const batch = new GpuBatch(d, createPrograms(d, plan), plan, { n, k, count: COUNT, orthogonalize: false, checkpoints: 1 }, (b) => owned.push(b));
      const u = new ArrayBuffer(UNIFORM_SLOT);
      // Only the QR reads this slot: no rank bound (a residual layout), measured unless it is the frame.
      const config = new RunConfig(parseQuery(`act=linear&arch=res&width=${n}&k=${k}&samples=${COUNT}&seed=${frameSeed}`).params);
      writeLayerUniform(u, 0, { ...layerValues(config, 0, COUNT, 1), measured: z !== null ? 1 : 0 });
      d.queue.writeBuffer(batch.buffers.uniform, 0, u);
      if (z) d.queue.writeBuffer(batch.buffers.z, 0, z);
      const enc = d.createCommandEncoder();
      const pass = enc.beginComputePass();
      if (z) batch.qr(pass, 0);
      else batch.initialFrame(pass, 0);
      pass.end();
      d.queue.submit([enc.finish()]);
      const b = batch.buffers;
      return {
        z: await readBuffer(d, b.z, Float32Array),
        q: await readBuffer(d, b.q, Float32Array),
        sums: await readBuffer(d, b.sums, Float32Array),
        dead: await readBuffer(d, b.dead, Uint32Array),
        panelWidth: plan.qr.panelWidth,
        panel: plan.qr.panel,
        splitApply: plan.qr.splitApply,
      };
    });
  } finally {
    for (const b of owned) b.destroy();
  }
}

/** A column-major N x k panel per sample: uniform entries, column j scaled by 2^(-j/8) (graded R). */
function panels(n: number, k: number, seed: number, zeroColumn = -1): Float32Array {
  let state = seed;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const z = new Float32Array(COUNT * n * k);
  for (let s = 0; s < COUNT; s++)
    for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) z[s * n * k + j * n + i] = j === zeroColumn ? 0 : next() * 2 ** (-j / 8);
  return z;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

describe.skipIf(!device && !gpuRequired)('blocked Householder QR on the GPU', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  // qr-panel.wgsl holds the panel in registers: slots of one column's rows j0 + g + G r. A GPU's plan
  // takes 64-column panels and G = ceil(N / 32) (rounded up to a power of two), an emulated adapter's
  // 32-column panels and 64 invocations in all; capped invocations put several slots on one
  // invocation (SPI > 1), capped workgroup memory narrows the panels.
  const NO_WIDE_PANEL = { maxComputeWorkgroupStorageSize: 20000 }; // 64-column qr-apply needs 24960 bytes at least
  it.each<[string, number, number, Partial<GpuLimits>, number, boolean, number, QrPlan['panel']]>([
    ['one panel', 12, 12, {}, -1, false, 16, { workgroupSize: 16, rowGroups: 1, rowsPerSlot: 12, slotsPerInvocation: 1 }],
    ['two 64-column panels (64 + 8)', 72, 72, {}, -1, false, 64, { workgroupSize: 256, rowGroups: 4, rowsPerSlot: 20, slotsPerInvocation: 1 }],
    [
      'three 32-column panels, the last partial (32 + 32 + 8)',
      72,
      72,
      NO_WIDE_PANEL,
      -1,
      false,
      32,
      { workgroupSize: 128, rowGroups: 4, rowsPerSlot: 20, slotsPerInvocation: 1 },
    ],
    ['three panels, 64-invocation panel workgroups', 72, 72, {}, -1, true, 32, { workgroupSize: 64, rowGroups: 2, rowsPerSlot: 36, slotsPerInvocation: 1 }],
    [
      'three panels, 32 invocations at most (16-column panels)',
      72,
      72,
      { maxComputeInvocationsPerWorkgroup: 32 },
      -1,
      false,
      16,
      { workgroupSize: 32, rowGroups: 2, rowsPerSlot: 36, slotsPerInvocation: 1 },
    ],
    ['k < N in one 64-column panel (37)', 70, 37, {}, -1, false, 64, { workgroupSize: 256, rowGroups: 4, rowsPerSlot: 20, slotsPerInvocation: 1 }],
    ['k < N over two panels (32 + 5)', 70, 37, NO_WIDE_PANEL, -1, false, 32, { workgroupSize: 128, rowGroups: 4, rowsPerSlot: 20, slotsPerInvocation: 1 }],
    [
      '4-column panels (workgroup memory capped at 264 bytes)',
      18,
      14,
      { maxComputeWorkgroupStorageSize: 264 },
      -1,
      false,
      4,
      { workgroupSize: 4, rowGroups: 1, rowsPerSlot: 20, slotsPerInvocation: 1 },
    ],
    ['an exactly zero column in the second panel', 40, 40, {}, 35, true, 32, { workgroupSize: 64, rowGroups: 2, rowsPerSlot: 20, slotsPerInvocation: 1 }],
    ['an exactly zero column in a 64-column panel', 40, 40, {}, 35, false, 64, { workgroupSize: 128, rowGroups: 2, rowsPerSlot: 20, slotsPerInvocation: 1 }],
    [
      'a zero column, 2 slots per invocation (4 invocations, 8-column panels)',
      40,
      40,
      { maxComputeInvocationsPerWorkgroup: 4 },
      35,
      false,
      8,
      { workgroupSize: 4, rowGroups: 1, rowsPerSlot: 40, slotsPerInvocation: 2 },
    ],
  ])('%s: R, Q and log|R_jj| match float64 Householder', async (_, n, k, cap, zeroColumn, emulated, panelWidth, panel) => {
    const z = panels(n, k, n * 1000 + k, zeroColumn);
    const out = await gpuQr(n, k, z, cap, 0, emulated);
    expect(out.panelWidth).toBe(panelWidth);
    expect(out.panel).toEqual(panel);
    // qr-apply.wgsl in one dispatch (an emulation's plan) or split in two (a GPU's).
    expect(out.splitApply).toBe(!emulated);
    for (let s = 0; s < COUNT; s++) {
      const z64 = Float64Array.from(z.subarray(s * n * k, (s + 1) * n * k));
      const tau = new Float64Array(k);
      const q64 = new Float64Array(n * k);
      householderQR(z64, tau, n, k);
      formQ(z64, tau, q64, n, k);
      const rMax = maxAbs(z64);
      let rErr = 0;
      let qErr = 0;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i <= j; i++) rErr = Math.max(rErr, Math.abs(out.z[s * n * k + j * n + i]! - z64[j * n + i]!));
        for (let i = 0; i < n; i++) qErr = Math.max(qErr, Math.abs(out.q[s * n * k + j * n + i]! - q64[j * n + i]!));
        const r = Math.abs(z64[j * n + j]!);
        if (j === zeroColumn) {
          expect(r).toBe(0);
          expect(out.dead[s * k + j], `sample ${s}: zero column ${j} flagged`).toBe(1);
        } else {
          expect(out.dead[s * k + j]).toBe(0);
          // Householder's error in R_jj is ~ u |Z| absolute, so relative to R_jj it grows as R_jj shrinks.
          expect(Math.abs(out.sums[s * k + j]! - Math.log(r)), `sample ${s}, log|R_${j}${j}|`).toBeLessThan(1e-6 + (1e-6 * rMax) / r);
        }
      }
      expect(rErr / rMax, `sample ${s}: R`).toBeLessThan(2e-6);
      // Q's forward error on these graded panels is float32 rounding amplified by the grading, and
      // depends on the order of the sums: 0.8e-6 to 6.4e-6 at N = 72 over G = 1, 2, 4, 8 row groups.
      // A wrong reflector or T entry is off by O(0.1).
      expect(qErr, `sample ${s}: Q`).toBeLessThan(1.5e-5);
    }
  });

  it.each([
    [20, 20],
    [70, 37],
  ])("the initial frame Q_0 at N = %i, k = %i is the CPU engine's Haar Q_0 (same stream, sign fix included)", async (n, k) => {
    const seed = 11;
    const out = await gpuQr(n, k, null, {}, seed);
    const { params } = parseQuery(`width=${n}&k=${k}&seed=${seed}&act=linear`);
    const config = new RunConfig(params, false);
    const ws = new Workspace(config);
    for (let s = 0; s < COUNT; s++) {
      const q64 = new NetworkSample(config, s, ws).q;
      let err = 0;
      for (let e = 0; e < n * k; e++) err = Math.max(err, Math.abs(out.q[s * n * k + e]! - q64[e]!));
      expect(err, `sample ${s}`).toBeLessThan(5e-6);
      // Not a log-sum layer: the frame leaves the sums alone.
      expect(maxAbs(out.sums.subarray(s * k, (s + 1) * k))).toBe(0);
    }
  });
});
