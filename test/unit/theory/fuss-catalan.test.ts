import { describe, expect, it } from 'vitest';
import {
  fussCatalanCurve,
  fussCatalanDensityAt,
  fussCatalanEdge,
  fussCatalanMoment,
  fussCatalanParam,
  logSingularValueDensity,
  marchenkoPastur,
} from '../../../src/theory/fuss-catalan';
import { gaussLegendre } from '../../../src/theory/quadrature';

/**
 * m_n = integral of x^n rho(x) dx over the parametrized curve, as an integral over phi:
 * dx = x (d log x/dphi) dphi, d log x/dphi = (s+1)^2 cot((s+1)phi) - cot(phi) - s^2 cot(s phi).
 * The integrand is smooth on [0, pi/(s+1)], so composite Gauss-Legendre converges fast.
 */
function numericMoment(s: number, n: number): number {
  const phiMax = Math.PI / (s + 1);
  const { x: gx, w: gw } = gaussLegendre(20);
  const panels = 200;
  const hw = phiMax / panels;
  let sum = 0;
  for (let p = 0; p < panels; p++) {
    for (let j = 0; j < gx.length; j++) {
      const phi = (p + 0.5 + 0.5 * gx[j]!) * hw;
      const { x, rho } = fussCatalanParam(s, phi);
      const cot = (a: number) => Math.cos(a) / Math.sin(a);
      const dlogx = (s + 1) ** 2 * cot((s + 1) * phi) - cot(phi) - s * s * cot(s * phi);
      sum += 0.5 * hw * gw[j]! * x ** n * rho * Math.abs(x * dlogx);
    }
  }
  return sum;
}

describe('Fuss-Catalan (docs/THEORY.md 5.3, table of section 6)', () => {
  it('moments: closed form and numerical integral of the parametrized density', () => {
    expect([1, 2, 3, 4].map((n) => fussCatalanMoment(2, n))).toEqual([1, 3, 12, 55]);
    expect([1, 2, 3, 4].map((n) => fussCatalanMoment(3, n))).toEqual([1, 4, 22, 140]);
    expect([1, 2, 3, 4].map((n) => fussCatalanMoment(5, n))).toEqual([1, 6, 51, 506]);
    expect(fussCatalanMoment(1, 3)).toBe(5); // Catalan
    for (const s of [1, 2, 3, 5]) {
      for (let n = 0; n <= 4; n++) {
        const m = numericMoment(s, n);
        const want = n === 0 ? 1 : fussCatalanMoment(s, n);
        expect(Math.abs(m / want - 1), `s=${s} n=${n}: ${m} vs ${want}`).toBeLessThan(1e-6);
      }
    }
  });
  it('upper edge (s+1)^{s+1}/s^s', () => {
    [4, 6.75, 9.48148148, 12.20703125].forEach((w, i) => expect(Math.abs(fussCatalanEdge(i + 1) - w)).toBeLessThan(1e-7));
  });
  it('densities at given x', () => {
    const cases: [number, number, number][] = [
      [2, 0.5, 0.31830989],
      [2, 2, 0.09386048],
      [3, 0.5, 0.25644226],
      [3, 2, 0.06944231],
      [3, 8, 0.00850877],
    ];
    for (const [s, x, rho] of cases) expect(Math.abs(fussCatalanDensityAt(s, x) - rho)).toBeLessThan(1e-7);
    expect(fussCatalanDensityAt(2, 7)).toBe(0);
    expect(fussCatalanDensityAt(2, -1)).toBe(0);
  });
  it('Marchenko-Pastur equals FC(s = 1)', () => {
    for (const x of [1e-8, 0.01, 0.5, 1, 2, 3.5, 3.99, 3.999, 3.99999]) {
      // Near the upper edge rho(x) is ill-conditioned (d log rho / d log x ~ x/(2(4 - x))).
      expect(Math.abs(fussCatalanDensityAt(1, x) / marchenkoPastur(x, 1) - 1)).toBeLessThan(1e-14 * (1 + 4 / (4 - x)));
    }
    // On the parametrized curve itself (no inversion) they agree to rounding of x.
    for (const phi of [1e-5, 0.01, 0.3, 1, 1.5, 1.5707]) {
      const p = fussCatalanParam(1, phi);
      expect(Math.abs(p.rho / marchenkoPastur(p.x, 1) - 1)).toBeLessThan(1e-14 * (1 + 4 / (4 - p.x)));
    }
    // sigma2 scaling: rho_sigma(x) = rho_1(x/sigma2)/sigma2.
    expect(marchenkoPastur(3, 2)).toBeCloseTo(marchenkoPastur(1.5, 1) / 2, 15);
    expect(marchenkoPastur(8.1, 2)).toBe(0);
  });
  it('hard-edge behaviour rho ~ x^{-s/(s+1)}', () => {
    for (const s of [1, 2, 3]) {
      const r = fussCatalanDensityAt(s, 1e-12) / fussCatalanDensityAt(s, 1e-10);
      expect(Math.log(r) / Math.log(100)).toBeCloseTo(s / (s + 1), 3);
    }
  });
});

describe('curve for plotting', () => {
  it('sorted by x, ends at the edge with rho = 0, points lie on the density, log-dense near 0', () => {
    for (const s of [1, 3, 8]) {
      const c = fussCatalanCurve(s, 400);
      expect(c.x.length).toBe(400);
      for (let i = 1; i < c.x.length; i++) expect(c.logX[i]!).toBeGreaterThan(c.logX[i - 1]!);
      expect(c.x[c.x.length - 1]).toBeCloseTo(fussCatalanEdge(s), 12);
      expect(c.rho[c.rho.length - 1]).toBe(0);
      for (const i of [3, 100, 250, 398]) {
        if (c.x[i]! > 1e-300) expect(c.rho[i]! / fussCatalanDensityAt(s, c.x[i]!) - 1).toBeCloseTo(0, 8);
      }
      // The log-spaced half reaches x ~ eps^{s+1} with eps = 1e-6 pi/(s+1).
      expect(c.logX[0]!).toBeLessThan((s + 1) * Math.log(1e-5));
      expect(c.x.filter((v) => v < 1e-3 * fussCatalanEdge(s)).length).toBeGreaterThan(150);
    }
  });
  it('log singular value density p(y) = 2 x rho(x) integrates to 1, also per layer (y/L)', () => {
    const trap = (y: Float64Array, p: Float64Array) => {
      let a = 0;
      for (let i = 1; i < y.length; i++) a += 0.5 * (p[i]! + p[i - 1]!) * (y[i]! - y[i - 1]!);
      return a;
    };
    for (const s of [1, 2, 5, 50]) {
      const c = fussCatalanCurve(s, 2000);
      const d = logSingularValueDensity(c);
      expect(Math.abs(trap(d.y, d.p) - 1)).toBeLessThan(2e-3);
      const dl = logSingularValueDensity(c, s);
      expect(Math.abs(trap(dl.y, dl.p) - 1)).toBeLessThan(2e-3);
      expect(dl.y[dl.y.length - 1]).toBeCloseTo((0.5 * Math.log(fussCatalanEdge(s))) / s, 12);
    }
    // Plain {x, rho} input (no logs) works too.
    const mp = logSingularValueDensity({ x: new Float64Array([1, 2]), rho: new Float64Array([marchenkoPastur(1, 1), marchenkoPastur(2, 1)]) });
    expect(mp.p[0]).toBeCloseTo(2 * marchenkoPastur(1, 1), 15);
    expect(mp.y[1]).toBeCloseTo(0.5 * Math.log(2), 15);
  });
});
