import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, effectiveMax, isValidParams, PARAM_NAMES, PARAM_TABLE, specFor, specForKey } from '../../../src/params/table';
import { ACTIVATIONS, ALPHA_SCALINGS, ARCHITECTURES, WEIGHT_ENSEMBLES, type Params } from '../../../src/params/types';

const ORDER = [
  'width',
  'k',
  'depth',
  'sw2',
  'sb2',
  'act',
  'apow',
  'arch',
  'inner',
  'alpha',
  'ascale',
  'beta',
  'weights',
  'p',
  'sv2',
  'sa2',
  'q0',
  'c0',
  'samples',
  'seed',
  'transient',
];

const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');

describe('PARAM_TABLE', () => {
  it('has exactly one entry per Params field, in display order, with urlKey === name', () => {
    expect(PARAM_TABLE.map((s) => s.name)).toEqual(ORDER);
    expect(PARAM_NAMES).toEqual(ORDER);
    expect(PARAM_TABLE.map((s) => s.urlKey)).toEqual(ORDER);
    expect(Object.keys(DEFAULT_PARAMS).sort()).toEqual([...ORDER].sort());
  });

  // The public contract: ranges, defaults and kinds that saved links rely on.
  const contract: Record<string, [kind: string, min: number | null, max: number | null, def: number | string, scale: string | null]> = {
    width: ['int', 2, 1024, 32, 'log'],
    k: ['int', 1, 1024, 32, 'log'],
    depth: ['int', 1, 100000, 100, 'log'],
    sw2: ['float', 0, 10, 1.5, 'linear'],
    sb2: ['float', 0, 2, 0, 'linear'],
    act: ['enum', null, null, 'tanh', null],
    apow: ['float', 0.6, 3, 2, 'linear'],
    arch: ['enum', null, null, 'ff', null],
    alpha: ['float', 0, 4, 1, 'linear'],
    ascale: ['enum', null, null, 'sqrtL', null],
    weights: ['enum', null, null, 'gauss', null],
    p: ['float', 0.01, 1, 0.5, 'linear'],
    q0: ['float', 0, 100, 1, 'linear'],
    samples: ['int', 1, 4096, 32, 'log'],
    seed: ['int', 0, 4294967295, 1, 'linear'],
    transient: ['int', 0, 99999, 0, 'linear'],
    // Added with the signal-propagation features (URL v=1, defaults that keep older links identical).
    inner: ['int', 1, 1024, 32, 'log'],
    beta: ['float', 0, 3, 1, 'linear'],
    sv2: ['float', 0, 10, 1, 'linear'],
    sa2: ['float', 0, 2, 0, 'linear'],
    c0: ['float', -1, 1, 0.5, 'linear'],
  };
  it.each(Object.entries(contract))('%s has the contracted kind, range and default', (name, [kind, min, max, def, scale]) => {
    const spec = specForKey(name)!;
    expect(spec.kind).toBe(kind);
    expect(spec.default).toBe(def);
    if (spec.kind !== 'enum') {
      expect([spec.min, spec.max, spec.sliderScale]).toEqual([min, max, scale]);
    }
  });

  it('pins the sw2 and sb2 slider steps', () => {
    expect(specFor('sw2').step).toBe(0.01);
    expect(specFor('sb2').step).toBe(0.001);
  });

  it('has defaults in range, integer defaults for ints, usable slider settings', () => {
    for (const spec of PARAM_TABLE) {
      expect(spec.label.length).toBeGreaterThan(0);
      expect(spec.help.length).toBeGreaterThan(20);
      if (spec.kind === 'enum') {
        expect(spec.options.map((o) => o.value)).toContain(spec.default);
        continue;
      }
      expect(spec.min).toBeLessThanOrEqual(spec.default);
      expect(spec.default).toBeLessThanOrEqual(spec.max);
      expect(spec.step).toBeGreaterThan(0);
      if (spec.kind === 'int') {
        expect(Number.isInteger(spec.default) && Number.isInteger(spec.min) && Number.isInteger(spec.max)).toBe(true);
        expect(spec.step).toBe(1);
      }
      // A log slider cannot reach 0.
      if (spec.sliderScale === 'log') expect(spec.min).toBeGreaterThan(0);
    }
  });

  it('offers exactly the values of types.ts as enum options, each with a label', () => {
    expect(specFor('act').options.map((o) => o.value)).toEqual([...ACTIVATIONS]);
    expect(specFor('arch').options.map((o) => o.value)).toEqual([...ARCHITECTURES]);
    expect(specFor('ascale').options.map((o) => o.value)).toEqual([...ALPHA_SCALINGS]);
    expect(specFor('weights').options.map((o) => o.value)).toEqual([...WEIGHT_ENSEMBLES]);
    for (const spec of PARAM_TABLE) {
      if (spec.kind !== 'enum') continue;
      for (const o of spec.options) expect(o.label.length).toBeGreaterThan(0);
    }
  });

  it('has aliases that are unambiguous within each enum', () => {
    for (const spec of PARAM_TABLE) {
      if (spec.kind !== 'enum') continue;
      const seen = new Map<string, string>();
      for (const o of spec.options) {
        for (const spelling of [o.value, ...(o.aliases ?? [])]) {
          const n = norm(spelling);
          const prev = seen.get(n);
          if (prev !== undefined) expect(prev, `${spec.name}: ${spelling}`).toBe(o.value);
          seen.set(n, o.value);
        }
      }
    }
  });

  it('declares the dependent bounds k ≤ width and transient ≤ depth − 1', () => {
    const p = { width: 64, depth: 10 };
    expect(effectiveMax(specFor('k'), p)).toBe(64);
    expect(effectiveMax(specFor('transient'), p)).toBe(9);
    expect(effectiveMax(specFor('width'), p)).toBe(1024);
    expect(specFor('k').defaultFrom).toBe('width');
  });
});

describe('DEFAULT_PARAMS and lookups', () => {
  it('matches the table, with k = width', () => {
    for (const spec of PARAM_TABLE) {
      const expected = spec.name === 'k' ? DEFAULT_PARAMS.width : spec.default;
      expect(DEFAULT_PARAMS[spec.name], spec.name).toBe(expected);
    }
    expect(DEFAULT_PARAMS.k).toBe(DEFAULT_PARAMS.width);
    expect(isValidParams(DEFAULT_PARAMS)).toBe(true);
  });

  it('is frozen so no caller can change everybody’s defaults', () => {
    expect(Object.isFrozen(DEFAULT_PARAMS)).toBe(true);
  });

  it('specFor returns the table entry; specForKey is safe for prototype names', () => {
    expect(specFor('width')).toBe(PARAM_TABLE[0]);
    expect(specFor('transient')).toBe(PARAM_TABLE[PARAM_TABLE.length - 1]);
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'Width']) {
      expect(specForKey(key)).toBeUndefined();
    }
  });
});

describe('isValidParams', () => {
  const ok: Params = { ...DEFAULT_PARAMS };
  const bad: [string, Record<string, unknown>][] = [
    ['k > width', { ...ok, width: 8, k: 9 }],
    ['k = 0', { ...ok, k: 0 }],
    ['transient = depth', { ...ok, depth: 10, transient: 10 }],
    ['fractional width', { ...ok, width: 32.5 }],
    ['NaN sw2', { ...ok, sw2: NaN }],
    ['Infinity q0', { ...ok, q0: Infinity }],
    ['string width', { ...ok, width: '32' }],
    ['unknown act', { ...ok, act: 'tanhh' }],
    ['non-canonical act', { ...ok, act: 'TANH' }],
    ['p below range', { ...ok, p: 0 }],
    ['seed above uint32', { ...ok, seed: 4294967296 }],
    ['missing field', Object.fromEntries(Object.entries(ok).filter(([k]) => k !== 'alpha'))],
  ];
  it.each(bad)('rejects %s', (_, p) => {
    expect(isValidParams(p)).toBe(false);
  });
  it('rejects non-objects', () => {
    for (const v of [null, undefined, 1, 'x', []]) expect(isValidParams(v)).toBe(false);
  });
  it('accepts the extremes', () => {
    expect(isValidParams({ ...ok, width: 2, k: 2, depth: 1, transient: 0, seed: 4294967295, p: 0.01, sw2: 10 })).toBe(true);
    expect(isValidParams({ ...ok, width: 1024, k: 1, depth: 100000, transient: 99999, seed: 0, p: 1, sw2: 0 })).toBe(true);
  });
});
