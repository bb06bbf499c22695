/**
 * Every catalogued overlay is drawn for some configuration, and every one of its validity conditions is
 * tested on both sides: an example where it holds (the overlay is drawn) and one where it fails (the
 * overlay is hidden with that condition's reason). A new overlay or condition without examples fails here.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/params/url';
import { applicability, THEORY_CATALOG, theoryContext, type TheoryId } from '../../../src/theory/catalog';
import { densityOverlays, signalOverlays, spectrumOverlays } from '../../../src/theory/overlays';

interface Examples {
  /** Where the overlay applies and is drawn. */
  drawn: string;
  /** Per condition name: a configuration where that condition fails. */
  fails: Record<string, string>;
}

const EXAMPLES: Record<TheoryId, Examples> = {
  newman: { drawn: 'act=linear&width=16&depth=50', fails: { feedforward: 'act=linear&arch=res', linear: 'act=tanh', gaussian: 'act=linear&weights=orth' } },
  'relu-exact': {
    drawn: 'act=relu&sb2=0&sw2=2&width=16&depth=50',
    fails: { feedforward: 'act=relu&arch=res&sb2=0', relu: 'act=hardtanh&sb2=0', gaussian: 'act=relu&weights=orth&sb2=0', zeroBias: 'act=relu&sb2=0.1' },
  },
  'fuss-catalan': {
    drawn: 'act=linear&width=16&depth=10',
    fails: { feedforward: 'act=linear&arch=res', linear: 'act=tanh', gaussian: 'act=linear&weights=orth', fullFrame: 'act=linear&width=16&k=8' },
  },
  'meanfield-top': { drawn: 'act=tanh&sw2=2&transient=20', fails: { feedforward: 'act=tanh&arch=res&sw2=2', finiteFixedPoint: 'act=gelu&sw2=10&sb2=2' } },
  'free-spectrum': { drawn: 'act=tanh&sw2=2&width=16', fails: { feedforward: 'act=tanh&arch=res&sw2=2', finiteFixedPoint: 'act=gelu&sw2=10&sb2=2' } },
  pennington: {
    drawn: 'act=tanh&sw2=2&width=16&depth=8',
    fails: { feedforward: 'act=tanh&arch=res', fullFrame: 'act=tanh&width=16&k=8', finiteFixedPoint: 'act=gelu&sw2=10&sb2=2' },
  },
  'residual-linear-top': {
    drawn: 'act=linear&arch=res&alpha=0.5&ascale=const',
    fails: {
      residual: 'act=linear',
      singleMatrix: 'act=linear&arch=full&alpha=0.5&ascale=const',
      constantC: 'act=linear&arch=res&alpha=0.5&ascale=power&beta=1.5',
      linear: 'act=tanh&arch=res',
      gaussian: 'act=linear&arch=res&weights=orth',
    },
  },
  'residual-small-c': {
    drawn: 'act=tanh&arch=res&ascale=sqrtL&depth=100',
    fails: {
      residual: 'act=tanh',
      singleMatrix: 'act=tanh&arch=full&ascale=sqrtL&depth=100',
      constantC: 'act=tanh&arch=res&ascale=power&alpha=0.1&beta=0.6',
      smallC: 'act=tanh&arch=res&ascale=const&alpha=0.5',
      odd: 'act=relu&arch=res&ascale=sqrtL&depth=100',
    },
  },
  'residual-linear-spectrum': {
    drawn: 'act=linear&arch=res&alpha=0.5&ascale=const',
    fails: {
      residual: 'act=linear',
      singleMatrix: 'act=linear&arch=full&alpha=0.5&ascale=const',
      constantC: 'act=linear&arch=res&alpha=0.5&ascale=power',
      linear: 'act=tanh&arch=res',
      gaussian: 'act=linear&arch=res&weights=orth',
    },
  },
  tarnowski: {
    // c = alpha = 0.1 per layer at L = 100 is the same c as alpha = 1 scaled by 1/sqrt(L).
    drawn: 'arch=res&ascale=const&alpha=0.1&depth=100',
    fails: {
      residual: 'ascale=const&alpha=0.1&depth=100',
      singleMatrix: 'arch=full&ascale=const&alpha=0.1&depth=100',
      constantC: 'arch=res&ascale=power&alpha=0.1&beta=0.5&depth=100',
      fullFrame: 'arch=res&ascale=const&alpha=0.1&depth=100&width=16&k=8',
      tarnowskiC: 'arch=res&ascale=const&alpha=1&depth=100',
      tarnowskiDepth: 'arch=res&ascale=L&alpha=1&depth=100',
    },
  },
  'residual-outlier': {
    drawn: 'act=relu&arch=res&depth=50',
    fails: { residual: 'act=relu', singleMatrix: 'act=relu&arch=full&depth=50', nonOdd: 'act=tanh&arch=res' },
  },
  // No condition: the mean field is drawn for every model (with caveats where it is only qualitative).
  'signal-meanfield': { drawn: 'act=tanh&arch=res', fails: {} },
  'residual-power-law': {
    drawn: 'act=tanh&arch=res&ascale=const&alpha=1&depth=200',
    fails: {
      residual: 'act=tanh&ascale=const&alpha=1&depth=200',
      constantC: 'act=tanh&arch=res&ascale=power&alpha=1&beta=0.3&depth=200',
      saturating: 'act=relu&arch=res&ascale=const&alpha=1&depth=200',
      accumulated: 'act=tanh&arch=res&ascale=sqrtL&alpha=1&depth=200',
    },
  },
  'power-schedule': { drawn: 'arch=res&ascale=power&beta=1.5', fails: { residual: 'ascale=power&beta=1.5', powerSchedule: 'arch=res&ascale=sqrtL' } },
};

const drawnIds = (q: string) => {
  const p = parseQuery(q).params;
  const signal = signalOverlays(p);
  return new Set([
    ...[...spectrumOverlays(p), ...densityOverlays(p, { squared: false, perLayer: true }), ...Object.values(signal.curves).flat()].map((c) => c.id),
    ...signal.notes.map((n) => n.id),
  ]);
};

describe.each(THEORY_CATALOG.map((e) => [e.id, e] as const))('overlay %s', (id, entry) => {
  const ex = EXAMPLES[id];

  it('is drawn where all its conditions hold', () => {
    const { params, corrections } = parseQuery(ex.drawn);
    expect(corrections).toEqual([]);
    const ctx = theoryContext(params);
    for (const c of entry.conditions) expect(c.holds(ctx), c.name).toBe(true);
    expect(applicability(entry, ctx).applies).toBe(true);
    expect(drawnIds(ex.drawn).has(id)).toBe(true);
  });

  it.each(entry.conditions.map((c) => [c.name, c] as const))('is hidden where %s fails, with its reason', (name, condition) => {
    const q = ex.fails[name];
    expect(q, `an example where ${name} fails`).toBeDefined();
    const { params, corrections } = parseQuery(q!);
    expect(corrections).toEqual([]);
    const ctx = theoryContext(params);
    expect(condition.holds(ctx)).toBe(false);
    const a = applicability(entry, ctx);
    expect(a.applies).toBe(false);
    // The reason shown is the first failing condition's: this one, unless an earlier one also fails.
    const first = entry.conditions.find((c) => !c.holds(ctx))!;
    expect(a.reason).toBe(first.unmet(ctx));
    expect(drawnIds(q!).has(id)).toBe(false);
  });

  it('names no condition without an example', () => {
    expect(Object.keys(ex.fails).sort()).toEqual(entry.conditions.map((c) => c.name).sort());
  });
});
