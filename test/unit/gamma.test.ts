import { describe, expect, it } from 'vitest';
import { digamma, lgamma, trigamma } from '../../src/math/gamma';
import table from '../fixtures/gamma-mpmath.json';

/** Values from mpmath at 40 digits (generated once, committed). */
const rows = table as [number, number, number, number][];
const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('digamma, trigamma, lgamma against mpmath', () => {
  it.each(rows)('x = %f', (x, psi, psi1, lg) => {
    expect(close(digamma(x), psi, 2e-15), `digamma(${x})=${digamma(x)} vs ${psi}`).toBe(true);
    expect(close(trigamma(x), psi1, 5e-15), `trigamma(${x})=${trigamma(x)} vs ${psi1}`).toBe(true);
    expect(close(lgamma(x), lg, 1e-14), `lgamma(${x})=${lgamma(x)} vs ${lg}`).toBe(true);
  });
  it('satisfies the recurrences', () => {
    for (const x of [0.3, 1.7, 9.2, 40]) {
      expect(digamma(x + 1) - digamma(x)).toBeCloseTo(1 / x, 13);
      expect(lgamma(x + 1) - lgamma(x)).toBeCloseTo(Math.log(x), 13);
    }
  });
});
