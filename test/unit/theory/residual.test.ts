import { describe, expect, it } from 'vitest';
import {
  chiBarFromMeanField,
  hasResidualOutlier,
  linearResidualSpectrum,
  linearResidualTopExponent,
  smallCSpectrum,
  tarnowskiDensity,
  tarnowskiDensityAt,
  tarnowskiEdges,
  tarnowskiMoments,
} from '../../../src/theory/residual';

describe('5.7a exact top exponent of linear residual nets', () => {
  it.each([
    [4, 1, 0.2406164345],
    [16, 0.1, 0.0043586619],
    [16, 0.5, 0.1000962027],
    [32, 0.1, 0.0046671026],
    [64, 0.1, 0.0048211812],
    [64, 0.5, 0.1087455503],
  ])('N=%i, c=%f', (N, c, value) => {
    expect(Math.abs(linearResidualTopExponent(N, c, 1) - value)).toBeLessThan(1e-9);
  });
  it('uses c^2 sw2 (a c sw2 variant would miss by far more than 1e-9)', () => {
    expect(Math.abs(linearResidualTopExponent(16, 0.5, 1) - linearResidualTopExponent(16, Math.sqrt(0.5), 1))).toBeGreaterThan(0.01);
    expect(linearResidualTopExponent(16, 0.5, 4)).toBeCloseTo(linearResidualTopExponent(16, 1, 1), 12);
    expect(linearResidualTopExponent(16, 0, 1)).toBe(0);
  });
  it('tends to (1/2) log(1 + c^2 sw2) as N grows', () => {
    expect(linearResidualTopExponent(20000, 0.5, 1)).toBeCloseTo(0.5 * Math.log(1.25), 4);
  });
});

describe('5.7b small-c spectrum', () => {
  it('is (c^2 chiBar/2)(1 - 2i/N) and sums to about -c^2 chiBar/2', () => {
    const s = smallCSpectrum(32, 32, 0.1, 1);
    expect(s[0]).toBeCloseTo(0.005 * (1 - 2 / 32), 15);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(-0.005, 12);
  });
  it('chiBar of a linear net is sw2', () => {
    expect(chiBarFromMeanField('linear', 1.3, 0, 0.1, 50)).toBeCloseTo(1.3, 12);
  });
});

describe('5.7c linear residual spectrum at N -> infinity', () => {
  it('matches the sheet inside (0, 1) for c = 0.5', () => {
    const [l5, l01] = linearResidualSpectrum(0.5, 1, [0.5, 0.01]);
    expect(Math.abs(l5! - 0.0076355) ).toBeLessThan(1e-7);
    expect(Math.abs(l01! + 0.13997691)).toBeLessThan(1e-7);
  });
  it('reaches (1/2) log(1 + c^2 sw2) at t = 1 continuously', () => {
    // The sheet lists lambda(1) = 0.11155800 (c = 0.5) and 0.0050228379 (c = 0.1); S(0) = 1/E[A^T A]
    // and the exact finite-N values of 5.7a (extrapolated in 1/N) both give (1/2) log(1 + c^2 sw2).
    for (const c of [0.5, 0.1]) {
      const [near, top] = linearResidualSpectrum(c, 1, [1 - 1e-7, 1]);
      expect(top).toBeCloseTo(0.5 * Math.log1p(c * c), 15);
      expect(Math.abs(near! - top!)).toBeLessThan(1e-6);
    }
  });
  it('has mean 0 over t when c sqrt(sw2) < 1 (det of I + cW is ~1 on average in log)', () => {
    const n = 400;
    const ts = Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    const lam = linearResidualSpectrum(0.5, 1, ts);
    expect(Math.abs(lam.reduce((a, b) => a + b, 0) / n)).toBeLessThan(2e-3);
  });
});

describe('5.7d Tarnowski universal ResNet density', () => {
  it.each([
    [0.25, 0.23618328, 4.23400003, 0.44099177],
    [1, 0.04740589, 21.09442325, 0.20794268],
    [4, 0.00075303, 1327.97586, 0.08569491],
  ])('a = %f: edges and rho(1)', (a, lo, hi, rho1) => {
    const [x0, x1] = tarnowskiEdges(a);
    // To the digits the sheet prints (8 decimals, or 9 significant figures for the large edge).
    expect(Math.abs(x0 - lo)).toBeLessThan(5e-9);
    expect(Math.abs(x1 - hi)).toBeLessThan(5e-9 * Math.max(1, hi));
    expect(Math.abs(tarnowskiDensityAt(a, 1) - rho1)).toBeLessThan(1e-7);
  });
  it.each([0.25, 1, 2])('normalized, with moments e^a, e^{2a}(1+2a), e^{3a}(1+6a+6a^2) (a = %f)', (a) => {
    const { x, weight } = tarnowskiDensity(a, 200);
    const m = [0, 1, 2, 3].map((n) => x.reduce((acc, xi, i) => acc + weight[i]! * xi ** n, 0));
    expect(Math.abs(m[0]! - 1)).toBeLessThan(1e-6);
    const exact = tarnowskiMoments(a);
    for (let n = 1; n <= 3; n++) expect(Math.abs(m[n]! / exact[n - 1]! - 1)).toBeLessThan(1e-6);
  });
});

describe('5.7f outlier flag', () => {
  it('marks non-odd activations in residual nets only', () => {
    expect(hasResidualOutlier({ act: 'relu', arch: 'res' })).toBe(true);
    expect(hasResidualOutlier({ act: 'gelu', arch: 'res' })).toBe(true);
    expect(hasResidualOutlier({ act: 'tanh', arch: 'res' })).toBe(false);
    expect(hasResidualOutlier({ act: 'relu', arch: 'ff' })).toBe(false);
  });
});
