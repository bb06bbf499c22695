import { describe, expect, it } from 'vitest';
import { digamma, trigamma } from '../../../src/math/gamma';
import { newmanLogDet, newmanSampleSd, newmanSpectrum, triangleLaw, triangleT } from '../../../src/theory/gaussian-product';

const expectAll = (got: ArrayLike<number>, want: number[], tol: number) =>
  want.forEach((w, i) => expect(Math.abs(got[i]! - w), `index ${i + 1}: ${got[i]} vs ${w}`).toBeLessThan(tol));

describe('Newman exact spectrum (docs/THEORY.md 5.1, table of section 6)', () => {
  it('N = 4, sigma^2 = 1 and 2', () => {
    expectAll(newmanSpectrum(4, 1), [-0.13518142, -0.3283286, -0.63518142, -1.3283286], 1e-7);
    expectAll(newmanSpectrum(4, 2), [0.21139217, 0.01824499, -0.28860783, -0.98175501], 1e-7);
  });
  it('N = 16: lambda_1, lambda_2, lambda_8, lambda_16 and the sum', () => {
    const l = newmanSpectrum(16, 1);
    expectAll([l[0]!, l[1]!, l[7]!, l[15]!], [-0.03190003, -0.06634203, -0.34528531, -2.02147578], 1e-7);
    expect(Math.abs(l.reduce((a, b) => a + b, 0) - -8.76350336)).toBeLessThan(1e-7);
  });
  it('N = 64: lambda_1 and lambda_64', () => {
    const l = newmanSpectrum(64, 1);
    expectAll([l[0]!, l[63]!], [-0.00785319, -2.71462296], 1e-7);
  });
  it('sum rule: sum_k lambda_k = E log|det W| = (N/2) log(2 sw2/N) + (1/2) sum psi(m/2)', () => {
    for (const [N, sw2] of [
      [4, 1],
      [16, 1],
      [16, 2.5],
      [64, 0.7],
    ] as const) {
      const sum = newmanSpectrum(N, sw2).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(newmanLogDet(N, sw2), 12);
    }
    expect(Math.abs(newmanLogDet(16, 1) - -8.76350336)).toBeLessThan(1e-7);
  });
  it('k truncates; sw2 shifts every exponent by (1/2) log sw2', () => {
    expect(newmanSpectrum(16, 1, 3).length).toBe(3);
    const a = newmanSpectrum(10, 1);
    const b = newmanSpectrum(10, 3);
    a.forEach((v, i) => expect(b[i]! - v).toBeCloseTo(0.5 * Math.log(3), 14));
  });
  it('per-sample sd (1/2) sqrt(psi1((N-k+1)/2)/L)', () => {
    expect(newmanSampleSd(16, 1, 2000)).toBeCloseTo(0.5 * Math.sqrt(trigamma(8) / 2000), 15);
    expect(newmanSampleSd(16, 16, 1)).toBeCloseTo(0.5 * Math.sqrt(Math.PI ** 2 / 2), 12); // psi1(1/2) = pi^2/2
  });
  it('triangle law is the large-N limit at t_k = 1 - (k - 1/2)/N', () => {
    expect(triangleT(1, 4)).toBe(0.875);
    expect(triangleLaw(2, 0.5)).toBeCloseTo(0, 15);
    const N = 2048;
    const l = newmanSpectrum(N, 1.3);
    for (let k = 1; k <= 0.9 * N; k += 37) {
      expect(Math.abs(l[k - 1]! - triangleLaw(1.3, triangleT(k, N)))).toBeLessThan(2e-3);
    }
    // ...but not at the bottom: psi(1/2) against log(1/(2N)).
    expect(l[N - 1]! - triangleLaw(1.3, triangleT(N, N))).toBeCloseTo(0.5 * (digamma(0.5) + Math.log(2 / N)) - 0.5 * Math.log(1 / (2 * N)), 12);
  });
});
