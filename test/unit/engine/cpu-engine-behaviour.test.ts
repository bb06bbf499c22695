/** Progressive snapshots, cancellation, overflow reporting and rank detection of the CPU engine. */
import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../../src/engine/cpu/cpu-engine';
import { inProcessWorkers } from '../../../src/engine/cpu/in-process';
import type { Snapshot } from '../../../src/engine/types';
import { parseQuery } from '../../../src/params/url';
import { runCpu } from './run-helpers';

describe('CPU engine behaviour', () => {
  it('streams progressive snapshots: samples grow, the last one is done', async () => {
    const { params } = parseQuery('width=24&depth=150&samples=12&act=tanh');
    const engine = new CpuEngine({ workers: inProcessWorkers, concurrency: 2 });
    const snaps: Snapshot[] = [];
    for await (const s of engine.run(params, { snapshotIntervalMs: 5 })) snaps.push(s);
    expect(snaps.length).toBeGreaterThan(2);
    expect(snaps.at(-1)!.done).toBe(true);
    expect(snaps.at(-1)!.samples).toBe(12);
    expect(snaps.slice(0, -1).every((s) => !s.done)).toBe(true);
    for (let i = 1; i < snaps.length; i++) expect(snaps[i]!.samplesFinished).toBeGreaterThanOrEqual(snaps[i - 1]!.samplesFinished);
    // Convergence history: checkpoints up to the full depth, last point equals the final mean.
    const conv = snaps.at(-1)!.convergence;
    expect(conv.layer.at(-1)).toBe(150);
    expect(conv.top.at(-1)).toBeCloseTo(snaps.at(-1)!.exponents.mean[0]!, 12);
  });

  it('stops promptly when aborted', async () => {
    const { params } = parseQuery('width=64&depth=100000&samples=64');
    const engine = new CpuEngine({ workers: inProcessWorkers, concurrency: 2 });
    const controller = new AbortController();
    const t0 = performance.now();
    let count = 0;
    for await (const s of engine.run(params, { signal: controller.signal, snapshotIntervalMs: 20 })) {
      count++;
      expect(s.done).toBe(false);
      if (count === 2) controller.abort();
    }
    expect(performance.now() - t0).toBeLessThan(5000);
    engine.dispose();
  });

  it('reports overflow by layer and excludes the sample, never plotting garbage', async () => {
    // ReLU with sw2 = 10 grows |x| by sqrt(5) per layer: float64 overflows near layer 880. (At N = 8
    // the network would die first: all units off has probability 1/256 per layer.)
    const snap = await runCpu('act=relu&width=32&depth=3000&sw2=10&samples=3&seed=4');
    expect(snap.samples).toBe(0);
    expect(snap.samplesFinished).toBe(3);
    expect(snap.warnings.join(' ')).toMatch(/overflow.*layer \d+/i);
    const layer = Number(/layer (\d+)/.exec(snap.warnings.join(' '))![1]);
    expect(layer).toBeGreaterThan(700);
    expect(layer).toBeLessThan(1000);
    expect(snap.exponents.mean.every((m) => m === null)).toBe(true);
    expect(snap.exponents.sem.every((m) => m === null)).toBe(true);
    expect(snap.convergence.top.every((m) => m === null)).toBe(true);
    expect(snap.logSingularValues).toBeNull();
  });

  it('sparse weights with p = 1 are exactly the Gaussian ensemble', async () => {
    const a = await runCpu('act=tanh&width=10&depth=30&samples=2&weights=sparse&p=1&seed=9');
    const b = await runCpu('act=tanh&width=10&depth=30&samples=2&weights=gauss&seed=9');
    expect(a.perSample).toEqual(b.perSample);
  });

  it('sparse weights lose rank at the bottom of the spectrum only (N=64, p=0.1)', async () => {
    const snap = await runCpu('act=linear&width=64&depth=50&samples=6&weights=sparse&p=0.1&sw2=1&seed=1');
    let deficient = 0;
    for (const s of snap.perSample!) {
      expect(s.exponents.slice(0, s.rank).every((v) => v !== null && Number.isFinite(v))).toBe(true);
      expect(s.exponents.slice(s.rank).every((v) => v === null)).toBe(true);
      if (s.rank < 64) deficient++;
    }
    // P(some empty row or column in 50 layers) is near 1 at this size (docs/THEORY.md 5.8).
    expect(deficient).toBeGreaterThan(0);
  });

  it('feedforward tanh has full rank and no -Infinity', async () => {
    const snap = await runCpu('act=tanh&width=16&depth=100&samples=4&sw2=4&seed=2');
    expect(snap.rankHistogram).toEqual({ '16': 4 });
  });
});

describe('singular values on request', () => {
  it('gives the same exponents without the graded product, and says why there are no singular values', async () => {
    const { params } = parseQuery('width=12&depth=30&samples=3&seed=5');
    const engine = new CpuEngine({ workers: inProcessWorkers, concurrency: 1 });
    let last: Snapshot | undefined;
    for await (const s of engine.run(params, { singularValues: false })) last = s;
    const withSv = await runCpu('width=12&depth=30&samples=3&seed=5', false);
    expect(last!.exponents).toEqual(withSv.exponents);
    expect(last!.logSingularValues).toBeNull();
    expect(last!.logSingularValuesNote).toMatch(/not requested/);
    expect(withSv.logSingularValues).not.toBeNull();
  });
});
