/**
 * Theory curves in the coordinates of the plots (src/plots/types.ts), only for the overlays that
 * `applicableTheories` says apply. Pure and total: any valid Params gives curves without throwing, and a
 * value that is undefined or infinite is null (a gap), never NaN. A theory function that throws or fails
 * its own consistency check draws nothing rather than something wrong.
 *
 * Spectrum (x = i/k, i = 1..k; y = lambda_i per layer):
 * - finite-N results with one value per index are 'points' at x = i/k;
 * - N -> infinity laws lambda(t) (t = fraction of exponents below) are 'line's. Index i sits at
 *   t_i = 1 - (i - 1/2)/N, the midpoint of its 1/N slot (THEORY.md 5.1, freeSpectrumIndexed), so a curve
 *   point at t is drawn at x = ((1 - t) N + 1/2) / k and the line passes through freeSpectrumIndexed at
 *   x = i/k. The line runs from t = 1 (x = 1/(2k)) down to the last tracked index that has a finite value.
 *
 * Density (variable u = s log sigma / D, s = 2 for squared singular values else 1, D = L per layer else 1;
 * sigma a singular value of the whole-depth Jacobian J, x = sigma^2):
 * - u = kappa log x with kappa = s / (2 D), and a density rho(x) becomes x rho(x) / kappa in u.
 * - Normalization: the plot draws the histogram as count / (total x bin width), total including the
 *   exact zeros, so its area is the measured nonzero fraction. Every density line here integrates (in u)
 *   to its theory's own continuous mass: 1 - (atom at 0) - (atom at the top) for Pennington's law
 *   (1/2 for ReLU, P(|h| < 1) for hard tanh), and 1 for Fuss-Catalan and Tarnowski. It is NOT rescaled to
 *   the measured fraction: the area gap is a prediction (at finite N rank J = min_l K_l is smaller than
 *   the N -> infinity atom says, and the missing values are the smallest ones), and the measured fraction
 *   is only quoted in the note. Atoms are not part of the lines: a top atom is a 'vline'; zeros are the
 *   histogram's stated count.
 */
import { lambdaName } from '../math/notation';
import type { Activation, Params } from '../params/types';
import { residualCoefficients } from '../params/derived';
import type { PhasePlotData, TheoryCurve } from '../plots/types';
import { activation } from '../engine/activations';
import { THEORY_CATALOG, applicableTheories, type TheoryId } from './catalog';
import { newmanSpectrum } from './gaussian-product';
import { reluExactSpectrum, reluRankProbability } from './relu-exact';
import { chi1, expectations, fixedPoint, orderChaosGrid, residualMeanField, topExponentMeanField, type FixedPoint } from './meanfield';
import { freeSpectrum } from './free-probability';
import { linearResidualSpectrum, linearResidualTopExponent, smallCSpectrum, tarnowskiDensity, tarnowskiEdges } from './residual';
import { fussCatalanCurve } from './fuss-catalan';
import { jacobianDensity } from './pennington';

/** Which plotted variable the density toggles select. */
export interface DensityVariableSpec {
  /** Singular values squared (s = 2) or not (s = 1). */
  squared: boolean;
  /** Divide by the depth L (per-layer units, comparable with the exponents). */
  perLayer: boolean;
}

/** Grid of the phase diagram. */
export interface PhaseGridOptions {
  /** [lo, hi] of sw2; default [0.5, 4], widened to hold the current point with 15% margin. */
  sw2Range?: [number, number];
  /** [lo, hi] of sb2; default [0, 0.5], widened likewise. */
  sb2Range?: [number, number];
  /** Cells: [along sw2, along sb2], or one number for sw2 with 3/4 of it along sb2. Default [32, 24]. */
  n?: number | [number, number];
}

// ---------------------------------------------------------------------------------------------------
// Shared helpers

/** Points of an N -> infinity spectrum line (evaluations of the free-probability solver). */
const LINE_UNIFORM = 160;
const LINE_EDGE = 40;
/** Solver points of a density (Pennington walk picks, Fuss-Catalan angles, Tarnowski nodes). */
const DENSITY_POINTS = 240;
/** Wall-clock cap on one finite-depth density walk: a walk cut short misses mass and the curve is then
 *  dropped by the mass check below, rather than holding the theory worker for seconds. */
const SOLVER_BUDGET_MS = 400;
/** Points of the analytic lower tail added below a truncated hard edge. */
const TAIL_POINTS = 32;
/** Depth from which the L -> infinity limit stands in for Pennington's law where the solver cannot run. */
const LIMIT_MIN_DEPTH = 100;
/** A density line whose area misses its continuous mass by more than this is a solver failure: dropped. */
const MASS_TOLERANCE = 0.03;

const fin = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

function entry(id: TheoryId) {
  return THEORY_CATALOG.find((t) => t.id === id)!;
}

function sentence(s: string): string {
  const t = s.trim();
  return t === '' ? '' : /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Note = catalogue validity, then the applicability caveat, then extra sentences. */
function noteFor(id: TheoryId, caveat: string, ...extra: string[]): string {
  return [entry(id).validity, caveat ? `Caveat: ${caveat}` : '', ...extra].map(sentence).filter(Boolean).join(' ');
}

function curve(id: TheoryId, note: string, x: number[], y: (number | null)[], style: TheoryCurve['style'], label = entry(id).title): TheoryCurve {
  return { id, label, note, x, y, style };
}

/**
 * The overlays that apply, with their caveat. applicableTheories itself can throw (its fixed-point search
 * rejects sw2 = 0): then J = 0 or the mean field is undefined, and nothing is drawn.
 */
function applies(p: Params): Map<TheoryId, string> {
  try {
    return new Map(applicableTheories(p).filter((a) => a.applies).map((a) => [a.id, a.reason]));
  } catch {
    return new Map();
  }
}

/** Runs f, and turns a throw into "no curve". */
function attempt<T>(f: () => T | null): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

/** The variance at which the feedforward layers are evaluated (q*; any q for linear and ReLU, whose phi'^2 does not depend on it). */
function layerVariance(act: Activation, sw2: number, sb2: number): { q: number; fp: FixedPoint | null } | null {
  if (act === 'linear' || act === 'relu') return { q: 1, fp: null };
  if (!(sw2 > 0)) return null;
  const fp = fixedPoint(act, sw2, sb2);
  if (fp.kind === 'finite' || fp.kind === 'marginal') return { q: fp.q, fp };
  if (fp.kind === 'zero') return { q: 0, fp };
  return null;
}

/** P(phi' != 0) for the activations whose phi'^2 is 0 or 1; 1 otherwise. */
function activeFraction(act: Activation, q: number): number {
  return act === 'relu' || act === 'hardtanh' ? expectations(act, q).edphi2 : 1;
}

/**
 * Results of the expensive theory (solver walks, mean-field trajectories) for recent parameters, so that
 * the density toggles, the spectrum, the levels and a slider's live preview do not recompute them.
 */
const MEMO = new Map<string, unknown>();
function memo<T>(key: string, f: () => T): T {
  if (MEMO.has(key)) return MEMO.get(key) as T;
  const v = f();
  if (MEMO.size >= 64) MEMO.delete(MEMO.keys().next().value!);
  MEMO.set(key, v);
  return v;
}

const linspace = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? lo : i === n - 1 ? hi : lo + ((hi - lo) * i) / (n - 1)));

// ---------------------------------------------------------------------------------------------------
// Spectrum

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
  const ok = applies(p);
  const N = p.width;
  const k = Math.min(p.k, N);
  const L = p.depth;
  const { c } = residualCoefficients(p);
  const out: TheoryCurve[] = [];
  const push = (r: TheoryCurve | null) => {
    if (r && r.y.some((v) => v !== null)) out.push(r);
  };
  const cav = (id: TheoryId) => ok.get(id) ?? '';

  if (ok.has('newman')) push(attempt(() => curve('newman', noteFor('newman', cav('newman')), indexX(k), Array.from(newmanSpectrum(N, p.sw2, k), fin), 'points')));

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
        const mf = meanFieldTop(p.act, p.sw2, p.sb2, N);
        if (!mf) return null;
        const useCorrected = p.weights === 'gauss';
        const value = useCorrected ? mf.corrected : mf.lambda1;
        const extra = useCorrected ? `(1/2) log chi_1 = ${mf.lambda1.toFixed(4)}, 1/N-corrected ${mf.corrected.toFixed(4)} (drawn)` : `drawn without the 1/N term: (1/2) log chi_1 = ${mf.lambda1.toFixed(4)}`;
        return curve('meanfield-top', noteFor('meanfield-top', cav('meanfield-top'), extra), [1 / k], [fin(value)], 'points');
      }),
    );

  if (ok.has('free-spectrum'))
    push(
      attempt(() => {
        const lv = layerVariance(p.act, p.sw2, p.sb2);
        if (!lv) return null;
        const f = activeFraction(p.act, lv.q);
        const w = p.weights === 'orth' ? 'orth' : 'gauss';
        const line = spectrumLine(N, k, 1 - f, (ts) => freeSpectrum(p.act, p.sw2, p.sb2, w, ts)?.lambda ?? null);
        return line ? curve('free-spectrum', noteFor('free-spectrum', cav('free-spectrum')), line.x, line.y, 'line') : null;
      }),
    );

  if (ok.has('residual-linear-top'))
    push(attempt(() => curve('residual-linear-top', noteFor('residual-linear-top', cav('residual-linear-top')), [1 / k], [fin(residualLinearTop(N, c, p.sw2))], 'points')));

  if (ok.has('residual-small-c'))
    push(
      attempt(() => {
        const chiBar = residualTrajectory(p, c).chiBar;
        if (!Number.isFinite(chiBar)) return null;
        return curve('residual-small-c', noteFor('residual-small-c', cav('residual-small-c'), `c = ${c.toPrecision(3)}, chiBar = ${chiBar.toPrecision(4)} (mean field)`), indexX(k), Array.from(smallCSpectrum(N, k, c, chiBar), fin), 'points');
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

/**
 * linearResidualTopExponent, with its Poisson-digamma sum (40 sqrt(mu) terms, mu = N/(2 c^2 sw2)) replaced
 * for mu > 2e5 (c^2 sw2 < N/4e5, where the sum would take milliseconds to seconds) by its expansion in
 * v = c^2 sw2: with Y = |(I + cW)u|^2 - 1, E log(1 + Y) = v (1 - 2/N) - v^2 (1/2 - 3/N + 4/N^2) + O(v^3),
 * from the moments of Y up to c^4 (odd orders vanish); the O(v^3) rest is below 2e-8 there.
 */
export function residualLinearTop(N: number, c: number, sw2: number): number {
  const v = c * c * sw2;
  if (v > 0 && N / (2 * v) > 2e5) return 0.5 * (v * (1 - 2 / N) - v * v * (0.5 - 3 / N + 4 / (N * N)));
  return linearResidualTopExponent(N, c, sw2);
}

/** reluExactSpectrum, shared by the spectrum and the levels (O(N k) digammas: ~13 ms at N = k = 1024). */
const reluExact = (N: number, sw2: number, k: number) => memo(`relu|${N}|${sw2}|${k}`, () => reluExactSpectrum(N, sw2, k));

/** (1/2) log chi_1 at the layer variance and its 1/N-corrected value (THEORY.md 5.4). */
function meanFieldTop(act: Activation, sw2: number, sb2: number, N: number): { lambda1: number; corrected: number } | null {
  if (act === 'linear' || act === 'relu') {
    // phi'^2 does not depend on q: the value holds even where q itself diverges.
    const e = expectations(act, 1);
    const lambda1 = 0.5 * Math.log(sw2 * e.edphi2);
    return { lambda1, corrected: lambda1 - (3 * (e.edphi4 / e.edphi2 ** 2) - 1) / (4 * N) };
  }
  const mf = topExponentMeanField(act, sw2, sb2, N);
  if (!mf) return null;
  return { lambda1: mf.lambda1, corrected: mf.lambda1Corrected ?? mf.lambda1 };
}

/**
 * One residual mean-field trajectory (THEORY.md 5.7e, p0 = q0, m0 = 0) and the three numbers drawn from
 * it: chiBar over the measured layers (as chiBarFromMeanField), Tarnowski's a = c^2 sum_l chi_l (as
 * tarnowskiParameter) and log(|x_L|/|x_0|) = (1/2) log(p_L/p_0) (as residualOutlierLogGain). One pass
 * instead of three: at depth 1e5 each costs ~0.7 s.
 */
function residualTrajectory(p: Params, c: number): { chiBar: number; a: number; logGain: number } {
  return memo(`res|${p.act}|${p.sw2}|${p.sb2}|${c}|${p.depth}|${p.q0}|${p.transient}`, () => residualTrajectoryUncached(p, c));
}

function residualTrajectoryUncached(p: Params, c: number): { chiBar: number; a: number; logGain: number } {
  const L = p.depth;
  const { chi, p: pp } = residualMeanField(p.act, p.sw2, p.sb2, c, L, p.q0, 0);
  let total = 0;
  let measured = 0;
  for (let l = 0; l < L; l++) {
    total += chi[l]!;
    if (l >= p.transient) measured += chi[l]!;
  }
  return { chiBar: L > p.transient ? measured / (L - p.transient) : NaN, a: c * c * total, logGain: 0.5 * Math.log(pp[L - 1]! / p.q0) };
}

// ---------------------------------------------------------------------------------------------------
// Density

/** A continuous density in l = log x (x = sigma^2), l ascending; pl = x rho(x), the density in l. */
interface LogDensity {
  l: number[];
  pl: number[];
}

function trapezoid(x: readonly number[], y: readonly (number | null)[]): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += (((y[i] ?? 0) + (y[i - 1] ?? 0)) / 2) * (x[i]! - x[i - 1]!);
  return s;
}

/** Sorts, drops non-finite abscissae and clamps bad densities to 0. */
function cleanLogDensity(l: ArrayLike<number>, pl: ArrayLike<number>): LogDensity {
  const pts: [number, number][] = [];
  for (let i = 0; i < l.length; i++) {
    const a = l[i]!;
    const b = pl[i]!;
    if (Number.isFinite(a)) pts.push([a, Number.isFinite(b) && b > 0 ? b : 0]);
  }
  pts.sort((u, v) => u[0] - v[0]);
  return { l: pts.map((q) => q[0]), pl: pts.map((q) => q[1]) };
}

/**
 * Below a hard edge the density in l decays like e^{r l} (rho ~ x^{r - 1}; r = 1/(L+1) for products of L
 * Gaussian matrices), so the mass below the lowest point l0 is p(l0)/r. When that is not negligible, add
 * the tail analytically down to where 1e-5 of it is left. r is taken from the two lowest points when
 * `estimate`, clamped to [rate/2, 2 rate].
 */
function extendTail(d: LogDensity, rate: number, estimate: boolean): LogDensity {
  const i0 = d.pl.findIndex((v) => v > 0);
  if (i0 < 0) return d;
  const l0 = d.l[i0]!;
  const p0 = d.pl[i0]!;
  let r = rate;
  if (estimate && i0 + 1 < d.l.length && d.pl[i0 + 1]! > 0 && d.l[i0 + 1]! > l0) {
    const est = (Math.log(d.pl[i0 + 1]!) - Math.log(p0)) / (d.l[i0 + 1]! - l0);
    if (Number.isFinite(est)) r = Math.min(2 * rate, Math.max(0.5 * rate, est));
  }
  const tail = p0 / r;
  if (!(tail > 1e-4) || !Number.isFinite(tail)) return d;
  const span = Math.log(tail / 1e-5) / r;
  const l: number[] = [];
  const pl: number[] = [];
  for (let j = TAIL_POINTS; j >= 1; j--) {
    const delta = (span * j) / TAIL_POINTS;
    l.push(l0 - delta);
    pl.push(p0 * Math.exp(-r * delta));
  }
  return { l: [...l, ...d.l.slice(i0)], pl: [...pl, ...d.pl.slice(i0)] };
}

/** The density in the plotted variable u = kappa l: y = pl / kappa. */
function toPlot(d: LogDensity, kappa: number): { x: number[]; y: (number | null)[] } {
  return { x: d.l.map((v) => kappa * v), y: d.pl.map((v) => fin(v / kappa)) };
}

/** Area of a log density (in l, the same in any u since the change of variables is linear). */
const logMass = (d: LogDensity) => trapezoid(d.l, d.pl);

/** Fuss-Catalan of order L for J = (sw2 d)^{L/2} x (product of L Ginibre matrices): shift log x by L log(sw2 d). */
function fussCatalanLog(L: number, logScale: number): LogDensity | null {
  if (!Number.isFinite(logScale)) return null;
  const fc = fussCatalanCurve(L, DENSITY_POINTS);
  const d = cleanLogDensity(
    Array.from(fc.logX, (v) => v + L * logScale),
    Array.from(fc.logX, (v, i) => Math.exp(v + fc.logRho[i]!)),
  );
  // Hard edge rho ~ x^{-L/(L+1)}: the angles stop at eps = 1e-6 pi/(L+1), below which lies up to 10% of
  // the mass at L = 1e5 (in per-layer units that is the t -> 0 end of the triangle law).
  return extendTail(d, 1 / (L + 1), false);
}

/**
 * The L -> infinity limit of the per-layer law of (1/(2L)) log x: the exponents lambda(t) of the free
 * spectrum with t uniform on the continuous part (Tucci; THEORY.md 5.5), density dt/dlambda. Returned in
 * l = 2 L lambda. Used where the finite-depth solver leaves float range.
 */
function lyapunovLimitLog(act: Activation, sw2: number, sb2: number, weights: 'gauss' | 'orth', L: number, f: number): LogDensity | null {
  const tSing = 1 - f;
  const ts = new Set<number>(linspace(tSing + f / 200, 1, 160));
  for (let j = 0; j < 40; j++) ts.add(tSing + f * 1e-5 * (0.05 / 1e-5) ** (j / 39));
  const t = [...ts].sort((a, b) => a - b);
  const fs = freeSpectrum(act, sw2, sb2, weights, t);
  if (!fs) return null;
  const l: number[] = [];
  const pl: number[] = [];
  // Density at the midpoints of the t grid: exact mass per cell.
  for (let i = 1; i < t.length; i++) {
    const a = fs.lambda[i - 1]!;
    const b = fs.lambda[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(b > a)) continue;
    l.push(L * (a + b)); // 2 L (a + b)/2
    pl.push((t[i]! - t[i - 1]!) / (2 * L * (b - a)));
  }
  if (l.length < 2) return null;
  // The law stops with a jump at lambda(1) (and at lambda(t -> tSing) when that is finite): close it.
  const top = 2 * L * fs.lambda[t.length - 1]!;
  const bottom = 2 * L * fs.lambda[0]!;
  return { l: [bottom, bottom, ...l, top, top], pl: [0, pl[0]!, ...pl, pl[pl.length - 1]!, 0] };
}

interface DensityResult {
  d: LogDensity;
  /** The continuous mass the line should carry. */
  mass: number;
  extra: string[];
}

/**
 * Pennington's law for feedforward nets (THEORY.md 5.6), as a log density plus the atoms. Shortcuts:
 * constant phi'^2 (linear, or q* = 0 with phi' continuous at 0) is Fuss-Catalan scaled by (sw2 d)^L, or
 * an atom for orthogonal W; ReLU is solved at sw2 = 2 and shifted by L log(sw2/2) (its phi'^2 does not
 * depend on q). Otherwise the solver runs where its float window holds the law (chi^L in 1e-13..1e260 and
 * the bottom 10% above 1e-280 chi^L); outside that, from L = 100 on, the per-layer L -> infinity limit is
 * drawn instead, and below L = 100 nothing.
 */
type PenningtonResult = { line: DensityResult | null; atomTop: { l: number; mass: number } | null } | null;

function penningtonLog(p: Params): PenningtonResult {
  return memo(`pen|${p.act}|${p.sw2}|${p.sb2}|${p.weights === 'orth'}|${p.depth}`, () => attempt(() => penningtonLogUncached(p)));
}

function penningtonLogUncached(p: Params): PenningtonResult {
  const L = p.depth;
  const lv = layerVariance(p.act, p.sw2, p.sb2);
  if (!lv) return null;
  const w = p.weights === 'orth' ? 'orth' : 'gauss';
  const smooth0 = p.act !== 'relu' && p.act !== 'selu';
  const constD = p.act === 'linear' ? 1 : lv.q === 0 && smooth0 ? activation(p.act).dphi(0) ** 2 : null;
  if (constD !== null) {
    const logScale = Math.log(p.sw2 * constD);
    if (!Number.isFinite(logScale)) return null;
    if (w === 'orth') return { line: null, atomTop: { l: L * logScale, mass: 1 } };
    const d = fussCatalanLog(L, logScale);
    return d ? { line: { d, mass: 1, extra: ['Evaluated as the Fuss-Catalan law (phi\'^2 is constant here)'] }, atomTop: null } : { line: null, atomTop: null };
  }
  const relu = p.act === 'relu';
  const sw2 = relu ? 2 : p.sw2;
  const shift = relu ? L * Math.log(p.sw2 / 2) : 0;
  if (!Number.isFinite(shift)) return null;
  const f = activeFraction(p.act, lv.q);
  const chi = sw2 * expectations(p.act, lv.q).edphi2;
  const logM1 = L * Math.log(chi);
  // Orthogonal W with phi'^2 in {0, 1}: an atom max(0, 1 - L(1 - f)) tops the support (THEORY.md 5.6).
  const topAtom = w === 'orth' && (p.act === 'relu' || p.act === 'hardtanh') ? Math.max(0, 1 - L * (1 - f)) : 0;
  if (f - topAtom <= 1e-3) return topAtom > 0 ? { line: null, atomTop: { l: L * Math.log(sw2) + shift, mass: topAtom } } : null;

  // The solver walks x down from ~chi^L (it fails below chi^L ~ 1e-13) to 1e-280 chi^L at most: it runs
  // when the bottom 10% of the continuous part (free spectrum, L -> infinity scale) lies above that floor,
  // and the hard-edge tail below the walk is added analytically (extendTail). Orthogonal W with the top
  // atom just vanishing (L(1 - f) = 1) is skipped: the walk then takes seconds.
  const lam = freeSpectrum(p.act, sw2, p.sb2, w, [1 - f + 0.1 * f]);
  const lLow = lam ? 2 * L * lam.lambda[0]! : -Infinity;
  const borderline = w === 'orth' && (p.act === 'relu' || p.act === 'hardtanh') && Math.abs(1 - L * (1 - f)) < 0.05;
  const inWindow = !borderline && logM1 > -30 && logM1 < 600 && lLow - Math.max(0, logM1) > -640;
  if (inWindow) {
    const jd = attempt(() => jacobianDensity(p.act, sw2, p.sb2, w, L, { points: DENSITY_POINTS, budgetMs: SOLVER_BUDGET_MS }));
    if (jd) {
      const topMass = jd.atomAtTop?.mass ?? 0;
      const atomTop = jd.atomAtTop && topMass > 0 ? { l: Math.log(jd.atomAtTop.x) + shift, mass: topMass } : null;
      if (topMass >= 1) return { line: null, atomTop };
      const d = extendTail(
        cleanLogDensity(
          Array.from(jd.x, (x) => Math.log(x) + shift),
          Array.from(jd.x, (x, i) => x * jd.rho[i]!),
        ),
        1 / (L + 1),
        true,
      );
      const mass = Math.max(0, f - topMass);
      if (Math.abs(logMass(d) - mass) <= MASS_TOLERANCE) return { line: { d, mass, extra: [] }, atomTop };
    }
  }
  // The L -> infinity limit differs from the finite-depth law by O(log L / L) per layer, mostly at the top
  // edge (KS distance ~0.03 at L = 100-300 against the solver): drawn only from L = 100 on.
  if (L < LIMIT_MIN_DEPTH) return null;
  const d = lyapunovLimitLog(p.act, sw2, p.sb2, w, L, f);
  if (!d) return null;
  for (let i = 0; i < d.l.length; i++) d.l[i] = d.l[i]! + shift;
  return {
    line: { d, mass: f, extra: [`Drawn as its L -> infinity limit (the law of the per-layer exponents lambda(t), t uniform), since at depth ${L} the finite-depth solver leaves float range; the finite-depth law sits higher by O(log L / L) per layer near the top edge (KS distance ~0.03 at L = 100-300)`] },
    atomTop: null,
  };
}

/**
 * Theory densities for the singular-value histogram in the variable u = s log sigma / D (s = 2 if
 * squared, D = L if per layer), only when k = N. Each line integrates to its theory's continuous mass
 * (see the file comment); `finiteFraction` (the measured nonzero fraction) is quoted in the note, not
 * used to rescale. The residual-net outlier is a 'vline' at the mean-field log(|x_L|/|x_0|).
 */
export function densityOverlays(p: Params, variable: DensityVariableSpec, finiteFraction = 1): TheoryCurve[] {
  if (p.k !== p.width) return [];
  const ok = applies(p);
  const L = p.depth;
  const kappa = (variable.squared ? 2 : 1) / (2 * (variable.perLayer ? L : 1));
  const { c } = residualCoefficients(p);
  const out: TheoryCurve[] = [];
  const measured = Number.isFinite(finiteFraction) ? Math.min(1, Math.max(0, finiteFraction)) : 1;
  const cav = (id: TheoryId) => ok.get(id) ?? '';
  const normNote = (mass: number) =>
    `Normalized to its continuous mass ${mass.toFixed(3)} (the histogram's area is the measured nonzero fraction${Math.abs(measured - mass) > 0.005 ? `, here ${measured.toFixed(3)}` : ''})`;
  const line = (id: TheoryId, r: DensityResult | null, ...extra: string[]) => {
    if (!r || r.d.l.length < 2 || !(r.mass > 1e-3)) return;
    if (!(Math.abs(logMass(r.d) - r.mass) <= MASS_TOLERANCE)) return; // solver failure: draw nothing
    const xy = toPlot(r.d, kappa);
    out.push(curve(id, noteFor(id, cav(id), ...extra, ...r.extra, normNote(r.mass)), xy.x, xy.y, 'line'));
  };
  const vline = (id: TheoryId, u: number, note: string, label?: string) => {
    if (Number.isFinite(u)) out.push(curve(id, note, [u], [null], 'vline', label));
  };

  if (ok.has('fuss-catalan')) {
    const d = attempt(() => fussCatalanLog(L, Math.log(p.sw2)));
    line('fuss-catalan', d ? { d, mass: 1, extra: [] } : null, `Scaled by sw2^L: x = sw2^L x_FC`);
  }
  // For linear Gaussian nets Pennington's law is the Fuss-Catalan law again: drawn once.
  if (ok.has('pennington') && !ok.has('fuss-catalan')) {
    const r = penningtonLog(p);
    if (r?.line) line('pennington', r.line);
    if (r?.atomTop) {
      const title = entry('pennington').title;
      vline(
        'pennington',
        kappa * r.atomTop.l,
        noteFor('pennington', cav('pennington'), `Atom of mass ${r.atomTop.mass.toFixed(3)} at sigma^2 = ${r.atomTop.mass >= 1 ? '(sw2 d)^L' : 'sw2^L'}: ${r.atomTop.mass >= 1 ? 'every singular value is the same' : 'the top of the support'}`),
        `${title}: atom`,
      );
    }
  }
  let traj: { chiBar: number; a: number; logGain: number } | null | undefined;
  const trajectory = () => (traj === undefined ? (traj = attempt(() => residualTrajectory(p, c))) : traj);
  if (ok.has('tarnowski')) {
    const a = trajectory()?.a ?? NaN;
    if (a >= 0 && a < 1e-12) {
      vline('tarnowski', 0, noteFor('tarnowski', cav('tarnowski'), `a = ${a.toPrecision(3)}: J = I to within 1e-6, every singular value is 1`));
    } else if (a > 0 && Number.isFinite(a)) {
      line('tarnowski', tarnowskiLog(a), `a = ${a.toPrecision(4)} (mean field)`);
    }
  }
  if (ok.has('residual-outlier')) {
    const g = trajectory()?.logGain ?? NaN;
    // u = s log sigma / D with log sigma_1 ~ log(|x_L|/|x_0|).
    vline(
      'residual-outlier',
      kappa * 2 * g,
      noteFor(
        'residual-outlier',
        cav('residual-outlier'),
        `Marked at the mean-field log(|x_L|/|x_0|) = ${g.toPrecision(4)}: for zero-bias ReLU log sigma_1(J) >= log(|x_L|/|x_0|) exactly (J x_0 = x_L), otherwise an estimate of the outlier's position`,
      ),
    );
  }
  return out;
}

/** Tarnowski's law (THEORY.md 5.7d) in l = log x, with its two square-root edges as zero points. */
function tarnowskiLog(a: number): DensityResult | null {
  return memo(`tar|${a}`, () => attempt(() => tarnowskiLogUncached(a)));
}

function tarnowskiLogUncached(a: number): DensityResult | null {
  // The solver's cost grows as a -> 0 (60 ms for 40 points at a = 1e-8), where the law is a narrow bump.
  const n = a < 1e-4 ? 40 : a < 1e-2 ? 80 : DENSITY_POINTS;
  const td = tarnowskiDensity(a, n);
  const [lo, hi] = tarnowskiEdges(a);
  const d = cleanLogDensity([Math.log(lo), ...Array.from(td.x, Math.log), Math.log(hi)], [0, ...Array.from(td.x, (x, i) => x * td.rho[i]!), 0]);
  return { d, mass: 1, extra: [] };
}

// ---------------------------------------------------------------------------------------------------
// Convergence

/**
 * Horizontal levels for the convergence plot (per-layer exponents; the plot's running top = lambda_1,
 * bottom = lambda_k and mean = mean of the finite lambda_1..lambda_k): exact values where a finite-N
 * result applies, else the mean-field top (feedforward) or the small-c expansion (residual).
 */
export function convergenceLevels(p: Params): { y: number; label: string }[] {
  const ok = applies(p);
  const N = p.width;
  const k = Math.min(p.k, N);
  const { c } = residualCoefficients(p);
  const levels: { y: number; label: string }[] = [];
  const add = (y: number | undefined, label: string) => {
    if (y !== undefined && Number.isFinite(y)) levels.push({ y, label });
  };
  const mean = (a: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    return s / a.length;
  };
  attempt(() => {
    let haveTop = false;
    if (ok.has('newman')) {
      const s = newmanSpectrum(N, p.sw2, k);
      add(s[0], 'exact top λ₁ (Newman)');
      if (k > 1) {
        add(mean(s), `exact mean of λ₁..${lambdaName(k)} (Newman)`);
        add(s[k - 1], `exact bottom ${lambdaName(k)} (Newman)`);
      }
      haveTop = true;
    } else if (ok.has('relu-exact')) {
      const s = reluExact(N, p.sw2, k).lambda;
      add(s[0], 'exact top λ₁ (ReLU, rank ≥ 1)');
      if (k > 1) {
        // The running mean averages the finite exponents of each sample: that is the mean of the conditional
        // exponents only while almost every sample keeps rank >= k.
        if (reluRankProbability(N, p.depth, k) >= 0.99) add(mean(s), `exact mean of λ₁..${lambdaName(k)} (ReLU)`);
        add(s[k - 1], `exact bottom ${lambdaName(k)} (ReLU, samples with rank ≥ ${k})`);
      }
      haveTop = true;
    }
    if (ok.has('residual-linear-top')) {
      add(residualLinearTop(N, c, p.sw2), 'exact top λ₁ (linear residual)');
      haveTop = true;
    }
    if (!haveTop && ok.has('meanfield-top')) {
      const mf = meanFieldTop(p.act, p.sw2, p.sb2, N);
      if (mf) add(p.weights === 'gauss' ? mf.corrected : mf.lambda1, p.weights === 'gauss' ? 'mean-field top λ₁ (1/N corrected)' : 'mean-field top λ₁ (N → ∞)');
    }
    if (ok.has('residual-small-c')) {
      const chiBar = residualTrajectory(p, c).chiBar;
      if (Number.isFinite(chiBar)) {
        const s = smallCSpectrum(N, k, c, chiBar);
        if (!haveTop) add(s[0], 'small-c top λ₁');
        if (k > 1) {
          add(mean(s), `small-c mean of λ₁..${lambdaName(k)}`);
          add(s[k - 1], `small-c bottom ${lambdaName(k)}`);
        }
      }
    }
    return null;
  });
  return levels;
}

// ---------------------------------------------------------------------------------------------------
// Phase diagram

/** chi_1 used for the critical line: at q*, or (as criticalSw2 does) at q = 1e12 where q* diverges. */
function chiForCritical(act: Activation, sw2: number, sb2: number): number {
  const fp = fixedPoint(act, sw2, sb2);
  if (fp.kind === 'divergent') return chi1(act, sw2, 1e12);
  return chi1(act, sw2, fp.kind === 'zero' ? 0 : fp.q);
}

/** Illinois (modified regula falsi) root of g in [a, b] with g(a) g(b) < 0, in at most `evals` evaluations of g. */
function illinois(g: (x: number) => number, a: number, b: number, ga: number, gb: number, evals: number): number {
  let side = 0;
  for (let it = 0; it < evals; it++) {
    const x = (a * gb - b * ga) / (gb - ga);
    if (!Number.isFinite(x) || Math.abs(b - a) < 1e-12 * Math.max(1, Math.abs(b))) return x;
    const gx = g(x);
    if (gx === 0) return x;
    if (gx < 0 === gb < 0) {
      b = x;
      gb = gx;
      if (side === -1) ga /= 2;
      side = -1;
    } else {
      a = x;
      ga = gx;
      if (side === 1) gb /= 2;
      side = 1;
    }
  }
  return (a * gb - b * ga) / (gb - ga);
}

/**
 * `evals` bisection steps on the sign of g (which may jump rather than cross 0), then the secant point of
 * the final bracket: within 2^-evals of the bracket, and close to the root where g is continuous.
 */
function bisect(g: (x: number) => number, a: number, b: number, ga: number, gb: number, evals: number): number {
  for (let it = 0; it < evals; it++) {
    const m = 0.5 * (a + b);
    const gm = g(m);
    if (gm === 0) return m;
    if (gm < 0 === ga < 0) {
      a = m;
      ga = gm;
    } else {
      b = m;
      gb = gm;
    }
  }
  const x = (a * gb - b * ga) / (gb - ga);
  return Number.isFinite(x) ? x : 0.5 * (a + b);
}

const PHASE_CACHE = new Map<string, Omit<PhasePlotData, 'current'>>();

/**
 * The mean-field order/chaos map for `act`: log chi_1(q*) on a grid (row j = sb2[j], column i = sw2[i];
 * null where q* diverges), the critical line chi_1 = 1 for each grid row (the first sign change along the
 * row, refined by regula falsi on chi_1(q*(sw2)) - 1, with chi_1 at q = 1e12 where q* diverges, as in
 * criticalSw2), and the current point. The grid is cached per activation and range.
 */
export function phasePlotData(act: Activation, current: { sw2: number; sb2: number }, options: PhaseGridOptions = {}): PhasePlotData {
  const okNum = (v: number) => (Number.isFinite(v) ? v : 0);
  const cur = { sw2: okNum(current.sw2), sb2: okNum(current.sb2) };
  const [nw, nb] = Array.isArray(options.n) ? options.n : options.n !== undefined ? [options.n, Math.round(0.75 * options.n)] : [32, 24];
  const nW = Math.max(2, Math.floor(nw));
  const nB = Math.max(2, Math.floor(nb));
  const [w0, w1] = options.sw2Range ?? [Math.max(0, Math.min(0.5, cur.sw2 - 0.15 * Math.max(cur.sw2, 0.5))), Math.max(4, 1.15 * cur.sw2)];
  const [b0, b1] = options.sb2Range ?? [0, Math.max(0.5, 1.15 * cur.sb2)];
  const key = `${act}|${w0}|${w1}|${b0}|${b1}|${nW}|${nB}`;
  let grid = PHASE_CACHE.get(key);
  if (!grid) {
    grid = phaseGrid(act, linspace(w0, w1, nW), linspace(Math.max(0, b0), b1, nB));
    if (PHASE_CACHE.size > 32) PHASE_CACHE.clear();
    PHASE_CACHE.set(key, grid);
  }
  return { ...grid, current: cur };
}

function phaseGrid(act: Activation, sw2: number[], sb2: number[]): Omit<PhasePlotData, 'current'> {
  const nW = sw2.length;
  // sw2 <= 0 (allowed at the slider's end) has J = 0: chi_1 = 0, log undefined.
  const cols = sw2.map((w, i) => [w, i] as const).filter(([w]) => w > 0);
  const logChi1: (number | null)[] = new Array<number | null>(nW * sb2.length).fill(null);
  const chiGrid = attempt(() => orderChaosGrid(act, cols.map(([w]) => w), sb2));
  if (chiGrid) {
    sb2.forEach((_, j) =>
      cols.forEach(([, i], m) => {
        const v = chiGrid.chi1[j * cols.length + m]!;
        logChi1[j * nW + i] = v > 0 && Number.isFinite(v) ? Math.log(v) : null;
      }),
    );
  }
  const critical = sb2.map((b, j) => {
    const F = (x: number) => chiForCritical(act, x, b) - 1;
    const sw = attempt(() => {
      // The first sign change of chi_1 - 1 along the row, with chi_1 at q = 1e12 in divergent cells (as
      // criticalSw2). Between two finite cells F is continuous: regula falsi to ~1e-12. Next to a divergent
      // cell F may jump (the map loses its fixed point: GELU, SiLU, SELU): 3 bisections, to 1/8 of a cell.
      let prev: { w: number; g: number; finite: boolean } | null = null;
      for (const [w, i, m] of cols.map(([w, i], m) => [w, i, m] as const)) {
        const lc = logChi1[j * nW + i];
        const divergent = chiGrid?.fixed[j * cols.length + m]?.kind === 'divergent';
        const g = lc !== null && lc !== undefined ? Math.expm1(lc) : divergent ? chi1(act, w, 1e12) - 1 : F(w);
        const finite = lc !== null && lc !== undefined;
        if (!Number.isFinite(g)) {
          prev = null;
          continue;
        }
        if (g === 0) return w;
        if (prev && prev.g < 0 !== g < 0) return prev.finite && finite ? illinois(F, prev.w, w, prev.g, g, 16) : bisect(F, prev.w, w, prev.g, g, 3);
        prev = { w, g, finite };
      }
      return null;
    });
    return { sb2: b, sw2: sw !== null && Number.isFinite(sw) ? sw : null };
  });
  return { sw2, sb2, logChi1, critical, activation: act };
}
