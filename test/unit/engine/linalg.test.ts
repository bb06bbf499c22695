import { describe, expect, it } from 'vitest';
import { formQ, haarColumns, householderQR, matmulWQ } from '../../../src/engine/cpu/linalg';
import { fillGaussian, STREAM_TAG } from '../../../src/engine/rng';

function gaussian(len: number, layer = 1): Float64Array {
  const a = new Float64Array(len);
  fillGaussian(a, 0, 0, len, { seed: 99, sample: 0, layer, tag: STREAM_TAG.weights });
  return a;
}

describe('matmulWQ', () => {
  it.each([
    [1, 1],
    [5, 3],
    [8, 8],
    [13, 7],
    [16, 16],
    [33, 5],
  ])('matches the naive product for N=%i, k=%i', (n, k) => {
    const w = gaussian(n * n, 1);
    const q = gaussian(n * k, 2);
    const out = new Float64Array(n * k);
    matmulWQ(w, q, out, n, k);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += w[i * n + t]! * q[j * n + t]!;
        expect(out[j * n + i]).toBeCloseTo(s, 12);
      }
  });
});

/** Z = Q R and Q^T Q = I to float64 precision. */
function checkQR(z0: Float64Array, n: number, k: number) {
  const z = Float64Array.from(z0);
  const tau = new Float64Array(n);
  householderQR(z, tau, n, k);
  const q = new Float64Array(n * k);
  formQ(z, tau, q, n, k);
  let maxOrth = 0;
  let maxRecon = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[a * n + i]! * q[b * n + i]!;
      maxOrth = Math.max(maxOrth, Math.abs(s - (a === b ? 1 : 0)));
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t <= a; t++) s += q[t * n + i]! * z[a * n + t]!; // R[t][a] = z[a*n + t]
      maxRecon = Math.max(maxRecon, Math.abs(s - z0[a * n + i]!));
    }
  }
  return { maxOrth, maxRecon, z, q };
}

describe('Householder QR', () => {
  it.each([
    [6, 6],
    [16, 16],
    [32, 7],
    [9, 1],
  ])('factorizes a Gaussian panel N=%i, k=%i', (n, k) => {
    const { maxOrth, maxRecon } = checkQR(gaussian(n * k), n, k);
    expect(maxOrth).toBeLessThan(1e-14);
    expect(maxRecon).toBeLessThan(1e-13);
  });

  it('gives exact zeros, not NaN, on an exactly singular panel (ReLU-like zero rows)', () => {
    const n = 12;
    const z0 = gaussian(n * n);
    // Zero half of the rows, as D = diag(relu') does: rank 6.
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i += 2) z0[j * n + i] = 0;
    const { maxOrth, maxRecon, z, q } = checkQR(z0, n, n);
    expect(q.every(Number.isFinite)).toBe(true);
    expect(maxOrth).toBeLessThan(1e-14);
    expect(maxRecon).toBeLessThan(1e-13);
    const diag = Array.from({ length: n }, (_, j) => Math.abs(z[j * n + j]!));
    expect(diag.slice(0, 6).every((d) => d > 1e-3)).toBe(true);
    expect(diag.slice(6).every((d) => d < 1e-13)).toBe(true);
  });

  it('handles an all-zero panel', () => {
    const n = 5;
    const { z, q } = checkQR(new Float64Array(n * n), n, n);
    for (let j = 0; j < n; j++) expect(z[j * n + j]).toBe(0);
    expect(q.every(Number.isFinite)).toBe(true);
  });
});

describe('haarColumns', () => {
  it('applies the sign fix: Q^T G has a positive diagonal', () => {
    const n = 10;
    const g0 = gaussian(n * n, 3);
    const q = new Float64Array(n * n);
    haarColumns(Float64Array.from(g0), new Float64Array(n), q, n, n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[j * n + i]! * g0[j * n + i]!;
      expect(s).toBeGreaterThan(0);
    }
  });

  it('is Haar: E[Q_11^2] = 1/N and E[Q_11] = 0 over many draws', () => {
    // Without the sign fix Q_11 = -sign(G_11)|...| is biased: E[Q_11] would be far from 0 relative to SE.
    const n = 4;
    const draws = 4000;
    let m1 = 0;
    let m2 = 0;
    const g = new Float64Array(n * n);
    const q = new Float64Array(n * n);
    const tau = new Float64Array(n);
    for (let d = 0; d < draws; d++) {
      fillGaussian(g, 0, 0, n * n, { seed: 5, sample: d, layer: 0, tag: STREAM_TAG.initialFrame });
      haarColumns(g, tau, q, n, n);
      m1 += q[0]!;
      m2 += q[0]! * q[0]!;
    }
    m1 /= draws;
    m2 /= draws;
    expect(Math.abs(m1)).toBeLessThan(4 * Math.sqrt(1 / n / draws));
    expect(Math.abs(m2 - 1 / n)).toBeLessThan(0.02);
  });
});
