/**
 * Theory densities of the singular-value histogram, only for the overlays the catalogue says apply.
 * Variable u = s log sigma / D (s = 2 for squared singular values else 1, D = L per layer else 1; sigma a
 * singular value of the whole-depth Jacobian J, x = sigma^2):
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
import type { ActivationModel } from '../../model/index';
import type { Params } from '../../params/types';
import { theoryEntry, type TheoryContext, type TheoryId } from '../catalog';
import { freeSpectrum, type FreeLaw } from '../free-probability';
import { fussCatalanCurve } from '../fuss-catalan';
import { expectations } from '../meanfield';
import { jacobianDensity } from '../pennington';
import { tarnowskiDensity, tarnowskiEdges } from '../residual';
import { activeFraction, applying, attempt, curve, fin, layerQ, linspace, memo, noteFor, residualTrajectory } from './shared';
import type { DensityVariableSpec, TheoryCurve } from './types';

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
 * spectrum with t uniform on the continuous part (Tucci; docs/THEORY.md 5.5), density dt/dlambda. Returned in
 * l = 2 L lambda. Used where the finite-depth solver leaves float range.
 */
function lyapunovLimitLog(act: ActivationModel, sw2: number, sb2: number, law: FreeLaw, L: number, f: number): LogDensity | null {
  const tSing = 1 - f;
  const ts = new Set<number>(linspace(tSing + f / 200, 1, 160));
  for (let j = 0; j < 40; j++) ts.add(tSing + f * 1e-5 * (0.05 / 1e-5) ** (j / 39));
  const t = [...ts].sort((a, b) => a - b);
  const fs = freeSpectrum(act, sw2, sb2, law, t);
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
 * Pennington's law for feedforward nets (docs/THEORY.md 5.6), as a log density plus the atoms. Shortcuts:
 * constant phi'^2 (linear, or q* = 0 with phi' continuous at 0) is Fuss-Catalan scaled by (sw2 d)^L, or
 * an atom for orthogonal W; ReLU is solved at sw2 = 2 and shifted by L log(sw2/2) (its phi'^2 does not
 * depend on q). Otherwise the solver runs where its float window holds the law (chi^L in 1e-13..1e260 and
 * the bottom 10% above 1e-280 chi^L); outside that, from L = 100 on, the per-layer L -> infinity limit is
 * drawn instead, and below L = 100 nothing.
 */
type PenningtonResult = { line: DensityResult | null; atomTop: { l: number; mass: number } | null } | null;

function penningtonLog(ctx: TheoryContext): PenningtonResult {
  const { p, act } = ctx;
  return memo(`pen|${act.key}|${p.sw2}|${p.sb2}|${ctx.ensemble.traits.freeLaw}|${p.depth}`, () => attempt(() => penningtonLogUncached(ctx)));
}

function penningtonLogUncached(ctx: TheoryContext): PenningtonResult {
  const { p, act } = ctx;
  const L = p.depth;
  const q = layerQ(ctx);
  if (q === null) return null;
  const w = ctx.ensemble.traits.freeLaw;
  const constD = act.traits.identity ? 1 : q === 0 && act.traits.smoothAtZero ? act.dphi(0) ** 2 : null;
  if (constD !== null) {
    const logScale = Math.log(p.sw2 * constD);
    if (!Number.isFinite(logScale)) return null;
    if (w === 'haar') return { line: null, atomTop: { l: L * logScale, mass: 1 } };
    const d = fussCatalanLog(L, logScale);
    return d ? { line: { d, mass: 1, extra: ["Evaluated as the Fuss-Catalan law (phi'^2 is constant here)"] }, atomTop: null } : { line: null, atomTop: null };
  }
  // A degree-1 homogeneous phi (ReLU) has a law of phi'^2 independent of q: solve at sw2 = 2, then shift.
  const homogeneous = act.traits.homogeneousDegree === 1;
  const sw2 = homogeneous ? 2 : p.sw2;
  const shift = homogeneous ? L * Math.log(p.sw2 / 2) : 0;
  if (!Number.isFinite(shift)) return null;
  const f = activeFraction(ctx, q);
  const chi = sw2 * expectations(act, q).edphi2;
  const logM1 = L * Math.log(chi);
  // Orthogonal W with phi'^2 in {0, 1}: an atom max(0, 1 - L(1 - f)) tops the support (docs/THEORY.md 5.6).
  const binary = act.traits.binaryDerivative;
  const topAtom = w === 'haar' && binary ? Math.max(0, 1 - L * (1 - f)) : 0;
  if (f - topAtom <= 1e-3) return topAtom > 0 ? { line: null, atomTop: { l: L * Math.log(sw2) + shift, mass: topAtom } } : null;

  // The solver walks x down from ~chi^L (it fails below chi^L ~ 1e-13) to 1e-280 chi^L at most: it runs
  // when the bottom 10% of the continuous part (free spectrum, L -> infinity scale) lies above that floor,
  // and the hard-edge tail below the walk is added analytically (extendTail). Orthogonal W with the top
  // atom just vanishing (L(1 - f) = 1) is skipped: the walk then takes seconds.
  const lam = freeSpectrum(act, sw2, p.sb2, w, [1 - f + 0.1 * f]);
  const lLow = lam ? 2 * L * lam.lambda[0]! : -Infinity;
  const borderline = w === 'haar' && binary && Math.abs(1 - L * (1 - f)) < 0.05;
  const inWindow = !borderline && logM1 > -30 && logM1 < 600 && lLow - Math.max(0, logM1) > -640;
  if (inWindow) {
    const jd = attempt(() => jacobianDensity(act, sw2, p.sb2, w, L, { points: DENSITY_POINTS, budgetMs: SOLVER_BUDGET_MS }));
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
  const d = lyapunovLimitLog(act, sw2, p.sb2, w, L, f);
  if (!d) return null;
  for (let i = 0; i < d.l.length; i++) d.l[i] = d.l[i]! + shift;
  return {
    line: {
      d,
      mass: f,
      extra: [
        `Drawn as its L -> infinity limit (the law of the per-layer exponents lambda(t), t uniform), since at depth ${L} the finite-depth solver leaves float range; the finite-depth law sits higher by O(log L / L) per layer near the top edge (KS distance ~0.03 at L = 100-300)`,
      ],
    },
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
  const { ctx, ok, cav } = applying(p);
  const L = p.depth;
  const kappa = (variable.squared ? 2 : 1) / (2 * (variable.perLayer ? L : 1));
  const out: TheoryCurve[] = [];
  const measured = Number.isFinite(finiteFraction) ? Math.min(1, Math.max(0, finiteFraction)) : 1;
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
    const r = penningtonLog(ctx);
    if (r?.line) line('pennington', r.line);
    if (r?.atomTop) {
      const title = theoryEntry('pennington').title;
      vline(
        'pennington',
        kappa * r.atomTop.l,
        noteFor(
          'pennington',
          cav('pennington'),
          `Atom of mass ${r.atomTop.mass.toFixed(3)} at sigma^2 = ${r.atomTop.mass >= 1 ? '(sw2 d)^L' : 'sw2^L'}: ${r.atomTop.mass >= 1 ? 'every singular value is the same' : 'the top of the support'}`,
        ),
        `${title}: atom`,
      );
    }
  }
  let traj: { chiBar: number; a: number; logGain: number } | null | undefined;
  const trajectory = () => (traj === undefined ? (traj = attempt(() => residualTrajectory(ctx))) : traj);
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

/** Tarnowski's law (docs/THEORY.md 5.7d) in l = log x, with its two square-root edges as zero points. */
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
