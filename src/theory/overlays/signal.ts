/**
 * Theory of the signal plot: the mean-field trajectory of q, c, dist and grad (src/theory/signal.ts),
 * the large-l power laws of residual nets as asymptotes, and the convergence verdict of ascale=power,
 * each only where the catalogue says it applies.
 */
import type { Params } from '../../params/types';
import { signalMeanField } from '../signal';
import { residualPowerLaws, scheduleVerdict } from '../signal-laws';
import { applying, attempt, curve, fin, memo, noteFor } from './shared';
import type { TheoryCurve } from './types';

/** The quantities the signal plot shows, one panel each. */
export const SIGNAL_PANELS = ['q', 'c', 'dist', 'grad'] as const;
export type SignalPanel = (typeof SIGNAL_PANELS)[number];

export interface SignalTheory {
  curves: Record<SignalPanel, TheoryCurve[]>;
  /** Statements drawn as text (the schedule's convergence condition). */
  notes: { id: 'power-schedule'; text: string }[];
}

/** At most this many points per curve (log-spaced beyond it, always including 0, 1 and L). */
const MAX_POINTS = 600;

function plotLayers(depth: number): number[] {
  if (depth + 1 <= MAX_POINTS) return Array.from({ length: depth + 1 }, (_, l) => l);
  const set = new Set<number>([0, 1, depth]);
  for (let i = 0; i < MAX_POINTS; i++) set.add(Math.min(depth, Math.max(1, Math.round(Math.exp((i / (MAX_POINTS - 1)) * Math.log(depth))))));
  return [...set].sort((a, b) => a - b);
}

const GRAD_LABEL = { exact: 'exact per layer (linear Gaussian)', delta: 'mean field, 1/N terms', 'infinite-N': 'mean field (N → ∞)' } as const;

export function signalOverlays(p: Params): SignalTheory {
  const curves: Record<SignalPanel, TheoryCurve[]> = { q: [], c: [], dist: [], grad: [] };
  const notes: SignalTheory['notes'] = [];
  const { ok, cav } = applying(p);
  if (ok.has('signal-meanfield')) {
    attempt(() => {
      const t = memo(`signal|${JSON.stringify(p)}`, () => signalMeanField(p));
      const ls = plotLayers(p.depth);
      const note = noteFor('signal-meanfield', cav('signal-meanfield'));
      const pick = (a: Float64Array) => ls.map((l) => fin(a[l]));
      curves.q.push(curve('signal-meanfield', note, ls, pick(t.q), 'line', 'mean field'));
      curves.c.push(curve('signal-meanfield', note, ls, pick(t.c), 'line', 'mean field (p₁₂/p)'));
      curves.dist.push(curve('signal-meanfield', note, ls, pick(t.dist), 'line', 'mean field'));
      curves.grad.push(curve('signal-meanfield', note, ls, pick(t.grad), 'line', GRAD_LABEL[t.gradMethod]));
      if (ok.has('residual-power-law')) {
        const laws = residualPowerLaws(p);
        if (laws) {
          const note2 = noteFor('residual-power-law', cav('residual-power-law'));
          // Drawn over the upper decade of layers, where the laws hold.
          const from = Math.max(1, Math.floor(p.depth / 10));
          const xs = ls.filter((l) => l >= from);
          curves.q.push(
            curve(
              'residual-power-law',
              note2,
              xs,
              xs.map((l) => laws.qRate * l),
              'line',
              'asymptote ∝ l',
            ),
          );
          if (laws.distRate !== null)
            curves.dist.push(
              curve(
                'residual-power-law',
                note2,
                xs,
                xs.map((l) => laws.distRate! * l),
                'line',
                'asymptote ∝ l',
              ),
            );
          const last = t.c[p.depth]!;
          if (laws.cExponent !== null && Number.isFinite(last) && last > 0) {
            const e = laws.cExponent;
            curves.c.push(
              curve(
                'residual-power-law',
                note2,
                xs,
                xs.map((l) => last * (l / p.depth) ** e),
                'line',
                `asymptote ∝ l^${e.toFixed(3)}`,
              ),
            );
          }
          curves.grad.push(
            curve(
              'residual-power-law',
              note2,
              xs,
              xs.map((l) => 0.5 * laws.gradCoefficient * Math.sqrt(l)),
              'line',
              'asymptote ∝ √l',
            ),
          );
        }
      }
      return null;
    });
  }
  if (ok.has('power-schedule')) {
    const v = scheduleVerdict(p);
    if (v) notes.push({ id: 'power-schedule', text: v.text });
  }
  return { curves, notes };
}
