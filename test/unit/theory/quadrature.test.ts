import { describe, expect, it } from 'vitest';
import { activationOf, type ActivationId } from '../../../src/model/index';

const activation = (act: ActivationId) => activationOf({ act });
import { erf } from '../../../src/math/special';
import type { Activation } from '../../../src/params/types';
import { expectations } from '../../../src/theory/meanfield';
import { gaussianExpectation, gaussianNodes, gaussLegendre, piecewiseGaussianExpectation, piecewiseGaussianNodes } from '../../../src/theory/quadrature';

/** |a - b| <= tol * max(1, |b|): absolute near 0, relative for large values (E phi^2 = q/2 at q = 100). */
const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

const Q_SET = [0.01, 1, 100];

type Moments = [number, number, number, number]; // E phi, E phi^2, E phi'^2, E phi'^4

/** Closed forms of docs/THEORY.md section 4, written out independently of meanfield.ts. */
function closedForm(act: 'relu' | 'erf' | 'hardtanh', q: number): Moments {
  if (act === 'relu') return [Math.sqrt(q / (2 * Math.PI)), q / 2, 0.5, 0.5];
  if (act === 'erf') {
    return [0, (2 / Math.PI) * Math.asin((2 * q) / (1 + 2 * q)), 4 / Math.PI / Math.sqrt(1 + 4 * q), 16 / Math.PI ** 2 / Math.sqrt(1 + 8 * q)];
  }
  const A = 1 / Math.sqrt(q);
  const inside = erf(A / Math.SQRT2);
  const pdfA = Math.exp(-0.5 * A * A) / Math.sqrt(2 * Math.PI);
  return [0, q * (inside - 2 * A * pdfA) + (1 - inside), inside, inside];
}

function momentsBy(expect: (f: (h: number) => number) => number, act: Activation): Moments {
  const { phi, dphi } = activation(act);
  return [expect(phi), expect((h) => phi(h) ** 2), expect((h) => dphi(h) ** 2), expect((h) => dphi(h) ** 4)];
}

describe('trapezoid nodes (docs/THEORY.md section 4)', () => {
  it('uses step <= min(0.05, 0.05/sqrt q) on [-10, 10], symmetric, unit mass', () => {
    for (const q of [0.01, 1, 4, 30.7, 1000]) {
      const { h, w } = gaussianNodes(q);
      const n = h.length - 1;
      const dz = (h[1]! - h[0]!) / Math.sqrt(q);
      expect(dz).toBeLessThanOrEqual(Math.min(0.05, 0.05 / Math.sqrt(q)) * (1 + 1e-12));
      expect(h[0]! / Math.sqrt(q)).toBeCloseTo(-10, 12);
      expect(h[n]! / Math.sqrt(q)).toBeCloseTo(10, 12);
      expect(h[n / 2]).toBe(0);
      expect(w[0]! / w[1]!).toBeCloseTo(0.5 * Math.exp(0.5 * ((10 - dz) ** 2 - 100)), 10);
      let mass = 0;
      for (const wi of w) mass += wi;
      expect(Math.abs(mass - 1)).toBeLessThan(1e-14);
    }
    expect(gaussianNodes(1).h.length).toBe(401);
    expect(gaussianNodes(4).h.length).toBe(801);
  });

  it('q = 0 is a single node at h = 0, and repeated calls hit the cache', () => {
    const r = gaussianNodes(0);
    expect(Array.from(r.h)).toEqual([0]);
    expect(Array.from(r.w)).toEqual([1]);
    expect(gaussianNodes(0.37)).toBe(gaussianNodes(0.37));
  });

  it('integrates Gaussian moments to machine precision', () => {
    for (const q of [0.01, 1, 100]) {
      expect(
        close(
          gaussianExpectation((h) => h * h, q),
          q,
          1e-14,
        ),
      ).toBe(true);
      expect(close(gaussianExpectation((h) => h ** 4, q) / q ** 2, 3, 1e-14)).toBe(true);
      expect(
        close(
          gaussianExpectation((h) => Math.cos(h), q),
          Math.exp(-q / 2),
          1e-14,
        ),
      ).toBe(true);
    }
  });

  it('agrees with the erf closed forms to 1e-12 at q = 0.01, 1, 100', () => {
    for (const q of Q_SET) {
      const got = momentsBy((f) => gaussianExpectation(f, q), 'erf');
      const want = closedForm('erf', q);
      got.forEach((g, i) => expect(close(g, want[i]!, 1e-12), `erf q=${q} moment ${i}: ${g} vs ${want[i]}`).toBe(true));
    }
  });
});

describe('break-aware rule', () => {
  it('Gauss-Legendre is exact for polynomials of degree 2n - 1', () => {
    const { x, w } = gaussLegendre(5);
    let s8 = 0;
    let s9 = 0;
    for (let i = 0; i < 5; i++) {
      s8 += w[i]! * x[i]! ** 8;
      s9 += w[i]! * x[i]! ** 9;
    }
    expect(s8).toBeCloseTo(2 / 9, 15);
    expect(s9).toBeCloseTo(0, 15);
    const g20 = gaussLegendre(20);
    let s38 = 0;
    for (let i = 0; i < 20; i++) s38 += g20.w[i]! * g20.x[i]! ** 38;
    expect(close(s38, 2 / 39, 1e-14)).toBe(true);
  });

  it('agrees with the ReLU, erf and hard-tanh closed forms to 1e-12 at q = 0.01, 1, 100', () => {
    const breaks = { relu: [0], erf: [], hardtanh: [-1, 1] } as const;
    for (const act of ['relu', 'erf', 'hardtanh'] as const) {
      for (const q of Q_SET) {
        const got = momentsBy((f) => piecewiseGaussianExpectation(f, q, breaks[act]), act);
        const want = closedForm(act, q);
        got.forEach((g, i) => expect(close(g, want[i]!, 1e-12), `${act} q=${q} moment ${i}: ${g} vs ${want[i]}`).toBe(true));
      }
    }
  });

  it('the even half-rule and the coarse outer panels keep the accuracy', () => {
    const { phi, dphi } = activation('tanh');
    const halfSum = (f: (h: number) => number, q: number) => {
      const half = piecewiseGaussianNodes(q, [], 20, true);
      expect(half.h.every((h) => h > 0)).toBe(true);
      let s = 0;
      for (let i = 0; i < half.h.length; i++) s += half.w[i]! * f(half.h[i]!);
      return s;
    };
    const d2 = (h: number) => dphi(h) ** 2;
    const p2 = (h: number) => phi(h) ** 2;
    for (const q of [0.5, 100, 1e4]) {
      // Reference: the trapezoid rule of the sheet (40001 nodes at q = 1e4).
      for (const f of [d2, p2]) {
        const ref = gaussianExpectation(f, q);
        expect(Math.abs(halfSum(f, q) - ref) / ref).toBeLessThan(1e-13);
        expect(Math.abs(piecewiseGaussianExpectation(f, q, [], 20) - ref) / ref).toBeLessThan(1e-13);
      }
    }
    // At q = 1e6 the coarse full and half rules agree with each other (the uniform rules would need
    // 4e5 nodes).
    expect(Math.abs(halfSum(d2, 1e6) / piecewiseGaussianExpectation(d2, 1e6, [], 20) - 1)).toBeLessThan(1e-13);
    // ~1000 nodes at any q, against 400 sqrt(q) for the trapezoid rule.
    expect(piecewiseGaussianNodes(1e8, [], 40).h.length).toBeLessThan(1300);
  });

  it('meanfield expectations match the trapezoid rule for the smooth activations', () => {
    for (const act of ['tanh', 'sigmoid', 'gelu', 'silu'] as const) {
      for (const q of [0.01, 0.3, 1, 10, 100, 1000]) {
        const want = momentsBy((f) => gaussianExpectation(f, q), act);
        const e = expectations(act, q);
        [e.ephi, e.ephi2, e.edphi2, e.edphi4].forEach((g, i) =>
          expect(
            Math.abs(g - want[i]!) / Math.max(1e-300, Math.abs(want[i]!)) < 1e-13 || Math.abs(g - want[i]!) < 1e-16,
            `${act} q=${q} #${i}: ${g} vs ${want[i]}`,
          ).toBe(true),
        );
      }
    }
  });
});

describe('negative controls: rules the sheet warns against miss by far more than the tolerances', () => {
  /** Gauss-Hermite nodes (weight e^{-x^2}) by bracketing the sign changes of the orthonormal H_n. */
  function gaussHermite(n: number): { x: number[]; w: number[] } {
    const herm = (x: number): [number, number] => {
      let p0 = 0;
      let p1 = Math.PI ** -0.25;
      for (let j = 1; j <= n; j++) {
        const p2 = x * Math.sqrt(2 / j) * p1 - Math.sqrt((j - 1) / j) * p0;
        p0 = p1;
        p1 = p2;
      }
      return [p1, p0]; // p_n, p_{n-1}
    };
    const xs: number[] = [];
    const ws: number[] = [];
    const grid = 20000;
    for (let i = 0; i < grid; i++) {
      let a = -10 + (20 * i) / grid;
      let b = a + 20 / grid;
      if (herm(a)[0] * herm(b)[0] > 0) continue;
      for (let it = 0; it < 100; it++) {
        const m = 0.5 * (a + b);
        if (herm(a)[0] * herm(m)[0] <= 0) b = m;
        else a = m;
      }
      const x = 0.5 * (a + b);
      xs.push(x);
      ws.push(1 / (n * herm(x)[1] ** 2)); // w = 2/(p_n')^2, p_n' = sqrt(2n) p_{n-1}
    }
    return { x: xs, w: ws };
  }

  it("20-node Gauss-Hermite misses E tanh'^2 at q = 100 by > 1e-3", () => {
    const { dphi } = activation('tanh');
    const gh = gaussHermite(20);
    expect(gh.x.length).toBe(20);
    expect(gh.w.reduce((a, b) => a + b, 0)).toBeCloseTo(Math.sqrt(Math.PI), 12);
    const ghAt = (q: number) => gh.x.reduce((s, x, i) => s + gh.w[i]! * dphi(Math.sqrt(2 * q) * x) ** 2, 0) / Math.sqrt(Math.PI);
    const ref = expectations('tanh', 100).edphi2;
    expect(Math.abs(ghAt(100) - ref)).toBeGreaterThan(1e-3);
    // ...while it is fine where the integrand is smooth on the node spacing (sheet: 9e-4 at q = 1).
    expect(Math.abs(ghAt(1) - expectations('tanh', 1).edphi2)).toBeLessThan(2e-3);
  });

  it('the plain trapezoid rule is not accurate for kinked activations', () => {
    const { dphi } = activation('hardtanh');
    const trap = gaussianExpectation((h) => dphi(h) ** 2, 1);
    expect(Math.abs(trap - closedForm('hardtanh', 1)[2])).toBeGreaterThan(1e-4);
  });
});
