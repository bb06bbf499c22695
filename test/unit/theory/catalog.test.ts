import { describe, expect, it } from 'vitest';
import { applicableTheories, THEORY_CATALOG, type Applicability } from '../../../src/theory/catalog';
import { parseQuery } from '../../../src/params/url';

const status = (q: string): Map<string, Applicability> => new Map(applicableTheories(parseQuery(q).params).map((a) => [a.id, a]));
const applies = (q: string, id: string) => status(q).get(id)!.applies;

const applying = (q: string) =>
  applicableTheories(parseQuery(q).params)
    .filter((a) => a.applies)
    .map((a) => a.id)
    .sort();

describe('theory catalog (independent checks)', () => {
  it('has one fully documented entry per overlay, with unique ids and a known plot kind', () => {
    const ids = THEORY_CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of THEORY_CATALOG) {
      expect(e.title.length).toBeGreaterThan(5);
      expect(e.formula.length).toBeGreaterThan(5);
      expect(e.validity.length).toBeGreaterThan(20);
      expect(e.source).toMatch(/[A-Z]|sheet/);
      expect(['spectrum', 'density', 'convergence', 'phase', 'signal']).toContain(e.plot);
    }
    // Every entry is answered for every parameter set, and a hidden curve always says why.
    for (const q of ['', 'act=relu&arch=res', 'act=linear&weights=orth', 'act=gelu&sw2=10&sb2=2']) {
      const res = applicableTheories(parseQuery(q).params);
      expect(res.map((r) => r.id)).toEqual(ids);
      for (const r of res) if (!r.applies) expect(r.reason.length, `${q}: ${r.id}`).toBeGreaterThan(5);
    }
  });

  it('Newman and Fuss-Catalan: linear, Gaussian, feedforward only', () => {
    expect(applies('act=linear&weights=gauss&arch=ff', 'newman')).toBe(true);
    expect(applies('act=linear&weights=gauss&arch=ff', 'fuss-catalan')).toBe(true);
    for (const q of ['act=tanh', 'act=linear&weights=orth', 'act=linear&weights=sparse', 'act=linear&arch=res']) {
      expect(applies(q, 'newman'), q).toBe(false);
      expect(applies(q, 'fuss-catalan'), q).toBe(false);
    }
  });

  it('exact ReLU: ReLU, zero bias, Gaussian W, feedforward', () => {
    expect(applies('act=relu&sb2=0&weights=gauss', 'relu-exact')).toBe(true);
    expect(applies('act=relu&sb2=0.05', 'relu-exact')).toBe(false);
    expect(applies('act=relu&sb2=0&weights=orth', 'relu-exact')).toBe(false);
    expect(applies('act=relu&sb2=0&arch=res', 'relu-exact')).toBe(false);
    expect(applies('act=hardtanh&sb2=0', 'relu-exact')).toBe(false);
  });

  it('free spectrum and mean-field top: feedforward with a finite fixed point; sparse flagged asymptotic', () => {
    for (const w of ['gauss', 'orth', 'sparse']) expect(applies(`act=tanh&sw2=2&weights=${w}`, 'free-spectrum')).toBe(true);
    expect(status('act=tanh&sw2=2&weights=sparse').get('free-spectrum')!.reason).toMatch(/N -> infinity/);
    expect(status('act=tanh&sw2=2&weights=sparse').get('pennington')!.reason).toMatch(/sparse/);
    expect(applies('act=tanh&sw2=2', 'meanfield-top')).toBe(true);
    const diverging = status('act=gelu&sw2=10&sb2=2');
    expect(diverging.get('free-spectrum')!.applies).toBe(false);
    expect(diverging.get('meanfield-top')!.reason).toMatch(/diverge/);
    expect(applies('act=tanh&arch=res', 'free-spectrum')).toBe(false);
    // ReLU's phi'^2 does not depend on q, so a diverging variance does not matter.
    expect(applies('act=relu&sw2=3&sb2=0.1', 'free-spectrum')).toBe(true);
  });

  it('residual (a), (c): linear residual nets with Gaussian W only', () => {
    for (const id of ['residual-linear-top', 'residual-linear-spectrum']) {
      expect(applies('act=linear&arch=res&weights=gauss', id)).toBe(true);
      expect(applies('act=linear&arch=res&weights=orth', id)).toBe(false);
      expect(applies('act=tanh&arch=res', id)).toBe(false);
      expect(applies('act=linear&arch=ff', id)).toBe(false);
    }
  });

  it('residual (b): small c = alpha/(1, sqrt L, L); hidden for ReLU, whose mean drift breaks it', () => {
    // c = 1/sqrt(100) = 0.1, c = 1/100, c = 1: small, small, not small.
    expect(applies('act=tanh&arch=res&alpha=1&ascale=sqrtL&depth=100', 'residual-small-c')).toBe(true);
    expect(applies('act=tanh&arch=res&alpha=1&ascale=L&depth=100', 'residual-small-c')).toBe(true);
    const big = status('act=tanh&arch=res&alpha=1&ascale=const&depth=100').get('residual-small-c')!;
    expect(big.applies).toBe(false);
    expect(big.reason).toMatch(/c = 1/);
    expect(applies('act=tanh&arch=res&alpha=0.15&ascale=const', 'residual-small-c')).toBe(true);
    expect(applies('act=relu&arch=res&alpha=1&ascale=sqrtL&depth=100', 'residual-small-c')).toBe(false);
  });

  it('Tarnowski needs alpha/sqrt(L); the outlier flag marks non-odd activations in residual nets', () => {
    expect(applies('act=tanh&arch=res&ascale=sqrtL', 'tarnowski')).toBe(true);
    expect(applies('act=relu&arch=res&ascale=sqrtL', 'tarnowski')).toBe(true);
    expect(applies('act=tanh&arch=res&ascale=const', 'tarnowski')).toBe(false);
    expect(applies('act=tanh&arch=res&ascale=L', 'tarnowski')).toBe(false);
    expect(applies('act=tanh&arch=ff', 'tarnowski')).toBe(false);
    for (const act of ['relu', 'gelu', 'silu', 'sigmoid']) expect(applies(`act=${act}&arch=res`, 'residual-outlier'), act).toBe(true);
    for (const act of ['tanh', 'linear', 'erf', 'hardtanh']) expect(applies(`act=${act}&arch=res`, 'residual-outlier'), act).toBe(false);
    expect(applies('act=relu&arch=ff', 'residual-outlier')).toBe(false);
  });

  it('picks the exact results only where they hold', () => {
    expect(applying('act=linear&weights=gauss')).toEqual(['free-spectrum', 'fuss-catalan', 'meanfield-top', 'newman', 'pennington', 'signal-meanfield']);
    expect(applying('act=relu&sw2=2&sb2=0')).toContain('relu-exact');
    expect(applying('act=relu&sw2=2&sb2=0.1')).not.toContain('relu-exact');
    expect(applying('act=linear&weights=orth')).not.toContain('newman');
    expect(applying('act=linear&arch=res&alpha=0.5&ascale=const')).toEqual(['residual-linear-spectrum', 'residual-linear-top', 'signal-meanfield']);
    expect(applying('act=relu&arch=res&ascale=sqrtL&depth=100')).toEqual(['residual-outlier', 'signal-meanfield', 'tarnowski']);
    expect(applying('act=tanh&arch=res&ascale=sqrtL&depth=100')).toEqual(['residual-small-c', 'signal-meanfield', 'tarnowski']);
  });

  it('explains why a curve is hidden', () => {
    const res = applicableTheories(parseQuery('act=gelu&sw2=10&sb2=2').params);
    const top = res.find((a) => a.id === 'meanfield-top')!;
    expect(top.applies).toBe(false);
    expect(top.reason).toMatch(/diverges/);
    expect(res.find((a) => a.id === 'pennington')!.applies).toBe(false);
    const k = applicableTheories(parseQuery('act=linear&width=32&k=8').params).find((a) => a.id === 'fuss-catalan')!;
    expect(k.reason).toMatch(/k = N/);
  });

  it('handles sw2 = 0 (a slider end) for every activation and architecture without throwing', async () => {
    const { spectrumOverlays, densityOverlays, convergenceLevels } = await import('../../../src/theory/overlays');
    const { ACTIVATIONS } = await import('../../../src/params/types');
    for (const act of ACTIVATIONS)
      for (const q of ['sb2=0', 'sb2=0.05'])
        for (const arch of ['ff', 'res']) {
          const p = parseQuery(`act=${act}&sw2=0&${q}&arch=${arch}&width=16&k=16`).params;
          expect(p.sw2).toBe(0);
          expect(() => applicableTheories(p), `${act} ${q} ${arch}`).not.toThrow();
          // Whatever is drawn must be finite: J = a I (residual) or 0 (feedforward) here.
          const curves = [...spectrumOverlays(p), ...densityOverlays(p, { squared: false, perLayer: true })];
          for (const c of curves) for (const y of c.y) expect(y === null || Number.isFinite(y), `${c.id} ${act} ${arch}`).toBe(true);
          for (const lv of convergenceLevels(p)) expect(Number.isFinite(lv.y)).toBe(true);
        }
    // sw2 = 0 makes q* = sb2 exactly (the map is constant): the mean-field top exponent is -Infinity, not drawn.
    const ff = applicableTheories(parseQuery('act=tanh&sw2=0&sb2=0.05').params).find((a) => a.id === 'meanfield-top')!;
    expect(ff.applies).toBe(true);
  });
});
