import { describe, expect, it } from 'vitest';
import { expectations, fixedPoint } from '../../../src/theory/meanfield';
import { jacobianDensity, jacobianDensityAt, type JacobianDensity } from '../../../src/theory/pennington';

/** integral of g(x) rho(x) dx over the descending geometric grid, as a trapezoid in log x. */
function integrate(d: JacobianDensity, g: (x: number) => number = () => 1): number {
  let s = 0;
  for (let i = 1; i < d.x.length; i++) {
    const a = d.x[i - 1]!;
    const b = d.x[i]!;
    s += 0.5 * Math.log(a / b) * (a * g(a) * d.rho[i - 1]! + b * g(b) * d.rho[i]!);
  }
  return s;
}

/** Fuss-Catalan of order s from the Haagerup-Moller/Neuschel parametrization (docs/THEORY.md 5.3). */
function fussCatalanPoint(s: number, phi: number): { x: number; rho: number } {
  const x = Math.sin((s + 1) * phi) ** (s + 1) / (Math.sin(phi) * Math.sin(s * phi) ** s);
  const rho = (Math.sin(phi) ** 2 * Math.sin(s * phi) ** (s - 1)) / (Math.PI * Math.sin((s + 1) * phi) ** s);
  return { x, rho };
}

type C = [number, number];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const div = (a: C, b: C): C => {
  const n = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / n, (a[1] * b[0] - a[0] * b[1]) / n];
};

/** All roots of the real polynomial sum_k c[k] z^k (Durand-Kerner). */
function roots(c: number[]): C[] {
  const n = c.length - 1;
  const lead = c[n]!;
  const poly = (z: C): C => {
    let acc: C = [c[n]! / lead, 0];
    for (let k = n - 1; k >= 0; k--) {
      acc = mul(acc, z) as C;
      acc[0] += c[k]! / lead;
    }
    return acc;
  };
  let zs: C[] = Array.from({ length: n }, (_, k) => {
    const r = 1.3;
    return [r * Math.cos((2 * Math.PI * k) / n + 0.4), r * Math.sin((2 * Math.PI * k) / n + 0.4)] as C;
  });
  for (let it = 0; it < 2000; it++) {
    zs = zs.map((z, i) => {
      let den: C = [1, 0];
      zs.forEach((w, j) => {
        if (j !== i) den = mul(den, [z[0] - w[0], z[1] - w[1]]);
      });
      const d = div(poly(z), den);
      return [z[0] - d[0], z[1] - d[1]] as C;
    });
  }
  return zs;
}

/** Coefficients of prod of (a_i + z) factors, lowest power first. */
function expand(factors: number[]): number[] {
  let c = [1];
  for (const a of factors) {
    const next = new Array<number>(c.length + 1).fill(0);
    c.forEach((v, k) => {
      next[k]! += a * v;
      next[k + 1]! += v;
    });
    c = next;
  }
  return c;
}

describe('5.6 Jacobian singular-value density (independent checks)', () => {
  it('tanh, orthogonal W, sw2 = 1.7609546396, sb2 = 0.05, L = 16: rho(0.1, 1, 5) from the sheet to 1e-6', () => {
    const rho = jacobianDensityAt('tanh', 1.7609546396, 0.05, 'haar', 16, [5, 0.1, 1])!;
    expect(Math.abs(rho[1]! - 0.72709553)).toBeLessThan(1e-6);
    expect(Math.abs(rho[2]! - 0.08614053)).toBeLessThan(1e-6);
    expect(Math.abs(rho[0]! - 0.01592843)).toBeLessThan(1e-6);
  });

  it('linear Gaussian W is Fuss-Catalan of order L (sheet values, and the parametrization)', () => {
    const l2 = jacobianDensityAt('linear', 1, 0, 'ginibre', 2, [0.5, 2])!;
    expect(Math.abs(l2[0]! - 0.31830989)).toBeLessThan(1e-7);
    expect(Math.abs(l2[1]! - 0.09386048)).toBeLessThan(1e-7);
    const l3 = jacobianDensityAt('linear', 1, 0, 'ginibre', 3, [0.5, 2, 8])!;
    [0.25644226, 0.06944231, 0.00850877].forEach((v, i) => expect(Math.abs(l3[i]! - v)).toBeLessThan(1e-7));
    for (const s of [2, 5]) {
      const pts = [0.05, 0.2, 0.4].map((u) => fussCatalanPoint(s, (u * Math.PI) / (s + 1)));
      const rho = jacobianDensityAt(
        'linear',
        1,
        0,
        'ginibre',
        s,
        pts.map((p) => p.x),
      )!;
      pts.forEach((p, i) => expect(Math.abs(rho[i]! / p.rho - 1), `s=${s} x=${p.x}`).toBeLessThan(1e-8));
    }
    // Scaling: sw2 multiplies every x by sw2^L.
    const scaled = jacobianDensityAt('linear', 1.5, 0, 'ginibre', 2, [0.5 * 1.5 ** 2])!;
    expect(scaled[0]! * 1.5 ** 2).toBeCloseTo(0.31830989, 7);
  });

  it('the default grid carries the whole continuous mass (to 1e-3) and the first two moments', () => {
    for (const [act, weights, sw2, sb2, L] of [
      ['tanh', 'haar', 1.7609546396, 0.05, 16],
      ['tanh', 'ginibre', 2, 0, 8],
    ] as const) {
      const fp = fixedPoint(act, sw2, sb2);
      const q = fp.kind === 'finite' ? fp.q : NaN;
      const { edphi2, edphi4 } = expectations(act, q);
      const d = jacobianDensity(act, sw2, sb2, weights, L, { points: 1500 })!;
      expect(d.atomAtZero).toBe(0);
      expect(d.x[0]! * d.rho[0]!).toBeLessThan(1e-12); // starts above the top edge
      expect(Math.abs(integrate(d) - 1), `${act} ${weights} mass`).toBeLessThan(1e-3);
      // m1 = chi^L; m2/m1^2 = 1 + L (kappa_W + Var d/(E d)^2), kappa_W = 1 (Gaussian, MP) or 0 (orthogonal).
      const m1 = (sw2 * edphi2) ** L;
      const ratio = 1 + L * ((weights === 'ginibre' ? 1 : 0) + edphi4 / edphi2 ** 2 - 1);
      // The moments live near the top: integrate them on a dense explicit range (x^n rho is negligible
      // below 1e-8 m1).
      const top = jacobianDensity(act, sw2, sb2, weights, L, { points: 2000, xMax: d.x[0]!, xMin: 1e-8 * m1 })!;
      expect(Math.abs(integrate(top, (x) => x) / m1 - 1), 'm1').toBeLessThan(1e-3);
      expect(Math.abs(integrate(top, (x) => x * x) / (ratio * m1 * m1) - 1), 'm2').toBeLessThan(1e-3);
    }
  });

  it.each([
    ['ginibre', 2, 4],
    ['haar', 2, 4],
    ['ginibre', 1.5, 3],
  ] as const)('ReLU %s, sw2 = %f, L = %i: z is a root of the Bernoulli polynomial', (weights, sw2, L) => {
    const f = 0.5;
    const xs = [0.05, 0.4, 1.5, 6];
    const rho = jacobianDensityAt('relu', sw2, 0, weights, L, xs)!;
    const a = sw2 ** L;
    xs.forEach((x, i) => {
      // Gaussian: a (f+z)^L (1+z) - x z = 0; orthogonal: a (f+z)^L - x z (1+z)^{L-1} = 0.
      const lhs = expand([...new Array<number>(L).fill(f), ...(weights === 'ginibre' ? [1] : [])]).map((v) => a * v);
      const rhs = weights === 'ginibre' ? [0, x] : [0, ...expand(new Array<number>(L - 1).fill(1)).map((v) => x * v)];
      const coeffs = lhs.map((v, k) => v - (rhs[k] ?? 0));
      const candidates = roots(coeffs)
        .filter((z) => z[1] < -1e-9)
        .map((z) => -z[1] / (Math.PI * x));
      if (rho[i]! === 0) return;
      expect(Math.min(...candidates.map((c) => Math.abs(c / rho[i]! - 1))), `x=${x}`).toBeLessThan(1e-8);
    });
  });

  it('Bernoulli masses: atoms plus the continuous part sum to 1', () => {
    for (const [act, weights, sw2, sb2, L] of [
      ['relu', 'ginibre', 2, 0, 4],
      ['relu', 'haar', 2, 0, 4],
      ['hardtanh', 'haar', 2, 0.05, 16],
      ['hardtanh', 'haar', 1.1, 0.002, 4],
      // Top atom 0.14 at 1.05^32 and a steep bump just below it, above a hard edge reaching 1e-111.
      ['hardtanh', 'haar', 1.05, 0, 32],
    ] as const) {
      const d = jacobianDensity(act, sw2, sb2, weights, L, { points: 1500 })!;
      const fp = act === 'relu' ? null : fixedPoint(act, sw2, sb2);
      const f = fp === null ? 0.5 : expectations(act, fp.kind === 'finite' ? fp.q : NaN).edphi2;
      expect(d.atomAtZero).toBeCloseTo(1 - f, 12);
      const top = d.atomAtTop?.mass ?? 0;
      if (weights === 'haar') expect(top).toBeCloseTo(Math.max(0, 1 - L * (1 - f)), 12);
      expect(Math.abs(integrate(d) + d.atomAtZero + top - 1), `${act} ${weights} sw2=${sw2}`).toBeLessThan(1e-3);
    }
    // The last case has f close to 1 and a real atom at sw2^L.
    expect(jacobianDensity('hardtanh', 1.1, 0.002, 'haar', 4, { points: 10 })!.atomAtTop!.mass).toBeGreaterThan(0.5);
  });

  it('reports the mass its grid leaves below float range (Gaussian W, L = 100: hard edge below 1e-280)', () => {
    const d = jacobianDensity('tanh', 1.5, 0, 'ginibre', 100, { points: 1500 })!;
    expect(d.x[d.x.length - 1]!).toBeLessThan(1e-270);
    expect(d.tailMass).toBeGreaterThan(1e-3);
    expect(Math.abs(integrate(d) + d.tailMass - 1)).toBeLessThan(2e-3);
    expect(jacobianDensity('tanh', 2, 0, 'ginibre', 8)!.tailMass).toBeLessThan(2e-5);
  });

  it('constant d: orthogonal W gives a single atom at (sw2 d)^L, Gaussian W a scaled Fuss-Catalan', () => {
    const lin = jacobianDensity('linear', 1.2, 0, 'haar', 5)!;
    expect(lin.atomAtTop).toEqual({ x: 1.2 ** 5, mass: 1 });
    expect(lin.rho.every((r) => r === 0)).toBe(true);
    expect(jacobianDensityAt('linear', 1.2, 0, 'haar', 5, [1])).toEqual([0]);
    // tanh with sw2 = 0.5, sb2 = 0: q* = 0, so every layer is phi'(0) W = W.
    expect(fixedPoint('tanh', 0.5, 0).kind).toBe('zero');
    expect(jacobianDensity('tanh', 0.5, 0, 'haar', 4)!.atomAtTop).toEqual({ x: 0.5 ** 4, mass: 1 });
    const g = jacobianDensityAt('tanh', 0.5, 0, 'ginibre', 2, [0.5 * 0.25])!;
    expect(g[0]! * 0.25).toBeCloseTo(0.31830989, 7);
  });

  it('the grid and the pointwise evaluation agree; null without a fixed point', () => {
    const d = jacobianDensity('erf', 1.5, 0, 'haar', 8, { points: 40 })!;
    const idx = [5, 12, 20, 30];
    const at = jacobianDensityAt(
      'erf',
      1.5,
      0,
      'haar',
      8,
      idx.map((i) => d.x[i]!),
    )!;
    idx.forEach((i, j) => expect(Math.abs(at[j]! - d.rho[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1e-300, d.rho[i]!)));
    expect(jacobianDensity('gelu', 10, 2, 'ginibre', 4)).toBeNull();
    expect(jacobianDensityAt('relu', 3, 0.1, 'ginibre', 4, [1])).not.toBeNull(); // ReLU: phi'^2 does not need q*
  });

  it.each([
    ['tanh', 'haar', 1.7609546396, 0.05, 16],
    ['tanh', 'ginibre', 2, 0, 8],
    ['erf', 'haar', 1.5, 0, 8],
  ] as const)('%s %s sw2=%f: the density integrates to 1', (act, weights, sw2, sb2, L) => {
    // rho ~ x^(-L/(L+1)) at the hard edge puts visible mass below 1e-12: integrate down to 1e-90.
    const d = jacobianDensity(act, sw2, sb2, weights, L, { points: 2400, xMin: 1e-90 })!;
    // Trapezoid in log x: integral of rho dx = integral of x rho d(log x).
    let mass = 0;
    for (let i = 1; i < d.x.length; i++) {
      const dl = Math.log(d.x[i - 1]! / d.x[i]!);
      mass += 0.5 * dl * (d.x[i]! * d.rho[i]! + d.x[i - 1]! * d.rho[i - 1]!);
    }
    expect(Math.abs(mass - 1)).toBeLessThan(2e-3);
  });

  it('ReLU: continuous part has mass f = 1/2 plus the atom at 0; orthogonal adds the top atom', () => {
    const d = jacobianDensity('relu', 2, 0, 'haar', 4, { points: 1500 })!;
    expect(d.atomAtZero).toBeCloseTo(0.5, 12);
    // 1 - L (1 - f) = 1 - 4 * 0.5 < 0: no atom at the top for L = 4.
    expect(d.atomAtTop!.mass).toBe(0);
    let mass = 0;
    for (let i = 1; i < d.x.length; i++) {
      const dl = Math.log(d.x[i - 1]! / d.x[i]!);
      mass += 0.5 * dl * (d.x[i]! * d.rho[i]! + d.x[i - 1]! * d.rho[i - 1]!);
    }
    expect(Math.abs(mass - 0.5)).toBeLessThan(5e-3);
  });
});
