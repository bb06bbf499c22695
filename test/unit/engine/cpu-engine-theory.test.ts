/**
 * The float64 CPU engine against exact results (docs/THEORY.md sections 5.1, 5.2, 5.3, 5.4, 5.7a).
 * Pass rules are 4 standard errors, as in the reference protocol; each test notes a wrong variant
 * that it was checked to reject.
 */
import { describe, expect, it } from 'vitest';
import { newmanSpectrum } from '../../../src/theory/gaussian-product';
import { reluExactSpectrum } from '../../../src/theory/relu-exact';
import { topExponentMeanField } from '../../../src/theory/meanfield';
import { linearResidualTopExponent } from '../../../src/theory/residual';
import { maxZ, runCpu } from './run-helpers';

describe('CPU engine vs exact theory', () => {
  it('Gaussian linear network: every exponent within 4 SE of Newman (N=16, L=200, S=64)', async () => {
    // A 2% error in sw2 shifts every exponent by 0.01 = ~10 SE here and fails.
    const snap = await runCpu('act=linear&width=16&depth=200&samples=64&sw2=1.3&seed=11');
    const exact = newmanSpectrum(16, 1.3);
    const { maxZ: z, tested } = maxZ(snap, exact);
    expect(tested).toBe(16);
    expect(z).toBeLessThan(4);
    expect(snap.rankHistogram).toEqual({ '16': 64 });
  });

  it('Gaussian linear with k < N and a burn-in stays unbiased', async () => {
    const snap = await runCpu('act=linear&width=24&k=6&depth=120&transient=20&samples=48&sw2=1&seed=3');
    const exact = newmanSpectrum(24, 1, 6);
    const { maxZ: z, tested } = maxZ(snap, exact);
    expect(tested).toBe(6);
    expect(z).toBeLessThan(4);
    expect(snap.logSingularValues).toBeNull();
    expect(snap.logSingularValuesNote).toMatch(/k = N/);
  });

  it('ReLU, zero bias: conditional exponents, rank statistics and -Infinity (N=16, L=100, S=300)', async () => {
    const snap = await runCpu('act=relu&width=16&depth=100&samples=300&sw2=2&sb2=0&seed=5');
    const exact = reluExactSpectrum(16, 2);
    const { maxZ: z, tested } = maxZ(snap, exact.lambda);
    expect(tested).toBeGreaterThanOrEqual(4);
    expect(z).toBeLessThan(4);
    // Rank = number of finite exponents = min_l K_l; P(rank >= r) = P(K >= r)^L.
    const samples = snap.perSample!;
    for (const s of samples) {
      const finite = s.exponents.filter((v) => v !== null).length;
      expect(finite).toBe(s.rank);
      // -Infinity only at the bottom: the finite ones are exactly the first `rank` indices.
      expect(s.exponents.slice(0, s.rank).every((v) => v !== null)).toBe(true);
      expect(s.exponents.every((v) => v === null || Number.isFinite(v))).toBe(true);
    }
    for (const r of [4, 5, 6]) {
      const expected = exact.pRankAtLeast[r - 1]! ** 100;
      const observed = samples.filter((s) => s.rank >= r).length / samples.length;
      const se = Math.sqrt((expected * (1 - expected)) / samples.length) + 1e-3;
      expect(Math.abs(observed - expected)).toBeLessThan(4 * se);
    }
    expect(snap.exponents.mean[15]).toBeNull();
    expect(snap.exponents.count[15]).toBe(0);
  });

  it('Fuss-Catalan: moments of pooled squared singular values for N=64, L=3', async () => {
    // x = sigma^2 of W_3 W_2 W_1 with unit variance scaling has Fuss-Catalan(s=3) moments 1, 4, 22.
    const snap = await runCpu('act=linear&width=64&depth=3&samples=40&sw2=1&seed=17');
    const xs = snap.perSample!.flatMap((s) => s.logSingularValues!.map((v) => Math.exp(2 * v!)));
    const moment = (n: number) => xs.reduce((acc, x) => acc + x ** n, 0) / xs.length;
    expect(Math.abs(moment(1) / 1 - 1)).toBeLessThan(0.02);
    expect(Math.abs(moment(2) / 4 - 1)).toBeLessThan(0.05);
    expect(Math.abs(moment(3) / 22 - 1)).toBeLessThan(0.1);
    // L = 2 moments (3 for the second) would fail the m2 check by 25%.
  });

  it('mean-field chi_1: the 1/N-corrected top exponent, tanh sw2=2, N=64 (burn-in 100)', async () => {
    const snap = await runCpu('act=tanh&width=64&k=4&depth=500&transient=100&samples=12&sw2=2&sb2=0&seed=21');
    const mf = topExponentMeanField('tanh', 2, 0, 64)!;
    expect(mf.lambda1Corrected).toBeCloseTo(0.03800142, 6);
    const mean = snap.exponents.mean[0]!;
    const sem = snap.exponents.sem[0]!;
    // docs/THEORY.md 5.4: the corrected formula is good to ~0.005 at N >= 64.
    expect(Math.abs(mean - mf.lambda1Corrected!)).toBeLessThan(4 * sem + 0.005);
  });

  it('linear residual network: exact top exponent (N=16, c=0.5)', async () => {
    const snap = await runCpu('act=linear&arch=res&alpha=0.5&ascale=const&width=16&k=2&depth=200&samples=64&sw2=1&seed=8');
    const exact = linearResidualTopExponent(16, 0.5, 1);
    expect(exact).toBeCloseTo(0.1000962027, 9);
    const { maxZ: z } = maxZ(snap, [exact], 30);
    expect(z).toBeLessThan(4);
  });

  it('orthogonal linear network: every exponent is exactly (1/2) log sw2', async () => {
    const snap = await runCpu('act=linear&weights=orth&width=12&depth=40&samples=3&sw2=1.7&seed=2');
    for (const m of snap.exponents.mean) expect(m!).toBeCloseTo(0.5 * Math.log(1.7), 12);
  });
});
