/**
 * Test 4 and robustness: the determinant identity, reset(), the state() round trip, that
 * logSingularValues() leaves T alone, and that nothing ever turns into NaN.
 */
import { describe, expect, it } from 'vitest';
import { RowScaledTriangular } from '../../../src/engine/cpu/graded-product';
import { gaussian, hasNaN, loadFixture, maxAbsDiff, mulUpper, randomUpper, referenceLogSv, uniform, unpackUpper } from './helpers';

/** Benettin-like random factors: |R_ii| decreasing in i, so T is graded as in the engine. */
function benettinFactors(seed: number, n: number, layers: number): Float64Array[] {
  const rnd = gaussian(seed);
  return Array.from({ length: layers }, () => randomUpper(rnd, n, (i) => Math.exp(-3 * (i / n) + 0.3 * rnd()), 1 / Math.sqrt(n)));
}

function sumLogDiag(factors: Float64Array[], n: number): number {
  let s = 0;
  for (const r of factors) for (let i = 0; i < n; i++) s += Math.log(Math.abs(r[i * n + i]));
  return s;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

describe('determinant identity: sum log sigma = sum_l sum_i log|R_l[i,i]|', () => {
  it.each([
    [8, 300],
    [32, 300],
    [64, 100],
  ])('N = %i, L = %i', (n, layers) => {
    const factors = benettinFactors(n * 1000 + layers, n, layers);
    const acc = new RowScaledTriangular(n);
    for (const r of factors) acc.leftMultiply(r);
    const sv = acc.logSingularValues();
    const expected = sumLogDiag(factors, n);
    expect(sv[0] - sv[n - 1]).toBeGreaterThan(200); // far beyond float64 range
    expect(Math.abs(sum(sv) - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
  });

  it('holds on the mpmath fixtures too', () => {
    for (const fc of [...loadFixture('graded-product-n16.json'), ...loadFixture('graded-product-strong.json')]) {
      const acc = new RowScaledTriangular(fc.n);
      const factors = fc.r.map((u) => unpackUpper(fc.n, u));
      for (const r of factors) acc.leftMultiply(r);
      const expected = sumLogDiag(factors, fc.n);
      expect(Math.abs(sum(acc.logSingularValues()) - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
    }
  });
});

describe('reset, state, and read-only logSingularValues', () => {
  const n = 12;
  const factors = benettinFactors(5, n, 120);
  // Zeroed rows mid-run (a refilled row and a zero diagonal), so that the pending frame is nontrivial.
  factors[30] = Float64Array.from(factors[30]).fill(0, 4 * n, 5 * n);
  factors[70] = Float64Array.from(factors[70]);
  factors[70][2 * n + 2] = 0;

  function run(acc: RowScaledTriangular, from: number, to: number): void {
    for (let l = from; l < to; l++) acc.leftMultiply(factors[l]);
  }

  it('reset() gives T = I and then the same results as a fresh instance', () => {
    const fresh = new RowScaledTriangular(n);
    run(fresh, 0, 120);
    const reused = new RowScaledTriangular(n);
    run(reused, 0, 90);
    reused.reset();
    expect(Array.from(reused.logSingularValues())).toEqual(new Array(n).fill(0));
    run(reused, 0, 120);
    expect(Array.from(reused.logSingularValues())).toEqual(Array.from(fresh.logSingularValues()));
  });

  it('logSingularValues() does not modify the accumulated T', () => {
    const a = new RowScaledTriangular(n);
    const b = new RowScaledTriangular(n);
    run(a, 0, 60);
    run(b, 0, 60);
    const first = a.logSingularValues();
    expect(Array.from(a.logSingularValues())).toEqual(Array.from(first));
    run(a, 60, 120);
    run(b, 60, 120);
    expect(Array.from(a.logSingularValues())).toEqual(Array.from(b.logSingularValues()));
    expect(a.state()).toEqual(b.state());
  });

  it('state() round trip: restore into another instance and continue, bitwise identical', () => {
    const a = new RowScaledTriangular(n);
    run(a, 0, 75);
    const st = a.state();
    expect(st.g.length).toBeGreaterThan(0); // the zeroed rows made the pending frame nontrivial
    expect(Array.from(st.s).filter((v) => v === -Infinity).length).toBe(2);
    // A copy through plain arrays, as after a postMessage or JSON round trip.
    const copy = {
      s: Float64Array.from(Array.from(st.s)),
      c: Float64Array.from(Array.from(st.c)),
      g: Float64Array.from(Array.from(st.g)),
      x: Int32Array.from(Array.from(st.x)),
      f: Float64Array.from(Array.from(st.f)),
    };
    const b = new RowScaledTriangular(n);
    b.restore(copy);
    expect(b.state()).toEqual(st);
    run(a, 75, 120);
    run(b, 75, 120);
    expect(Array.from(b.logSingularValues())).toEqual(Array.from(a.logSingularValues()));
  });

  it('state() exposes log scales and unit rows; restore from s and c alone agrees to rounding', () => {
    const a = new RowScaledTriangular(n);
    run(a, 0, 25); // before the first zeroed row: the pending frame is still I
    const st = a.state();
    expect(st.g.length).toBe(0);
    for (let i = 0; i < n; i++) {
      let ss = 0;
      for (let j = 0; j < n; j++) ss += st.c[i * n + j] ** 2;
      expect(Math.abs(ss - 1)).toBeLessThan(1e-14);
      for (let j = 0; j < i; j++) expect(st.c[i * n + j]).toBe(0);
    }
    const b = new RowScaledTriangular(n);
    b.restore({ s: st.s, c: st.c });
    expect(maxAbsDiff(b.logSingularValues(), a.logSingularValues())).toBeLessThan(1e-12);
    run(a, 25, 120);
    run(b, 25, 120);
    const sa = a.logSingularValues();
    const sb = b.logSingularValues();
    expect(sa.filter((v) => v === -Infinity).length).toBe(2);
    expect(sb.filter((v) => v === -Infinity).length).toBe(2);
    expect(maxAbsDiff(sa.subarray(0, n - 2), sb.subarray(0, n - 2))).toBeLessThan(1e-11);
  });

  it('restore() of a foreign state with a zero row in the middle: the row stays zero, products stay exact', () => {
    // M has row 2 zero; later factors would refill it. restore() must move it out of the way (a
    // recorded change of frame), so that R3 R2 R1 M keeps exactly one zero singular value.
    const m = 6;
    const rnd = gaussian(31);
    const mat = randomUpper(rnd, m, () => 1, 0.5);
    mat.fill(0, 2 * m, 3 * m);
    const s = new Float64Array(m);
    const c = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      let ss = 0;
      for (let j = i; j < m; j++) ss += mat[i * m + j] ** 2;
      s[i] = ss > 0 ? 0.5 * Math.log(ss) : -Infinity;
      for (let j = i; j < m; j++) c[i * m + j] = ss > 0 ? mat[i * m + j] / Math.sqrt(ss) : 0;
    }
    const acc = new RowScaledTriangular(m);
    acc.restore({ s, c });
    let p: Float64Array = mat;
    for (let l = 0; l < 3; l++) {
      const r = randomUpper(rnd, m, () => 0.7 + 0.6 * Math.abs(Math.tanh(rnd())), 0.3);
      acc.leftMultiply(r);
      p = mulUpper(r, p, m);
    }
    const got = acc.logSingularValues();
    expect(got[m - 1]).toBe(-Infinity);
    expect(got[m - 2]).toBeGreaterThan(-Infinity);
    const ref = referenceLogSv(p, m); // five accurate values and one round-off value
    expect(maxAbsDiff(got.subarray(0, m - 1), ref.subarray(0, m - 1))).toBeLessThan(1e-12);
    expect(ref[m - 1]).toBeLessThan(ref[m - 2] - 20); // the reference agrees there is a zero
  });

  it('restore() rejects a state of the wrong size', () => {
    const a = new RowScaledTriangular(4);
    expect(() => a.restore({ s: new Float64Array(3), c: new Float64Array(16) })).toThrow(RangeError);
  });
});

describe('never NaN', () => {
  it('random zeroed rows, zero diagonals, huge and tiny scales (N = 12, L = 400)', () => {
    const n = 12;
    const rnd = gaussian(2024);
    const u = uniform(77);
    const acc = new RowScaledTriangular(n);
    let minRank = n;
    for (let l = 0; l < 400; l++) {
      const scale = u() < 0.1 ? 1e-200 : u() < 0.1 ? 1e200 : 1;
      const r = randomUpper(rnd, n, (i) => scale * Math.exp(-0.2 * i), scale);
      for (let i = 0; i < n; i++) {
        if (u() < 0.01)
          r.fill(0, i * n + i, i * n + n); // zeroed row
        // eslint-disable-next-line no-dupe-else-if -- u() draws a new number each call
        else if (u() < 0.01) r[i * n + i] = 0; // zero diagonal only
      }
      acc.leftMultiply(r);
      const st = acc.state();
      expect(hasNaN(st.s) || hasNaN(st.c) || hasNaN(st.g)).toBe(false);
      if (l % 50 === 49) {
        const sv = acc.logSingularValues();
        expect(hasNaN(sv)).toBe(false);
        const rank = sv.filter((v) => v !== -Infinity).length;
        expect(rank).toBeLessThanOrEqual(minRank); // the rank of a product never grows back
        minRank = rank;
        for (let i = 1; i < n; i++) expect(sv[i]).toBeLessThanOrEqual(sv[i - 1]);
      }
    }
    expect(minRank).toBeLessThan(n); // the stress did exercise singular factors
  });

  it('a non-finite R is refused with an error, not turned into NaN', () => {
    const n = 4;
    const acc = new RowScaledTriangular(n);
    const r = benettinFactors(3, n, 1)[0];
    r[1 * n + 3] = NaN;
    expect(() => acc.leftMultiply(r)).toThrow(RangeError);
    r[1 * n + 3] = Infinity;
    expect(() => new RowScaledTriangular(n).leftMultiply(r)).toThrow(RangeError);
  });

  it('an all-zero factor gives all -Infinity and stays so', () => {
    const n = 5;
    const acc = new RowScaledTriangular(n);
    acc.leftMultiply(benettinFactors(1, n, 1)[0]);
    acc.leftMultiply(new Float64Array(n * n));
    expect(Array.from(acc.logSingularValues())).toEqual(new Array(n).fill(-Infinity));
    acc.leftMultiply(benettinFactors(2, n, 1)[0]);
    expect(Array.from(acc.logSingularValues())).toEqual(new Array(n).fill(-Infinity));
    expect(hasNaN(acc.state().c)).toBe(false);
  });
});
