import { describe, expect, it } from 'vitest';
import { isValidParams, PARAM_NAMES, PARAM_TABLE } from '../../../src/params/table';
import { parseEntries, parseQuery, validateParams, type ParseResult } from '../../../src/params/url';
import type { Params } from '../../../src/params/types';
import { mulberry32, pick, randInt } from './prng';

const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "';alert(1)//", 'javascript:alert(1)'];
const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const KEYS = [...PARAM_NAMES, 'v', 'embed', 'plots', 'controls', 'theme', ...PROTO, ...XSS, '', '%', '%zz', 'WIDTH', 'k ', ' width'];
const ENUM_WORDS = PARAM_TABLE.flatMap((s) => (s.kind === 'enum' ? s.options.flatMap((o) => [o.value, ...(o.aliases ?? [])]) : []));
const VALUES = [
  '1e400',
  '-1e400',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '0b1',
  '0o7',
  '1,5',
  '',
  ' ',
  '%',
  '%zz',
  '%00',
  '%E0%A4%A',
  '%ff%fe',
  '-0',
  '+1',
  '1e-3',
  '1E+3',
  '.5',
  '5.',
  '1e',
  'e5',
  '1..2',
  '١٢',
  '4294967296',
  '4294967295.5',
  '-1',
  '0',
  '1e-400',
  '9'.repeat(400),
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '\u0000',
  '\ud800',
  '\udfff',
  '🦄',
  'ТАНХ',
  ...XSS,
  ...PROTO,
  ...ENUM_WORDS,
];
const SEPARATORS = ['&', '&&&', '=', '==', '&=&', '#', '?', ';', '+', '%26', '%3D'];

function randomUnicode(rng: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng();
    // Mix ASCII (incl. the query metacharacters), BMP, lone surrogates and astral characters.
    const cp = r < 0.6 ? randInt(rng, 0, 127) : r < 0.8 ? randInt(rng, 128, 0xffff) : randInt(rng, 0x10000, 0x10ffff);
    s += cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  }
  return s;
}

/** encodeURIComponent throws on lone surrogates; such values then go in raw (which a hand-edited link could contain). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
}

function randomNumberText(rng: () => number): string {
  const x = (rng() - 0.3) * Math.pow(10, randInt(rng, -10, 12));
  return pick(rng, [String(x), x.toFixed(randInt(rng, 0, 5)), x.toExponential(3), String(Math.round(x))]);
}

function randomQuery(rng: () => number): string {
  const r = rng();
  if (r < 0.1) return randomUnicode(rng, randInt(rng, 0, 200));
  const parts: string[] = [];
  const n = randInt(rng, 0, 12);
  for (let i = 0; i < n; i++) {
    const key = rng() < 0.1 ? randomUnicode(rng, randInt(rng, 1, 8)) : pick(rng, KEYS);
    const v = rng();
    const value =
      v < 0.4 ? pick(rng, VALUES) : v < 0.7 ? randomNumberText(rng) : v < 0.8 ? pick(rng, VALUES).toUpperCase() : randomUnicode(rng, randInt(rng, 0, 12));
    const text = rng() < 0.5 ? enc(value) : value;
    parts.push(rng() < 0.1 ? key : `${key}=${text}`);
    parts.push(pick(rng, SEPARATORS));
  }
  return (rng() < 0.3 ? '?' : '') + parts.join('');
}

function checkResult(r: ParseResult, input: string): void {
  if (!isValidParams(r.params)) throw new Error(`invalid params for ${JSON.stringify(input.slice(0, 200))}: ${JSON.stringify(r.params)}`);
  // No extra keys can sneak in (e.g. from __proto__), and the result is a plain object.
  expect(Object.keys(r.params)).toEqual(PARAM_NAMES);
  expect(Object.getPrototypeOf(r.params)).toBe(Object.prototype);
  for (const c of r.corrections) {
    if (typeof c.reason !== 'string' || c.reason.trim() === '') throw new Error(`empty reason for ${JSON.stringify(input.slice(0, 200))}`);
    expect(typeof c.key).toBe('string');
    expect(typeof c.used).toBe('string');
    expect(c.given === null || typeof c.given === 'string').toBe(true);
    // Reasons are shown in the UI; a 100k-character value must not make a 100k-character message.
    expect(c.reason.length).toBeLessThan(600);
  }
}

const protoNamesBefore = Object.getOwnPropertyNames(Object.prototype).sort();
const toStringBefore = Object.prototype.toString;

function expectNoPollution(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNamesBefore);
  expect(Object.prototype.toString).toBe(toStringBefore);
  const probe: Record<string, unknown> = {};
  for (const k of ['polluted', 'width', '1', 'x', 'a']) expect(probe[k]).toBeUndefined();
}

describe('parsing hostile input never throws and always yields valid Params', () => {
  it('random and hostile query strings', () => {
    const rng = mulberry32(20240601);
    for (let i = 0; i < 4000; i++) {
      const q = randomQuery(rng);
      let r: ParseResult | undefined;
      expect(() => (r = parseQuery(q)), q.slice(0, 200)).not.toThrow();
      checkResult(r!, q);
    }
    expectNoPollution();
  });

  it('every key with every hostile value', () => {
    for (const key of KEYS) {
      for (const value of [...VALUES, ...XSS]) {
        for (const q of [`${key}=${value}`, `${key}=${enc(value)}`, `${key}=${value}&${key}=${value}`]) checkResult(parseQuery(q), q);
      }
    }
    expectNoPollution();
  });

  it('random raw bytes, percent-escaped and not', () => {
    const rng = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const bytes = Array.from({ length: randInt(rng, 0, 64) }, () => randInt(rng, 0, 255));
      const latin = String.fromCharCode(...bytes);
      const escaped = bytes.map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
      checkResult(parseQuery(latin), latin);
      checkResult(parseQuery(escaped), escaped);
      checkResult(parseQuery('width=' + escaped + '&act=' + escaped), escaped);
    }
  });

  it('huge strings (100k characters) in keys and values, quickly', () => {
    const big = 'x'.repeat(100_000);
    const digits = '1'.repeat(100_000);
    const nearlyNumber = '1'.repeat(100_000) + 'x'; // worst case for a backtracking number pattern
    const started = Date.now();
    for (const q of [
      `width=${big}`,
      `${big}=1`,
      `width=${digits}`,
      `sw2=0.${digits}`,
      `seed=${nearlyNumber}`,
      `act=${big}`,
      `sw2=${'9'.repeat(100_000)}e-99999`,
      '&'.repeat(100_000),
      '='.repeat(100_000),
      '%'.repeat(100_000),
      `v=${big}`,
      `width=${'0'.repeat(99_990)}64`,
    ]) {
      const r = parseQuery(q);
      checkResult(r, q);
    }
    expect(parseQuery(`width=${digits}`).params.width).toBe(1024);
    expect(parseQuery(`width=${'0'.repeat(99_990)}64`).params.width).toBe(64);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('parseEntries with arbitrary pairs', () => {
    const rng = mulberry32(99);
    for (let i = 0; i < 1000; i++) {
      const entries: [string, string][] = Array.from({ length: randInt(rng, 0, 10) }, () => [
        rng() < 0.5 ? pick(rng, KEYS) : randomUnicode(rng, randInt(rng, 0, 6)),
        rng() < 0.5 ? pick(rng, VALUES) : randomUnicode(rng, randInt(rng, 0, 6)),
      ]);
      const r = parseEntries(entries);
      checkResult(r, JSON.stringify(entries));
    }
    expectNoPollution();
  });

  it('validateParams with values of every type, prototype keys and hostile objects', () => {
    const weird: unknown[] = [
      null,
      undefined,
      true,
      0,
      -0,
      NaN,
      Infinity,
      -Infinity,
      1e308,
      -1e308,
      5e-324,
      10n,
      Symbol('s'),
      {},
      [],
      [64],
      () => 64,
      new Date(0),
      '64',
      ' 64 ',
      'tanh',
      'TANH',
      '1e400',
      ...XSS,
      ...PROTO,
      {
        toString: () => {
          throw new Error('toString');
        },
      },
      { valueOf: () => 64, toString: () => '64' },
      Object.create(null),
    ];
    const rng = mulberry32(3);
    for (let i = 0; i < 2000; i++) {
      const obj: Record<string, unknown> = {};
      for (let j = randInt(rng, 0, 8); j > 0; j--) obj[pick(rng, [...PARAM_NAMES, ...PROTO, 'embed', 'extra'])] = pick(rng, weird);
      const r = validateParams(obj as Partial<Params>);
      checkResult(r, `validateParams #${i}`);
    }
    // Own "__proto__" keys as JSON.parse makes them (what a postMessage payload could carry).
    const fromJson = JSON.parse('{"__proto__": {"polluted": 1, "width": 3}, "width": 5, "constructor": {"prototype": {"polluted": 1}}}') as Partial<Params>;
    const r = validateParams(fromJson);
    checkResult(r, 'json');
    expect(r.params.width).toBe(5);
    expect(r.corrections.map((c) => c.key)).toEqual(['__proto__', 'constructor']);
    // A getter that throws and a Proxy whose key listing throws.
    const getterThrows = Object.defineProperty({}, 'width', {
      enumerable: true,
      get: () => {
        throw new Error('get');
      },
    });
    checkResult(validateParams(getterThrows as Partial<Params>), 'getter');
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('ownKeys');
        },
      },
    );
    checkResult(validateParams(proxy as Partial<Params>), 'proxy');
    expectNoPollution();
  });

  it('null and non-object inputs to validateParams', () => {
    for (const v of [null, undefined, 5, 'width=5']) checkResult(validateParams(v as unknown as Partial<Params>), String(v));
  });
});
