import { describe, expect, it } from 'vitest';
import { RunController } from '../../../src/ui/explorer/run-controller';
import type { Engine, RunOptions, Snapshot } from '../../../src/engine/types';
import { DEFAULT_PARAMS } from '../../../src/params/table';
import type { Params } from '../../../src/params/types';

/** An engine that yields `n` snapshots, one per tick, and records whether each run saw its abort. */
class FakeEngine implements Engine {
  readonly backend = 'fake';
  aborted: boolean[] = [];
  constructor(
    private readonly n: number,
    private readonly failAt = -1,
  ) {}
  async *run(params: Params, options: RunOptions = {}): AsyncGenerator<Snapshot, void, void> {
    const index = this.aborted.push(false) - 1;
    for (let i = 0; i < this.n; i++) {
      await new Promise((r) => setTimeout(r, 5));
      if (options.signal?.aborted) {
        this.aborted[index] = true;
        return;
      }
      if (i === this.failAt) throw new Error('device lost');
      yield { params, done: i === this.n - 1, layers: i } as unknown as Snapshot;
    }
  }
  dispose(): void {}
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('RunController', () => {
  it('delivers progress at most once per frame and the final snapshot always', async () => {
    const engine = new FakeEngine(6);
    const got: Snapshot[] = [];
    const rc = new RunController(async () => engine, { snapshot: (s) => got.push(s), error: () => {} });
    rc.start(DEFAULT_PARAMS, {});
    await until(() => got.some((s) => s.done));
    expect(got.at(-1)!.done).toBe(true);
    expect(got.length).toBeLessThanOrEqual(6);
    expect(rc.running).toBe(false);
  });

  it('a new run aborts the previous one, whose snapshots are never delivered afterwards', async () => {
    const engine = new FakeEngine(20);
    const got: { snap: Snapshot; id: number }[] = [];
    const rc = new RunController(async () => engine, { snapshot: (snap, id) => got.push({ snap, id }), error: () => {} });
    const first = rc.start(DEFAULT_PARAMS, {});
    await new Promise((r) => setTimeout(r, 30));
    const other = { ...DEFAULT_PARAMS, depth: 7 };
    const second = rc.start(other, {});
    const cut = got.length;
    await until(() => got.some((g) => g.snap.done));
    expect(engine.aborted[0]).toBe(true);
    expect(got.slice(cut).every((g) => g.id === second && g.snap.params === other)).toBe(true);
    expect(first).not.toBe(second);
    expect(rc.current).toBe(other);
  });

  it('reports a failing engine through the error callback, not as an exception', async () => {
    const errors: string[] = [];
    const rc = new RunController(async () => new FakeEngine(5, 2), { snapshot: () => {}, error: (m) => errors.push(m) });
    rc.start(DEFAULT_PARAMS, {});
    await until(() => errors.length > 0);
    expect(errors).toEqual(['device lost']);
  });

  it('stop() silences the run', async () => {
    const got: Snapshot[] = [];
    const rc = new RunController(async () => new FakeEngine(10), { snapshot: (s) => got.push(s), error: () => {} });
    rc.start(DEFAULT_PARAMS, {});
    rc.stop();
    await new Promise((r) => setTimeout(r, 120));
    expect(got).toEqual([]);
  });
});
