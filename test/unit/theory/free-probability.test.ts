import { describe, expect, it } from 'vitest';
import { activationOf } from '../../../src/model/index';

const activation = (act: 'tanh') => activationOf({ act });
import { normalCdf } from '../../../src/math/special';
import { freeSpectrum, freeSpectrumIndexed, sTransformD2 } from '../../../src/theory/free-probability';
import { chi1, fixedPoint } from '../../../src/theory/meanfield';
import { gaussLegendre } from '../../../src/theory/quadrature';

const TS = [1, 0.75, 0.5, 0.25, 0.1];
const Q_TANH2 = 0.6179647698; // tanh, sw2 = 2, sb2 = 0 (docs/THEORY.md 6)

/** The trapezoid rule of docs/THEORY.md 4, written out here so the test does not share the module's nodes. */
function trapezoid(q: number): { h: number[]; w: number[] } {
  const dz = Math.min(0.05, 0.05 / Math.sqrt(q));
  const n = Math.round(20 / dz);
  const h: number[] = [];
  const w: number[] = [];
  for (let i = 0; i <= n; i++) {
    const z = -10 + (20 * i) / n;
    h.push(Math.sqrt(q) * z);
    w.push(((i === 0 || i === n ? 0.5 : 1) * (20 / n) * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI));
  }
  return { h, w };
}

/** Reference S_{D^2}(t - 1): psi_D(u) = t - 1 by plain bisection in v, u = -e^v. */
function referenceS(dphi: (h: number) => number, q: number, t: number): number {
  const { h, w } = trapezoid(q);
  const d = h.map((x) => dphi(x) ** 2);
  const psi = (u: number) => d.reduce((s, di, i) => s + (w[i]! * u * di) / (1 - u * di), 0);
  let lo = -60;
  let hi = 60;
  for (let it = 0; it < 100; it++) {
    const mid = 0.5 * (lo + hi);
    if (psi(-Math.exp(mid)) > t - 1) lo = mid;
    else hi = mid;
  }
  return (-Math.exp(0.5 * (lo + hi)) * t) / (t - 1);
}

describe('5.5 free-probability Lyapunov spectrum (independent checks)', () => {
  it('tanh sw2 = 2 reproduces the sheet for Gaussian and orthogonal W to 1e-7', () => {
    const g = freeSpectrum('tanh', 2, 0, 'ginibre', TS)!.lambda;
    const o = freeSpectrum('tanh', 2, 0, 'haar', TS)!.lambda;
    const G = [0.0501619, -0.14938711, -0.43715202, -0.93813264, -1.59593923];
    const O = [0.0501619, -0.00554607, -0.09057843, -0.24498546, -0.44464669];
    G.forEach((v, i) => expect(Math.abs(g[i]! - v), `gauss t=${TS[i]}`).toBeLessThan(1e-7));
    O.forEach((v, i) => expect(Math.abs(o[i]! - v), `orth t=${TS[i]}`).toBeLessThan(1e-7));
  });

  it('S_{D^2} agrees with a separate trapezoid + bisection solver', () => {
    const { dphi } = activation('tanh');
    for (const t of [0.05, 0.3, 0.7, 0.99]) {
      const s = sTransformD2('tanh', Q_TANH2, t);
      expect(Math.abs(s / referenceS(dphi, Q_TANH2, t) - 1), `t=${t}`).toBeLessThan(1e-11);
    }
  });

  it('orthogonal minus Gaussian is exactly -(1/2) log t (S_W differs by the factor 1 + z = t)', () => {
    for (const [act, sw2, sb2] of [
      ['tanh', 2, 0],
      ['erf', 1.5, 0.05],
      ['sigmoid', 3, 0.1],
    ] as const) {
      const ts = [0.9, 0.5, 0.2];
      const g = freeSpectrum(act, sw2, sb2, 'ginibre', ts)!.lambda;
      const o = freeSpectrum(act, sw2, sb2, 'haar', ts)!.lambda;
      ts.forEach((t, i) => expect(o[i]! - g[i]!).toBeCloseTo(-0.5 * Math.log(t), 12));
    }
  });

  it('linear: the triangle law (Gaussian) and a flat spectrum (orthogonal)', () => {
    for (const sw2 of [0.5, 1, 2.5]) {
      const ts = [0.95, 0.5, 0.01];
      const g = freeSpectrum('linear', sw2, 0.1, 'ginibre', ts)!.lambda;
      const o = freeSpectrum('linear', sw2, 0.1, 'haar', ts)!.lambda;
      ts.forEach((t, i) => {
        expect(g[i]).toBeCloseTo(0.5 * Math.log(sw2 * t), 14);
        expect(o[i]).toBeCloseTo(0.5 * Math.log(sw2), 14);
      });
    }
  });

  it('ReLU Gaussian: (1/2) log(sw2 (t - 1/2)), and -Infinity for t < 1/2', () => {
    for (const [sw2, sb2] of [
      [2, 0],
      [1.3, 0.2],
    ] as const) {
      const ts = [1 - 1e-12, 0.8, 0.51, 0.49, 0.1];
      const lam = freeSpectrum('relu', sw2, sb2, 'ginibre', ts)!.lambda;
      for (let i = 0; i < 3; i++) expect(lam[i]).toBeCloseTo(0.5 * Math.log(sw2 * (ts[i]! - 0.5)), 11);
      expect(lam[3]).toBe(-Infinity);
      expect(lam[4]).toBe(-Infinity);
    }
  });

  it('hard-tanh: Bernoulli closed form with f = 2 Phi(1/sqrt q*) - 1', () => {
    const fp = fixedPoint('hardtanh', 2, 0);
    expect(fp.kind).toBe('finite');
    const q = fp.kind === 'finite' ? fp.q : NaN;
    expect(q).toBeCloseTo(1.0522466325, 9);
    const f = 2 * normalCdf(1 / Math.sqrt(q)) - 1;
    const ts = [0.9, 0.5, 1 - f + 1e-3, 1 - f - 1e-3];
    const lam = freeSpectrum('hardtanh', 2, 0, 'ginibre', ts)!.lambda;
    for (let i = 0; i < 3; i++) expect(lam[i]).toBeCloseTo(0.5 * Math.log(2 * (ts[i]! - 1 + f)), 10);
    expect(lam[3]).toBe(-Infinity);
  });

  it('t = 1 is the mean-field top exponent (1/2) log chi_1, approached continuously', () => {
    for (const [act, sw2, sb2] of [
      ['tanh', 2, 0],
      ['erf', 1, 0],
      ['gelu', 1, 0.05],
    ] as const) {
      const fp = fixedPoint(act, sw2, sb2);
      const q = fp.kind === 'finite' ? fp.q : NaN;
      const [top, near] = freeSpectrum(act, sw2, sb2, 'haar', [1, 1 - 1e-8])!.lambda;
      expect(top).toBeCloseTo(0.5 * Math.log(chi1(act, sw2, q)), 12);
      expect(Math.abs(near! - top!)).toBeLessThan(1e-6);
    }
  });

  it('integrates to (1/N) E log|det A| (Fuglede-Kadison): (1/2)[log sw2 - 1 + E log d] for Gaussian W', () => {
    // Gauss-Legendre in s with t = s^4 tames the log singularity of lambda at t -> 0.
    const gl = gaussLegendre(48);
    const ts: number[] = [];
    const ws: number[] = [];
    for (let i = 0; i < gl.x.length; i++) {
      const s = 0.5 * (gl.x[i]! + 1);
      ts.push(s ** 4);
      ws.push(0.5 * gl.w[i]! * 4 * s ** 3);
    }
    const g = freeSpectrum('tanh', 2, 0, 'ginibre', ts)!.lambda;
    const o = freeSpectrum('tanh', 2, 0, 'haar', ts)!.lambda;
    const { h, w } = trapezoid(Q_TANH2);
    // log tanh'(h)^2 = 2 log(1 - tanh^2) = -4 log cosh h, written overflow-free.
    const eLogD = h.reduce((s, x, i) => s + w[i]! * -4 * (Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x))) - Math.LN2), 0);
    const ig = g.reduce((s, l, i) => s + ws[i]! * l, 0);
    const io = o.reduce((s, l, i) => s + ws[i]! * l, 0);
    expect(Math.abs(ig - 0.5 * (Math.log(2) - 1 + eLogD))).toBeLessThan(1e-6);
    expect(Math.abs(io - 0.5 * (Math.log(2) + eLogD))).toBeLessThan(1e-6);
  });

  it("a zero fixed point (tanh, sw2 < 1, sb2 = 0) gives the linear layer phi'(0) W", () => {
    const lam = freeSpectrum('tanh', 0.5, 0, 'ginibre', [0.8, 0.2])!.lambda;
    expect(lam[0]).toBeCloseTo(0.5 * Math.log(0.5 * 0.8), 12);
    expect(lam[1]).toBeCloseTo(0.5 * Math.log(0.5 * 0.2), 12);
  });

  it('null without a finite fixed point; indexed t_i = 1 - (i - 1/2)/N', () => {
    expect(freeSpectrum('gelu', 10, 2, 'ginibre', [0.5])).toBeNull();
    const r = freeSpectrumIndexed(8, 3, 'tanh', 2, 0, 'ginibre')!;
    expect(r.t).toEqual([1 - 0.5 / 8, 1 - 1.5 / 8, 1 - 2.5 / 8]);
    expect(r.lambda[0]!).toBeGreaterThan(r.lambda[1]!);
  });

  it("handles SELU (phi' jumps at 0) consistently with the mean-field chi_1 at t = 1", () => {
    const fp = fixedPoint('selu', 1, 0.1);
    expect(fp.kind).toBe('finite');
    const lam = freeSpectrum('selu', 1, 0.1, 'ginibre', [1, 0.5])!.lambda;
    expect(Number.isFinite(lam[1]!)).toBe(true);
    expect(lam[1]!).toBeLessThan(lam[0]!);
  });
});
