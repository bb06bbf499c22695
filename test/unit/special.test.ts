import { describe, expect, it } from 'vitest';
import { erf, erfc, normalCdf } from '../../src/math/special';
import table from '../fixtures/erf-mpmath.json';

/** Values from mpmath at 40 digits (generated once, committed). */
const rows = table as [number, number, number, number][];

function relErr(a: number, b: number): number {
  if (b === 0) return Math.abs(a);
  return Math.abs(a - b) / Math.abs(b);
}

describe('erf / erfc / Phi against mpmath', () => {
  it.each(rows)('x = %f', (x, e, ec, phi) => {
    expect(relErr(erf(x), e)).toBeLessThan(4e-15);
    expect(relErr(erfc(x), ec)).toBeLessThan(3e-13);
    expect(relErr(normalCdf(x), phi)).toBeLessThan(3e-13);
  });
  it('is odd and bounded', () => {
    for (let x = 0; x < 30; x += 0.37) {
      expect(erf(-x)).toBe(-erf(x));
      expect(Math.abs(erf(x))).toBeLessThanOrEqual(1);
    }
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });
});
