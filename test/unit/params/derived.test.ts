import { describe, expect, it } from 'vitest';
import { residualCoefficients, sparseKeepThreshold } from '../../../src/params/derived';

describe('residualCoefficients', () => {
  it('feedforward: a = 0, c = 1 whatever alpha and scaling', () => {
    expect(residualCoefficients({ arch: 'ff', alpha: 3, ascale: 'L', depth: 100 })).toEqual({ a: 0, c: 1 });
    expect(residualCoefficients({ arch: 'ff', alpha: 0, ascale: 'const', depth: 1 })).toEqual({ a: 0, c: 1 });
  });

  it('residual: a = 1, c = alpha / scale(depth)', () => {
    expect(residualCoefficients({ arch: 'res', alpha: 0.5, ascale: 'const', depth: 100 })).toEqual({ a: 1, c: 0.5 });
    expect(residualCoefficients({ arch: 'res', alpha: 1, ascale: 'sqrtL', depth: 100 })).toEqual({ a: 1, c: 0.1 });
    expect(residualCoefficients({ arch: 'res', alpha: 2, ascale: 'L', depth: 200 })).toEqual({ a: 1, c: 0.01 });
    expect(residualCoefficients({ arch: 'res', alpha: 1, ascale: 'sqrtL', depth: 200 }).c).toBe(1 / Math.sqrt(200));
    expect(residualCoefficients({ arch: 'res', alpha: 3, ascale: 'sqrtL', depth: 1 })).toEqual({ a: 1, c: 3 });
    expect(residualCoefficients({ arch: 'res', alpha: 0, ascale: 'L', depth: 5 })).toEqual({ a: 1, c: 0 });
  });
});

describe('sparseKeepThreshold', () => {
  it('has the contracted values', () => {
    expect(sparseKeepThreshold(0.5)).toBe(2147483648);
    expect(sparseKeepThreshold(1)).toBe(4294967296);
    expect(sparseKeepThreshold(0.01)).toBe(42949672);
    expect(sparseKeepThreshold(0.1)).toBe(429496729);
    expect(sparseKeepThreshold(0.25)).toBe(1073741824);
  });

  it('stays a valid uint32 threshold just below 1', () => {
    expect(sparseKeepThreshold(1 - Number.EPSILON / 2)).toBe(4294967295);
    expect(sparseKeepThreshold(0.9999999999)).toBe(Math.floor(0.9999999999 * 2 ** 32));
  });

  it('is monotone and within 2^-32 of p, so u < T keeps a fraction p of uniform uint32s', () => {
    let prev = 0;
    for (let i = 1; i <= 1000; i++) {
      const p = i / 1000;
      const t = sparseKeepThreshold(p);
      expect(Number.isInteger(t)).toBe(true);
      expect(t).toBeGreaterThanOrEqual(prev);
      expect(Math.abs(t / 2 ** 32 - p)).toBeLessThanOrEqual(2 ** -32);
      prev = t;
    }
  });

  it('keeps every uint32 at p = 1 and none at p = 0', () => {
    const t = sparseKeepThreshold(1);
    expect(0xffffffff < t).toBe(true);
    expect(sparseKeepThreshold(0)).toBe(0);
    expect(sparseKeepThreshold(NaN)).toBe(0);
  });
});
