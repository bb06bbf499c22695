import { describe, expect, it } from 'vitest';
import { halfNormalMoment, powerKernel } from '../../../src/math/gaussian';
import { lgamma } from '../../../src/math/gamma';
import { gaussLegendre } from '../../../src/theory/quadrature';

/** 2F1(a, b; c; z) by its power series (|z| < 1; z <= 0.81 here, so 4000 terms are plenty). */
function hypergeometric(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 4000; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (Math.abs(term) < 1e-18 * Math.abs(sum)) break;
  }
  return sum;
}

/** The Mehler/Hermite form of k_a(r) (docs/THEORY.md 5.9), an independent reference for |r| < 1. */
function kernelBySeries(a: number, r: number): number {
  const g1 = Math.exp(2 * lgamma((a + 1) / 2));
  const g2 = Math.exp(2 * lgamma(a / 2 + 1));
  return (2 ** a / (4 * Math.PI)) * (g1 * hypergeometric(-a / 2, -a / 2, 0.5, r * r) + 2 * r * g2 * hypergeometric((1 - a) / 2, (1 - a) / 2, 1.5, r * r));
}

/** E[X_+^a Y_+^a] by a 2-D product Gauss-Legendre rule in (x, y) on the positive quadrant (reference). */
function kernelByQuadrature(a: number, r: number): number {
  const { x: gx, w: gw } = gaussLegendre(20);
  const panels: [number, number][] = [];
  const edges = [0, 1e-6, 1e-4, 1e-2, 0.1, 0.3, 0.6, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10, 12];
  for (let i = 0; i + 1 < edges.length; i++) panels.push([edges[i]!, edges[i + 1]!]);
  const nodes: { v: number; w: number }[] = [];
  for (const [lo, hi] of panels) for (let j = 0; j < gx.length; j++) nodes.push({ v: lo + ((hi - lo) * (gx[j]! + 1)) / 2, w: ((hi - lo) / 2) * gw[j]! });
  const s = 1 - r * r;
  let sum = 0;
  for (const p of nodes)
    for (const q of nodes) {
      const density = Math.exp(-(p.v * p.v - 2 * r * p.v * q.v + q.v * q.v) / (2 * s)) / (2 * Math.PI * Math.sqrt(s));
      sum += p.w * q.w * (p.v * q.v) ** a * density;
    }
  return sum;
}

describe('half-normal moments K_s', () => {
  it('match the sanity values and the elementary cases', () => {
    expect(halfNormalMoment(0.75)).toBeCloseTo(0.398629357, 9);
    expect(halfNormalMoment(1.5)).toBeCloseTo(0.4300199937, 9);
    expect(halfNormalMoment(-0.5)).toBeCloseTo(0.8600399873, 9);
    expect(halfNormalMoment(0)).toBe(0.5);
    expect(halfNormalMoment(2)).toBeCloseTo(0.5, 14);
    expect(halfNormalMoment(1)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 14);
    expect(halfNormalMoment(4)).toBeCloseTo(1.5, 13);
    expect(halfNormalMoment(-1)).toBe(Infinity);
  });
});

describe('power kernel k_a(r) = E[X_+^a Y_+^a]', () => {
  it('matches the sanity values of the relupow kernel', () => {
    expect(powerKernel(0.75, 0.5)).toBeCloseTo(0.2765240615, 9);
    expect(powerKernel(0.75, -0.5)).toBeCloseTo(0.0644334271, 9);
    expect(powerKernel(0.75, 1)).toBeCloseTo(0.4300199937, 9);
    expect(powerKernel(2, 1)).toBeCloseTo(1.5, 12);
  });

  it('reduces to the arc-cosine kernels of Cho & Saul at a = 0, 1, 2', () => {
    for (const r of [-0.9, -0.5, 0, 0.2, 0.7, 0.95, 0.999999]) {
      const theta = Math.acos(r);
      const j2 = 3 * Math.sin(theta) * Math.cos(theta) + (Math.PI - theta) * (1 + 2 * Math.cos(theta) ** 2);
      expect(powerKernel(2, r) / (j2 / (2 * Math.PI)) - 1, `r=${r}`).toBeLessThan(1e-12);
      expect(Math.abs(powerKernel(2, r) / (j2 / (2 * Math.PI)) - 1), `r=${r}`).toBeLessThan(1e-12);
      // The generic integral at a slightly off 1 and 0 agrees with the closed forms used at exactly 1 and 0.
      const j1 = (Math.sin(theta) + (Math.PI - theta) * r) / (2 * Math.PI);
      expect(Math.abs(powerKernel(1 + 1e-9, r) / j1 - 1), `r=${r}`).toBeLessThan(1e-7);
      expect(Math.abs(powerKernel(1e-9, r) / (0.25 + Math.asin(r) / (2 * Math.PI)) - 1), `r=${r}`).toBeLessThan(1e-7);
    }
  });

  it('agrees with the hypergeometric series and with a 2-D quadrature, for fractional powers and both signs of r', () => {
    for (const a of [-0.25, 0.5, 0.75, 1.5, 2.5, 3])
      for (const r of [-0.9, -0.5, 0, 0.2, 0.7, 0.9]) {
        expect(Math.abs(powerKernel(a, r) / kernelBySeries(a, r) - 1), `a=${a} r=${r}`).toBeLessThan(1e-10); // the series cancels at r < 0
        // The product rule is inaccurate for the singular (xy)^a of a < 0 at the origin.
        if (a > 0) expect(Math.abs(powerKernel(a, r) / kernelByQuadrature(a, r) - 1), `a=${a} r=${r}`).toBeLessThan(2e-8);
      }
  });

  it('is continuous into r = 1, where it is K_{2a}, approaching it like (1 - r)^min(1, a + 1/2)', () => {
    for (const a of [-0.25, 0.6, 1.5, 3]) {
      const edge = halfNormalMoment(2 * a);
      const deficit = (eps: number) => edge - powerKernel(a, 1 - eps);
      expect(deficit(1e-6), `a=${a}`).toBeGreaterThan(0);
      // Below a = 1/2 the non-analytic (1 - r)^{a + 1/2} term leads: halving 1 - r scales the deficit by 2^-(a + 1/2).
      if (a < 0.5) expect(Math.log2(deficit(1e-8) / deficit(2e-8)) + (a + 0.5), `a=${a}`).toBeCloseTo(0, 2);
      expect(Math.abs(powerKernel(a, 1 - 1e-12) / edge - 1), `a=${a}`).toBeLessThan(a > 0 ? 1e-6 : 1e-3);
    }
  });
});
