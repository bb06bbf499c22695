import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, PARAM_TABLE } from '../../../src/params/table';
import { parseEntries, parseQuery, PRESENTATION_KEYS, validateParams } from '../../../src/params/url';
import type { Correction, Params } from '../../../src/params/types';

/** Parse and return the params plus the corrections about `key`. */
function about(query: string, key: string): { params: Params; cs: Correction[]; all: Correction[] } {
  const { params, corrections } = parseQuery(query);
  return { params, cs: corrections.filter((c) => c.key === key), all: corrections };
}

describe('clamping numeric values', () => {
  it('width=5000 → 1024, naming the maximum', () => {
    const { params, cs, all } = about('width=5000', 'width');
    expect(params.width).toBe(1024);
    expect(params.k).toBe(1024); // k follows the corrected width
    expect(all).toHaveLength(1);
    expect(cs[0]).toEqual({
      key: 'width',
      given: '5000',
      used: '1024',
      reason: 'width=5000 is above the maximum 1024; using 1024',
    });
  });

  it.each([
    ['width=1', 'width', 2, 'below the minimum 2'],
    ['width=1e400', 'width', 1024, 'above the maximum 1024'],
    ['width=-1e400', 'width', 2, 'below the minimum 2'],
    ['sw2=11', 'sw2', 10, 'above the maximum 10'],
    ['sw2=-0.5', 'sw2', 0, 'below the minimum 0'],
    ['sb2=1e400', 'sb2', 2, 'above the maximum 2'],
    ['p=0', 'p', 0.01, 'below the minimum 0.01'],
    ['p=1.5', 'p', 1, 'above the maximum 1'],
    ['alpha=5', 'alpha', 4, 'above the maximum 4'],
    ['q0=1000', 'q0', 100, 'above the maximum 100'],
    ['depth=0', 'depth', 1, 'below the minimum 1'],
    ['depth=100001', 'depth', 100000, 'above the maximum 100000'],
    ['samples=0', 'samples', 1, 'below the minimum 1'],
    ['samples=5000', 'samples', 4096, 'above the maximum 4096'],
    ['seed=4294967296', 'seed', 4294967295, 'above the maximum 4294967295'],
    ['seed=-1', 'seed', 0, 'below the minimum 0'],
  ] as const)('%s → %s = %s', (q, key, value, phrase) => {
    const { params, cs } = about(q, key);
    expect(params[key]).toBe(value);
    expect(cs).toHaveLength(1);
    expect(cs[0]!.reason).toContain(phrase);
    expect(cs[0]!.used).toBe(String(value));
  });

  it('clamps k to the resolved width', () => {
    const { params, cs } = about('k=80&width=64', 'k');
    expect(params).toMatchObject({ width: 64, k: 64 });
    expect(cs).toEqual([{ key: 'k', given: '80', used: '64', reason: 'k=80 exceeds width=64; using 64' }]);
    // Order in the query does not matter: width is resolved first.
    expect(parseQuery('width=64&k=80').params.k).toBe(64);
    // The width itself was corrected: k is clamped to the corrected width.
    expect(parseQuery('width=1&k=5').params).toMatchObject({ width: 2, k: 2 });
    expect(about('width=8&k=0', 'k').params.k).toBe(1);
  });

  it('clamps transient to depth − 1', () => {
    const { params, cs } = about('depth=10&transient=50', 'transient');
    expect(params).toMatchObject({ depth: 10, transient: 9 });
    expect(cs).toHaveLength(1);
    expect(cs[0]!.reason).toBe('transient=50 must be less than depth=10; using 9');
    expect(parseQuery('depth=1&transient=1').params.transient).toBe(0);
    expect(parseQuery('depth=0&transient=5').params).toMatchObject({ depth: 1, transient: 0 });
    expect(parseQuery('depth=10&transient=9').corrections).toEqual([]);
  });
});

describe('numbers that are not numbers', () => {
  it.each(['abc', 'NaN', 'Infinity', '-Infinity', '0x10', '1,5', '1_000', '1e', '.', '--1', '1.2.3', '½', '１'])(
    'sw2=%s → the default 1.5 with a correction',
    (v) => {
      const { params, cs, all } = about(`sw2=${encodeURIComponent(v)}`, 'sw2');
      expect(params.sw2).toBe(1.5);
      expect(all).toHaveLength(1);
      expect(cs[0]!.given).toBe(v);
      expect(cs[0]!.used).toBe('1.5');
      expect(cs[0]!.reason).toContain('not a number');
      expect(cs[0]!.reason).toContain('using the default 1.5');
    },
  );

  it('empty value → default with a correction', () => {
    const { params, cs } = about('depth=', 'depth');
    expect(params.depth).toBe(100);
    expect(cs[0]!.reason).toBe('depth is empty; using the default 100');
    expect(about('act=', 'act').cs[0]!.reason).toBe('act is empty; using the default tanh');
  });

  it('an unusable k falls back to the width', () => {
    const { params, cs } = about('width=8&k=abc', 'k');
    expect(params.k).toBe(8);
    expect(cs[0]!.reason).toContain('using the default 8 (the width)');
  });

  it.each([
    ['sb2=1e-3', 'sb2', 0.001],
    ['sb2=2.01E-5', 'sb2', 2.01e-5],
    ['depth=1e3', 'depth', 1000],
    ['width=64.0', 'width', 64],
    ['width=%2064%20', 'width', 64],
    ['width=+64', 'width', 64], // '+' is a space in a query
    ['width=%2B64', 'width', 64],
    ['sw2=.5', 'sw2', 0.5],
    ['sw2=2.', 'sw2', 2],
    ['sw2=-0', 'sw2', 0],
    ['sb2=1e-400', 'sb2', 0],
  ] as const)('%s is accepted as %s = %s without a correction', (q, key, value) => {
    const { params, corrections } = parseQuery(q);
    expect(corrections).toEqual([]);
    expect(Object.is(params[key], value)).toBe(true);
  });

  it('rounds integers given with a fraction, and says so', () => {
    const { params, cs } = about('samples=2.7', 'samples');
    expect(params.samples).toBe(3);
    expect(cs).toEqual([{ key: 'samples', given: '2.7', used: '3', reason: 'samples=2.7 is not a whole number; rounded to 3' }]);
    expect(parseQuery('seed=1.5').params.seed).toBe(2);
    expect(parseQuery('depth=99.4').params.depth).toBe(99);
    expect(parseQuery('width=1.6').params.width).toBe(2);
    expect(parseQuery('width=1024.4').params.width).toBe(1024);
    expect(parseQuery('width=1.6').corrections).toHaveLength(1);
  });
});

describe('enum values', () => {
  it('accepts every canonical value without a correction', () => {
    for (const spec of PARAM_TABLE) {
      if (spec.kind !== 'enum') continue;
      for (const o of spec.options) {
        const { params, corrections } = parseQuery(`${spec.urlKey}=${o.value}`);
        expect(corrections).toEqual([]);
        expect(params[spec.name]).toBe(o.value);
      }
    }
  });

  it('act=TANH → tanh with a correction showing the canonical spelling', () => {
    const { params, cs } = about('act=TANH', 'act');
    expect(params.act).toBe('tanh');
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ key: 'act', given: 'TANH', used: 'tanh' });
    expect(cs[0]!.reason).toContain('canonical spelling');
  });

  it.each([
    ['act', 'hard-tanh', 'hardtanh'],
    ['act', 'hard_tanh', 'hardtanh'],
    ['act', 'HardTanh', 'hardtanh'],
    ['act', 'ReLU', 'relu'],
    ['act', 'identity', 'linear'],
    ['act', 'swish', 'silu'],
    ['weights', 'gaussian', 'gauss'],
    ['weights', 'Orthogonal', 'orth'],
    ['arch', 'feedforward', 'ff'],
    ['arch', 'feed-forward', 'ff'],
    ['arch', 'residual', 'res'],
    ['arch', 'resnet', 'res'],
    ['ascale', 'sqrt(L)', 'sqrtL'],
    ['ascale', 'sqrtl', 'sqrtL'],
    ['ascale', 'SQRTL', 'sqrtL'],
    ['ascale', 'l', 'L'],
    ['ascale', 'constant', 'const'],
  ] as const)('%s=%s → %s, reported', (key, given, value) => {
    const { params, cs, all } = about(`${key}=${encodeURIComponent(given)}`, key);
    expect(params[key]).toBe(value);
    expect(all).toHaveLength(1);
    expect(cs[0]).toMatchObject({ given, used: value });
    expect(cs[0]!.reason).toContain(value);
  });

  it('an unknown option → default, listing the options', () => {
    const { params, cs } = about('act=tanhh', 'act');
    expect(params.act).toBe('tanh');
    expect(cs[0]!.reason).toBe('act="tanhh" is not one of linear, tanh, relu, hardtanh, erf, sigmoid, gelu, silu, selu, relupow; using the default tanh');
    expect(parseQuery('weights=dense').params.weights).toBe('gauss');
    expect(parseQuery('arch=__proto__').params.arch).toBe('ff');
    expect(parseQuery('ascale=toString').params.ascale).toBe('sqrtL');
  });

  it('trims whitespace silently', () => {
    expect(parseQuery('act=%20relu%20').corrections).toEqual([]);
    expect(parseQuery('act=%20relu%20').params.act).toBe('relu');
  });
});

describe('keys', () => {
  it('missing k means k = width, silently', () => {
    expect(parseQuery('width=100')).toEqual({ params: { ...DEFAULT_PARAMS, width: 100, k: 100 }, corrections: [] });
  });

  it('a repeated key: the last one wins and a correction says so', () => {
    const { params, cs } = about('width=16&depth=5&width=64', 'width');
    expect(params.width).toBe(64);
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ key: 'width', given: '64', used: '64' });
    expect(cs[0]!.reason).toContain('2 times');
    // The last value is itself corrected: two corrections, both about width.
    const both = about('width=16&width=5000', 'width');
    expect(both.params.width).toBe(1024);
    expect(both.cs).toHaveLength(2);
    expect(parseQuery('width=1&width=2&width=3').corrections[0]!.reason).toContain('3 times');
  });

  it('unknown keys are ignored and reported; presentation keys are not', () => {
    const { params, corrections } = parseQuery('foo=1&width=8&embed=1&plots=spectrum,jacobian&controls=0&theme=dark&v=1');
    expect(params).toEqual({ ...DEFAULT_PARAMS, width: 8, k: 8 });
    expect(corrections).toEqual([{ key: 'foo', given: '1', used: '', reason: 'unknown parameter "foo", ignored' }]);
    expect(PRESENTATION_KEYS).toEqual(['v', 'embed', 'plots', 'controls', 'theme', 'backend']);
    expect(parseQuery('Width=64').corrections[0]!.reason).toContain('did you mean width?');
    expect(parseQuery('Width=64').params.width).toBe(32);
  });

  it('prototype-ish keys are unknown keys, nothing more', () => {
    const { params, corrections } = parseQuery('__proto__=1&constructor=2&toString=3&hasOwnProperty=4');
    expect(params).toEqual(DEFAULT_PARAMS);
    expect(corrections.map((c) => c.key)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
  });
});

describe('link version', () => {
  it('v=1 and no v are both version 1 without corrections', () => {
    expect(parseQuery('v=1&width=8').corrections).toEqual([]);
    expect(parseQuery('width=8').corrections).toEqual([]);
  });
  it('any other v is reported and read as version 1', () => {
    const { params, corrections } = parseQuery('v=2&width=8');
    expect(params.width).toBe(8);
    expect(corrections).toEqual([{ key: 'v', given: '2', used: '1', reason: 'unknown link version v=2, read as version 1' }]);
    expect(parseQuery('v=abc').corrections[0]!.reason).toBe('unknown link version v=abc, read as version 1');
    expect(parseQuery('v=').corrections).toHaveLength(1);
  });
});

describe('input forms', () => {
  it('parseQuery accepts a leading ? and URLSearchParams', () => {
    const want = { ...DEFAULT_PARAMS, width: 8, k: 8, act: 'relu' as const };
    expect(parseQuery('?width=8&act=relu').params).toEqual(want);
    expect(parseQuery('width=8&act=relu').params).toEqual(want);
    expect(parseQuery(new URLSearchParams({ width: '8', act: 'relu' })).params).toEqual(want);
    expect(parseQuery('').params).toEqual(DEFAULT_PARAMS);
    expect(parseQuery('?').params).toEqual(DEFAULT_PARAMS);
  });

  it('returns a fresh object, never the shared defaults', () => {
    const a = parseQuery('').params;
    a.width = 999;
    expect(DEFAULT_PARAMS.width).toBe(32);
    expect(parseQuery('').params.width).toBe(32);
  });

  it('parseEntries reads CLI-style pairs; later pairs win', () => {
    const { params, corrections } = parseEntries([
      ['width', '32'],
      ['depth', '200'],
      ['act', 'relu'],
      ['width', '64'],
    ]);
    expect(params).toEqual({ ...DEFAULT_PARAMS, width: 64, k: 64, depth: 200, act: 'relu' });
    expect(corrections).toHaveLength(1);
    // Keys that no URL could carry are still just unknown keys.
    expect(parseEntries([['a=b&c', 'x']]).corrections[0]!.key).toBe('a=b&c');
  });

  it('parseEntries survives non-string pairs from JavaScript callers', () => {
    const pairs = [
      [64, 5000],
      [null, 'x'],
      ['width', 16],
      ['act', undefined],
    ] as unknown as [string, string][];
    const { params, corrections } = parseEntries(pairs);
    expect(params).toMatchObject({ width: 16, act: 'tanh' });
    expect(corrections.map((c) => c.key)).toEqual(['64', 'null', 'act']);
  });

  it('parseEntries survives a throwing iterator', () => {
    function* broken(): Generator<[string, string]> {
      yield ['width', '8'];
      throw new Error('boom');
    }
    const { params, corrections } = parseEntries(broken());
    expect(params.width).toBe(8);
    expect(corrections).toHaveLength(1);
  });
});

describe('validateParams', () => {
  it('fills absent fields with defaults and k with the width', () => {
    expect(validateParams({ width: 64 })).toEqual({ params: { ...DEFAULT_PARAMS, width: 64, k: 64 }, corrections: [] });
    expect(validateParams({})).toEqual({ params: DEFAULT_PARAMS, corrections: [] });
    expect(validateParams({ width: undefined } as Partial<Params>)).toEqual({ params: DEFAULT_PARAMS, corrections: [] });
  });

  it('accepts a complete valid Params unchanged', () => {
    const p: Params = { ...DEFAULT_PARAMS, width: 7, k: 3, sw2: 0.1 + 0.2, act: 'selu', arch: 'res', transient: 99 };
    expect(validateParams(p)).toEqual({ params: p, corrections: [] });
  });

  it('corrects programmatic values like URL values', () => {
    const { params, corrections } = validateParams({ width: 5000, k: 2000, sw2: NaN, q0: Infinity, samples: 2.5, act: 'TANH' as Params['act'] });
    expect(params).toMatchObject({ width: 1024, k: 1024, sw2: 1.5, q0: 100, samples: 3, act: 'tanh' });
    expect(corrections.map((c) => c.key)).toEqual(['width', 'k', 'sw2', 'act', 'q0', 'samples']);
    expect(corrections[0]!.reason).toBe('width=5000 is above the maximum 1024; using 1024');
    expect(corrections[2]!.reason).toContain('not a number');
  });

  it('reads strings for numbers (HTML attributes) and rejects other types', () => {
    const attrs = { width: '48', depth: 'x', act: 3, weights: null } as unknown as Partial<Params>;
    const { params, corrections } = validateParams(attrs);
    expect(params).toMatchObject({ width: 48, k: 48, depth: 100, act: 'tanh', weights: 'gauss' });
    expect(corrections.map((c) => c.key)).toEqual(['depth', 'act', 'weights']);
  });

  it('reports unknown own keys but not presentation keys', () => {
    const input = { width: 8, colour: 'red', embed: true } as unknown as Partial<Params>;
    expect(validateParams(input).corrections.map((c) => c.key)).toEqual(['colour']);
  });
});
