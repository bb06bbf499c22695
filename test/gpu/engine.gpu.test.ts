/**
 * The WebGPU engine (float32) against the float64 CPU engine on the same seed, sample by sample
 * (Dawn + SwiftShader), and against exact theory. Every run sits inside validation and out-of-memory
 * error scopes, and the engine destroys its buffers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/engine/cpu/cpu-engine';
import { inProcessWorkers } from '../../src/engine/cpu/in-process';
import { GpuEngine } from '../../src/engine/gpu/gpu-engine';
import type { Snapshot } from '../../src/engine/types';
import { parseQuery } from '../../src/params/url';
import { newmanSpectrum } from '../../src/theory/gaussian-product';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

async function last(gen: AsyncGenerator<Snapshot>): Promise<Snapshot> {
  let s: Snapshot | undefined;
  for await (const x of gen) s = x;
  return s!;
}

async function both(query: string): Promise<{ cpu: Snapshot; gpu: Snapshot }> {
  const { params, corrections } = parseQuery(query);
  expect(corrections).toEqual([]);
  const cpu = await last(new CpuEngine({ workers: inProcessWorkers, concurrency: 1 }).run(params, { perSample: true, singularValues: false }));
  const engine = new GpuEngine(device!, 'SwiftShader');
  const gpu = await withErrorScopes(device!, () => last(engine.run(params, { perSample: true })));
  engine.dispose();
  return { cpu, gpu };
}

/** float32 vs float64 per layer: 1e-3 absolute at these sizes (THEORY.md section 2 measures ~3e-5). */
const TOL = 1e-3;

/**
 * GELU's phi' = Phi(h) + h pdf(h) crosses zero at h = -0.75, where two O(0.2) terms cancel: float32
 * cannot resolve |phi'| below ~1e-7, and the rare layers with such a unit dominate the bottom exponent
 * (seen: 0.07 per layer at lambda_12 = -3.4, every other index within 7e-5). That index gets 0.1.
 */
function toleranceFor(query: string, index: number, k: number): number {
  return query.includes('act=gelu') && index === k - 1 ? 0.1 : TOL;
}

const CASES = [
  'act=linear&width=16&depth=60',
  'act=tanh&width=16&depth=60&sw2=2&sb2=0.05',
  'act=relu&width=16&depth=60&sw2=2',
  'act=hardtanh&width=12&depth=50&sw2=2',
  'act=erf&width=12&depth=50&sw2=1.5&sb2=0.1',
  'act=sigmoid&width=12&depth=50&sw2=3',
  'act=gelu&width=12&depth=50&sw2=2&sb2=0.05',
  'act=silu&width=12&depth=50&sw2=2',
  'act=selu&width=12&depth=50&sw2=1',
  'act=tanh&width=16&k=5&depth=60&sw2=1.5',
  'act=tanh&width=13&depth=40&sw2=1.2&transient=10',
  'act=tanh&arch=res&alpha=1&ascale=sqrtL&width=16&depth=60&sw2=1',
  'act=relu&arch=res&alpha=0.5&ascale=const&width=12&depth=40&sw2=2',
  'act=linear&weights=sparse&p=0.3&width=16&depth=40',
  'act=relu&weights=sparse&p=0.5&width=16&depth=40&sw2=2',
];

describe.skipIf(!device && !gpuRequired)('WebGPU engine vs CPU engine (same seed, per sample)', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  it.each(CASES)('%s', async (q) => {
    const { cpu, gpu } = await both(`${q}&samples=3&seed=7`);
    expect(gpu.done).toBe(true);
    expect(gpu.perSample!.length).toBe(cpu.perSample!.length);
    for (let s = 0; s < cpu.perSample!.length; s++) {
      const a = cpu.perSample![s]!;
      const b = gpu.perSample![s]!;
      expect(b.sample).toBe(a.sample);
      expect(b.rank).toBe(a.rank);
      a.exponents.forEach((v, i) => {
        const w = b.exponents[i]!;
        if (v === null) expect(w).toBeNull();
        else expect(Math.abs(w! - v), `sample ${s}, index ${i + 1}`).toBeLessThan(toleranceFor(q, i, a.exponents.length));
      });
    }
  });

  it('reproduces the exact Gaussian-product spectrum within 4 standard errors', async () => {
    const { params } = parseQuery('act=linear&width=16&depth=120&samples=24&sw2=1.3&seed=3');
    const engine = new GpuEngine(device!, 'SwiftShader');
    const snap = await withErrorScopes(device!, () => last(engine.run(params)));
    engine.dispose();
    const exact = newmanSpectrum(16, 1.3);
    for (let i = 0; i < 16; i++) {
      expect(Math.abs(snap.exponents.mean[i]! - exact[i]!)).toBeLessThan(4 * snap.exponents.sem[i]!);
    }
  });
});

describe.skipIf(!device && !gpuRequired)('WebGPU engine refusals', () => {
  it('throws for orthogonal weights rather than drawing Gaussian ones', async () => {
    const { params } = parseQuery('width=8&depth=3&samples=1&weights=orth');
    const { acquired: fresh } = await testDevice();
    const engine = new GpuEngine(fresh!.device);
    await expect(last(engine.run(params))).rejects.toThrow(/orthogonal/);
    fresh!.device.destroy();
  });
});
