import { describe, expect, it } from 'vitest';
import { convergenceLevels, densityOverlays, phasePlotData, residualLinearTop, spectrumOverlays } from '../../../src/theory/overlays';
import { parseQuery, validateParams } from '../../../src/params/url';
import { ACTIVATIONS, ALPHA_SCALINGS, ARCHITECTURES, WEIGHT_ENSEMBLES, type Params } from '../../../src/params/types';
import { residualCoefficients } from '../../../src/params/derived';
import { newmanSpectrum } from '../../../src/theory/gaussian-product';
import { reluExactSpectrum, reluLargeN, reluRankProbability } from '../../../src/theory/relu-exact';
import { freeSpectrum, freeSpectrumIndexed } from '../../../src/theory/free-probability';
import { applicableTheories, type TheoryId } from '../../../src/theory/catalog';
import { criticalSw2, expectations, fixedPoint, topExponentMeanField } from '../../../src/theory/meanfield';
import { fussCatalanDensityAt, marchenkoPastur } from '../../../src/theory/fuss-catalan';
import { jacobianDensityAt } from '../../../src/theory/pennington';
import {
  chiBarFromMeanField,
  linearResidualSpectrum,
  linearResidualTopExponent,
  residualOutlierLogGain,
  smallCSpectrum,
  tarnowskiDensityAt,
  tarnowskiEdges,
  tarnowskiParameter,
} from '../../../src/theory/residual';
import type { TheoryCurve } from '../../../src/plots/types';

const P = (q: string): Params => parseQuery(q).params;
const VARIABLES = [
  { squared: false, perLayer: false },
  { squared: false, perLayer: true },
  { squared: true, perLayer: false },
  { squared: true, perLayer: true },
];
/** u = kappa log sigma^2. */
const kappaOf = (v: { squared: boolean; perLayer: boolean }, L: number) => (v.squared ? 2 : 1) / (2 * (v.perLayer ? L : 1));
const trapezoid = (c: TheoryCurve) => {
  let s = 0;
  for (let i = 1; i < c.x.length; i++) s += (((c.y[i] ?? 0) + (c.y[i - 1] ?? 0)) / 2) * (c.x[i]! - c.x[i - 1]!);
  return s;
};
const byId = (curves: TheoryCurve[], id: TheoryId, style?: TheoryCurve['style']) =>
  curves.find((c) => c.id === id && (style === undefined || c.style === style));
const applicable = (p: Params) =>
  new Set(
    applicableTheories(p)
      .filter((a) => a.applies)
      .map((a) => a.id),
  );
/** Linear interpolation of a curve at x (x ascending). */
function interp(c: TheoryCurve, x: number): number {
  let j = 1;
  while (j < c.x.length - 1 && c.x[j]! < x) j++;
  const x0 = c.x[j - 1]!;
  const x1 = c.x[j]!;
  return c.y[j - 1]! + ((c.y[j]! - c.y[j - 1]!) * (x - x0)) / (x1 - x0);
}

describe('spectrum overlays', () => {
  it('Newman: the exact values as points at x = i/k, also for k < N', () => {
    const c = byId(spectrumOverlays(P('act=linear&sw2=1.3&width=16&k=10')), 'newman')!;
    const exact = newmanSpectrum(16, 1.3, 10);
    expect(c.style).toBe('points');
    expect(c.x).toHaveLength(10);
    c.x.forEach((x, i) => expect(x).toBeCloseTo((i + 1) / 10, 15));
    c.y.forEach((y, i) => expect(y).toBeCloseTo(exact[i]!, 12));
    // Sanity value of docs/THEORY.md section 6: N = 16, sigma^2 = 1, lambda_1.
    expect(byId(spectrumOverlays(P('act=linear&sw2=1&width=16')), 'newman')!.y[0]).toBeCloseTo(-0.03190003, 7);
  });

  it('exact ReLU: conditional values as points, the rank condition and its probability in the note', () => {
    const p = P('act=relu&sw2=2&sb2=0&width=64&k=20&depth=50');
    const c = byId(spectrumOverlays(p), 'relu-exact')!;
    expect(c.style).toBe('points');
    expect(c.y[0]).toBeCloseTo(-0.0200543, 6); // sheet, section 6
    expect(c.y[19]).toBeCloseTo(-0.52375982, 6);
    const exact = reluExactSpectrum(64, 2, 20).lambda;
    c.y.forEach((y, i) => expect(y).toBe(exact[i]));
    expect(c.note).toMatch(/rank >= i/);
    expect(c.note).toContain(reluRankProbability(64, 50, 20).toPrecision(3));
  });

  it('mean-field top: the 1/N-corrected value at x = 1/k for Gaussian W, (1/2) log chi_1 otherwise', () => {
    const g = byId(spectrumOverlays(P('act=tanh&sw2=2&sb2=0&width=64&k=64')), 'meanfield-top')!;
    expect(g.x).toEqual([1 / 64]);
    expect(g.y[0]).toBeCloseTo(0.03800142, 7); // sheet, section 6
    const o = byId(spectrumOverlays(P('act=tanh&sw2=2&sb2=0&width=64&k=16&weights=orth')), 'meanfield-top')!;
    expect(o.x).toEqual([1 / 16]);
    expect(o.y[0]).toBeCloseTo(topExponentMeanField('tanh', 2, 0)!.lambda1, 12);
  });

  it('free spectrum line: every point is lambda(t) at x = ((1 - t) N + 1/2)/k, so it meets freeSpectrumIndexed at x = i/k', () => {
    for (const [N, k] of [
      [256, 256],
      [32, 20],
    ] as const) {
      const p = P(`act=tanh&sw2=2&sb2=0.05&width=${N}&k=${k}`);
      const c = byId(spectrumOverlays(p), 'free-spectrum')!;
      expect(c.style).toBe('line');
      expect(c.x.length).toBeLessThanOrEqual(400);
      const ts = c.x.map((x) => 1 - (x * k - 0.5) / N);
      const fs = freeSpectrum('tanh', 2, 0.05, 'ginibre', ts)!.lambda;
      c.y.forEach((y, j) => expect(y).toBeCloseTo(fs[j]!, 10));
      // Ends: t = 1 at x = 1/(2k), where lambda = (1/2) log chi_1; the last index at x = 1.
      expect(c.x[0]).toBeCloseTo(1 / (2 * k), 12);
      expect(c.y[0]).toBeCloseTo(topExponentMeanField('tanh', 2, 0.05)!.lambda1, 9);
      const idx = freeSpectrumIndexed(N, k, 'tanh', 2, 0.05, 'ginibre')!.lambda;
      expect(c.x.at(-1)).toBeCloseTo(1, 12);
      expect(c.y.at(-1)).toBeCloseTo(idx[k - 1]!, 9);
      // In between, the line interpolates the indexed values closely over the bulk.
      for (let i = 1; i <= Math.floor(0.9 * k); i++) expect(Math.abs(interp(c, i / k) - idx[i - 1]!)).toBeLessThan(2e-3);
    }
  });

  it('free spectrum: a saturated solver plateau (erf at large q*) is cut, not drawn', () => {
    const c = byId(spectrumOverlays(P('act=erf&sw2=10&sb2=2&width=64')), 'free-spectrum')!;
    expectNonIncreasing(c);
    const finite = c.y.filter((y): y is number => y !== null);
    expect(finite.length).toBeGreaterThan(100);
    expect(finite.length).toBeLessThan(c.y.length);
    expect(Math.min(...finite)).toBeGreaterThan(0.5 * Math.log(10 * 0.9) - 30); // the plateau: (1/2) log(sw2 (1 - t)) - 30, t < 0.1
    // Orthogonal linear nets have a flat law, which is kept.
    const flat = byId(spectrumOverlays(P('act=linear&weights=orth&sw2=2')), 'free-spectrum')!;
    for (const y of flat.y) expect(y).toBeCloseTo(0.5 * Math.log(2), 12);
  });

  it('free spectrum of ReLU: the large-N law, drawn down to the last finite index', () => {
    const c = byId(spectrumOverlays(P('act=relu&sw2=2&sb2=0&width=64')), 'free-spectrum')!;
    c.x.forEach((x, j) => expect(c.y[j]).toBeCloseTo(reluLargeN(2, 1 - (x * 64 - 0.5) / 64), 10));
    expect(c.y.every((y) => y !== null)).toBe(true);
    expect(c.x.at(-1)).toBeCloseTo(32 / 64, 12); // index N/2 is the last with t_i > 1/2
  });

  it('linear residual: exact top as a point, the N -> infinity spectrum as a line (sheet sanity values)', () => {
    const p = P('arch=res&act=linear&ascale=const&alpha=0.5&sw2=1&width=16&k=16');
    const curves = spectrumOverlays(p);
    const top = byId(curves, 'residual-linear-top')!;
    expect(top.style).toBe('points');
    expect(top.x).toEqual([1 / 16]);
    expect(top.y[0]).toBeCloseTo(0.1000962027, 9);
    const line = byId(curves, 'residual-linear-spectrum')!;
    expect(line.x[0]).toBeCloseTo(1 / 32, 12);
    expect(line.y[0]).toBeCloseTo(0.5 * Math.log(1.25), 12); // lambda(1) = (1/2) log(1 + c^2 sw2) (sheet: 0.111558)
    const ts = line.x.map((x) => 1 - (x * 16 - 0.5) / 16);
    const ref = linearResidualSpectrum(0.5, 1, ts);
    line.y.forEach((y, j) => expect(y).toBeCloseTo(ref[j]!, 12));
    expect(byId(curves, 'residual-small-c')).toBeUndefined(); // c = 0.5 is not small
  });

  it('small-c expansion: points with chiBar of the mean-field trajectory over the measured layers', () => {
    const p = P('arch=res&act=tanh&ascale=sqrtL&alpha=1&sw2=1.5&sb2=0.1&depth=100&transient=20&q0=2&width=32&k=12');
    const c = byId(spectrumOverlays(p), 'residual-small-c')!;
    const { c: cc } = residualCoefficients(p);
    const ref = smallCSpectrum(32, 12, cc, chiBarFromMeanField('tanh', 1.5, 0.1, cc, 100, 20, 2));
    c.y.forEach((y, i) => expect(y).toBeCloseTo(ref[i]!, 14));
  });

  it('the fast series of the linear-residual top exponent joins the exact sum', () => {
    for (const N of [4, 64, 1024]) {
      for (const mu of [1.9e5, 2.1e5, 1e6]) {
        const c = Math.sqrt(N / (2 * mu));
        expect(Math.abs(residualLinearTop(N, c, 1) - linearResidualTopExponent(N, c, 1))).toBeLessThan(5e-9);
      }
    }
    // Far below the switch the exact sum is used.
    expect(residualLinearTop(16, 0.5, 1)).toBe(linearResidualTopExponent(16, 0.5, 1));
  });
});

describe('overlays appear only where the catalogue says they apply', () => {
  const cases = [
    'act=linear&sw2=1',
    'act=linear&weights=orth',
    'act=linear&weights=sparse&p=0.3',
    'act=relu&sw2=2&sb2=0',
    'act=relu&sw2=1.5&sb2=0.2',
    'act=tanh&weights=orth&sw2=1.76&sb2=0.05&depth=16',
    'act=hardtanh&weights=orth&sw2=2&sb2=0.05&depth=16',
    'act=gelu&sw2=3&sb2=0',
    'arch=res&act=linear&ascale=const&alpha=0.1',
    'arch=res&act=relu&sw2=2',
    'arch=res&act=tanh&ascale=L',
    'width=16&k=8&act=linear',
  ];
  for (const q of cases) {
    it(q, () => {
      const p = P(q);
      const ok = applicable(p);
      const curves = [...spectrumOverlays(p), ...VARIABLES.flatMap((v) => densityOverlays(p, v))];
      for (const c of curves) expect(ok.has(c.id), `${c.id} drawn`).toBe(true);
      for (const id of [
        'newman',
        'relu-exact',
        'meanfield-top',
        'free-spectrum',
        'residual-linear-top',
        'residual-small-c',
        'residual-linear-spectrum',
      ] as TheoryId[]) {
        if (ok.has(id))
          expect(
            spectrumOverlays(p).some((c) => c.id === id),
            `${id} missing`,
          ).toBe(true);
      }
    });
  }

  it('specific absences: k < N, bias on ReLU, residual nets, orthogonal linear; sw2 = 0 does not throw', () => {
    expect(VARIABLES.flatMap((v) => densityOverlays(P('width=16&k=8&act=linear'), v))).toEqual([]);
    expect(byId(spectrumOverlays(P('act=relu&sw2=2&sb2=0.1')), 'relu-exact')).toBeUndefined();
    expect(spectrumOverlays(P('act=relu&arch=res&sw2=2')).map((c) => c.id)).toEqual([]);
    const orth = P('act=linear&weights=orth&sw2=2&depth=20');
    expect(spectrumOverlays(orth).map((c) => c.id)).not.toContain('newman');
    expect(densityOverlays(orth, VARIABLES[0]!).map((c) => c.id)).toEqual(['pennington']);
    expect(byId(densityOverlays(P('act=tanh&arch=ff'), VARIABLES[0]!), 'tarnowski')).toBeUndefined();
    // sw2 = 0: q* = sb2 (the map is constant), chi_1 = 0, so no overlay has a finite value to draw.
    const zero = P('act=tanh&sw2=0');
    expect(() => applicableTheories(zero)).not.toThrow();
    expect(spectrumOverlays(zero)).toEqual([]);
    expect(densityOverlays(zero, VARIABLES[1]!)).toEqual([]);
    expect(convergenceLevels(zero)).toEqual([]);
  });
});

describe('density overlays', () => {
  // Each with the continuous mass its line must carry.
  const massCases: [string, TheoryId, number][] = [
    ['act=linear&sw2=1&depth=3&width=64', 'fuss-catalan', 1],
    ['act=linear&sw2=2&depth=100000&width=64', 'fuss-catalan', 1], // tail below the angle grid added
    ['act=linear&weights=sparse&sw2=1.5&depth=10', 'pennington', 1],
    ['act=tanh&sw2=1.8&sb2=0.05&depth=20', 'pennington', 1],
    ['act=tanh&sw2=2&sb2=0&depth=150', 'pennington', 1], // hard-edge tail added below the solver's floor
    ['act=tanh&sw2=1.7609546396&sb2=0.05&depth=16&weights=orth', 'pennington', 1],
    ['act=tanh&sw2=2&sb2=0&depth=400', 'pennington', 1], // L -> infinity limit
    ['act=relu&sw2=2&depth=10', 'pennington', 0.5],
    ['act=relu&sw2=1.2&sb2=0.3&depth=40&weights=orth', 'pennington', 0.5],
    ['arch=res&act=tanh&depth=100&sw2=1', 'tarnowski', 1],
    ['arch=res&act=relu&depth=100&sw2=2&alpha=1', 'tarnowski', 1],
  ];
  for (const [q, id, mass] of massCases) {
    it(`integrates to the continuous mass ${mass} in every variable (${q})`, () => {
      const p = P(q);
      for (const v of VARIABLES) {
        const c = byId(densityOverlays(p, v, 0.37), id, 'line')!;
        expect(c, JSON.stringify(v)).toBeDefined();
        expect(Math.abs(trapezoid(c) - mass)).toBeLessThan(1e-2);
        expect(c.x.length).toBeLessThanOrEqual(400);
        for (let i = 1; i < c.x.length; i++) expect(c.x[i]!).toBeGreaterThanOrEqual(c.x[i - 1]!);
        // The measured fraction is quoted, never used to rescale.
        expect(c.note).toContain('0.370');
      }
    });
  }

  it('hard tanh with orthogonal W: continuous part f - (top atom) plus the atom as a vertical line at sw2^L', () => {
    const p = P('act=hardtanh&sw2=2&sb2=0.05&depth=2&weights=orth');
    const v = VARIABLES[3]!;
    const curves = densityOverlays(p, v);
    const atom = byId(curves, 'pennington', 'vline')!;
    expect(atom.x[0]).toBeCloseTo(kappaOf(v, 2) * 2 * Math.log(2), 12);
    const mass = Number(/Atom of mass ([0-9.]+)/.exec(atom.note)![1]);
    expect(mass).toBeGreaterThan(0.2);
    // f = P(|h| < 1) at q*; the continuous part carries f - atom.
    const fp = fixedPoint('hardtanh', 2, 0.05);
    const f = fp.kind === 'finite' ? expectations('hardtanh', fp.q).edphi2 : NaN; // P(|h| < 1) at q*
    expect(trapezoid(byId(curves, 'pennington', 'line')!)).toBeCloseTo(f - mass, 2);
  });

  it('change of variables: whole depth = L x per layer in x and density / L; squared doubles x and halves y', () => {
    const p = P('act=tanh&sw2=1.8&sb2=0.05&depth=20');
    const per = byId(densityOverlays(p, { squared: false, perLayer: true }), 'pennington')!;
    const whole = byId(densityOverlays(p, { squared: false, perLayer: false }), 'pennington')!;
    const sq = byId(densityOverlays(p, { squared: true, perLayer: true }), 'pennington')!;
    expect(whole.x).toHaveLength(per.x.length);
    per.x.forEach((x, i) => {
      expect(whole.x[i]).toBeCloseTo(20 * x, 9);
      expect(per.y[i]!).toBeCloseTo(20 * whole.y[i]!, 9);
      expect(sq.x[i]).toBeCloseTo(2 * x, 9);
      expect(sq.y[i]!).toBeCloseTo(per.y[i]! / 2, 9);
    });
  });

  it('pointwise: y = x rho(x) / kappa at u = kappa log x (Marchenko-Pastur, Fuss-Catalan, Pennington, Tarnowski)', () => {
    // L = 1: Marchenko-Pastur with variance sw2.
    for (const v of VARIABLES) {
      const mp = byId(densityOverlays(P('act=linear&sw2=1.7&depth=1'), v), 'fuss-catalan')!;
      const kappa = kappaOf(v, 1);
      mp.x.forEach((u, j) => {
        const x = Math.exp(u / kappa);
        expect(mp.y[j]!).toBeCloseTo((x * marchenkoPastur(x, 1.7)) / kappa, 6);
      });
    }
    // L = 3 with sw2 = 2: x = 8 x_FC.
    const v = VARIABLES[1]!;
    const fc = byId(densityOverlays(P('act=linear&sw2=2&depth=3'), v), 'fuss-catalan')!;
    const kappa = kappaOf(v, 3);
    let checked = 0;
    fc.x.forEach((u, j) => {
      const x = Math.exp(u / kappa);
      if (x > 8 * 1e-8 && x < 8 * 9) {
        expect(fc.y[j]!).toBeCloseTo((x * (fussCatalanDensityAt(3, x / 8) / 8)) / kappa, 6);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(100);
    // Pennington at the sheet's sanity point (tanh, orthogonal, critical, L = 16), at a few curve points.
    const pen = byId(densityOverlays(P('act=tanh&sw2=1.7609546396&sb2=0.05&depth=16&weights=orth'), VARIABLES[0]!), 'pennington')!;
    const k0 = kappaOf(VARIABLES[0]!, 16);
    const picks = [20, 60, 120, 180].map((j) => Math.min(j, pen.x.length - 2));
    const ref = jacobianDensityAt(
      'tanh',
      1.7609546396,
      0.05,
      'haar',
      16,
      picks.map((j) => Math.exp(pen.x[j]! / k0)),
    )!;
    picks.forEach((j, m) => {
      const x = Math.exp(pen.x[j]! / k0);
      expect(pen.y[j]! / ((x * ref[m]!) / k0)).toBeCloseTo(1, 5);
    });
    // ReLU is solved at sw2 = 2 and shifted by L log(sw2/2): check against the solver run at sw2 = 1.2 itself.
    const rv = VARIABLES[1]!;
    const relu = byId(densityOverlays(P('act=relu&sw2=1.2&sb2=0.3&depth=8&weights=orth'), rv), 'pennington', 'line')!;
    const kr = kappaOf(rv, 8);
    const rj = [30, 90, 150].map((j) => Math.min(j, relu.x.length - 2));
    const rref = jacobianDensityAt(
      'relu',
      1.2,
      0.3,
      'haar',
      8,
      rj.map((j) => Math.exp(relu.x[j]! / kr)),
    )!;
    rj.forEach((j, m) => {
      const x = Math.exp(relu.x[j]! / kr);
      expect(relu.y[j]! / ((x * rref[m]!) / kr)).toBeCloseTo(1, 5);
    });
    // Tarnowski at a = alpha^2 sw2 = 1 (linear residual, alpha/sqrt(L)): edges 0.04740589 and 21.09442325.
    const tv = VARIABLES[2]!;
    const tar = byId(densityOverlays(P('arch=res&act=linear&alpha=1&sw2=1&depth=64'), tv), 'tarnowski')!;
    const kt = kappaOf(tv, 64);
    expect(tar.x[0]).toBeCloseTo(kt * Math.log(0.04740589), 6);
    expect(tar.x.at(-1)).toBeCloseTo(kt * Math.log(21.09442325), 6);
    for (const j of [10, 80, 160]) {
      const x = Math.exp(tar.x[j]! / kt);
      expect(tar.y[j]! / ((x * tarnowskiDensityAt(1, x)) / kt)).toBeCloseTo(1, 8);
    }
    expect(tarnowskiEdges(1)[0]).toBeCloseTo(0.04740589, 7);
  });

  it('the one-pass residual trajectory matches tarnowskiParameter and residualOutlierLogGain', () => {
    const p = P('arch=res&act=relu&depth=50&sw2=2&alpha=1&q0=3');
    const { c } = residualCoefficients(p);
    for (const v of VARIABLES) {
      const curves = densityOverlays(p, v);
      const o = byId(curves, 'residual-outlier')!;
      expect(o.style).toBe('vline');
      expect(o.x[0]).toBeCloseTo(kappaOf(v, 50) * 2 * residualOutlierLogGain('relu', 2, 0, c, 50, 3), 10);
      expect(byId(curves, 'tarnowski')!.note).toContain(`a = ${tarnowskiParameter('relu', 2, 0, c, 50, 3).toPrecision(4)}`);
    }
    // Zero residual strength: J = I, every singular value at log sigma = 0.
    const id = byId(densityOverlays(P('arch=res&act=tanh&alpha=0'), VARIABLES[0]!), 'tarnowski')!;
    expect(id.style).toBe('vline');
    expect(id.x[0]).toBe(0);
  });
});

describe('convergence levels', () => {
  it('Newman: exact top, mean and bottom of the tracked exponents', () => {
    const levels = convergenceLevels(P('act=linear&sw2=1&width=8&k=6'));
    const exact = newmanSpectrum(8, 1, 6);
    expect(levels.map((l) => l.y)).toEqual([exact[0], exact.reduce((a, b) => a + b) / 6, exact[5]]);
    // One notation for every index: λ₁..λ₆, not λ₁..λ6.
    expect(levels.map((l) => l.label)).toEqual(['exact top λ₁ (Newman)', 'exact mean of λ₁..λ₆ (Newman)', 'exact bottom λ₆ (Newman)']);
    expect(convergenceLevels(P('act=linear&sw2=1&width=40&k=32')).at(-1)!.label).toBe('exact bottom λ₃₂ (Newman)');
  });

  it('ReLU: the mean only while almost every sample keeps rank >= k', () => {
    const shallow = convergenceLevels(P('act=relu&sw2=2&sb2=0&width=64&k=10&depth=20'));
    const exact = reluExactSpectrum(64, 2, 10).lambda;
    expect(shallow.map((l) => l.y)).toEqual([exact[0], exact.reduce((a, b) => a + b) / 10, exact[9]]);
    const deep = convergenceLevels(P('act=relu&sw2=2&sb2=0&width=64&k=30&depth=200'));
    expect(deep).toHaveLength(2);
  });

  it('linear residual: exact top (and the small-c mean and bottom when c is small); mean field for tanh', () => {
    const p = P('arch=res&act=linear&ascale=const&alpha=0.1&sw2=1&width=64');
    const levels = convergenceLevels(p);
    expect(levels[0]!.y).toBeCloseTo(0.0048211812, 9); // sheet: (64, 0.1)
    expect(levels).toHaveLength(3);
    expect(convergenceLevels(P('act=tanh&sw2=2&sb2=0&width=64'))[0]!.y).toBeCloseTo(0.03800142, 7);
  });
});

describe('phase diagram', () => {
  it('shape, default range, current point and widening to hold it', () => {
    const d = phasePlotData('tanh', { sw2: 1.5, sb2: 0.1 });
    expect(d.logChi1).toHaveLength(d.sw2.length * d.sb2.length);
    expect(d.sw2.length).toBeGreaterThanOrEqual(30);
    expect(d.sb2.length).toBeGreaterThanOrEqual(20);
    expect(d.sw2[0]).toBe(0.5);
    expect(d.sw2.at(-1)).toBe(4);
    expect(d.sb2[0]).toBe(0);
    expect(d.sb2.at(-1)).toBe(0.5);
    expect(d.current).toEqual({ sw2: 1.5, sb2: 0.1 });
    expect(d.activation).toBe('tanh');
    expect(d.critical).toHaveLength(d.sb2.length);
    const far = phasePlotData('tanh', { sw2: 9, sb2: 1.5 });
    expect(far.sw2.at(-1)).toBeGreaterThan(9 * 1.1);
    expect(far.sb2.at(-1)).toBeGreaterThan(1.5 * 1.1);
    const low = phasePlotData('tanh', { sw2: 0, sb2: 0 });
    expect(low.sw2[0]).toBe(0);
    expect(low.logChi1[0]).toBeNull(); // sw2 = 0: chi_1 = 0
    const custom = phasePlotData('erf', { sw2: 1, sb2: 0 }, { sw2Range: [1, 2], sb2Range: [0, 0.2], n: [5, 4] });
    expect(custom.sw2).toEqual([1, 1.25, 1.5, 1.75, 2]);
    expect(custom.sb2).toHaveLength(4);
  });

  for (const act of ['tanh', 'erf'] as const) {
    it(`the critical line lies where log chi_1 changes sign along each grid row and matches criticalSw2 (${act})`, () => {
      const d = phasePlotData(act, { sw2: 1.5, sb2: 0.1 });
      let rows = 0;
      d.critical.forEach((c, j) => {
        expect(c.sb2).toBe(d.sb2[j]);
        const row = d.logChi1.slice(j * d.sw2.length, (j + 1) * d.sw2.length);
        const i = row.findIndex((v) => v !== null && v > 0);
        if (c.sw2 === null) {
          expect(i).toBe(-1);
          return;
        }
        rows++;
        expect(row[i - 1]!).toBeLessThan(0);
        expect(c.sw2).toBeGreaterThanOrEqual(d.sw2[i - 1]!);
        expect(c.sw2).toBeLessThanOrEqual(d.sw2[i]!);
        const ref = criticalSw2(act, c.sb2)!;
        // The sb2 = 0 row of tanh touches chi_1 = 1 quadratically above sw2 = 1: only 1e-4 there.
        expect(Math.abs(c.sw2 - ref)).toBeLessThan(c.sb2 === 0 ? 1e-4 : 1e-7);
      });
      expect(rows).toBeGreaterThan(10);
    });
  }

  it('ReLU: the line is sw2 = 2 for every sb2, where the grid turns from ordered to divergent (null)', () => {
    const d = phasePlotData('relu', { sw2: 1, sb2: 0.1 });
    for (const c of d.critical) expect(c.sw2).toBeCloseTo(2, 9);
    const j = 5; // sb2 > 0
    const row = d.logChi1.slice(j * d.sw2.length, (j + 1) * d.sw2.length);
    d.sw2.forEach((w, i) => (w < 2 ? expect(row[i]!).toBeLessThan(0) : expect(row[i]).toBeNull()));
  });
});

/** Exponents fall with the index: a line's finite values never rise along x. */
function expectNonIncreasing(c: TheoryCurve) {
  let prev = Infinity;
  for (const y of c.y) {
    if (y === null) continue;
    expect(y).toBeLessThanOrEqual(prev + 1e-9 * Math.max(1, Math.abs(prev)));
    prev = y;
  }
}

describe('totality', () => {
  function randomParams(rand: () => number, maxDepth: number): Params {
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const width = Math.max(2, Math.round(2 * 512 ** rand()));
    const depth = Math.max(1, Math.round(maxDepth ** rand()));
    const raw: Partial<Params> = {
      width,
      k: rand() < 0.6 ? width : 1 + Math.floor(rand() * width),
      depth,
      sw2: rand() < 0.05 ? 0 : 10 * rand(),
      sb2: rand() < 0.4 ? 0 : 2 * rand() ** 2,
      act: pick(ACTIVATIONS),
      arch: pick(ARCHITECTURES),
      alpha: rand() < 0.05 ? 0 : 4 * rand(),
      ascale: pick(ALPHA_SCALINGS),
      weights: pick(WEIGHT_ENSEMBLES),
      p: 0.01 + 0.99 * rand(),
      q0: rand() < 0.05 ? 0 : 100 * rand() ** 2,
      transient: rand() < 0.5 ? 0 : Math.floor(rand() * depth),
    };
    return validateParams(raw).params;
  }

  function checkCurves(curves: TheoryCurve[], p: Params) {
    for (const c of curves) {
      const where = `${c.id} ${JSON.stringify(p)}`;
      expect(['line', 'points', 'vline'], where).toContain(c.style);
      expect(c.x.length, where).toBe(c.y.length);
      expect(c.label.length, where).toBeGreaterThan(0);
      for (const x of c.x) expect(Number.isFinite(x), where).toBe(true);
      for (const y of c.y) expect(y === null || Number.isFinite(y), where).toBe(true);
      if (c.style !== 'vline')
        expect(
          c.y.some((y) => y !== null),
          where,
        ).toBe(true);
    }
  }

  it('a seeded fuzz of 300 valid parameter sets: no throw, no NaN, curves well formed', () => {
    let seed = 20240611;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 300; t++) {
      const p = randomParams(rand, 2000);
      const spec = spectrumOverlays(p);
      checkCurves(spec, p);
      for (const c of spec) for (const x of c.x) expect(x > 0 && x <= 1 + 1e-12, `${c.id} x = ${x}`).toBe(true);
      for (const c of spec) if (c.style === 'line') expectNonIncreasing(c);
      const v = VARIABLES[Math.floor(rand() * 4)]!;
      const dens = densityOverlays(p, v, rand());
      checkCurves(dens, p);
      if (p.k !== p.width) expect(dens).toEqual([]);
      for (const c of dens) if (c.style === 'line') expect(trapezoid(c)).toBeLessThan(1.04);
      for (const l of convergenceLevels(p)) expect(Number.isFinite(l.y)).toBe(true);
    }
  }, 240_000);

  it('extreme corners: width 1024, depth 1e5, sw2 at its ends, tiny residual strength', () => {
    for (const q of [
      'width=1024&k=1024&act=relu&sw2=10&sb2=2&depth=100000',
      'width=1024&k=1024&act=linear&sw2=10&depth=100000',
      'width=1024&k=1024&act=tanh&sw2=10&sb2=2&depth=100000&weights=orth',
      'width=2&k=2&act=sigmoid&sw2=0.01&depth=1',
      'width=2&k=1&act=erf&sw2=10&sb2=2&depth=3000',
      'arch=res&act=linear&alpha=0.0001&ascale=L&depth=100000&width=1024&k=1024',
      'arch=res&act=selu&alpha=4&ascale=const&sw2=10&depth=300',
      'act=gelu&sw2=10&sb2=2&depth=500&q0=0',
    ]) {
      const p = P(q);
      checkCurves(spectrumOverlays(p), p);
      for (const v of VARIABLES) checkCurves(densityOverlays(p, v, 0.5), p);
      for (const l of convergenceLevels(p)) expect(Number.isFinite(l.y)).toBe(true);
    }
    for (const act of ACTIVATIONS) {
      const d = phasePlotData(act, { sw2: 0, sb2: 2 });
      for (const v of d.logChi1) expect(v === null || Number.isFinite(v)).toBe(true);
      for (const c of d.critical) expect(c.sw2 === null || Number.isFinite(c.sw2)).toBe(true);
    }
  }, 120_000);
});
