import { describe, expect, it } from 'vitest';
import { convergenceLevels, densityOverlays, phasePlotData, spectrumOverlays } from '../../../src/theory/overlays';
import { parseQuery } from '../../../src/params/url';
import { newmanSpectrum } from '../../../src/theory/gaussian-product';
import { freeSpectrumIndexed } from '../../../src/theory/free-probability';
import { applicableTheories } from '../../../src/theory/catalog';
import { PARAM_TABLE, effectiveMax } from '../../../src/params/table';
import { validateParams } from '../../../src/params/url';
import type { Params } from '../../../src/params/types';
import type { TheoryCurve } from '../../../src/plots/types';

const P = (q: string) => parseQuery(q).params;
const trapezoid = (c: TheoryCurve) => {
  let s = 0;
  for (let i = 1; i < c.x.length; i++) s += (((c.y[i] ?? 0) + (c.y[i - 1] ?? 0)) / 2) * (c.x[i]! - c.x[i - 1]!);
  return s;
};

describe('spectrum overlays', () => {
  it('Newman: the exact values at x = i/k, also for k < N', () => {
    const p = P('act=linear&sw2=1.3&width=16&k=10');
    const c = spectrumOverlays(p).find((o) => o.id === 'newman')!;
    const exact = newmanSpectrum(16, 1.3, 10);
    expect(c.style).toBe('points');
    c.x.forEach((x, i) => expect(x).toBeCloseTo((i + 1) / 10, 15));
    c.y.forEach((y, i) => expect(y).toBeCloseTo(exact[i]!, 12));
  });

  it('the free spectrum line passes through freeSpectrumIndexed at the index positions', () => {
    const p = P('act=tanh&sw2=2&sb2=0.05&width=32&k=20');
    const c = spectrumOverlays(p).find((o) => o.id === 'free-spectrum')!;
    const idx = freeSpectrumIndexed(32, 20, 'tanh', 2, 0.05, 'gauss')!;
    // The curve is drawn from index 1 to index k; its first and last points are those indices.
    expect(c.x[0]).toBeCloseTo(1 / 20, 12);
    expect(c.x.at(-1)).toBeCloseTo(1, 12);
    expect(c.y[0]).toBeCloseTo(idx.lambda[0]!, 10);
    expect(c.y.at(-1)).toBeCloseTo(idx.lambda[19]!, 10);
  });

  it('only the overlays the catalogue allows', () => {
    for (const q of ['act=linear&sw2=1', 'act=relu&sw2=2', 'arch=res&act=linear&ascale=const&alpha=0.1', 'arch=res&act=relu', 'act=tanh&weights=orth']) {
      const p = P(q);
      const allowed = new Set(applicableTheories(p).filter((a) => a.applies).map((a) => a.id));
      for (const c of spectrumOverlays(p)) expect(allowed.has(c.id), `${q}: ${c.id}`).toBe(true);
      for (const c of densityOverlays(p, { squared: false, perLayer: true })) expect(allowed.has(c.id), `${q}: ${c.id}`).toBe(true);
    }
    expect(spectrumOverlays(P('act=relu&arch=res')).map((c) => c.id)).toEqual([]);
  });
});

describe('density overlays', () => {
  const cases = ['act=linear&sw2=1&depth=3&width=64', 'act=tanh&sw2=1.8&sb2=0.05&depth=20', 'act=relu&sw2=2&depth=10', 'arch=res&act=tanh&depth=100&sw2=1'];
  for (const q of cases) {
    it(`integrates to the nonzero fraction in every variable (${q})`, () => {
      const p = P(q);
      for (const squared of [false, true]) {
        for (const perLayer of [false, true]) {
          const curves = densityOverlays(p, { squared, perLayer }, 0.75).filter((c) => c.style === 'line');
          expect(curves.length).toBeGreaterThan(0);
          for (const c of curves) expect(trapezoid(c)).toBeCloseTo(0.75, 2);
        }
      }
    });
  }

  it('changes variables correctly: whole depth = L x per layer in x, density / L; squared doubles x', () => {
    const p = P('act=tanh&sw2=1.8&sb2=0.05&depth=20');
    const per = densityOverlays(p, { squared: false, perLayer: true })[0]!;
    const whole = densityOverlays(p, { squared: false, perLayer: false })[0]!;
    const sq = densityOverlays(p, { squared: true, perLayer: true })[0]!;
    per.x.forEach((x, i) => {
      expect(whole.x[i]).toBeCloseTo(20 * x, 9);
      expect(whole.y[i]!).toBeCloseTo(per.y[i]! / 20, 9);
      expect(sq.x[i]).toBeCloseTo(2 * x, 9);
    });
  });

  it('Fuss-Catalan sits where log sigma of W_L...W_1 lies: shifted by (L/2) log sw2', () => {
    const a = densityOverlays(P('act=linear&sw2=1&depth=2&width=32'), { squared: false, perLayer: false })[0]!;
    const b = densityOverlays(P('act=linear&sw2=4&depth=2&width=32'), { squared: false, perLayer: false })[0]!;
    expect(b.x[0]! - a.x[0]!).toBeCloseTo(Math.log(4), 9);
  });

  it('nothing when k < N; the residual outlier as a vertical line', () => {
    expect(densityOverlays(P('width=16&k=8'), { squared: false, perLayer: true })).toEqual([]);
    const o = densityOverlays(P('arch=res&act=relu&depth=50'), { squared: false, perLayer: true }).find((c) => c.id === 'residual-outlier')!;
    expect(o.style).toBe('vline');
    expect(o.x[0]).toBeGreaterThan(0);
  });
});

describe('levels and phase data', () => {
  it('exact Newman levels: top, mean and bottom', () => {
    const levels = convergenceLevels(P('act=linear&sw2=1&width=8'));
    const exact = newmanSpectrum(8, 1, 8);
    expect(levels.map((l) => l.y)).toEqual([exact[0], exact.reduce((a, b) => a + b) / 8, exact[7]]);
  });

  it('the critical line lies where log chi_1 changes sign on the grid', () => {
    const d = phasePlotData('tanh', { sw2: 1.5, sb2: 0.1 });
    expect(d.logChi1).toHaveLength(d.sw2.length * d.sb2.length);
    for (const c of d.critical) {
      if (c.sw2 === null) continue;
      const j = d.sb2.findIndex((b) => Math.abs(b - c.sb2) < 1e-12);
      if (j < 0) continue;
      const row = d.logChi1.slice(j * d.sw2.length, (j + 1) * d.sw2.length);
      const i = d.sw2.findIndex((w) => w > c.sw2!);
      expect(row[i - 1]!).toBeLessThanOrEqual(1e-9);
      expect(row[i]!).toBeGreaterThanOrEqual(-1e-9);
    }
    expect(phasePlotData('tanh', { sw2: 9, sb2: 1.5 }).sw2.at(-1)).toBeGreaterThan(9);
  });
});

describe('totality', () => {
  it('random valid parameters never throw and never give NaN', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 150; t++) {
      const raw: Record<string, unknown> = {};
      for (const spec of PARAM_TABLE) {
        if (spec.kind === 'enum') raw[spec.name] = spec.options[Math.floor(rand() * spec.options.length)]!.value;
        else if (spec.name === 'width') raw[spec.name] = 2 + Math.floor(rand() * 60);
        else if (spec.name === 'depth') raw[spec.name] = 1 + Math.floor(rand() * 300);
        else if (spec.name === 'k' || spec.name === 'transient') continue;
        else raw[spec.name] = spec.min + rand() * (Math.min(spec.max, 10) - spec.min);
      }
      raw['k'] = rand() < 0.7 ? raw['width'] : 1 + Math.floor(rand() * (raw['width'] as number));
      const p: Params = validateParams(raw as Partial<Params>).params;
      expect(effectiveMax(PARAM_TABLE[1], p)).toBe(p.width);
      const curves = [...spectrumOverlays(p), ...densityOverlays(p, { squared: rand() < 0.5, perLayer: rand() < 0.5 }, rand())];
      for (const c of curves) for (const v of [...c.x, ...c.y]) expect(Number.isNaN(v as number), `${c.id} ${JSON.stringify(p)}`).toBe(false);
      for (const l of convergenceLevels(p)) expect(Number.isFinite(l.y)).toBe(true);
    }
  });
});
