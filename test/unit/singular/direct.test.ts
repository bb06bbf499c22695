/**
 * Test 1: where the product is well conditioned, the row-scaled method must agree with a plain
 * float64 product and a textbook Jacobi SVD of it.
 */
import { describe, expect, it } from 'vitest';
import { jacobiLogSingularValues, RowScaledTriangular } from '../../../src/engine/cpu/graded-product';
import { gaussian, maxAbsDiff, mulUpper, randomUpper, referenceLogSv } from './helpers';

describe('RowScaledTriangular against a direct float64 product', () => {
  it.each([1, 2, 3, 4, 5, 6])('N = 8, L = 5, seed %i: log sigma agree to 1e-12', (seed) => {
    const n = 8;
    const rnd = gaussian(seed);
    const acc = new RowScaledTriangular(n);
    let p: Float64Array = new Float64Array(n * n);
    for (let i = 0; i < n; i++) p[i * n + i] = 1;
    for (let l = 0; l < 5; l++) {
      // Diagonals of size 0.5-2 and modest off-diagonals keep P = R_5 ... R_1 well conditioned.
      const r = randomUpper(rnd, n, () => 0.5 + 1.5 * Math.abs(Math.tanh(rnd())), 0.3);
      acc.leftMultiply(r);
      p = mulUpper(r, p, n);
    }
    const ref = referenceLogSv(p, n);
    const got = acc.logSingularValues();
    expect(got.length).toBe(n);
    expect(ref[0] - ref[n - 1]).toBeGreaterThan(0.5); // a spectrum with some spread, not ~I
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-12);
  });

  it('jacobiLogSingularValues of an explicit row-scaled matrix matches the reference', () => {
    const n = 10;
    const rnd = gaussian(42);
    const m = new Float64Array(n * n);
    for (let i = 0; i < m.length; i++) m[i] = rnd();
    const g = new Float64Array(n);
    const u = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += m[i * n + j] ** 2;
      const norm = Math.sqrt(s);
      g[i] = Math.log(norm);
      for (let j = 0; j < n; j++) u[i * n + j] = m[i * n + j] / norm;
    }
    const gCopy = Float64Array.from(g);
    const uCopy = Float64Array.from(u);
    const got = jacobiLogSingularValues(g, u, n);
    expect(maxAbsDiff(got, referenceLogSv(m, n))).toBeLessThan(1e-12);
    // Inputs untouched.
    expect(Array.from(g)).toEqual(Array.from(gCopy));
    expect(Array.from(u)).toEqual(Array.from(uCopy));
  });

  it("jacobiLogSingularValues: zero rows give -Infinity, the rest are the nonzero rows' values", () => {
    const n = 5;
    const rnd = gaussian(7);
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) if (i !== 1 && i !== 3) for (let j = 0; j < n; j++) m[i * n + j] = rnd();
    const g = new Float64Array(n).fill(0);
    g[1] = -Infinity;
    g[3] = -Infinity;
    const got = jacobiLogSingularValues(g, m, n); // rows not unit length: accepted and normalized
    expect(got[3]).toBe(-Infinity);
    expect(got[4]).toBe(-Infinity);
    const ref = referenceLogSv(m, n); // two exact zeros come out as tiny or -Infinity here
    expect(maxAbsDiff(got.subarray(0, 3), ref.subarray(0, 3))).toBeLessThan(1e-12);
  });

  it('N = 1 and the identity', () => {
    const one = new RowScaledTriangular(1);
    one.leftMultiply(new Float64Array([-3]));
    one.leftMultiply(new Float64Array([0.5]));
    expect(one.logSingularValues()[0]).toBeCloseTo(Math.log(1.5), 15);
    const id = new RowScaledTriangular(6);
    expect(Array.from(id.logSingularValues())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
