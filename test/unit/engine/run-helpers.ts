/** Shared helpers for engine tests: run the CPU engine in-process to completion. */
import { CpuEngine } from '../../../src/engine/cpu/cpu-engine';
import { inProcessWorkers } from '../../../src/engine/cpu/in-process';
import type { Snapshot } from '../../../src/engine/types';
import { parseQuery } from '../../../src/params/url';

export async function runCpu(query: string, perSample = true): Promise<Snapshot> {
  const { params, corrections } = parseQuery(query);
  if (corrections.length > 0) throw new Error(`test query needed corrections: ${JSON.stringify(corrections)}`);
  const engine = new CpuEngine({ workers: inProcessWorkers, concurrency: 2 });
  let last: Snapshot | undefined;
  for await (const s of engine.run(params, { perSample, snapshotIntervalMs: 60_000 })) last = s;
  engine.dispose();
  if (!last?.done) throw new Error('engine did not finish');
  return last;
}

/** max over indices with >= minCount samples of |mean - theory| / sem. */
export function maxZ(snap: Snapshot, theory: ArrayLike<number>, minCount = 30): { maxZ: number; tested: number } {
  let worst = 0;
  let tested = 0;
  const { mean, sem, count } = snap.exponents;
  for (let i = 0; i < theory.length; i++) {
    if (count[i]! < minCount || !Number.isFinite(theory[i]!)) continue;
    tested++;
    worst = Math.max(worst, Math.abs(mean[i]! - theory[i]!) / sem[i]!);
  }
  return { maxZ: worst, tested };
}
