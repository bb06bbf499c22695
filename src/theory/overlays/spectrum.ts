/**
 * Theory curves of the spectrum plot (x = i/k, i = 1..k; y = lambda_i per layer), only for the overlays
 * the catalogue says apply. Pure and total: any valid Params gives curves without throwing, and a value
 * that is undefined or infinite is null (a gap), never NaN.
 * - finite-N results with one value per index are 'points' at x = i/k;
 * - N -> infinity laws lambda(t) (t = fraction of exponents below) are 'line's. Index i sits at
 *   t_i = 1 - (i - 1/2)/N, the midpoint of its 1/N slot (docs/THEORY.md 5.1, freeSpectrumIndexed), so a
 *   curve point at t is drawn at x = ((1 - t) N + 1/2) / k and the line passes through freeSpectrumIndexed
 *   at x = i/k. The line runs from t = 1 (x = 1/(2k)) down to the last tracked index with a finite value.
 */
import type { Params } from '../../params/types';
import { freeSpectrum } from '../free-probability';
import { newmanSpectrum } from '../gaussian-product';
import { reluRankProbability } from '../relu-exact';
import { linearResidualSpectrum, smallCSpectrum } from '../residual';
import {
  activeFraction,
  applying,
  attempt,
  curve,
  fin,
  layerQ,
  linspace,
  meanFieldTop,
  noteFor,
  reluExact,
  residualLinearTop,
  residualTrajectory,
} from './shared';
import type { TheoryCurve } from './types';

/** Points of an N -> infinity spectrum line (evaluations of the free-probability solver). */
const LINE_UNIFORM = 160;
const LINE_EDGE = 40;

/** Indices 1..k at x = i/k. */
const indexX = (k: number) => Array.from({ length: k }, (_, i) => (i + 1) / k);

/**
 * A line grid for an N -> infinity law lambda(t): t from 1 down to tEnd (the position of the last drawn
 * index), uniform in t plus points log-spaced towards tSing (where lambda -> -infinity: 0, or 1 - f for
 * ReLU and hard tanh), so that the steep end is resolved. Returns t descending with its x ascending.
 */
function lineGrid(N: number, k: number, tEnd: number, tSing: number): { t: number[]; x: number[] } {
  const ts = new Set<number>(linspace(tEnd, 1, LINE_UNIFORM));
  const gap0 = tEnd - tSing;
  const gap1 = Math.min(1 - tSing, Math.max(gap0, 0.1));
  if (gap0 > 0 && gap1 > gap0 * 2) {
    for (let j = 1; j < LINE_EDGE; j++) ts.add(tSing + gap0 * (gap1 / gap0) ** (j / (LINE_EDGE - 1)));
  }
  // Descending, without near-duplicates (solver noise between them would read as a non-monotone law).
  const t: number[] = [];
  for (const v of [...ts].filter((v) => v >= tEnd && v <= 1).sort((a, b) => b - a)) if (t.length === 0 || t[t.length - 1]! - v > 1e-7) t.push(v);
  return { t, x: t.map((v) => ((1 - v) * N + 0.5) / k) };
}

/**
 * lambda(t) as a line over the tracked indices, from t = 1 down to the last index position t_i that lies
 * above tSing (below it the law is -infinity; the curve plunges inside that index's slot, which is not
 * drawn).
 */
function spectrumLine(N: number, k: number, tSing: number, lambdaAt: (ts: number[]) => number[] | null): { x: number[]; y: (number | null)[] } | null {
  let last = k;
  while (last > 0 && !(1 - (last - 0.5) / N > tSing)) last--;
  if (last === 0) return null;
  const g = lineGrid(N, k, 1 - (last - 0.5) / N, tSing);
  const lambda = lambdaAt(g.t);
  if (!lambda || lambda.length !== g.t.length) return null;
  const y = lambda.map((v) => fin(v));
  // lambda(t) never decreases with t (it is constant for orthogonal W with constant phi'^2). A solver that
  // saturates returns values that rise again as t falls (freeSpectrum's bracket for u ends at -e^60, which
  // erf at large q* reaches for t < ~0.1): cut the line before them.
  for (let j = 1; j < y.length; j++) {
    const a = y[j - 1];
    const b = y[j];
    if (a !== null && b !== null && b > a + 1e-9 * Math.max(1, Math.abs(a))) {
      for (let m = j - 1; m < y.length; m++) y[m] = null;
      break;
    }
  }
  return { x: g.x, y };
}

/**
 * Theory curves for the spectrum plot (x = i/k, y = per-layer lambda_i): Newman, exact ReLU, exact
 * linear-residual top and small-c expansion as 'points'; mean-field top as one point at x = 1/k;
 * free-probability and linear-residual N -> infinity spectra as 'line's (see the file comment for the
 * index convention).
 */
export function spectrumOverlays(p: Params): TheoryCurve[] {
  const { ctx, ok, cav } = applying(p);
  const N = p.width;
  const k = Math.min(p.k, N);
  const L = p.depth;
  const { c } = ctx;
  const out: TheoryCurve[] = [];
  const push = (r: TheoryCurve | null) => {
    if (r && r.y.some((v) => v !== null)) out.push(r);
  };

  if (ok.has('newman'))
    push(attempt(() => curve('newman', noteFor('newman', cav('newman')), indexX(k), Array.from(newmanSpectrum(N, p.sw2, k), fin), 'points')));

  if (ok.has('relu-exact'))
    push(
      attempt(() => {
        const r = reluExact(N, p.sw2, k);
        const pk = reluRankProbability(N, L, k);
        const cond =
          `Conditional result: index i is averaged over the networks whose Jacobian has rank >= i (in the others it is -Infinity), ` +
          `so it is comparable with the measured mean over finite samples; P(rank J >= k) = P(K >= k)^L = ${pk.toPrecision(3)} at k = ${k}, L = ${L}`;
        return curve('relu-exact', noteFor('relu-exact', cav('relu-exact'), cond), indexX(k), Array.from(r.lambda, fin), 'points');
      }),
    );

  if (ok.has('meanfield-top'))
    push(
      attempt(() => {
        const mf = meanFieldTop(ctx, N);
        if (!mf) return null;
        const corrected = ctx.ensemble.traits.gaussianEntries ? mf.corrected : null;
        const value = corrected ?? mf.lambda1;
        const extra =
          corrected !== null
            ? `(1/2) log chi_1 = ${mf.lambda1.toFixed(4)}, 1/N-corrected ${corrected.toFixed(4)} (drawn)`
            : mf.corrected === null
              ? `drawn without the 1/N term, which does not exist here: E phi'^4 diverges, so expect finite-N deviations far larger than 1/N (docs/THEORY.md 5.9); (1/2) log chi_1 = ${mf.lambda1.toFixed(4)}`
              : `drawn without the 1/N term: (1/2) log chi_1 = ${mf.lambda1.toFixed(4)}`;
        return curve('meanfield-top', noteFor('meanfield-top', cav('meanfield-top'), extra), [1 / k], [fin(value)], 'points');
      }),
    );

  if (ok.has('free-spectrum'))
    push(
      attempt(() => {
        const q = layerQ(ctx);
        if (q === null) return null;
        const f = activeFraction(ctx, q);
        const line = spectrumLine(N, k, 1 - f, (ts) => freeSpectrum(ctx.act, p.sw2, p.sb2, ctx.ensemble.traits.freeLaw, ts)?.lambda ?? null);
        return line ? curve('free-spectrum', noteFor('free-spectrum', cav('free-spectrum')), line.x, line.y, 'line') : null;
      }),
    );

  if (ok.has('residual-linear-top'))
    push(
      attempt(() =>
        curve('residual-linear-top', noteFor('residual-linear-top', cav('residual-linear-top')), [1 / k], [fin(residualLinearTop(N, c, p.sw2))], 'points'),
      ),
    );

  if (ok.has('residual-small-c'))
    push(
      attempt(() => {
        const chiBar = residualTrajectory(ctx).chiBar;
        if (!Number.isFinite(chiBar)) return null;
        return curve(
          'residual-small-c',
          noteFor('residual-small-c', cav('residual-small-c'), `c = ${c.toPrecision(3)}, chiBar = ${chiBar.toPrecision(4)} (mean field)`),
          indexX(k),
          Array.from(smallCSpectrum(N, k, c, chiBar), fin),
          'points',
        );
      }),
    );

  if (ok.has('residual-linear-spectrum'))
    push(
      attempt(() => {
        const line = spectrumLine(N, k, 0, (ts) => linearResidualSpectrum(c, p.sw2, ts));
        return line ? curve('residual-linear-spectrum', noteFor('residual-linear-spectrum', cav('residual-linear-spectrum')), line.x, line.y, 'line') : null;
      }),
    );
  return out;
}
