import { describe, expect, it } from 'vitest';
import { cabs, cadd, cdiv, cexp, clog, cmul, cpow, csqrt, csub, cx, type Complex } from '../../../src/theory/complex';

const near = (a: Complex, b: Complex, tol: number) => cabs(csub(a, b)) <= tol * Math.max(1, cabs(b));
const SAMPLES: Complex[] = [cx(1.5, -0.25), cx(-2, 3), cx(-0.7, -1e-9), cx(1e-8, 2e-8), cx(3e5, -4e5)];

describe('complex arithmetic', () => {
  it('multiplication and division are inverse, also for large and tiny moduli', () => {
    for (const a of SAMPLES) for (const b of SAMPLES) expect(near(cmul(cdiv(a, b), b), a, 1e-14)).toBe(true);
    expect(cdiv(cx(1), cx(1e200, 1e200)).re * 1e200).toBeCloseTo(0.5, 14);
  });
  it('exp(log z) = z and log is the principal branch (arg in (-pi, pi])', () => {
    for (const a of SAMPLES) expect(near(cexp(clog(a)), a, 1e-14)).toBe(true);
    expect(clog(cx(-1, 0)).im).toBeCloseTo(Math.PI, 15);
    expect(clog(cx(-1, -1e-300)).im).toBeCloseTo(-Math.PI, 15);
  });
  it('principal power and square root', () => {
    for (const a of SAMPLES) {
      const r = csqrt(a);
      expect(near(cmul(r, r), a, 1e-14)).toBe(true);
      expect(r.re).toBeGreaterThanOrEqual(0);
      expect(near(cpow(a, 0.5), r, 1e-13)).toBe(true);
      expect(near(cpow(cpow(a, 1 / 3), 3), a, 1e-13)).toBe(true);
    }
    // The L-th root of a point just above the negative axis has argument ~ pi/L (continuity used in 5.6).
    const y = cpow(cx(-8, 1e-12), 1 / 3);
    expect(near(y, cx(1, Math.sqrt(3)), 1e-12)).toBe(true);
    expect(near(cadd(cx(1, 2), cx(3, -5)), cx(4, -3), 0)).toBe(true);
  });
});
