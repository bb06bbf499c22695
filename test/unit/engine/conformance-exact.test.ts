/**
 * The conformance suite's exact half: every registry combination (activation at each tested shape x
 * ensemble x architecture) for which a finite-N exact result applies is run on the float64 engine and
 * held to that result as the page draws it (the spectrum overlay), with the reference protocol's pass
 * rule |mean - exact| <= 4 SE + 1e-3 per index with >= 30 finite samples. Generated from the registries:
 * a new entry whose traits make an exact result apply is tested by adding it.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_ENTRIES, ARCHITECTURE_ENTRIES, ENSEMBLE_ENTRIES, modelOf } from '../../../src/model/index';
import { parseQuery } from '../../../src/params/url';
import { applicableTheories, type TheoryId } from '../../../src/theory/catalog';
import { spectrumOverlays } from '../../../src/theory/overlays';
import { runCpu } from './run-helpers';

/** The catalogue's results that are exact at every N and depth (validity "exact for every N"). */
const EXACT: readonly TheoryId[] = ['newman', 'relu-exact', 'residual-linear-top'];
const SHAPES = [0.8, 1, 2];

interface Case {
  query: string;
  /** Exact per-layer exponents by index (null: not tested), and which result gives them. */
  exact: { source: string; values: (number | null)[] }[];
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const act of ACTIVATION_ENTRIES)
    for (const shape of act.shapeKnob ? SHAPES : [null])
      for (const weights of ENSEMBLE_ENTRIES)
        for (const arch of ARCHITECTURE_ENTRIES) {
          const parts = [
            `act=${act.id}`,
            ...(act.shapeKnob && shape !== null ? [`${act.shapeKnob}=${shape}`] : []),
            `weights=${weights.id}`,
            `arch=${arch.id}`,
          ];
          if (weights.knobs.includes('p')) parts.push('p=0.5');
          if (arch.knobs.includes('alpha')) parts.push('alpha=0.5', 'ascale=const');
          const query = `${parts.join('&')}&width=16&depth=400&sw2=1.3&sb2=0&samples=128&seed=21`;
          const p = parseQuery(query).params;
          const exact: Case['exact'] = [];
          const applying = new Set(
            applicableTheories(p)
              .filter((a) => a.applies)
              .map((a) => a.id),
          );
          for (const c of spectrumOverlays(p)) {
            if (!EXACT.includes(c.id) || !applying.has(c.id)) continue;
            const values = new Array<number | null>(p.k).fill(null);
            c.x.forEach((x, j) => (values[Math.round(x * p.k) - 1] = c.y[j] ?? null));
            exact.push({ source: c.id, values });
          }
          // Linear nets with orthogonal weights and no skip connection: J = sw2^{L/2} x an orthogonal
          // matrix, so every exponent is (1/2) log sw2 exactly (no overlay draws it; the traits say when).
          const m = modelOf(p);
          if (m.activation.traits.identity && m.ensemble.traits.freeLaw === 'haar' && m.ensemble.traits.rotationInvariant && !arch.residual) {
            exact.push({ source: 'orthogonal linear', values: new Array<number>(p.k).fill(0.5 * Math.log(p.sw2)) });
          }
          if (exact.length > 0) out.push({ query, exact });
        }
  return out;
}

const CASES = cases();

describe('conformance: the float64 engine reproduces every exact result that applies to a registry combination', () => {
  it('finds the exact results the registry allows (Gaussian linear, ReLU and ReLU^1, linear residual, orthogonal linear)', () => {
    const sources = new Set(CASES.flatMap((c) => c.exact.map((e) => e.source)));
    expect([...sources].sort()).toEqual(['newman', 'orthogonal linear', 'relu-exact', 'residual-linear-top']);
    // ReLU^a at a = 1 is ReLU: its traits make the exact ReLU result apply to it too.
    expect(CASES.some((c) => c.query.startsWith('act=relupow&apow=1&') && c.exact.some((e) => e.source === 'relu-exact'))).toBe(true);
  });

  it.each(CASES.map((c) => [c.query, c] as const))('%s', async (_q, c) => {
    const snap = await runCpu(c.query, false);
    const { mean, sem, count } = snap.exponents;
    for (const { source, values } of c.exact) {
      let tested = 0;
      values.forEach((v, i) => {
        if (v === null || count[i]! < 30) return;
        tested++;
        const bound = 4 * (sem[i] ?? 0) + 1e-3;
        expect(Math.abs(mean[i]! - v), `${source}, index ${i + 1}: ${mean[i]} vs ${v}`).toBeLessThanOrEqual(bound);
      });
      expect(tested, source).toBeGreaterThan(0);
    }
  });
});
