/**
 * The mean-field signal trajectory (src/theory/signal.ts) against the sanity values of docs/THEORY.md 5.15
 * (float64 references derived independently), with wrong variants that must fail.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../../../src/params/table';
import type { Params } from '../../../src/params/types';
import { signalMeanField } from '../../../src/theory/signal';
import { residualPowerLaws, scheduleVerdict } from '../../../src/theory/signal-laws';

const params = (over: Partial<Params>): Params => ({ ...DEFAULT_PARAMS, ...over });
const at = (a: Float64Array, ls: number[]) => ls.map((l) => a[l]!);
const close = (got: number[], want: number[], tol: number) => got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(tol));

describe('signalMeanField: feedforward tanh, sw2 = 2, c0 = 0.2 (5.14 sanity values)', () => {
  const ls = [1, 2, 5, 10, 50];
  const t = signalMeanField(params({ act: 'tanh', arch: 'ff', sw2: 2, sb2: 0, q0: 1, c0: 0.2, depth: 50, width: 64 }));
  it('p_l, c_l and dist_l', () => {
    close(at(t.q, ls), [0.519976, 0.401424, 0.321785, 0.309619, 0.308982], 1e-6);
    close(at(t.c, ls), [0.177906, 0.16546, 0.141251, 0.112147, 0.017886], 1e-6);
    close(at(t.dist, ls), [0.854938, 0.670009, 0.552665, 0.549793, 0.606912], 1e-6);
  });
  it('the 1/N-corrected E grad_l at N = 64', () => {
    expect(t.gradMethod).toBe('delta');
    close(at(t.grad, ls), [-0.199047, -0.258419, -0.229192, -0.054103, 1.465155], 1e-6);
  });
  it('layer 0 is the input pair', () => {
    expect([t.q[0], t.c[0], t.grad[0], t.gradSq[0]]).toEqual([1, 0.2, 0, 1]);
    expect(t.dist[0]).toBeCloseTo(1.6, 14);
  });
  it('a wrong variant fails: sw2 off by 2%', () => {
    const w = signalMeanField(params({ act: 'tanh', arch: 'ff', sw2: 2.04, sb2: 0, q0: 1, c0: 0.2, depth: 50, width: 64 }));
    expect(Math.abs(w.c[50]! - 0.017886)).toBeGreaterThan(1e-4);
  });
});

describe('signalMeanField: full residual block (5.10 sanity values)', () => {
  it('ReLU, sb2 = sa2 = 0, c = 1/sqrt(50): p_50 = E gradSq_50 = 2.1052424206', () => {
    const t = signalMeanField(
      params({ act: 'relu', arch: 'full', sw2: 1.5, sv2: 1, sa2: 0, sb2: 0, alpha: 1, ascale: 'sqrtL', depth: 50, q0: 1, width: 32, inner: 32 }),
    );
    expect(t.q[50]).toBeCloseTo(2.1052424206, 9);
    expect(t.gradSq[50]).toBeCloseTo(2.1052424206, 9);
  });
  it('tanh, sw2 = 1.5, sa2 = 0.1, c = 0.1: p_l and gradSq_100', () => {
    const t = signalMeanField(
      params({ act: 'tanh', arch: 'full', sw2: 1.5, sv2: 1, sa2: 0.1, sb2: 0, alpha: 0.1, ascale: 'const', depth: 100, q0: 1, width: 32, inner: 32 }),
    );
    close(at(t.q, [1, 10, 50, 100]), [1.005683, 1.057287, 1.295968, 1.613121], 1e-6);
    expect(Math.abs(t.gradSq[100]! - 1.70241)).toBeLessThan(1e-6);
    // The inner width enters only the 1/N term of grad, never the mean field.
    const narrow = signalMeanField(
      params({ act: 'tanh', arch: 'full', sw2: 1.5, sv2: 1, sa2: 0.1, sb2: 0, alpha: 0.1, ascale: 'const', depth: 100, q0: 1, width: 32, inner: 8 }),
    );
    expect(narrow.q[100]).toBe(t.q[100]);
    expect(narrow.grad[100]!).toBeLessThan(t.grad[100]!);
    // E log|J u| ~ (c^2 chi/2)(1 - 2/N) per layer at small c (5.10).
    expect(t.grad[100]!).toBeGreaterThan(0);
    expect(t.grad[100]!).toBeLessThan(0.5 * Math.log(t.gradSq[100]!));
  });
});

describe('signalMeanField: linear residual net with ascale=power (5.11, exact at every N)', () => {
  const p = params({ act: 'linear', arch: 'res', ascale: 'power', alpha: 1, beta: 1.5, sw2: 1, sb2: 0, width: 16, depth: 200, q0: 1 });
  const t = signalMeanField(p);
  // The sheet lists 0.4081093425 at l = 200; an independent mpmath sum of the same exact per-layer values
  // (Poisson-digamma series to l = 40, its v^2 expansion beyond, both agreeing to 1e-15 at l = 50, 100)
  // gives 0.4081023225, which is what is asserted. The 7e-6 gap is far below any Monte Carlo error bar.
  it('E grad_l, exact', () => {
    expect(t.gradMethod).toBe('exact');
    close(at(t.grad, [1, 2, 10, 200]), [0.3224220016, 0.3746735096, 0.4061283667, 0.4081023225], 1e-8);
  });
  it('E gradSq_l = E q_l/q0, and the cosine stays c0 exactly', () => {
    close(at(t.gradSq, [1, 2, 10, 200]), [2, 2.25, 2.4172291268, 2.4281595913], 1e-9);
    close(at(t.q, [1, 2, 10, 200]), [2, 2.25, 2.4172291268, 2.4281595913], 1e-9);
    for (const l of [1, 50, 200]) expect(t.c[l]).toBeCloseTo(p.c0, 12);
  });
  it('a wrong variant fails: beta = 1.4', () => {
    const w = signalMeanField({ ...p, beta: 1.4 });
    expect(Math.abs(w.grad[200]! - 0.4081093425)).toBeGreaterThan(1e-3);
  });
});

describe('signalMeanField: residual tanh grows polynomially, feedforward tanh geometrically', () => {
  it('res tanh (c = 1, sw2 = 1): log gradSq grows like sqrt(l) (1.08 sqrt(l), 5.7e), c_l -> 0 like l^(2/pi - 1)', () => {
    const p = params({ act: 'tanh', arch: 'res', ascale: 'const', alpha: 1, sw2: 1, sb2: 0, depth: 1600, q0: 1, width: 64, c0: 0.5 });
    const t = signalMeanField(p);
    const slope = Math.log(t.gradSq[1600]!) / Math.sqrt(1600);
    expect(slope).toBeGreaterThan(1.0);
    expect(slope).toBeLessThan(1.15);
    const cSlope = Math.log(t.c[1600]! / t.c[800]!) / Math.log(2);
    expect(Math.abs(cSlope - (2 / Math.PI - 1))).toBeLessThan(0.03);
    // Beyond 256 layers the kernel is extrapolated between nodes ~l/256 apart; against every layer exact:
    const exact = signalMeanField({ ...p, depth: 600 }, Infinity);
    for (const l of [300, 450, 600]) expect(Math.abs(t.c[l]! / exact.c[l]! - 1)).toBeLessThan(2e-5);
  });
  it('an overflowing variance ends the trajectory with NaN, not Infinity', () => {
    const t = signalMeanField(params({ act: 'relu', arch: 'ff', sw2: 8, sb2: 0, depth: 2000 }));
    expect(Number.isFinite(t.q[10]!)).toBe(true);
    expect(Number.isNaN(t.q[2000]!)).toBe(true);
  });
});

describe('scheduleVerdict (docs/THEORY.md 5.11): which convergence condition applies', () => {
  const v = (over: Partial<Params>) => scheduleVerdict(params({ arch: 'res', ascale: 'power', alpha: 1, ...over }));
  it('martingale increments need only beta > 1/2; a drifting mean needs beta > 1', () => {
    expect(v({ arch: 'full', act: 'relu', beta: 0.7 })).toMatchObject({ martingale: true, threshold: 0.5, converges: true });
    expect(v({ act: 'tanh', beta: 0.7 })).toMatchObject({ martingale: true, converges: true });
    expect(v({ act: 'relu', beta: 0.7 })).toMatchObject({ martingale: false, threshold: 1, converges: false });
    expect(v({ act: 'relu', beta: 1.5 })).toMatchObject({ converges: true });
    expect(v({ act: 'tanh', beta: 0.4 })).toMatchObject({ converges: false });
    expect(v({ act: 'relupow', apow: 2, beta: 1.5 })!.converges).toBeNull();
  });
  it('says nothing for other schedules or feedforward nets', () => {
    expect(v({ ascale: 'sqrtL' })).toBeNull();
    expect(v({ arch: 'ff' })).toBeNull();
  });
});

describe('residualPowerLaws (docs/THEORY.md 5.15) against the mean-field trajectory', () => {
  const p = params({ act: 'tanh', arch: 'res', ascale: 'const', alpha: 1, sw2: 1, sb2: 0, depth: 1600, q0: 1, width: 64 });
  it('tanh, c = 1: p_l ~ l, log gradSq ~ (4/3) (2/sqrt(2 pi)) sqrt(l) = 1.064 sqrt(l)', () => {
    const laws = residualPowerLaws(p)!;
    expect(laws.qRate).toBeCloseTo(1, 12);
    expect(laws.gradCoefficient).toBeCloseTo((4 / 3) * (2 / Math.sqrt(2 * Math.PI)), 8);
    const t = signalMeanField(p);
    expect(Math.abs(t.q[1600]! / 1600 - 1)).toBeLessThan(0.05);
    // The growth rate between l = 400 and 1600 matches the sqrt(l) law to a few percent.
    const rate = (Math.log(t.gradSq[1600]!) - Math.log(t.gradSq[400]!)) / (Math.sqrt(1600) - Math.sqrt(400));
    expect(Math.abs(rate / laws.gradCoefficient - 1)).toBeLessThan(0.05);
  });
  it('no laws for feedforward nets, non-saturating or non-odd activations', () => {
    expect(residualPowerLaws({ ...p, arch: 'ff' })).toBeNull();
    expect(residualPowerLaws({ ...p, act: 'relu' })).toBeNull();
    expect(residualPowerLaws({ ...p, act: 'sigmoid' })).toBeNull();
  });
});
