import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, isValidParams, PARAM_TABLE } from '../../../src/params/table';
import type { NumberSpec } from '../../../src/params/table';
import { parseQuery, serializeParams } from '../../../src/params/url';
import type { Params } from '../../../src/params/types';
import { mulberry32, pick, randInt } from './prng';

// Floats that break lossy printers: many digits, tiny, subnormal, just below a bound, constants from presets.
const AWKWARD = [0.1 + 0.2, 1e-7, 1 / 3, Math.PI, 5e-324, 2.01e-5, 1.7609546396, 123456789.123, 0.015625, 9.999999999999998, 1e-300];

function randomFloat(rng: () => number, spec: NumberSpec): number {
  const r = rng();
  if (r < 0.1) return spec.min;
  if (r < 0.2) return spec.max;
  if (r < 0.25) return spec.max * (1 - Number.EPSILON); // the largest double below max
  if (r < 0.45) {
    const x = pick(rng, AWKWARD);
    if (x >= spec.min && x <= spec.max) return x;
  }
  // Slider values (min + i step, which rounding can push just past max: 0.6 + 48 * 0.05 > 3).
  if (r < 0.55) return Math.min(spec.max, spec.min + Math.round((rng() * (spec.max - spec.min)) / spec.step) * spec.step);
  return spec.min + rng() * (spec.max - spec.min); // ~17 significant digits
}

function randomInt(rng: () => number, lo: number, hi: number, log: boolean): number {
  const r = rng();
  if (r < 0.15) return lo;
  if (r < 0.3) return hi;
  if (log && lo > 0) return Math.min(hi, Math.max(lo, Math.round(lo * Math.pow(hi / lo, rng()))));
  return randInt(rng, lo, hi);
}

function randomParams(rng: () => number): Params {
  const p: Record<string, number | string> = {};
  for (const spec of PARAM_TABLE) {
    if (spec.kind === 'enum') {
      const options: readonly { value: string }[] = spec.options;
      p[spec.name] = pick(rng, options).value;
    } else if (spec.kind === 'float') {
      p[spec.name] = randomFloat(rng, spec);
    } else {
      const hi = spec.name === 'k' ? (p['width'] as number) : spec.name === 'transient' ? (p['depth'] as number) - 1 : spec.max;
      p[spec.name] = randomInt(rng, spec.min, hi, spec.sliderScale === 'log');
    }
  }
  // Deep networks make transient large; also exercise small depths where transient = depth - 1 is tight.
  if (rng() < 0.1) {
    p['depth'] = randInt(rng, 1, 5);
    p['transient'] = randInt(rng, 0, (p['depth'] as number) - 1);
  }
  // Canonical for the registry: no square-only weights in the full block, an unused inner at its table default.
  if (p['arch'] === 'full' && p['weights'] === 'orth') p['weights'] = 'gauss';
  if (p['arch'] !== 'full') p['inner'] = 32;
  const params = p as unknown as Params;
  if (!isValidParams(params)) throw new Error(`generator produced invalid params ${JSON.stringify(p)}`);
  return params;
}

describe('serializeParams / parseQuery round trip', () => {
  const N = 3000;
  const rng = mulberry32(0x5eed);
  const cases = Array.from({ length: N }, () => randomParams(rng));

  it('covers every enum value and both bounds of every integer', () => {
    for (const spec of PARAM_TABLE) {
      const seen = new Set(cases.map((c) => c[spec.name]));
      if (spec.kind === 'enum') {
        for (const o of spec.options) expect(seen.has(o.value), `${spec.name}=${o.value}`).toBe(true);
      } else {
        expect(seen.has(spec.min), `${spec.name}=min`).toBe(true);
        if (spec.maxFrom === undefined) expect(seen.has(spec.max), `${spec.name}=max`).toBe(true);
      }
    }
    expect(cases.some((c) => c.k === c.width)).toBe(true);
    expect(cases.some((c) => c.transient === c.depth - 1 && c.depth > 1)).toBe(true);
    expect(cases.some((c) => c.sw2 === 0.1 + 0.2)).toBe(true);
  });

  it('returns exactly the same Params with no corrections (full form)', () => {
    for (const p of cases) {
      const q = serializeParams(p);
      const { params, corrections } = parseQuery(q);
      if (corrections.length > 0 || !sameParams(params, p)) expect({ q, params, corrections }).toEqual({ q, params: p, corrections: [] });
    }
  });

  it('returns exactly the same Params with no corrections (omitDefaults)', () => {
    for (const p of cases) {
      const q = serializeParams(p, { omitDefaults: true });
      const { params, corrections } = parseQuery('?' + q);
      if (corrections.length > 0 || !sameParams(params, p)) expect({ q, params, corrections }).toEqual({ q, params: p, corrections: [] });
    }
  });

  it('survives URLSearchParams and URL wrapping', () => {
    for (const p of cases.slice(0, 200)) {
      const url = new URL('https://example.org/app/?' + serializeParams(p, { omitDefaults: true }));
      expect(parseQuery(url.searchParams)).toEqual({ params: p, corrections: [] });
      expect(parseQuery(url.search)).toEqual({ params: p, corrections: [] });
    }
  });
});

describe('serializeParams format', () => {
  it('writes v=1 first and every key in table order', () => {
    expect(serializeParams(DEFAULT_PARAMS)).toBe(
      'v=1&width=32&k=32&depth=100&sw2=1.5&sb2=0&act=tanh&arch=ff&alpha=1&ascale=sqrtL&weights=gauss&p=0.5&q0=1&samples=32&seed=1&transient=0',
    );
  });

  it('omits defaults, and k only when it equals the width', () => {
    expect(serializeParams(DEFAULT_PARAMS, { omitDefaults: true })).toBe('v=1');
    expect(serializeParams({ ...DEFAULT_PARAMS, width: 64, k: 64 }, { omitDefaults: true })).toBe('v=1&width=64');
    // k = 32 is the table default but not the width: it must be written or the link would open with k = 64.
    expect(serializeParams({ ...DEFAULT_PARAMS, width: 64, k: 32 }, { omitDefaults: true })).toBe('v=1&width=64&k=32');
    expect(serializeParams({ ...DEFAULT_PARAMS, act: 'relu', seed: 7 }, { omitDefaults: true })).toBe('v=1&act=relu&seed=7');
  });

  it('writes numbers in the shortest exact form', () => {
    const q = serializeParams({ ...DEFAULT_PARAMS, sw2: 0.1 + 0.2, sb2: 1e-7, q0: 100, seed: 4294967295 });
    expect(q).toContain('sw2=0.30000000000000004');
    expect(q).toContain('sb2=1e-7');
    expect(q).toContain('q0=100&');
    expect(q).toContain('seed=4294967295');
  });
});

function sameParams(a: Params, b: Params): boolean {
  return PARAM_TABLE.every((s) => Object.is(a[s.name], b[s.name])) && Object.keys(a).length === Object.keys(b).length;
}
