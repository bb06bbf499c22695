/**
 * Tests 2 and 3: products far beyond float64 range, and exactly singular products, against mpmath
 * ground truth (test/fixtures/graded-product-mpmath.py; 12-digit factors used as exact doubles on
 * both sides, singular values at 100-1100 digits).
 */
import { describe, expect, it } from 'vitest';
import { RowScaledTriangular } from '../../../src/engine/cpu/graded-product';
import { hasNaN, loadFixture, maxAbsDiff, unpackUpper, type FixtureCase } from './helpers';

function run(fc: FixtureCase): Float64Array {
  const acc = new RowScaledTriangular(fc.n);
  for (const upper of fc.r) acc.leftMultiply(unpackUpper(fc.n, upper));
  const state = acc.state();
  expect(hasNaN(state.s) || hasNaN(state.c)).toBe(false);
  return acc.logSingularValues();
}

const dense = [...loadFixture('graded-product-n8.json'), ...loadFixture('graded-product-n16.json'), ...loadFixture('graded-product-strong.json')];

describe('beyond float64 range (mpmath ground truth)', () => {
  it.each(dense.map((c) => [c.name, c] as const))('%s', (_name, fc) => {
    expect(fc.rank).toBe(fc.n);
    expect(fc.logRange).toBeGreaterThan(400);
    const got = run(fc);
    expect(hasNaN(got)).toBe(false);
    expect(maxAbsDiff(got, fc.logSv)).toBeLessThanOrEqual(1e-9);
  });

  it('one case spans more than 1500 nats', () => {
    expect(Math.max(...dense.map((c) => c.logRange))).toBeGreaterThan(1500);
  });
});

const zeros = loadFixture('graded-product-zeros.json');

describe('exactly singular products (zeroed rows of R)', () => {
  it.each(zeros.map((c) => [c.name, c] as const))('%s: exact count of -Infinity, finite ones match', (_name, fc) => {
    const got = run(fc);
    expect(hasNaN(got)).toBe(false);
    const finite = Array.from(got).filter((x) => x !== -Infinity);
    expect(finite.length).toBe(fc.rank);
    expect(got.length - finite.length).toBe(fc.n - fc.rank);
    expect(maxAbsDiff(finite, fc.logSv)).toBeLessThanOrEqual(1e-9);
  });

  it('the fixture set includes refilled rows and rank drops that a count of zeroed rows gets wrong', () => {
    const byName = new Map(zeros.map((c) => [c.name, c]));
    // Two zeroing events, one lost direction; and two events, two lost directions.
    expect(byName.get('lower-then-higher')?.rank).toBe(7);
    expect(byName.get('higher-then-lower')?.rank).toBe(6);
    expect(byName.get('n16-long')?.rank).toBe(14);
  });
});
