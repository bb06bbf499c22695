import { describe, expect, it } from 'vitest';
import { digamma } from '../../../src/math/gamma';
import { topExponentMeanField } from '../../../src/theory/meanfield';
import { reluExactSpectrum, reluLargeN, reluRankDistribution, reluRankProbability } from '../../../src/theory/relu-exact';
import { triangleT } from '../../../src/theory/gaussian-product';

describe('exact zero-bias ReLU spectrum (docs/THEORY.md 5.2, table of section 6)', () => {
  it('N = 16, He: lambda_1..4', () => {
    const { lambda } = reluExactSpectrum(16, 2, 4);
    [-0.08819866, -0.1746343, -0.28075843, -0.41125919].forEach((w, i) => expect(Math.abs(lambda[i]! - w)).toBeLessThan(1e-7));
  });
  it('N = 64, He: lambda_1, lambda_2, lambda_10, lambda_20', () => {
    const { lambda } = reluExactSpectrum(64, 2);
    expect(lambda.length).toBe(64);
    [
      [1, -0.0200543],
      [2, -0.03674056],
      [10, -0.19587771],
      [20, -0.52375982],
    ].forEach(([k, w]) => expect(Math.abs(lambda[k! - 1]! - w!)).toBeLessThan(1e-7));
  });
  it('against a direct binomial sum, and the rank probabilities P(K >= k)', () => {
    const N = 10;
    const { lambda, pRankAtLeast } = reluExactSpectrum(N, 1.7);
    let binom = 1; // C(N, j) built up
    const p: number[] = [];
    for (let j = 0; j <= N; j++) {
      p.push(binom / 2 ** N);
      binom = (binom * (N - j)) / (j + 1);
    }
    for (let k = 1; k <= N; k++) {
      let pk = 0;
      let e = 0;
      for (let j = k; j <= N; j++) {
        pk += p[j]!;
        e += p[j]! * digamma((j - k + 1) / 2);
      }
      expect(pRankAtLeast[k - 1]).toBeCloseTo(pk, 14);
      expect(lambda[k - 1]).toBeCloseTo(0.5 * (Math.log((2 * 1.7) / N) + e / pk), 13);
    }
    expect(pRankAtLeast[0]).toBeCloseTo(1 - 2 ** -N, 14);
  });
  it('exponents beyond N are -Infinity with probability 0; large N does not underflow', () => {
    const r = reluExactSpectrum(3, 2, 5);
    expect(r.lambda[3]).toBe(-Infinity);
    expect(r.pRankAtLeast[4]).toBe(0);
    const big = reluExactSpectrum(1500, 2, 1500);
    expect(Number.isFinite(big.lambda[1499]!)).toBe(true); // P(K = 1500) = 2^-1500 underflows
  });
  it('top exponent matches the 1/N-corrected mean field -5/(4N) to O(1/N^2)', () => {
    for (const N of [64, 256]) {
      const exact = reluExactSpectrum(N, 2, 1).lambda[0]!;
      const mf = topExponentMeanField('relu', 2, 0, N)!.lambda1Corrected!;
      expect(Math.abs(exact - mf)).toBeLessThan(2.5 / N ** 2);
    }
  });
  it('large-N law (1/2) log(sw2 (t - 1/2)) for t > 1/2', () => {
    expect(reluLargeN(2, 1)).toBeCloseTo(0, 15);
    expect(reluLargeN(2, 0.5)).toBe(-Infinity);
    const N = 1024;
    const { lambda } = reluExactSpectrum(N, 2, 400);
    for (let k = 1; k <= 400; k += 21) expect(Math.abs(lambda[k - 1]! - reluLargeN(2, triangleT(k, N)))).toBeLessThan(0.01);
  });
});

describe('rank of a deep ReLU Jacobian: min_l K_l', () => {
  it('P(rank >= k) = P(K >= k)^L; sheet values at N = 64, L = 50', () => {
    expect(reluRankProbability(64, 50, 20)).toBeCloseTo(0.96, 2);
    const p30 = reluRankProbability(64, 50, 30);
    expect(p30).toBeGreaterThan(1.5e-7);
    expect(p30).toBeLessThan(2.5e-7);
    const pk = reluExactSpectrum(64, 2).pRankAtLeast[29]!;
    expect(p30 / pk ** 50).toBeCloseTo(1, 12);
    expect(reluRankProbability(64, 50, 0)).toBe(1);
    expect(reluRankProbability(64, 50, 65)).toBe(0);
  });
  it('distribution sums to 1 and its tails reproduce P(rank >= k)', () => {
    for (const [N, L] of [
      [16, 1],
      [16, 200],
      [64, 50],
    ] as const) {
      const d = reluRankDistribution(N, L);
      expect(d.length).toBe(N + 1);
      expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 13);
      expect(d.every((v) => v >= 0)).toBe(true);
      let tail = 0;
      for (let k = N; k >= 1; k--) {
        tail += d[k]!;
        const want = reluRankProbability(N, L, k);
        expect(Math.abs(tail - want)).toBeLessThan(1e-14 + 1e-12 * want);
      }
    }
    // L = 1: the rank is K itself, Binomial(16, 1/2).
    expect(reluRankDistribution(16, 1)[8]).toBeCloseTo(12870 / 65536, 14);
  });
});
