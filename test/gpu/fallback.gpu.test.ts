/**
 * GPU failures and GPU memory (Dawn + SwiftShader):
 *  - the GpuEngine destroys every buffer it created when a run completes, is aborted through its
 *    AbortSignal, is left at a snapshot, or fails (buffers counted by wrapping device.createBuffer);
 *  - a lost device or an uncaptured GPU error rejects the run in flight with a GpuDeviceError (no hang,
 *    no silently wrong numbers), and every later run;
 *  - FallbackEngine restarts such runs on the CPU engine from scratch (same seed, same numbers) and
 *    says why, with fake primaries that throw and with a real device destroyed mid-run.
 * Runs are inside validation and out-of-memory error scopes, except where a test makes an uncaptured
 * error on purpose. Every device a test makes is destroyed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/engine/cpu/cpu-engine';
import { inProcessWorkers } from '../../src/engine/cpu/in-process';
import { FallbackEngine } from '../../src/engine/fallback-engine';
import { GpuDeviceError, GpuEngine } from '../../src/engine/gpu/gpu-engine';
import { GpuLimitError, GpuOutOfMemoryError } from '../../src/engine/gpu/limits';
import type { Engine, RunOptions, Snapshot } from '../../src/engine/types';
import type { Params } from '../../src/params/types';
import { parseQuery } from '../../src/params/url';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

const QUERY = 'act=tanh&width=12&depth=30&sw2=1.8&sb2=0.05&samples=3&seed=21';
const params = (query = QUERY): Params => parseQuery(query).params;
const cpuEngine = () => new CpuEngine({ workers: inProcessWorkers, concurrency: 1, label: 'cpu (float64, in-process)' });
const RUN: RunOptions = { perSample: true, singularValues: false };
/** One layer per command buffer, so that a run has many chunks to fail or abort in. */
const ONE_LAYER_CHUNKS = { chunkFlops: 0 };

async function collect(gen: AsyncGenerator<Snapshot>): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for await (const s of gen) out.push(s);
  return out;
}

/** Live (created, not destroyed) buffers of a device, by wrapping createBuffer and each destroy. */
function trackBuffers(d: GPUDevice): { live: Set<GPUBuffer>; created: () => number } {
  const live = new Set<GPUBuffer>();
  let created = 0;
  const create = d.createBuffer;
  d.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const b = create.call(d, descriptor);
    created++;
    live.add(b);
    const destroy = b.destroy;
    b.destroy = () => {
      live.delete(b);
      destroy.call(b);
    };
    return b;
  };
  return { live, created: () => created };
}

/** Calls fn just before the device's n-th createCommandEncoder (the engine makes about two per chunk). */
function onEncoder(d: GPUDevice, n: number, fn: () => void): void {
  const create = d.createCommandEncoder;
  let count = 0;
  d.createCommandEncoder = (descriptor?: GPUCommandEncoderDescriptor) => {
    if (++count === n) fn();
    return create.call(d, descriptor);
  };
}

/** A device to break: fresh (an adapter makes one device), destroyed by the test. */
async function freshDevice(): Promise<GPUDevice> {
  const { acquired: fresh, reason: why } = await testDevice();
  expect(fresh, why).toBeTruthy();
  return fresh!.device;
}

/** The invalid call used to make an uncaptured validation error (MAP_READ allows only COPY_DST). */
function makeUncapturedError(d: GPUDevice): void {
  // The prototype's method: not the buffer-tracking wrapper, so the invalid buffer is not counted.
  (Object.getPrototypeOf(d) as GPUDevice).createBuffer.call(d, {
    size: 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE,
    label: 'deliberately invalid',
  });
}

function expectSameNumbers(a: Snapshot, b: Snapshot): void {
  expect(a.perSample!.map((s) => s.exponents)).toEqual(b.perSample!.map((s) => s.exponents));
  expect(a.exponents).toEqual(b.exponents);
}

/** A primary engine scripted by the test. */
class FakeEngine implements Engine {
  readonly backend = 'fake gpu';
  runs = 0;
  disposed = false;
  constructor(private readonly script: (p: Params, o: RunOptions) => AsyncGenerator<Snapshot, void, void>) {}
  run(p: Params, o: RunOptions = {}): AsyncGenerator<Snapshot, void, void> {
    this.runs++;
    return this.script(p, o);
  }
  dispose(): void {
    this.disposed = true;
  }
}

describe.skipIf(!device && !gpuRequired)('GpuEngine: buffers and device failures', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  it('destroys every buffer when a run is aborted mid-chunk, left at a snapshot, or completed', async () => {
    const d = device!;
    const tracker = trackBuffers(d);
    try {
      const engine = new GpuEngine(d, 'SwiftShader', ONE_LAYER_CHUNKS);
      await withErrorScopes(d, async () => {
        // Aborted through the signal during the third chunk.
        const controller = new AbortController();
        onEncoder(d, 5, () => controller.abort());
        const aborted = await collect(engine.run(params(), { ...RUN, signal: controller.signal }));
        delete (d as { createCommandEncoder?: unknown }).createCommandEncoder;
        expect(aborted.some((s) => s.done)).toBe(false);
        expect(tracker.created()).toBeGreaterThan(10);
        expect(tracker.live.size).toBe(0);

        // Left at the first snapshot (batches of one sample) without aborting: the consumer breaks.
        const small = new GpuEngine(d, 'SwiftShader', { ...ONE_LAYER_CHUNKS, batchBytes: 1 });
        for await (const snap of small.run(params(), RUN)) {
          expect(snap.samples).toBe(1);
          break;
        }
        expect(tracker.live.size).toBe(0);

        // Completed.
        const before = tracker.created();
        const done = await collect(engine.run(params(), RUN));
        expect(done.at(-1)!.done).toBe(true);
        expect(tracker.created()).toBeGreaterThan(before);
        expect(tracker.live.size).toBe(0);
        engine.dispose();
        small.dispose();
      });
    } finally {
      delete (d as { createBuffer?: unknown }).createBuffer;
    }
  });

  it('a device lost mid-run rejects the run with a GpuDeviceError, and every later run', async () => {
    const d = await freshDevice();
    const tracker = trackBuffers(d);
    const engine = new GpuEngine(d, 'SwiftShader', ONE_LAYER_CHUNKS);
    onEncoder(d, 3, () => d.destroy());
    const run = withErrorScopes(d, () => collect(engine.run(params(), RUN)));
    await expect(run).rejects.toThrow(GpuDeviceError);
    await expect(run).rejects.toThrow(/the GPU device was lost \(destroyed/);
    expect(engine.failure).toMatch(/lost/);
    expect(tracker.live.size).toBe(0);
    await expect(collect(engine.run(params(), RUN))).rejects.toThrow(/the GPU device was lost/);
    engine.dispose();
  });

  it('an uncaptured GPU error rejects the run with a GpuDeviceError that quotes it', async () => {
    // No error scope here: the error must reach the device's uncapturederror event.
    const d = await freshDevice();
    const tracker = trackBuffers(d);
    const engine = new GpuEngine(d, 'SwiftShader', ONE_LAYER_CHUNKS);
    onEncoder(d, 3, () => makeUncapturedError(d));
    await expect(collect(engine.run(params(), RUN))).rejects.toThrow(/uncaptured GPU error: .*usage/i);
    expect(tracker.live.size).toBe(0);
    engine.dispose();
    d.destroy();
  });
});

describe.skipIf(!device && !gpuRequired)('FallbackEngine', () => {
  it('no device: runs on the CPU, says why, and asks for the device only once', async () => {
    let attempts = 0;
    const engine = new FallbackEngine({
      primary: () => {
        attempts++;
        throw new Error('no WebGPU adapter is available');
      },
      fallback: cpuEngine(),
    });
    const snaps = await collect(engine.run(params(), RUN));
    const direct = (await collect(cpuEngine().run(params(), RUN))).at(-1)!;
    expect(engine.fallbackReason).toBe('no WebGPU adapter is available');
    expect(engine.backend).toBe('cpu — GPU unavailable: no WebGPU adapter is available');
    for (const s of snaps) expect(s.backend).toMatch(/^cpu \(float64, in-process\).* — GPU unavailable: no WebGPU adapter is available$/);
    expectSameNumbers(snaps.at(-1)!, direct);
    await collect(engine.run(params('act=linear&width=4&depth=3&samples=1'), RUN));
    expect(attempts).toBe(1);
    engine.dispose();
  });

  it('a primary that fails mid-run: the run restarts on the CPU from scratch, and later runs stay there', async () => {
    const primary = new FakeEngine(async function* (p) {
      const first = (await collect(cpuEngine().run(p, RUN))).at(-1)!;
      yield { ...first, backend: 'fake gpu', done: false };
      throw new Error('GPU validation error: something went wrong');
    });
    const engine = new FallbackEngine({ primary: () => primary, fallback: cpuEngine() });
    const snaps = await collect(engine.run(params(), RUN));
    expect(snaps[0]!.backend).toBe('fake gpu');
    expect(snaps.at(-1)!.backend).toMatch(/ — GPU unavailable: GPU validation error: something went wrong$/);
    expect(snaps.at(-1)!.done).toBe(true);
    expect(engine.fallbackReason).toBe('GPU validation error: something went wrong');
    expect(primary.disposed).toBe(true);
    await collect(engine.run(params(), RUN));
    expect(primary.runs).toBe(1);
    engine.dispose();
  });

  it.each([
    [
      'GpuLimitError',
      () => new GpuLimitError('maxStorageBufferBindingSize', 1000, 1024, 'one sample'),
      /GPU limit maxStorageBufferBindingSize is 1000, but one sample needs 1024/,
    ],
    [
      'GpuOutOfMemoryError',
      () => new GpuOutOfMemoryError('the GPU ran out of memory for one sample at N = 12'),
      /the GPU ran out of memory for one sample at N = 12/,
    ],
  ])('a %s sends only that run to the CPU; a later run uses the primary again', async (_name, error, reason) => {
    const primary = new FakeEngine(async function* (p) {
      if (p.width > 8) throw error();
      yield* cpuEngine().run(p, RUN);
    });
    const engine = new FallbackEngine({ primary: () => primary, fallback: cpuEngine() });
    const big = await collect(engine.run(params(), RUN));
    expect(big.at(-1)!.backend).toMatch(new RegExp(` — GPU unavailable: ${reason.source}$`));
    expect(engine.fallbackReason).toBeNull();
    expect(engine.lastRunReason).toMatch(reason);
    await collect(engine.run(params('act=tanh&width=8&depth=5&samples=2'), RUN));
    expect(primary.runs).toBe(2);
    expect(engine.lastRunReason).toBeNull();
    engine.dispose();
  });

  it('route: runs the primary does not do go to the CPU without creating it', async () => {
    let attempts = 0;
    const engine = new FallbackEngine({
      primary: () => {
        attempts++;
        return new FakeEngine(async function* () {});
      },
      fallback: cpuEngine(),
      route: (_p, o) => (o.singularValues ? 'the singular values are computed by the CPU engine' : null),
    });
    const snaps = await collect(engine.run(params('act=tanh&width=6&depth=5&samples=2'), { singularValues: true }));
    expect(snaps.at(-1)!.backend).toMatch(/^cpu .* — the singular values are computed by the CPU engine$/);
    expect(attempts).toBe(0);
    expect(engine.fallbackReason).toBeNull();
    engine.dispose();
  });

  it('an aborted run ends quietly: no CPU restart and no fallback', async () => {
    const controller = new AbortController();
    let cpuRuns = 0;
    const cpu = cpuEngine();
    const fallback: Engine = { backend: 'cpu', run: (p, o) => (cpuRuns++, cpu.run(p, o)), dispose: () => cpu.dispose() };
    // A run that fails before its first snapshot (the yield is never reached).
    const primary = new FakeEngine(async function* () {
      controller.abort();
      throw new Error('the run was cut short');
      yield* [];
    });
    const engine = new FallbackEngine({ primary: () => primary, fallback });
    expect(await collect(engine.run(params(), { ...RUN, signal: controller.signal }))).toEqual([]);
    expect(cpuRuns).toBe(0);
    expect(engine.fallbackReason).toBeNull();
    engine.dispose();
  });

  it('a real device destroyed mid-run: the run finishes on the CPU with the reason, buffers all destroyed', async () => {
    let d: GPUDevice | null = null;
    let tracker: ReturnType<typeof trackBuffers> | null = null;
    const engine = new FallbackEngine({
      primary: async () => {
        d = await freshDevice();
        tracker = trackBuffers(d);
        const dev = d;
        onEncoder(dev, 3, () => dev.destroy());
        return new GpuEngine(dev, 'SwiftShader', { ...ONE_LAYER_CHUNKS, ownsDevice: true });
      },
      fallback: cpuEngine(),
    });
    const snaps = await collect(engine.run(params(), RUN));
    const final = snaps.at(-1)!;
    expect(final.done).toBe(true);
    expect(final.backend).toMatch(/^cpu \(float64, in-process\).* — GPU unavailable: the GPU device was lost \(destroyed/);
    expect(engine.fallbackReason).toMatch(/^the GPU device was lost/);
    // Restarted from scratch on the same seed: exactly the CPU engine's numbers.
    expectSameNumbers(final, (await collect(cpuEngine().run(params(), RUN))).at(-1)!);
    expect(tracker!.created()).toBeGreaterThan(0);
    expect(tracker!.live.size).toBe(0);
    const next = await collect(engine.run(params('act=relu&width=8&depth=10&samples=2&sw2=2'), RUN));
    expect(next.at(-1)!.backend).toMatch(/GPU unavailable: the GPU device was lost/);
    engine.dispose();
  });

  it('a real device with an uncaptured error mid-run: the run finishes on the CPU and matches the GPU-free run', async () => {
    let d: GPUDevice | null = null;
    const engine = new FallbackEngine({
      primary: async () => {
        d = await freshDevice();
        const dev = d;
        onEncoder(dev, 3, () => makeUncapturedError(dev));
        return new GpuEngine(dev, 'SwiftShader', { ...ONE_LAYER_CHUNKS, ownsDevice: true });
      },
      fallback: cpuEngine(),
    });
    const final = (await collect(engine.run(params(), RUN))).at(-1)!;
    expect(final.backend).toMatch(/ — GPU unavailable: uncaptured GPU error: .*usage/i);
    expectSameNumbers(final, (await collect(cpuEngine().run(params(), RUN))).at(-1)!);
    engine.dispose();
    // dispose() retired the GpuEngine, which owned the device: it is destroyed.
    await expect(d!.lost).resolves.toMatchObject({ reason: 'destroyed' });
  });

  it('a real device: the GPU runs what fits, a refusal by limits goes to the CPU for that run only, a loss is seen at once', async () => {
    let d: GPUDevice | null = null;
    const engine = new FallbackEngine({
      primary: async () => {
        d = await freshDevice();
        // A device whose storage bindings hold one 12 x 12 sample at most (see limits.gpu.test.ts).
        return new GpuEngine(d, 'SwiftShader', { ownsDevice: true, limits: { maxStorageBufferBindingSize: 500 } });
      },
      fallback: cpuEngine(),
    });
    const refused = await collect(engine.run(params(), RUN));
    expect(refused.at(-1)!.backend).toMatch(
      / — GPU unavailable: GPU limit maxStorageBufferBindingSize is 500, but one sample's weight matrix \(4 N\^2 bytes at N = 12\) needs 576/,
    );
    const small = params('act=tanh&width=8&depth=10&samples=2&sw2=1.5');
    const ran = await withErrorScopes(d!, () => collect(engine.run(small, RUN)));
    expect(ran.at(-1)!.backend).toMatch(/^gpu \(float32, SwiftShader\)$/);
    expect(engine.fallbackReason).toBeNull();
    // Lost between runs: reported at once, before any run finds out.
    d!.destroy();
    await d!.lost;
    expect(engine.fallbackReason).toMatch(/^the GPU device was lost \(destroyed/);
    expect(engine.backend).toMatch(/^cpu — GPU unavailable: the GPU device was lost/);
    engine.dispose();
  });
});
