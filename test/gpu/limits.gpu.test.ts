/**
 * Device limits (src/engine/gpu/limits.ts): workgroup sizes and batches are chosen from the limits, and
 * what cannot fit is refused up front with a GpuLimitError that names the limit, its value and the
 * need, before any buffer exists (Dawn + SwiftShader).
 *
 * WebGPU never hands out a device below its default limits: requiredLimits lower than the defaults
 * are raised to them (checked first below). A smaller device is therefore stood in for by the engine's
 * `limits` caps, which it applies on top of the real device's limits exactly as it would a small
 * device's own. Every run is inside validation and out-of-memory error scopes, except those on a
 * simulated out-of-memory device (below: their scopes are the simulation's); any GPU error there
 * would reach the engine's uncaptured-error handler, and the tests assert engine.failure is null.
 *
 * Memory is the one thing WebGPU does not report: a batch that does not fit is found out by an
 * out-of-memory error when its buffers are created, and retried smaller (gpu-engine.ts allocate()).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/engine/cpu/cpu-engine';
import { inProcessWorkers } from '../../src/engine/cpu/in-process';
import { GpuEngine } from '../../src/engine/gpu/gpu-engine';
import {
  checkDeviceLimits,
  effectiveLimits,
  GpuLimitError,
  GpuOutOfMemoryError,
  planGpuRun,
  planTProduct,
  tProductBytesPerSample,
  type GpuLimits,
  type GpuPlan,
} from '../../src/engine/gpu/limits';
import { describeTiledShape, tiledBlock } from '../../src/engine/gpu/tiled-matmul';
import type { Snapshot } from '../../src/engine/types';
import { parseQuery } from '../../src/params/url';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

async function collect(gen: AsyncGenerator<Snapshot>): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for await (const s of gen) out.push(s);
  return out;
}

async function cpuRun(query: string): Promise<Snapshot> {
  const { params } = parseQuery(query);
  const all = await collect(new CpuEngine({ workers: inProcessWorkers, concurrency: 1 }).run(params, { perSample: true, singularValues: false }));
  return all.at(-1)!;
}

/** Runs the query on the GPU under `cap`; counts.buffers = buffers the engine created. */
async function gpuRun(query: string, cap: Partial<GpuLimits>, counts = { buffers: 0 }): Promise<{ snaps: Snapshot[]; engine: GpuEngine }> {
  const d = device!;
  const { params } = parseQuery(query);
  const engine = new GpuEngine(d, 'SwiftShader', { limits: cap });
  const create = d.createBuffer;
  d.createBuffer = (descriptor: GPUBufferDescriptor) => {
    counts.buffers++;
    return create.call(d, descriptor);
  };
  try {
    const snaps = await withErrorScopes(d, () => collect(engine.run(params, { perSample: true })));
    return { snaps, engine };
  } finally {
    delete (d as { createBuffer?: unknown }).createBuffer;
    engine.dispose();
  }
}

function expectSameSamples(gpu: Snapshot, cpu: Snapshot): void {
  expect(gpu.perSample!.length).toBe(cpu.perSample!.length);
  cpu.perSample!.forEach((a, s) => {
    const b = gpu.perSample![s]!;
    expect(b.rank).toBe(a.rank);
    a.exponents.forEach((v, i) => {
      if (v === null) expect(b.exponents[i]).toBeNull();
      else expect(Math.abs(b.exponents[i]! - v), `sample ${s}, index ${i + 1}`).toBeLessThan(1e-3);
    });
  });
}

/**
 * Makes `d` run out of memory whenever one out-of-memory error scope creates more than `capacity`
 * bytes of buffers: that scope's popErrorScope() then returns an error, as a GPUOutOfMemoryError from
 * a real GPU would. WebGPU does not expose how much memory a GPU has, and SwiftShader's 1 GiB buffers
 * cannot exhaust this machine's memory, so the engine's handling is tested on this simulation (the
 * buffers themselves stay valid). `allocations` records the bytes of every such scope.
 */
function simulateMemory(d: GPUDevice, capacity: number): { allocations: number[]; restore: () => void } {
  const frames: { filter: GPUErrorFilter; bytes: number }[] = [];
  const allocations: number[] = [];
  const { createBuffer, pushErrorScope, popErrorScope } = d;
  d.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const frame = [...frames].reverse().find((f) => f.filter === 'out-of-memory');
    if (frame) frame.bytes += descriptor.size;
    return createBuffer.call(d, descriptor);
  };
  d.pushErrorScope = (filter: GPUErrorFilter) => {
    frames.push({ filter, bytes: 0 });
    pushErrorScope.call(d, filter);
  };
  d.popErrorScope = async () => {
    const frame = frames.pop();
    const real = await popErrorScope.call(d);
    if (frame?.filter !== 'out-of-memory') return real;
    allocations.push(frame.bytes);
    return real ?? (frame.bytes > capacity ? ({ message: `simulated: ${frame.bytes} bytes, capacity ${capacity}` } as GPUError) : null);
  };
  return {
    allocations,
    restore: () => {
      for (const name of ['createBuffer', 'pushErrorScope', 'popErrorScope']) delete (d as unknown as Record<string, unknown>)[name];
    },
  };
}

describe.skipIf(!device && !gpuRequired)('GPU engine and device limits', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  it('WebGPU raises requiredLimits below the defaults to the defaults (so small devices are emulated by caps)', async () => {
    const adapter = await (globalThis as unknown as { __dawnGpu: GPU }).__dawnGpu.requestAdapter();
    const small = await adapter!.requestDevice({ requiredLimits: { maxComputeWorkgroupStorageSize: 1024, maxStorageBufferBindingSize: 1 << 20 } });
    try {
      expect(small.limits.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(16384);
      expect(small.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
      // Default limits (below this adapter's): the plan is made from the device's, not the adapter's.
      const plan = planGpuRun(effectiveLimits(small), { n: 1024, k: 1024, samples: 64, orthogonalize: true, checkpoints: 200, batchBytes: 1 << 30 });
      expect(plan.batch * 4 * 1024 * 1024).toBeLessThanOrEqual(small.limits.maxStorageBufferBindingSize);
      // 16 KB of workgroup memory: no 64-column panels (their trailing update needs 24960 bytes).
      // 256 invocations: 8 row groups per 32-column panel, so 128 rows of each slot in registers.
      expect(plan.qr).toEqual({
        panelWidth: 32,
        applyColumns: 32,
        applyRows: 32,
        workgroupSize: 256,
        splitApply: true,
        panel: { workgroupSize: 256, rowGroups: 8, rowsPerSlot: 128, slotsPerInvocation: 1 },
      });
      expect(plan.workgroupSize).toBe(64);
    } finally {
      small.destroy();
    }
  });

  it('budgets the singular-value accumulator (three more N x N arrays per sample) into the batch size', () => {
    const limits = effectiveLimits(device!);
    const input = { n: 256, k: 256, samples: 64, orthogonalize: false, checkpoints: 200, batchBytes: 64 * 1024 * 1024 };
    const plain = planGpuRun(limits, input);
    const withT = planGpuRun(limits, { ...input, singularValues: true });
    expect(withT.bytesPerSample - plain.bytesPerSample).toBe(tProductBytesPerSample(256));
    expect(tProductBytesPerSample(256)).toBe(4 * (3 * 256 * 256 + 4 + 4 * 256));
    expect(withT.batch).toBe(Math.floor(input.batchBytes / withT.bytesPerSample));
    expect(withT.batch).toBeLessThan(plain.batch);
  });

  it('plans the T-product workgroups from the preference (GPU or emulation) within the capped limits', () => {
    const limits = { ...effectiveLimits(device!), maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024 };
    expect(planTProduct(limits, false)).toEqual({ jacobiWorkgroup: 1024, rowWorkgroup: 64 });
    expect(planTProduct(limits, true)).toEqual({ jacobiWorkgroup: 64, rowWorkgroup: 4 });
    // Not a power of two: the largest one below; the smaller of the two caps wins.
    expect(planTProduct({ ...limits, maxComputeInvocationsPerWorkgroup: 200 }, false)).toEqual({ jacobiWorkgroup: 128, rowWorkgroup: 64 });
    expect(planTProduct({ ...limits, maxComputeWorkgroupSizeX: 48 }, true)).toEqual({ jacobiWorkgroup: 32, rowWorkgroup: 4 });
    expect(planTProduct({ ...limits, maxComputeWorkgroupSizeX: 48 }, false)).toEqual({ jacobiWorkgroup: 32, rowWorkgroup: 32 });
  });

  it('plans the tiled jacobian matmul on a GPU, by the size of the product, and the register kernel on an emulation', () => {
    const limits = effectiveLimits(device!);
    const input = { n: 256, k: 256, samples: 32, orthogonalize: false, checkpoints: 200, batchBytes: 1 << 30 };
    const block = (plan: GpuPlan) => (plan.matmul.kind === 'tiled' ? tiledBlock(plan.matmul.shape) : null);
    // The largest block whose dispatch has at least 512 workgroups; too small a product: the smallest.
    expect(block(planGpuRun(limits, input))).toEqual([64, 64]); // 16 blocks x 32 samples
    expect(block(planGpuRun(limits, { ...input, n: 1024, k: 1024, samples: 16 }))).toEqual([128, 128]); // 64 x 16
    expect(block(planGpuRun(limits, { ...input, n: 128, k: 128 }))).toEqual([32, 32]); // 16 x 32
    expect(block(planGpuRun(limits, { ...input, n: 64, k: 64, samples: 4 }))).toEqual([32, 32]); // 4 x 4, the smallest
    expect(block(planGpuRun(limits, { ...input, k: 1 }))).toEqual([32, 32]);
    expect(planGpuRun(limits, { ...input, emulated: true }).matmul).toEqual({ kind: 'register', tileX: 8, tileY: 8 });
    // No tiled shape fits 4 KiB of workgroup memory (the smallest needs 4608 bytes): the register kernel.
    expect(planGpuRun({ ...limits, maxComputeWorkgroupStorageSize: 4096 }, input).matmul.kind).toBe('register');
    // 64 invocations at most: only the 8 x 8 shapes fit, the larger block first.
    const narrow = planGpuRun({ ...limits, maxComputeInvocationsPerWorkgroup: 64 }, input).matmul;
    expect(narrow.kind === 'tiled' && describeTiledShape(narrow.shape)).toBe('8x8 per invocation, 8x8 invocations, 64x64 block, BK 16');
  });

  it('the device acquired for the engine has the adapter limits and passes the device check', () => {
    const limits = effectiveLimits(device!);
    expect(() => checkDeviceLimits(limits)).not.toThrow();
    expect(limits.maxComputeWorkgroupStorageSize).toBe(acquired!.adapter.limits.maxComputeWorkgroupStorageSize);
  });

  it('chooses smaller workgroups from maxComputeInvocationsPerWorkgroup and still matches the CPU', async () => {
    // ReLU: forward.wgsl's rank bound (active units) is counted by every invocation of the workgroup.
    const q = 'act=relu&width=13&depth=30&sw2=2&sb2=0.05&samples=3&seed=4';
    const { snaps, engine } = await gpuRun(q, { maxComputeInvocationsPerWorkgroup: 8 });
    expect(engine.lastPlan).toMatchObject({ workgroupSize: 8, matmul: { kind: 'register', tileX: 8, tileY: 1 } });
    expectSameSamples(snaps.at(-1)!, await cpuRun(q));
  });

  it('chooses workgroups from maxComputeWorkgroupSizeX/Y (orthogonal weights, 2-wide workgroups)', async () => {
    const q = 'act=tanh&weights=orth&width=12&k=7&depth=25&sw2=1.5&samples=2&seed=9';
    const { snaps, engine } = await gpuRun(q, { maxComputeWorkgroupSizeX: 2, maxComputeWorkgroupSizeY: 4 });
    expect(engine.lastPlan).toMatchObject({ workgroupSize: 2, matmul: { kind: 'register', tileX: 2, tileY: 4 } });
    expectSameSamples(snaps.at(-1)!, await cpuRun(q));
  });

  it('narrows the QR panels, their row steps and workgroup to fit maxComputeWorkgroupStorageSize', async () => {
    // k = 16 in 254 bytes: qr-apply's 4 (2 rows PB + 2 PB^2) leaves PB = 4 with 2-row steps (192 bytes;
    // 4-row steps need 256, PB = 8 576 at least). qr-panel's 4 (2 RPI G + G + 1 + PB G + PB + PB^2)
    // takes G = 2 row groups of RPI = 8 rows (252; the emulation's preferred G = 16 needs 916, G = 4
    // 292), qr-finish's 4 WG a workgroup of 32.
    const q = 'act=relu&width=16&depth=20&sw2=2&samples=2&seed=2';
    const { snaps, engine } = await gpuRun(q, { maxComputeWorkgroupStorageSize: 254 });
    expect(engine.lastPlan).toMatchObject({
      workgroupSize: 64,
      qr: { panelWidth: 4, applyColumns: 4, applyRows: 2, workgroupSize: 32, panel: { workgroupSize: 8, rowGroups: 2, rowsPerSlot: 8, slotsPerInvocation: 1 } },
    });
    expectSameSamples(snaps.at(-1)!, await cpuRun(q));
  });

  it('splits the samples into batches that fit maxStorageBufferBindingSize', async () => {
    // One sample's W is 4 * 10^2 = 400 bytes: a 1000-byte binding holds 2 samples.
    const q = 'act=tanh&width=10&depth=20&sw2=1.5&samples=5&seed=3';
    const { snaps, engine } = await gpuRun(q, { maxStorageBufferBindingSize: 1000 });
    expect(engine.lastPlan!.batch).toBe(2);
    expect(snaps.map((s) => s.samples)).toEqual([2, 4, 5]);
    expectSameSamples(snaps.at(-1)!, await cpuRun(q));
  });

  it.each<[Partial<GpuLimits>, string, RegExp]>([
    [
      { maxStorageBufferBindingSize: 1000 },
      'width=16',
      /GPU limit maxStorageBufferBindingSize is 1000, but one sample's weight matrix \(4 N\^2 bytes at N = 16\) needs 1024/,
    ],
    [{ maxBufferSize: 1020 }, 'width=16', /GPU limit maxBufferSize is 1020, but one sample's weight matrix \(4 N\^2 bytes at N = 16\) needs 1024/],
    [
      { maxComputeWorkgroupStorageSize: 100 },
      'width=32',
      /GPU limit maxComputeWorkgroupStorageSize is 100, but the blocked QR \(shaders\/qr-\*\.wgsl\) at N = 32 with its narrowest, 4-column panels \(bytes of workgroup memory\) needs 360/,
    ],
    // 200 bytes fit a 4-column panel's trailing update (160) but not qr-panel.wgsl's copies of column j at N = 64 (616).
    [
      { maxComputeWorkgroupStorageSize: 200 },
      'width=64&k=8&weights=orth',
      /GPU limit maxComputeWorkgroupStorageSize is 200, but the blocked QR \(shaders\/qr-\*\.wgsl\) at N = 64 with its narrowest, 4-column panels \(bytes of workgroup memory\) needs 616/,
    ],
    [
      { maxStorageBuffersPerShaderStage: 4 },
      'width=8',
      // 8 since the forward block (second input, log-gradient) joined forward.wgsl and qr-finish.wgsl.
      /GPU limit maxStorageBuffersPerShaderStage is 4, but the QR finish and forward kernels \(shaders\/qr-finish\.wgsl, forward\.wgsl\), which bind 8 storage buffers each \(the WebGPU default\), needs 8/,
    ],
    [
      { maxComputeWorkgroupsPerDimension: 3, maxComputeInvocationsPerWorkgroup: 4 },
      'width=16',
      /GPU limit maxComputeWorkgroupsPerDimension is 3, but the weights kernel at N = 16 with 4-invocation workgroups \(workgroups in x\) needs 16/,
    ],
  ])('refuses %o clearly, before creating any buffer', async (cap, size, message) => {
    const q = `act=tanh&${size}&depth=5&samples=2`;
    const counts = { buffers: 0 };
    const caught = await gpuRun(q, cap, counts).then(
      () => null,
      (e: unknown) => e,
    );
    expect(caught).toBeInstanceOf(GpuLimitError);
    const error = caught as GpuLimitError;
    expect(error.message).toMatch(message);
    expect(error.limit).toBe(Object.keys(cap).find((name) => error.message.includes(`limit ${name} `)));
    expect(error.available).toBe(cap[error.limit]);
    expect(counts.buffers).toBe(0);
  });
  describe('out of GPU memory', () => {
    const q = 'act=tanh&width=24&depth=12&sw2=1.5&samples=5&seed=4';

    /** Runs q (singular values on) on a device with `capacity` bytes per allocation; no error scopes of its own. */
    async function cappedRun(capacity: number, options: { batchBytes?: number } = {}) {
      const memory = simulateMemory(device!, capacity);
      const engine = new GpuEngine(device!, 'SwiftShader', options);
      try {
        const snaps = await collect(engine.run(parseQuery(q).params, { perSample: true }));
        return { snaps, allocations: memory.allocations, failure: engine.failure, plan: engine.lastPlan! };
      } finally {
        memory.restore();
        engine.dispose();
      }
    }

    /** Bytes of one batch's allocation: fixed (uniforms, QR panel slots) + per sample. */
    async function measure(): Promise<{ fixed: number; perSample: number; whole: Snapshot }> {
      const all = await cappedRun(Infinity);
      expect(all.allocations).toHaveLength(1); // 5 samples in one batch
      const single = await cappedRun(Infinity, { batchBytes: all.plan.bytesPerSample });
      expect(single.allocations).toHaveLength(5);
      const perSample = (all.allocations[0]! - single.allocations[0]!) / 4;
      return { fixed: single.allocations[0]! - perSample, perSample, whole: all.snaps.at(-1)! };
    }

    it('halves the batch until it fits: same samples, same numbers, and the snapshot says so', async () => {
      const { fixed, perSample, whole } = await measure();
      // Room for 2.5 samples: 5 fails, 3 fails, then batches of 2, 2 and 1.
      const { snaps, allocations, failure } = await cappedRun(fixed + 2.5 * perSample);
      expect(failure).toBeNull();
      expect(allocations.map((b) => Math.round((b - fixed) / perSample))).toEqual([5, 3, 2, 2, 1]);
      expect(snaps.map((s) => s.samples)).toEqual([2, 4, 5]);
      const last = snaps.at(-1)!;
      expect(last.warnings.some((note) => /ran out of memory for 3 samples at a time, so this run uses batches of 2 or fewer/.test(note))).toBe(true);
      expect(whole.warnings.some((note) => /out of memory/.test(note))).toBe(false);
      // Batching never changes a sample's numbers.
      expect(last.perSample).toEqual(whole.perSample);
      expectSameSamples(last, await cpuRun(q));
    });

    it('refuses a run whose single sample does not fit (GpuOutOfMemoryError), and the engine stays usable', async () => {
      const { fixed, perSample } = await measure();
      const memory = simulateMemory(device!, fixed + 0.5 * perSample);
      const engine = new GpuEngine(device!, 'SwiftShader');
      try {
        const caught = await collect(engine.run(parseQuery(q).params)).then(
          () => null,
          (e: unknown) => e,
        );
        expect(caught).toBeInstanceOf(GpuOutOfMemoryError);
        expect((caught as Error).message).toBe('the GPU ran out of memory for one sample at N = 24 with singular values');
        expect(engine.failure).toBeNull();
        memory.restore();
        const snaps = await withErrorScopes(device!, () => collect(engine.run(parseQuery('act=tanh&width=8&depth=5&samples=2').params)));
        expect(snaps.at(-1)!.done).toBe(true);
      } finally {
        memory.restore();
        engine.dispose();
      }
    });
  });
});
