import { describe, expect, it } from 'vitest';
import { SELU_ALPHA, SELU_LAMBDA } from '../../../src/model/activations/selu';
import { digamma } from '../../../src/math/gamma';
import type { Activation } from '../../../src/params/types';
import {
  chi1,
  criticalSw2,
  expectations,
  feedforwardMeanField,
  fixedPoint,
  orderChaosGrid,
  qMap,
  residualMeanField,
  topExponentMeanField,
} from '../../../src/theory/meanfield';

const finiteQ = (act: Activation, sw2: number, sb2: number, q1?: number): number => {
  const fp = fixedPoint(act, sw2, sb2, q1);
  if (fp.kind !== 'finite') throw new Error(`expected a finite fixed point, got ${fp.kind}`);
  return fp.q;
};

describe('fixed points and chi_1: docs/THEORY.md section 6', () => {
  // [activation, sw2, sb2, q*, chi_1]; the sheet quotes 10 digits, so 1e-9 is above its rounding.
  const rows: [Activation, number, number, number, number][] = [
    ['tanh', 1, 0.05, 0.1935925202, 0.7590316472],
    ['tanh', 2, 0, 0.6179647698, 1.1055288204],
    ['tanh', 2, 0.05, 0.7217618727, 1.0476659996],
    ['erf', 1, 0, 0.1419237653, 1.01690252],
    ['hardtanh', 2, 0, 1.0522466325, 1.3407383011],
    ['sigmoid', 1, 0, 0.2646868752, 0.0557207068],
    ['gelu', 1, 0.05, 0.0694154317, 0.2887895608],
    ['silu', 2, 0.05, 0.10804162, 0.5488273943],
  ];
  it.each(rows)('%s sw2=%f sb2=%f', (act, sw2, sb2, q, chi) => {
    const qs = finiteQ(act, sw2, sb2);
    expect(Math.abs(qs - q)).toBeLessThan(1e-9);
    expect(Math.abs(chi1(act, sw2, qs) - chi)).toBeLessThan(1e-9);
    // It is a fixed point to rounding, and reached from either side.
    expect(Math.abs(qMap(act, sw2, sb2, qs) - qs)).toBeLessThan(1e-15);
    expect(Math.abs(finiteQ(act, sw2, sb2, 10 * q) - qs)).toBeLessThan(1e-13);
    expect(Math.abs(finiteQ(act, sw2, sb2, 0.01 * q) - qs)).toBeLessThan(1e-13);
  });

  it("E tanh^2 and E tanh'^2 at q = 1", () => {
    const e = expectations('tanh', 1);
    expect(Math.abs(e.ephi2 - 0.3942944904)).toBeLessThan(1e-10);
    expect(Math.abs(e.edphi2 - 0.4644029024)).toBeLessThan(1e-10);
    expect(e.ephi).toBe(0);
  });

  it('SELU keeps unit variance and zero mean at sw2 = 1, q = 1 (its design), across the kink at 0', () => {
    const e = expectations('selu', 1);
    expect(Math.abs(e.ephi)).toBeLessThan(1e-12);
    expect(Math.abs(e.ephi2 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(finiteQ('selu', 1, 0, 3) - 1)).toBeLessThan(1e-9);
  });

  it('q = 0 gives the q -> 0+ limits', () => {
    expect(expectations('relu', 0).edphi2).toBe(0.5);
    expect(expectations('tanh', 0)).toEqual({ ephi: 0, ephi2: 0, edphi2: 1, edphi4: 1 });
    expect(expectations('selu', 0).edphi2).toBeCloseTo((SELU_LAMBDA ** 2 + (SELU_LAMBDA * SELU_ALPHA) ** 2) / 2, 14);
    expect(expectations('sigmoid', 0).ephi2).toBe(0.25);
  });
});

describe('fixed-point kinds (docs/THEORY.md 5.4)', () => {
  it('marginal: linear sw2 = 1 and ReLU sw2 = 2 with sb2 = 0, returning q1', () => {
    expect(fixedPoint('linear', 1, 0)).toEqual({ kind: 'marginal', q: 1 });
    expect(fixedPoint('relu', 2, 0, 0.7)).toEqual({ kind: 'marginal', q: 0.7 });
  });
  it('divergent: linear sw2 >= 1 with bias, ReLU sw2 > 2, GELU and SiLU at large sw2', () => {
    for (const [act, sw2, sb2] of [
      ['linear', 1, 0.1],
      ['linear', 1.5, 0.1],
      ['relu', 2.5, 0],
      ['relu', 2, 0.05],
      ['gelu', 5, 0.05],
      ['silu', 5, 0],
      ['selu', 3, 0.1],
    ] as const) {
      expect(fixedPoint(act, sw2, sb2), `${act} ${sw2} ${sb2}`).toEqual({ kind: 'divergent' });
    }
  });
  it('zero: decay to 0, only possible with sb2 = 0 and phi(0) = 0', () => {
    for (const [act, sw2] of [
      ['linear', 0.5],
      ['relu', 1.5],
      ['tanh', 0.5],
      ['tanh', 1], // power-law decay q_l ~ 1/(2l)
      ['hardtanh', 1], // slower than any power law
      ['erf', 0.5],
      ['gelu', 1],
    ] as const) {
      expect(fixedPoint(act, sw2, 0), `${act} ${sw2}`).toEqual({ kind: 'zero' });
    }
    expect(fixedPoint('sigmoid', 1, 0).kind).toBe('finite'); // phi(0) = 1/2
  });
  it('finite: affine maps solved exactly; tanh just above sw2 = 1 has a small q*', () => {
    expect(fixedPoint('linear', 0.5, 0.1)).toEqual({ kind: 'finite', q: 0.2 });
    expect(fixedPoint('relu', 1, 0.1)).toEqual({ kind: 'finite', q: 0.2 });
    const q = finiteQ('tanh', 1.01, 0);
    expect(q).toBeGreaterThan(0.003);
    expect(q).toBeLessThan(0.006); // map ~ sw2 (q - 2 q^2): q* ~ (sw2 - 1)/(2 sw2)
  });
});

describe('order-to-chaos boundary', () => {
  it('critical sw2 for tanh (docs/THEORY.md 5.4 and 6)', () => {
    expect(Math.abs(criticalSw2('tanh', 0.01)! - 1.42420529)).toBeLessThan(1e-7);
    const c = criticalSw2('tanh', 0.05)!;
    expect(Math.abs(c - 1.7609546396)).toBeLessThan(1e-9);
    expect(Math.abs(finiteQ('tanh', c, 0.05) - 0.5700478816)).toBeLessThan(1e-9);
    expect(Math.abs(criticalSw2('tanh', 0.1)! - 1.98607264)).toBeLessThan(1e-7);
  });
  it('is 1 for linear and tanh at sb2 = 0, 2 for ReLU', () => {
    expect(criticalSw2('linear', 0)).toBeCloseTo(1, 12);
    expect(criticalSw2('tanh', 0)).toBeCloseTo(1, 12);
    expect(criticalSw2('relu', 0)).toBeCloseTo(2, 12);
  });

  it('orderChaosGrid: 60 x 60 tanh grid fast, row-major (sb2 x sw2), each cell = fixedPoint + chi1', () => {
    const sw2s = Array.from({ length: 60 }, (_, j) => 0.1 + (3.9 * j) / 59);
    const sb2s = Array.from({ length: 60 }, (_, i) => (0.3 * i) / 59);
    orderChaosGrid('tanh', sw2s.slice(0, 3), sb2s.slice(0, 3)); // JIT warm-up
    const t0 = performance.now();
    const g = orderChaosGrid('tanh', sw2s, sb2s);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1000);
    expect(g.chi1.length).toBe(3600);
    for (const [i, j] of [
      [0, 5],
      [0, 40],
      [17, 3],
      [42, 59],
    ] as const) {
      const fp = fixedPoint('tanh', sw2s[j]!, sb2s[i]!);
      expect(g.fixed[i * 60 + j]).toEqual(fp);
      const q = fp.kind === 'finite' ? fp.q : 0;
      expect(g.chi1[i * 60 + j]).toBe(chi1('tanh', sw2s[j]!, q));
    }
  });

  it('orderChaosGrid marks divergence along a row, NaN chi', () => {
    const g = orderChaosGrid('relu', [3, 1, 2.5], [0.1]);
    expect(g.fixed.map((f) => f.kind)).toEqual(['divergent', 'finite', 'divergent']);
    expect(Number.isNaN(g.chi1[0]!)).toBe(true);
    expect(g.chi1[1]).toBe(0.5);
  });
});

describe('top exponent at mean field with the 1/N correction (docs/THEORY.md 5.4)', () => {
  it('tanh sw2 = 2, N = 64', () => {
    const r = topExponentMeanField('tanh', 2, 0, 64)!;
    expect(Math.abs(r.lambda1Corrected! - 0.03800142)).toBeLessThan(1e-7);
    expect(r.lambda1).toBeCloseTo(0.5 * Math.log(1.1055288204), 9);
    expect(r.q).toBeCloseTo(0.6179647698, 9);
    expect(topExponentMeanField('tanh', 2, 0)!.lambda1Corrected).toBeNull();
  });
  it('linear: -1/(2N), matching Newman to O(1/N^2); ReLU: -5/(4N)', () => {
    for (const N of [16, 64, 256]) {
      const lin = topExponentMeanField('linear', 0.8, 0.1, N)!;
      expect(lin.lambda1).toBeCloseTo(0.5 * Math.log(0.8), 14);
      expect(lin.lambda1 - lin.lambda1Corrected!).toBeCloseTo(1 / (2 * N), 14);
      const newman = 0.5 * Math.log(0.8) + 0.5 * (digamma(N / 2) + Math.log(2 / N));
      expect(Math.abs(newman - lin.lambda1Corrected!)).toBeLessThan(0.5 / N ** 2);
      const relu = topExponentMeanField('relu', 2, 0, N)!; // q* = 0 (zero), chi_1 = 1
      expect(relu.lambda1).toBeCloseTo(0, 14);
      expect(relu.lambda1 - relu.lambda1Corrected!).toBeCloseTo(5 / (4 * N), 14);
    }
  });
  it('is null without a finite fixed point', () => {
    expect(topExponentMeanField('relu', 3, 0.1, 64)).toBeNull();
    expect(topExponentMeanField('linear', 1.2, 0.1)).toBeNull();
  });
});

describe('trajectories', () => {
  it('residual ReLU: sum_l log(1 + c^2 chi_l) = l log(1 + c^2 sw2/2) (docs/THEORY.md 5.7e)', () => {
    const c = 0.3;
    const sw2 = 2;
    const r = residualMeanField('relu', sw2, 0, c, 100);
    let acc = 0;
    for (let l = 0; l < 100; l++) {
      acc += Math.log(1 + c * c * r.chi[l]!);
      expect(acc).toBeCloseTo((l + 1) * Math.log(1 + (c * c * sw2) / 2), 12);
    }
    // ReLU has a drifting mean: m grows, and so p grows faster than the odd case.
    expect(r.m[99]).toBeGreaterThan(1);
  });

  it('residual recursion: q_l = sw2 p_{l-1} + sb2 and, for odd phi, m = 0 and p_l = p_{l-1} + c^2 E phi^2', () => {
    const r = residualMeanField('tanh', 1.5, 0.1, 0.5, 20, 2, 0.3);
    expect(r.q[0]).toBeCloseTo(1.5 * 2 + 0.1, 15);
    for (let l = 1; l < 20; l++) {
      expect(r.q[l]).toBeCloseTo(1.5 * r.p[l - 1]! + 0.1, 13);
      expect(r.m[l]).toBeCloseTo(0.3, 15);
      const e = expectations('tanh', r.q[l]!);
      expect(r.p[l]).toBeCloseTo(r.p[l - 1]! + 0.25 * e.ephi2, 13);
      expect(r.chi[l]).toBeCloseTo(1.5 * e.edphi2, 14);
    }
  });

  it('residual trajectories that overflow end in NaN', () => {
    const r = residualMeanField('relu', 2, 0, 1, 1200);
    expect(Number.isFinite(r.q[100]!)).toBe(true);
    expect(Number.isNaN(r.q[1199]!)).toBe(true);
    expect(Number.isNaN(r.chi[1199]!)).toBe(true);
  });

  it('feedforward: q_1 = sw2 q0 + sb2, relaxes to q*; at criticality (tanh sw2 = 1, sb2 = 0) q_l ~ 1/(2l)', () => {
    const f = feedforwardMeanField('tanh', 2, 0.05, 200, 3);
    expect(f.q[0]).toBe(2 * 3 + 0.05);
    expect(f.q[1]).toBeCloseTo(qMap('tanh', 2, 0.05, f.q[0]!), 15);
    expect(Math.abs(f.q[199]! - 0.7217618727)).toBeLessThan(1e-9);
    expect(Math.abs(f.chi[199]! - 1.0476659996)).toBeLessThan(1e-9);
    const crit = feedforwardMeanField('tanh', 1, 0, 2000);
    expect(Math.abs(2 * 2000 * crit.q[1999]! - 1)).toBeLessThan(0.02);
  });
});
