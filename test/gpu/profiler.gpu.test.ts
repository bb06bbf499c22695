/**
 * The GPU engine's optional profiling hook (src/engine/gpu/profiler.ts), used by `npm run bench`: a
 * profiled run encodes every kernel group of every layer in a timestamped pass of its own, which must
 * not change a single result, and it times every pass once. Needs an adapter with 'timestamp-query'
 * (SwiftShader has it); skipped otherwise. Inside error scopes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GpuEngine } from '../../src/engine/gpu/gpu-engine';
import { GpuProfiler } from '../../src/engine/gpu/profiler';
import { targetRun } from '../../src/cli/bench-gpu';
import type { Snapshot } from '../../src/engine/types';
import { parseQuery } from '../../src/params/url';
import { gpuRequired, withErrorScopes } from './dawn';

// dawn.ts's testDevice() asks for no features, so this file asks Dawn's instance (kept by dawn.ts on
// globalThis) for an adapter itself.
const gpu = (globalThis as unknown as { __dawnGpu: GPU }).__dawnGpu;
const adapter = await gpu.requestAdapter().catch(() => null);
const offered = adapter?.features.has('timestamp-query') ?? false;
const device = offered ? await adapter!.requestDevice({ requiredFeatures: ['timestamp-query'] }) : undefined;
// No adapter at all fails under CI like the other GPU files; an adapter without the feature only skips.
const skip = !device && !(gpuRequired && !adapter);
if (!device)
  console.warn(
    `Skipping the profiler tests: ${adapter ? 'the adapter does not offer timestamp-query' : 'no WebGPU adapter (install chromium and libvulkan1)'}`,
  );

async function lastSnapshot(engine: GpuEngine, query: string): Promise<Snapshot> {
  let last: Snapshot | null = null;
  for await (const s of engine.run(parseQuery(query).params, { perSample: true })) last = s;
  return last!;
}

describe.skipIf(skip)('GPU profiler hook', () => {
  afterAll(() => device?.destroy());

  it('has a device with timestamp-query', () => {
    expect(device, 'no WebGPU adapter offering timestamp-query').toBeTruthy();
  });

  // Orthogonal weights and k = N (T product) use every kernel group; depth 3 gives three chunks.
  for (const query of ['width=16&depth=3&samples=3&act=tanh&sw2=1.5&weights=orth', 'width=12&k=5&depth=4&samples=2&act=relu&sw2=2']) {
    it(`changes no result and times every pass: ${query}`, async () => {
      const d = device!;
      await withErrorScopes(d, async () => {
        const plain = new GpuEngine(d, 'SwiftShader');
        const profiler = new GpuProfiler(d);
        const profiled = new GpuEngine(d, 'SwiftShader', { profiler });
        try {
          const a = await lastSnapshot(plain, query);
          const b = await lastSnapshot(profiled, query);
          expect(b.perSample).toEqual(a.perSample);
          const totals = await profiler.result();
          const depth = a.params.depth;
          const orth = a.params.weights === 'orth';
          const tproduct = a.params.k === a.params.width;
          expect(totals.groups.weights.passes).toBe(depth);
          expect(totals.groups.forward.passes).toBe(depth);
          expect(totals.groups.jacobian.passes).toBe(depth);
          expect(totals.groups.qr.passes).toBe(depth);
          expect(totals.groups.orthogonal.passes).toBe(orth ? depth : 0);
          expect(totals.groups.tproduct.passes).toBe(tproduct ? depth : 0);
          expect(totals.untimedPasses).toBe(0);
        } finally {
          plain.dispose();
          profiled.dispose();
          profiler.destroy();
        }
      });
    });
  }
  // The bench's target block (N = 256, L = 100, S = 32 on a GPU; skipped on SwiftShader by the bench
  // itself) at a size SwiftShader runs quickly: the code that only ever runs on hardware, run here.
  it("the bench's target run reports its wall times and, with singular values, where the time goes", async () => {
    const target = await withErrorScopes(device!, () =>
      targetRun({ adapter: adapter!, device: device!, description: 'SwiftShader', timestamps: true, emulated: true }, 12, 4, 2),
    );
    expect(target.ms).toBeGreaterThan(0);
    expect(target.exponentsOnlyMs).toBeGreaterThan(0);
    const split = target.withSingularValues!;
    expect('error' in split ? split.error : null).toBeNull();
    if ('error' in split) return;
    // One timestamped pass per kernel group and layer, the T product's included.
    expect(split.layerKernels.tproduct!.passes).toBe(4);
    expect(split.layerKernels.qr!.passes).toBeGreaterThanOrEqual(4);
    const kernelMs = Object.values(split.layerKernels).reduce((sum, g) => sum + g.ms, 0);
    expect(split.notInLayerKernelsMs).toBeCloseTo(split.profiledRunMs - kernelMs, -1);
    expect(split.notInLayerKernelsMs).toBeGreaterThan(0);
  });
});
