/**
 * Every activation entry, at several shapes, against itself: phi' is the derivative of phi, the declared
 * traits hold numerically, the closed-form moments and kernel agree with quadrature built only from the
 * entry's hints, and the GPU index and WGSL dispatch cover the registry. A new entry is checked by adding it.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_ENTRIES, activationIndex, activationWgsl, type ActivationModel } from '../../../src/model/index';
import { expectations } from '../../../src/theory/meanfield';
import { gaussianKernel, kernelByQuadrature } from '../../../src/theory/kernel';
import { piecewiseGaussianExpectation } from '../../../src/theory/quadrature';

const SHAPES = [0.6, 0.75, 1, 1.5, 2, 3];

/**
 * E f(sqrt(q) z) by tanh-sinh quadrature on the pieces of [-12, 12] between the kinks (in z), which keeps
 * full accuracy at endpoint singularities such as h^{0.6} or h^{-0.4} at a kink: a reference independent
 * of the theory's Gauss-Legendre rule.
 */
function referenceExpectation(f: (h: number) => number, q: number, breaks: readonly number[]): number {
  const s = Math.sqrt(q);
  // Fixed cuts as well, so that narrow integrands (e^{-8 h^2}) sit at a piece's end, where the nodes are dense.
  const cuts = [...new Set([-12, -4, -1, 0, 1, 4, 12, ...breaks.map((b) => b / s).filter((z) => z > -12 && z < 12)])].sort((a, b) => a - b);
  let total = 0;
  for (let c = 0; c + 1 < cuts.length; c++) {
    const a = cuts[c]!;
    const b = cuts[c + 1]!;
    const h = 1 / 64;
    for (let j = -6 * 64; j <= 6 * 64; j++) {
      const t = j * h;
      const u = (Math.PI / 2) * Math.sinh(t);
      const e = Math.exp(-2 * Math.abs(u));
      const small = e / (1 + e); // distance from the nearer end, as a fraction of (b - a)
      if (!(small > 0)) continue;
      const z = u >= 0 ? b - (b - a) * small : a + (b - a) * small;
      const cosh = Math.cosh(u);
      const w = ((b - a) * h * (Math.PI / 2) * Math.cosh(t)) / (2 * cosh * cosh);
      total += w * f(s * z) * Math.exp(-0.5 * z * z) * 0.3989422804014327;
    }
  }
  return total;
}
const MODELS: ActivationModel[] = ACTIVATION_ENTRIES.flatMap((e) => (e.shapeKnob ? SHAPES.map((a) => e.at(a)) : [e.at(0)]));
const POINTS = [-7.3, -2.2, -1.3, -0.4, -1e-3, 1e-3, 0.3, 0.9, 1.7, 3.1, 8.2];

describe.each(MODELS.map((m) => [m.key, m] as const))('activation %s', (_key, act) => {
  it("phi' is the derivative of phi away from kinks", () => {
    for (const h of POINTS) {
      if (act.quadrature.breaks.some((b) => Math.abs(b - h) < 1e-2)) continue;
      const e = 1e-6 * Math.max(1, Math.abs(h));
      const numeric = (act.phi(h + e) - act.phi(h - e)) / (2 * e);
      expect(Math.abs(numeric - act.dphi(h)), `h = ${h}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(act.dphi(h))));
    }
  });

  it('has the traits it declares', () => {
    const t = act.traits;
    const hs = POINTS.filter((h) => h !== 0);
    expect(
      hs.every((h) => Math.abs(act.phi(-h) + act.phi(h)) <= 1e-15 * Math.abs(act.phi(h))),
      'odd',
    ).toBe(t.odd);
    expect(act.phi(0) === 0, 'zeroAtZero').toBe(t.zeroAtZero);
    expect(
      hs.every((h) => act.phi(h) === h),
      'identity',
    ).toBe(t.identity);
    if (t.homogeneousDegree !== null) for (const h of hs) expect(act.phi(2.5 * h)).toBeCloseTo(2.5 ** t.homogeneousDegree * act.phi(h), 10);
    else expect(hs.every((h) => Math.abs(act.phi(2.5 * h) - 2.5 * act.phi(h)) < 1e-12 * Math.abs(act.phi(h)))).toBe(false);
    // phi'^2 takes exactly the two values 0 and 1 (linear, with phi' = 1 throughout, does not count).
    const d2 = hs.map((h) => act.dphi(h) ** 2);
    expect(d2.every((v) => v === 0 || v === 1) && d2.includes(0) && d2.includes(1), 'binaryDerivative').toBe(t.binaryDerivative);
    // phi' = 0 on a set of positive probability: it is 0 at some point away from the kinks.
    expect(
      hs.some((h) => act.dphi(h) === 0),
      'structuralZeros',
    ).toBe(t.structuralZeros);
  });

  it("has closed-form moments that agree with an independent quadrature, and with the theory's rule from its own hints", () => {
    // A non-integer power (h^a at the kink) is not smooth there, and Gauss-Legendre panels converge slowly
    // on it: the theory's rule is then held to 1e-4 relative, the tanh-sinh reference to 1e-9 throughout.
    const degree = act.traits.homogeneousDegree;
    const ruleTol = degree !== null && !Number.isInteger(degree) ? 1e-4 : 1e-8;
    for (const q of [0.05, 0.5, 2, 9]) {
      const closed = act.closedMoments(q);
      if (!closed) continue;
      const { breaks, smoothBeyond } = act.quadrature;
      const integrands: [string, number, (h: number) => number][] = [
        ['E phi', closed.ephi, act.phi],
        ['E phi^2', closed.ephi2, (h) => act.phi(h) ** 2],
        ["E phi'^2", closed.edphi2, (h) => act.dphi(h) ** 2],
        ["E phi'^4", closed.edphi4, (h) => act.dphi(h) ** 4],
      ];
      for (const [what, value, f] of integrands) {
        if (!Number.isFinite(value)) continue; // E phi'^4 of ReLU^a diverges for a <= 3/4
        const scale = Math.max(1, Math.abs(value));
        expect(Math.abs(value - referenceExpectation(f, q, breaks)), `${what} at q = ${q} (tanh-sinh)`).toBeLessThan(1e-9 * scale);
        // phi' ~ h^{a-1} with a < 1 is unbounded at the kink: Gauss-Legendre does not converge there.
        if (what.includes("phi'") && degree !== null && degree < 1) continue;
        expect(Math.abs(value - piecewiseGaussianExpectation(f, q, breaks, smoothBeyond)), `${what} at q = ${q} (theory's rule)`).toBeLessThan(ruleTol * scale);
      }
    }
  });

  it('has a closed-form kernel (where it has one) that agrees with the product quadrature, and meets the moments on the diagonal', () => {
    for (const [q1, q2, r] of [
      [0.7, 1.9, 0.35],
      [1.2, 0.4, -0.6],
      [2.5, 2.5, 0.92],
    ] as const) {
      const q12 = r * Math.sqrt(q1 * q2);
      const closed = act.closedKernel(q1, q2, q12);
      const quad = kernelByQuadrature(act, q1, q2, q12);
      // The product rule meets the same non-smooth kink as the one-point rule at non-integer powers.
      const degree = act.traits.homogeneousDegree;
      const tol = degree !== null && !Number.isInteger(degree) ? 1e-4 : 1e-7;
      if (closed !== null) expect(Math.abs(closed - quad), `(${q1}, ${q2}, ${r})`).toBeLessThan(tol * Math.max(1, Math.abs(quad)));
      expect(gaussianKernel(act, q1, q2, q12)).toBe(closed ?? quad);
    }
    expect(gaussianKernel(act, 1.3, 1.3, 1.3)).toBeCloseTo(expectations(act, 1.3).ephi2, 7);
  });
});

describe('activation registry', () => {
  it('gives every entry its own GPU index and a case in the generated WGSL dispatch', () => {
    const wgsl = activationWgsl();
    ACTIVATION_ENTRIES.forEach((e, i) => {
      expect(activationIndex(e.id)).toBe(i);
      expect(wgsl).toContain(`case ${i}u: { // ${e.id}`);
    });
    expect(new Set(ACTIVATION_ENTRIES.map((e) => e.id)).size).toBe(ACTIVATION_ENTRIES.length);
  });
});
