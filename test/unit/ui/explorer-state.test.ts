import { describe, expect, it } from 'vitest';
import { ExplorerState, type ExplorerHost } from '../../../src/ui/explorer/explorer-state';
import { DEFAULT_PRESENTATION, parsePresentation } from '../../../src/ui/explorer/presentation';
import { parseQuery, serializeParams } from '../../../src/params/url';
import type { Params } from '../../../src/params/types';

/** A host that records what the state asks of it; `finishes` marks runs as done with results on screen. */
function host(finishes = true) {
  const runs: Params[] = [];
  const links: (string | null)[] = [];
  let changes = 0;
  let current: Params | null = null;
  const h: ExplorerHost = {
    run: (p) => {
      runs.push(p);
      current = p;
    },
    current: () => ({ params: current, showing: finishes && current !== null }),
    committed: (link) => links.push(link),
    changed: () => changes++,
  };
  return { h, runs, links, changes: () => changes };
}

const load = (s: ExplorerState, q: string) =>
  s.load(
    parseQuery(q),
    parsePresentation((k) => new URLSearchParams(q).get(k)),
  );

describe('ExplorerState', () => {
  it('loads a link: parameters, presentation, corrections as notices, one run, no link written', () => {
    const t = host();
    const s = new ExplorerState(t.h);
    load(s, 'width=16&sw2=99&embed=1&plots=spectrum');
    expect(s.committed.width).toBe(16);
    expect(s.committed.sw2).toBe(10);
    expect(s.presentation).toMatchObject({ embed: true, plots: ['spectrum'] });
    expect(s.corrections.map((c) => c.key)).toEqual(['sw2']);
    expect(s.notices.map((n) => n.kind)).toEqual(['correction']);
    expect(t.runs).toHaveLength(1);
    expect(t.links).toEqual([null]);
    // Loading again replaces the corrections' notices and keeps the others.
    s.notify('hello', 'info');
    load(s, 'depth=0');
    expect(s.notices.map((n) => n.text)).toEqual([expect.stringMatching(/depth=0 is below the minimum/), 'hello']);
  });

  it('previews a dragged slider with at most one run per interval, then commits it and writes the link', async () => {
    const t = host(false);
    const s = new ExplorerState(t.h, 20);
    load(s, '');
    for (const v of [40, 41, 42, 43]) s.input({ name: 'width', value: v });
    expect(s.preview?.width).toBe(43);
    // k followed the width, so it keeps following it.
    expect(s.preview?.k).toBe(43);
    expect(s.committed.width).toBe(32);
    expect(t.runs.map((p) => p.width)).toEqual([32, 40]);
    await new Promise((r) => setTimeout(r, 40));
    expect(t.runs.map((p) => p.width)).toEqual([32, 40, 43]);
    s.change({ name: 'width', value: 43 });
    expect(s.preview).toBeNull();
    expect(s.committed.width).toBe(43);
    expect(t.links.at(-1)).toBe(`?${serializeParams(s.committed)}`);
  });

  it('keeps a finished preview run of exactly the committed parameters instead of restarting it', () => {
    const t = host(true);
    const s = new ExplorerState(t.h, 1000);
    load(s, '');
    s.input({ name: 'depth', value: 50 });
    const before = t.runs.length;
    s.change({ name: 'depth', value: 50 });
    expect(t.runs.length).toBe(before);
    s.dispose();
  });

  it('says what it corrected of the knob the user changed, and of the knobs that depend on it', () => {
    const t = host();
    const s = new ExplorerState(t.h);
    load(s, 'width=64&k=60&depth=100&transient=90');
    s.change({ name: 'depth', value: 50 });
    expect(s.committed.transient).toBe(49);
    expect(s.notices.some((n) => /transient=90 must be less than depth=50/.test(n.text))).toBe(true);
    s.change({ name: 'sw2', value: -1 });
    expect(s.committed.sw2).toBe(0);
    expect(s.notices.some((n) => /sw2=-1 is below the minimum/.test(n.text))).toBe(true);
  });

  it('applies presets with their description, rounds phase-diagram picks to the slider steps, dismisses notices', () => {
    const t = host();
    const s = new ExplorerState(t.h);
    load(s, '');
    s.applyPreset('relu-he');
    expect(s.committed).toMatchObject({ act: 'relu', sw2: 2, sb2: 0, depth: 200 });
    const info = s.notices.find((n) => n.kind === 'info')!;
    expect(info.text).toMatch(/^ReLU with He initialisation:/);
    s.applyPreset('no-such-preset');
    expect(s.committed.act).toBe('relu');
    s.pick(1.23456, 0.04449);
    expect([s.committed.sw2, s.committed.sb2]).toEqual([1.23, 0.044]);
    s.dismiss(info.id);
    expect(s.notices.some((n) => n.id === info.id)).toBe(false);
    // A notice is shown once.
    s.notify('x', 'warning');
    s.notify('x', 'warning');
    expect(s.notices.filter((n) => n.text === 'x')).toHaveLength(1);
  });

  it('makes links of the committed state with the non-default presentation keys', () => {
    const s = new ExplorerState(host().h);
    load(s, 'act=relupow&apow=1.5&theme=dark');
    expect(s.presentation).toEqual({ ...DEFAULT_PRESENTATION, theme: 'dark' });
    const link = s.link('/app/');
    expect(link.startsWith('/app/?v=1&')).toBe(true);
    expect(link).toContain('act=relupow&apow=1.5');
    expect(link.endsWith('&theme=dark')).toBe(true);
    expect(parseQuery(link.slice(link.indexOf('?'))).params).toEqual(s.committed);
  });
});

describe('controls from the params table', () => {
  it('shows every knob of the table by default, none in embed mode, and the listed ones in table order', async () => {
    const { visibleSpecs } = await import('../../../src/ui/explorer/controls-view');
    const { PARAM_TABLE, CONTROL_GROUPS } = await import('../../../src/params/table');
    expect(visibleSpecs(DEFAULT_PRESENTATION)).toEqual([...PARAM_TABLE]);
    expect(visibleSpecs({ ...DEFAULT_PRESENTATION, embed: true })).toEqual([]);
    expect(visibleSpecs({ ...DEFAULT_PRESENTATION, controls: ['sw2', 'depth', 'apow'] }).map((s) => s.name)).toEqual(['depth', 'sw2', 'apow']);
    // Every knob sits in a known group, at a unique place in it.
    for (const g of CONTROL_GROUPS) {
      const orders = PARAM_TABLE.filter((s) => s.group === g.id).map((s) => s.order);
      expect(new Set(orders).size).toBe(orders.length);
    }
    expect(PARAM_TABLE.every((s) => CONTROL_GROUPS.some((g) => g.id === s.group))).toBe(true);
  });

  it('dims the knobs the current model does not read, from the registry entries', async () => {
    const { isUsed, specFor } = await import('../../../src/params/table');
    const used = (q: string, name: 'apow' | 'alpha' | 'ascale' | 'p' | 'sw2') => isUsed(specFor(name), parseQuery(q).params);
    expect(used('act=relupow', 'apow')).toBe(true);
    expect(used('act=tanh', 'apow')).toBe(false);
    expect(used('arch=res', 'alpha')).toBe(true);
    expect(used('arch=ff', 'ascale')).toBe(false);
    expect(used('weights=sparse', 'p')).toBe(true);
    expect(used('weights=orth', 'p')).toBe(false);
    expect(used('', 'sw2')).toBe(true);
  });
});
