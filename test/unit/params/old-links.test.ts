/**
 * Links as lecturers saved them. These are a public contract: each must keep opening to exactly these Params
 * with no corrections. Never edit an expectation to make a change pass; add a new URL version instead.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery, serializeParams } from '../../../src/params/url';
import type { Params } from '../../../src/params/types';

/** Knobs added after these links were saved; every older link opens at their defaults (inner, unused, at 32). */
type Newer = 'inner' | 'beta' | 'sv2' | 'sa2' | 'c0';
const withNewer = (p: Omit<Params, Newer>): Params => ({ ...p, inner: 32, beta: 1, sv2: 1, sa2: 0, c0: 0.5 });

const D: Omit<Params, Newer> = {
  width: 32,
  k: 32,
  depth: 100,
  sw2: 1.5,
  sb2: 0,
  act: 'tanh',
  // Added with act=relupow after these links were saved: every older link opens at its default.
  apow: 2,
  arch: 'ff',
  alpha: 1,
  ascale: 'sqrtL',
  weights: 'gauss',
  p: 0.5,
  q0: 1,
  samples: 32,
  seed: 1,
  transient: 0,
};

const SAVED: [query: string, expected: Omit<Params, Newer>][] = [
  ['', D],
  ['?v=1', D],
  ['width=64&depth=500&act=relu&sw2=2', { ...D, width: 64, k: 64, depth: 500, act: 'relu', sw2: 2 }],
  ['?v=1&width=16&depth=200&sw2=1&sb2=0&act=linear&embed=1&plots=spectrum', { ...D, width: 16, k: 16, depth: 200, sw2: 1, act: 'linear' }],
  [
    'v=1&arch=res&alpha=0.5&ascale=L&depth=1000&width=128&k=10&transient=100&theme=dark&controls=0',
    { ...D, arch: 'res', alpha: 0.5, ascale: 'L', depth: 1000, width: 128, k: 10, transient: 100 },
  ],
  ['v=1&weights=sparse&p=0.25&q0=2.5&samples=64&seed=42&act=erf&embed=1', { ...D, weights: 'sparse', p: 0.25, q0: 2.5, samples: 64, seed: 42, act: 'erf' }],
  [
    'v=1&width=32&sw2=1.7609546396&sb2=0.05&weights=orth&seed=4294967295&embed=1&plots=spectrum,jacobian',
    { ...D, sw2: 1.7609546396, sb2: 0.05, weights: 'orth', seed: 4294967295 },
  ],
  [
    'act=selu&sw2=1&sb2=0&depth=100000&transient=99999&width=2&k=1&samples=4096',
    { ...D, act: 'selu', sw2: 1, depth: 100000, transient: 99999, width: 2, k: 1, samples: 4096 },
  ],
  [
    'v=1&width=1024&k=1024&depth=1&sw2=10&sb2=2&act=gelu&arch=res&alpha=4&ascale=const&weights=gauss&p=1&q0=100&samples=1&seed=0&transient=0',
    {
      width: 1024,
      k: 1024,
      depth: 1,
      sw2: 10,
      sb2: 2,
      act: 'gelu',
      apow: 2,
      arch: 'res',
      alpha: 4,
      ascale: 'const',
      weights: 'gauss',
      p: 1,
      q0: 100,
      samples: 1,
      seed: 0,
      transient: 0,
    },
  ],
  [
    'v=1&act=hardtanh&sw2=0.3&sb2=1e-3&q0=0.01&p=0.01&weights=sparse&ascale=sqrtL&arch=ff&plots=spectrum&controls=1',
    { ...D, act: 'hardtanh', sw2: 0.3, sb2: 0.001, q0: 0.01, p: 0.01, weights: 'sparse' },
  ],
  ['v=1&act=sigmoid&width=8&samples=8&depth=20', { ...D, act: 'sigmoid', width: 8, k: 8, samples: 8, depth: 20 }],
  ['act=silu&seed=123456789', { ...D, act: 'silu', seed: 123456789 }],
];

const FIXTURES: [query: string, expected: Params][] = SAVED.map(([q, e]) => [q, withNewer(e)]);

describe('saved links open to the same network', () => {
  it.each(FIXTURES)('%s', (query, expected) => {
    expect(parseQuery(query)).toEqual({ params: expected, corrections: [] });
  });

  it('and re-serialize to links that open to the same network', () => {
    for (const [, expected] of FIXTURES) {
      expect(parseQuery(serializeParams(expected, { omitDefaults: true })).params).toEqual(expected);
    }
  });

  it('the short form of a saved link is stable', () => {
    expect(serializeParams(FIXTURES[4]![1], { omitDefaults: true })).toBe('v=1&width=128&k=10&depth=1000&arch=res&alpha=0.5&ascale=L&transient=100');
  });
});
