import { describe, expect, it } from 'vitest';
import { fussCatalanDensityAt } from '../../../src/theory/fuss-catalan';
import { jacobianDensity, jacobianDensityAt } from '../../../src/theory/pennington';

describe('5.6 Jacobian singular-value density', () => {
  it('tanh, orthogonal W, at criticality (sb2 = 0.05), L = 16: the sheet values', () => {
    const rho = jacobianDensityAt('tanh', 1.7609546396, 0.05, 'orth', 16, [0.1, 1, 5])!;
    [0.72709553, 0.08614053, 0.01592843].forEach((v, i) => expect(Math.abs(rho[i]! - v)).toBeLessThan(1e-6));
  });

  it('linear Gaussian, L = 2 is Fuss-Catalan s = 2', () => {
    const rho = jacobianDensityAt('linear', 1, 0, 'gauss', 2, [0.5, 2, 6])!;
    expect(Math.abs(rho[0]! - 0.31830989)).toBeLessThan(1e-7);
    expect(Math.abs(rho[1]! - 0.09386048)).toBeLessThan(1e-7);
    expect(Math.abs(rho[2]! - fussCatalanDensityAt(2, 6))).toBeLessThan(1e-7);
  });

  it.each([
    ['tanh', 'orth', 1.7609546396, 0.05, 16],
    ['tanh', 'gauss', 2, 0, 8],
    ['erf', 'orth', 1.5, 0, 8],
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
    const d = jacobianDensity('relu', 2, 0, 'orth', 4, { points: 1500 })!;
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

  it('returns null without a finite fixed point', () => {
    expect(jacobianDensity('gelu', 10, 2, 'gauss', 4)).toBeNull();
  });
});
