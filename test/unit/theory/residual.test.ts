import { describe, expect, it } from 'vitest';
import { digamma, lgamma } from '../../../src/math/gamma';
import { gaussLegendre } from '../../../src/theory/quadrature';
import {
  chiBarFromMeanField,
  hasResidualOutlier,
  linearResidualSpectrum,
  linearResidualTopExponent,
  residualOutlierExpected,
  residualOutlierLogGain,
  smallCSpectrum,
  tarnowskiDensity,
  tarnowskiDensityAt,
  tarnowskiEdges,
  tarnowskiMoments,
  tarnowskiParameter,
  tarnowskiParameterFromChi,
} from '../../../src/theory/residual';

/** Gauss-Legendre on (0, 1) in s with t = s^p (p > 1 clusters nodes at t = 0). */
function unitRule(n: number, p: number): { t: number[]; w: number[] } {
  const gl = gaussLegendre(n);
  const t: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = 0.5 * (gl.x[i]! + 1);
    t.push(s ** p);
    w.push(0.5 * gl.w[i]! * p * s ** (p - 1));
  }
  return { t, w };
}

describe('5.7a exact top exponent of linear residual nets', () => {
  const SHEET: [number, number, number][] = [
    [4, 1, 0.2406164345],
    [16, 0.1, 0.0043586619],
    [16, 0.5, 0.1000962027],
    [32, 0.1, 0.0046671026],
    [64, 0.1, 0.0048211812],
    [64, 0.5, 0.1087455503],
  ];
  it.each(SHEET)('N = %i, c = %f: sheet value to 1e-9', (N, c, v) => {
    expect(Math.abs(linearResidualTopExponent(N, c, 1) - v)).toBeLessThan(1e-9);
  });

  it('a variant with c in place of c^2 (noncentrality N/(2 c sw2)) misses every sheet value', () => {
    // The same series written out here, with the deliberate mistake: it must not pass the 1e-9 test.
    const wrong = (N: number, c: number) => {
      const v = c; // should be c^2 sw2
      const mu = N / (2 * v);
      let s = 0;
      let m = 0;
      for (let j = 0; j <= mu + 40 * Math.sqrt(mu) + 50; j++) {
        const p = Math.exp(-mu + j * Math.log(mu) - lgamma(j + 1));
        s += p * digamma(N / 2 + j);
        m += p;
      }
      return 0.5 * (Math.log((2 * v) / N) + s / m);
    };
    for (const [N, c, v] of SHEET) if (c !== 1) expect(Math.abs(wrong(N, c) - v)).toBeGreaterThan(1e-3);
    // ... while only c^2 sw2 enters the right one.
    expect(linearResidualTopExponent(16, 0.25, 4)).toBeCloseTo(linearResidualTopExponent(16, 0.5, 1), 13);
  });

  it('increases with N towards (1/2) log(1 + c^2 sw2), the N -> infinity value of 5.7c', () => {
    let prev = -Infinity;
    for (const N of [4, 16, 64, 256, 1024]) {
      const v = linearResidualTopExponent(N, 0.5, 1);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
    // O(1/N) approach: the 1/N-extrapolation of N = 2048, 4096 hits the limit to ~1e-7.
    const a = linearResidualTopExponent(2048, 0.5, 1);
    const b = linearResidualTopExponent(4096, 0.5, 1);
    expect(Math.abs(2 * b - a - linearResidualSpectrum(0.5, 1, [1])[0]!)).toBeLessThan(1e-6);
    expect(linearResidualTopExponent(16, 0, 1)).toBe(0);
  });
});

describe('5.7b small-c spectrum', () => {
  it('is (c^2 chiBar/2)(1 - 2i/N) for i = 1..k', () => {
    const s = smallCSpectrum(32, 5, 0.1, 0.8);
    expect(s.length).toBe(5);
    s.forEach((v, i) => expect(v).toBeCloseTo(0.004 * (1 - (2 * (i + 1)) / 32), 15));
    const full = smallCSpectrum(16, 16, 0.2, 1);
    expect(full.reduce((a, b) => a + b, 0)).toBeCloseTo(-0.02, 14);
  });
  it('chiBar: sw2 for linear nets, sw2/2 for ReLU, and the transient is skipped', () => {
    expect(chiBarFromMeanField('linear', 1.3, 0.2, 0.1, 50)).toBeCloseTo(1.3, 12);
    expect(chiBarFromMeanField('relu', 2, 0, 0.1, 50, 10)).toBeCloseTo(1, 12);
    // tanh: q_l grows, chi_l falls, so skipping early layers lowers the mean.
    expect(chiBarFromMeanField('tanh', 1, 0, 0.5, 100, 50)).toBeLessThan(chiBarFromMeanField('tanh', 1, 0, 0.5, 100));
  });
  it('agrees with the N -> infinity spectrum (5.7c) to O(c^4): c^2 sw2 (t - 1/2)', () => {
    const c = 0.02;
    const ts = [0.9, 0.6, 0.2];
    const lam = linearResidualSpectrum(c, 1.5, ts);
    ts.forEach((t, i) => expect(Math.abs(lam[i]! - c * c * 1.5 * (t - 0.5))).toBeLessThan(5 * (c * c * 1.5) ** 2));
  });
});

describe('5.7c linear residual spectrum, N -> infinity', () => {
  it('c = 0.5: lambda(0.5), lambda(0.01) from the sheet to 1e-8', () => {
    const [a, b] = linearResidualSpectrum(0.5, 1, [0.5, 0.01]);
    expect(Math.abs(a! - 0.0076355)).toBeLessThan(1e-8);
    expect(Math.abs(b! + 0.13997691)).toBeLessThan(1e-8);
  });
  it('lambda(1) is the limit t -> 1, (1/2) log(1 + c^2 sw2) = (1/2) log E[A^T A]', () => {
    for (const [c, sw2] of [
      [0.5, 1],
      [0.1, 1],
      [0.3, 2],
    ] as const) {
      const [top, near] = linearResidualSpectrum(c, sw2, [1, 1 - 1e-9]);
      expect(top).toBeCloseTo(0.5 * Math.log1p(c * c * sw2), 15);
      expect(Math.abs(near! - top!)).toBeLessThan(1e-7);
    }
    // The sheet prints 0.11155800 (c = 0.5) and 0.0050228379 (c = 0.1): 1.4e-5 and 4.8e-5 off this limit.
    expect(Math.abs(linearResidualSpectrum(0.5, 1, [1])[0]! - 0.111558)).toBeGreaterThan(1e-5);
  });
  it('depends on c and sw2 only through c^2 sw2 and decreases in t', () => {
    const ts = [0.95, 0.7, 0.3, 0.05];
    const a = linearResidualSpectrum(0.5, 1, ts);
    const b = linearResidualSpectrum(0.25, 4, ts);
    ts.forEach((_, i) => expect(a[i]).toBeCloseTo(b[i]!, 12));
    for (let i = 1; i < ts.length; i++) expect(a[i]!).toBeLessThan(a[i - 1]!);
  });
  it('averages to E log|1 + c omega| over the circular law: 0 for c sqrt(sw2) < 1, log r - 1/2 + 1/(2 r^2) above', () => {
    const { t, w } = unitRule(64, 3);
    const mean = (c: number, sw2: number) => linearResidualSpectrum(c, sw2, t).reduce((s, l, i) => s + w[i]! * l, 0);
    expect(Math.abs(mean(0.5, 1))).toBeLessThan(1e-9);
    expect(Math.abs(mean(0.3, 2))).toBeLessThan(1e-9);
    const r = 1.5;
    expect(Math.abs(mean(1.5, 1) - (Math.log(r) - 0.5 + 1 / (2 * r * r)))).toBeLessThan(1e-5);
  });
});

/**
 * Independent Tarnowski solver: along the ray z = -1/2 + R e^{-i phi}, Im F = 0 reads
 * arg((1+z)/z) = -2a Im z, which has exactly one root R (the angle subtended by [-1, 0] falls with R).
 * Each phi in (0, pi) gives a point (x, rho) of the curve, with no continuation at all.
 */
function tarnowskiPoint(a: number, phi: number): { x: number; rho: number } {
  const at = (R: number) => {
    const zr = -0.5 + R * Math.cos(phi);
    const zi = -R * Math.sin(phi);
    // (1+z)/z = 1 + conj(z)/|z|^2
    const n2 = zr * zr + zi * zi;
    const wr = 1 + zr / n2;
    const wi = -zi / n2;
    return { g: Math.atan2(wi, wr) + 2 * a * zi, zr, zi, wr, wi };
  };
  let lo = 0;
  let hi = Math.PI / (2 * a * Math.sin(phi)) + 1;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (at(mid).g > 0) lo = mid;
    else hi = mid;
  }
  const { zr, zi, wr, wi } = at(0.5 * (lo + hi));
  const x = Math.hypot(wr, wi) * Math.exp(a * (1 + 2 * zr));
  return { x, rho: -zi / (Math.PI * x) };
}

describe('5.7d Tarnowski universal ResNet density', () => {
  it.each([
    [0.25, 0.23618328, 4.23400003, 0.44099177],
    [1, 0.04740589, 21.09442325, 0.20794268],
    [4, 0.00075303, 1327.97586, 0.08569491],
  ])('a = %f: edges and rho(1) as on the sheet', (a, lo, hi, rho1) => {
    const [x0, x1] = tarnowskiEdges(a);
    expect(Math.abs(x0 - lo)).toBeLessThan(5e-9);
    expect(Math.abs(x1 / hi - 1)).toBeLessThan(5e-9);
    expect(Math.abs(tarnowskiDensityAt(a, 1) - rho1)).toBeLessThan(1e-8);
  });

  it.each([0.05, 0.25, 1, 4, 12])('a = %f: rho(x) matches the ray parametrization across the support', (a) => {
    const [lo, hi] = tarnowskiEdges(a);
    for (const phi of [1e-3, 0.05, 0.3, 1, 1.5, 2, 2.6, 3, Math.PI - 1e-3]) {
      const { x, rho } = tarnowskiPoint(a, phi);
      expect(x > lo && x < hi).toBe(true);
      expect(Math.abs(tarnowskiDensityAt(a, x) / rho - 1), `phi=${phi} x=${x}`).toBeLessThan(1e-8);
    }
    expect(tarnowskiDensityAt(a, lo * 0.999)).toBe(0);
    expect(tarnowskiDensityAt(a, hi * 1.001)).toBe(0);
  });

  it.each([0.25, 1, 2, 4])('a = %f: the computed density has mass 1 and moments e^a, e^{2a}(1+2a), e^{3a}(1+6a+6a^2) to 1e-6', (a) => {
    const { x, rho, weight } = tarnowskiDensity(a, 400);
    expect(x.length).toBe(400);
    for (let i = 0; i < x.length; i++) expect(rho[i]).toBeGreaterThanOrEqual(0);
    const m = [0, 1, 2, 3].map((n) => x.reduce((s, xi, i) => s + weight[i]! * xi ** n, 0));
    expect(Math.abs(m[0]! - 1)).toBeLessThan(1e-6);
    tarnowskiMoments(a).forEach((v, n) => expect(Math.abs(m[n + 1]! / v - 1), `m${n + 1}`).toBeLessThan(1e-10));
  });

  it('moments at a = 1 are e, 3e^2, 13e^3', () => {
    const [m1, m2, m3] = tarnowskiMoments(1);
    expect(m1).toBeCloseTo(2.7182818, 7);
    expect(m2).toBeCloseTo(22.167168, 6);
    expect(m3).toBeCloseTo(261.11198, 5);
  });

  it('a from the mean-field trajectory: 0.4326 (tanh sw2 = 1) and 0.903 (sw2 = 4) at L = 100, c = 0.1', () => {
    expect(Math.abs(tarnowskiParameter('tanh', 1, 0, 0.1, 100) - 0.4326)).toBeLessThan(1e-4);
    expect(Math.abs(tarnowskiParameter('tanh', 4, 0, 0.1, 100) - 0.903)).toBeLessThan(1e-3);
    // Constant chi (linear): a = alpha0^2 chi with c = alpha0/sqrt(L).
    expect(tarnowskiParameter('linear', 1.5, 0, 2 / Math.sqrt(64), 64)).toBeCloseTo(tarnowskiParameterFromChi(2, 1.5), 12);
    expect(tarnowskiParameterFromChi(2, 1.5)).toBe(6);
  });
});

describe('5.7f outlier for non-odd activations', () => {
  it('is flagged for residual nets with non-odd activations only', () => {
    for (const act of ['relu', 'gelu', 'silu', 'sigmoid', 'selu'] as const) {
      expect(hasResidualOutlier({ act, arch: 'res' })).toBe(true);
      expect(hasResidualOutlier({ act, arch: 'ff' })).toBe(false);
    }
    for (const act of ['linear', 'tanh', 'erf', 'hardtanh'] as const) expect(hasResidualOutlier({ act, arch: 'res' })).toBe(false);
  });
  it('ReLU, sw2 = 2, c = 0.1, L = 100: mean-field |x_L|^2/|x_0|^2 ~ 2.2e4 (sheet)', () => {
    const g = residualOutlierLogGain('relu', 2, 0, 0.1, 100);
    expect(Math.abs(Math.exp(2 * g) / 2.2e4 - 1)).toBeLessThan(0.01);
    const e = residualOutlierExpected('relu', 2, 0, 0.1, 100);
    expect(e.expected).toBe(true);
    expect(e.logGain).toBeCloseTo(g, 14);
    expect(e.perLayer).toBeCloseTo(g / 100, 14);
    // Far above the bulk top exponent (about c^2 chi/2 = 0.005 per layer).
    expect(e.perLayer).toBeGreaterThan(0.02);
    expect(residualOutlierExpected('tanh', 1, 0, 0.1, 100).expected).toBe(false);
  });
});
