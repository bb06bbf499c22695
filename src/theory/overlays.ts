/**
 * Theory curves in the coordinates of the plots (src/plots/types.ts), only for the overlays that
 * `applicableTheories` says apply. Pure and total: any valid Params gives curves without throwing, and a
 * value that is undefined or infinite is null (a gap), never NaN.
 *
 * Coordinates:
 * - Spectrum: x = i/k for index i = 1..k (k = tracked exponents, N = width), y = lambda_i per layer.
 *   N -> infinity laws lambda(t) use the index convention of freeSpectrumIndexed, t_i = 1 - (i - 1/2)/N,
 *   so a curve point at t sits at x = ((1 - t) N + 1/2) / k, and only t down to index k is drawn.
 * - Density: the plotted variable u = s log sigma / D with s = 2 for squared singular values (else 1) and
 *   D = L per layer (else 1). A density rho(x) of x = sigma^2 becomes rho(x) x (2D/s) in u.
 *   Normalization: the histogram is count / (total x bin width), whose area is the measured fraction of
 *   nonzero singular values. Each theory curve is its continuous part divided by its continuous mass and
 *   multiplied by that measured fraction, so the two are compared as shapes on the same area; atoms at
 *   zero (inactive units) are the histogram's stated zeros, and an atom at the top edge is a vertical line.
 */
import type { Params } from '../params/types';
import { residualCoefficients } from '../params/derived';
import type { PhasePlotData, TheoryCurve } from '../plots/types';
import { THEORY_CATALOG, applicableTheories, type TheoryId } from './catalog';
import { newmanSpectrum } from './gaussian-product';
import { reluExactSpectrum } from './relu-exact';
import { criticalSw2, orderChaosGrid, topExponentMeanField } from './meanfield';
import { freeSpectrum } from './free-probability';
import { chiBarFromMeanField, linearResidualSpectrum, linearResidualTopExponent, residualOutlierExpected, smallCSpectrum, tarnowskiDensity, tarnowskiParameter } from './residual';
import { fussCatalanCurve } from './fuss-catalan';
import { jacobianDensity } from './pennington';

export interface DensityVariableSpec {
  squared: boolean;
  perLayer: boolean;
}

/** Points on the N -> infinity curves; enough for a smooth line, few enough for live slider previews. */
const CURVE_POINTS = 160;
/** Singular values below this fraction of the top are not drawn (float and plotting range). */
const DENSITY_POINTS = 240;
/** Time the density solver may take for one overlay, so a slider preview never stalls the page. */
const SOLVER_BUDGET_MS = 250;

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

function entry(id: TheoryId) {
  return THEORY_CATALOG.find((t) => t.id === id)!;
}

function curve(id: TheoryId, caveat: string, x: number[], y: (number | null)[], style: TheoryCurve['style']): TheoryCurve {
  const e = entry(id);
  return { id, label: e.title, note: caveat ? `${e.validity} Caveat: ${caveat}.` : e.validity, x, y, style };
}

function applies(p: Params): Map<TheoryId, string> {
  return new Map(applicableTheories(p).filter((a) => a.applies).map((a) => [a.id, a.reason]));
}

/** Indices 1..k as x = i/k. */
const indexX = (k: number) => Array.from({ length: k }, (_, i) => (i + 1) / k);

/** A fine grid of t for an N -> infinity spectrum, restricted to the tracked indices, with its x. */
function tGrid(N: number, k: number): { t: number[]; x: number[] } {
  const uLo = 0.5 / N;
  const uHi = (k - 0.5) / N;
  const t: number[] = [];
  const x: number[] = [];
  for (let j = 0; j < CURVE_POINTS; j++) {
    const u = uLo + ((uHi - uLo) * j) / (CURVE_POINTS - 1);
    t.push(1 - u);
    x.push((u * N + 0.5) / k);
  }
  return { t, x };
}

export function spectrumOverlays(p: Params): TheoryCurve[] {
  const ok = applies(p);
  const N = p.width;
  const k = p.k;
  const { c } = residualCoefficients(p);
  const out: TheoryCurve[] = [];
  const safe = (f: () => TheoryCurve | null) => {
    try {
      const r = f();
      if (r && r.y.some((v) => v !== null)) out.push(r);
    } catch {
      // A theory function outside its numerical range draws nothing rather than breaking the page.
    }
  };
  if (ok.has('newman')) safe(() => curve('newman', ok.get('newman')!, indexX(k), Array.from(newmanSpectrum(N, p.sw2, k), finite), 'points'));
  if (ok.has('relu-exact'))
    safe(() =>
      curve('relu-exact', 'averaged over networks whose rank is at least i (index i is -Infinity in the others)', indexX(k), Array.from(reluExactSpectrum(N, p.sw2, k).lambda, finite), 'points'),
    );
  if (ok.has('meanfield-top'))
    safe(() => {
      const mf = topExponentMeanField(p.act, p.sw2, p.sb2, N);
      if (!mf) return null;
      const value = p.weights === 'gauss' && mf.lambda1Corrected !== null ? mf.lambda1Corrected : mf.lambda1;
      return curve('meanfield-top', ok.get('meanfield-top')!, [1 / k], [finite(value)], 'points');
    });
  if (ok.has('free-spectrum'))
    safe(() => {
      const g = tGrid(N, k);
      const fs = freeSpectrum(p.act, p.sw2, p.sb2, p.weights === 'orth' ? 'orth' : 'gauss', g.t);
      return fs ? curve('free-spectrum', ok.get('free-spectrum')!, g.x, fs.lambda.map(finite), 'line') : null;
    });
  if (ok.has('residual-linear-top')) safe(() => curve('residual-linear-top', ok.get('residual-linear-top')!, [1 / k], [finite(linearResidualTopExponent(N, c, p.sw2))], 'points'));
  if (ok.has('residual-small-c'))
    safe(() => {
      const chiBar = chiBarFromMeanField(p.act, p.sw2, p.sb2, c, p.depth, p.transient, p.q0);
      return curve('residual-small-c', ok.get('residual-small-c')!, indexX(k), Array.from(smallCSpectrum(N, k, c, chiBar), finite), 'points');
    });
  if (ok.has('residual-linear-spectrum'))
    safe(() => {
      const g = tGrid(N, k);
      return curve('residual-linear-spectrum', ok.get('residual-linear-spectrum')!, g.x, linearResidualSpectrum(c, p.sw2, g.t).map(finite), 'line');
    });
  return out;
}

/** u = factor * log(x) for squared singular values x. */
function densityScale(v: DensityVariableSpec, L: number): { perLogX: number; label: string } {
  const s = v.squared ? 2 : 1;
  const D = v.perLayer ? L : 1;
  return { perLogX: s / (2 * D), label: '' };
}

/**
 * A density given in log x (x = sigma^2) as points (logX, log rho), converted to u and normalized to
 * `area`. Points are sorted by u; the continuous mass is integrated by the trapezoid rule in u.
 */
function toPlotDensity(logX: ArrayLike<number>, logRho: ArrayLike<number>, perLogX: number, area: number): { x: number[]; y: (number | null)[] } | null {
  const pts: [number, number][] = [];
  for (let i = 0; i < logX.length; i++) {
    const lx = logX[i]!;
    const lr = logRho[i]!;
    if (!Number.isFinite(lx)) continue;
    // rho_u = rho(x) x / perLogX; exp of the sum stays in range even when x and rho do not.
    const value = Number.isFinite(lr) ? Math.exp(lr + lx) / perLogX : 0;
    pts.push([perLogX * lx, value]);
  }
  if (pts.length < 2) return null;
  pts.sort((a, b) => a[0] - b[0]);
  let mass = 0;
  for (let i = 1; i < pts.length; i++) mass += ((pts[i]![1] + pts[i - 1]![1]) / 2) * (pts[i]![0] - pts[i - 1]![0]);
  if (!(mass > 0) || !Number.isFinite(mass)) return null;
  const scale = area / mass;
  return { x: pts.map((q) => q[0]), y: pts.map((q) => finite(q[1] * scale)) };
}

export function densityOverlays(p: Params, v: DensityVariableSpec, finiteFraction = 1): TheoryCurve[] {
  if (p.k !== p.width) return [];
  const ok = applies(p);
  const L = p.depth;
  const { perLogX } = densityScale(v, L);
  const area = Math.max(0, Math.min(1, finiteFraction));
  const { c } = residualCoefficients(p);
  const out: TheoryCurve[] = [];
  const safe = (f: () => TheoryCurve | null) => {
    try {
      const r = f();
      if (r && r.x.length > 0) out.push(r);
    } catch {
      // Outside a solver's numerical range: no curve rather than a broken page.
    }
  };
  if (ok.has('fuss-catalan'))
    safe(() => {
      const fc = fussCatalanCurve(L, DENSITY_POINTS);
      // Fuss-Catalan describes J / sw2^{L/2}: shift log x by L log sw2.
      const shift = L * Math.log(p.sw2);
      const lx = Array.from(fc.logX, (q) => q + shift);
      const d = toPlotDensity(lx, fc.logRho, perLogX, area);
      return d ? curve('fuss-catalan', ok.get('fuss-catalan')!, d.x, d.y, 'line') : null;
    });
  // For linear Gaussian nets Pennington's density is the Fuss-Catalan law again: draw it once.
  if (ok.has('pennington') && !(p.act === 'linear' && p.weights !== 'orth'))
    safe(() => {
      const jd = jacobianDensity(p.act, p.sw2, p.sb2, p.weights === 'orth' ? 'orth' : 'gauss', L, { points: DENSITY_POINTS, budgetMs: SOLVER_BUDGET_MS });
      // A walk that ran out of time (or did not converge) misses mass: no curve rather than a wrong one.
      if (!jd || jd.tailMass > 0.01) return null;
      const top = jd.atomAtTop;
      if (top && top.mass >= 1) {
        return curve('pennington', `${ok.get('pennington')!}; every singular value sits at one point (an atom)`, [perLogX * Math.log(top.x)], [null], 'vline');
      }
      const d = toPlotDensity(Array.from(jd.x, Math.log), Array.from(jd.rho, Math.log), perLogX, area);
      return d ? curve('pennington', ok.get('pennington')!, d.x, d.y, 'line') : null;
    });
  if (ok.has('tarnowski'))
    safe(() => {
      const a = tarnowskiParameter(p.act, p.sw2, p.sb2, c, L, p.q0);
      if (!(a > 0) || !Number.isFinite(a)) return null;
      const td = tarnowskiDensity(a, DENSITY_POINTS);
      const d = toPlotDensity(Array.from(td.x, Math.log), Array.from(td.rho, Math.log), perLogX, area);
      return d ? curve('tarnowski', ok.get('tarnowski')!, d.x, d.y, 'line') : null;
    });
  if (ok.has('residual-outlier'))
    safe(() => {
      const o = residualOutlierExpected(p.act, p.sw2, p.sb2, c, L, p.q0);
      if (!Number.isFinite(o.logGain)) return null;
      // log sigma_1 >= log(|x_L|/|x_0|): in u that is perLogX * 2 * logGain.
      return curve('residual-outlier', 'mean-field log(|x_L|/|x_0|), a lower bound for the outlier (exact bound for zero-bias ReLU)', [perLogX * 2 * o.logGain], [null], 'vline');
    });
  return out;
}

/** Horizontal levels for the convergence plot: exact or mean-field values of the top / mean / bottom exponent. */
export function convergenceLevels(p: Params): { y: number; label: string }[] {
  const ok = applies(p);
  const N = p.width;
  const k = p.k;
  const { c } = residualCoefficients(p);
  const levels: { y: number; label: string }[] = [];
  const add = (y: number, label: string) => {
    if (Number.isFinite(y)) levels.push({ y, label });
  };
  try {
    if (ok.has('newman')) {
      const s = newmanSpectrum(N, p.sw2, k);
      add(s[0]!, 'exact top (Newman)');
      add(s.reduce((a, b) => a + b, 0) / k, 'exact mean (Newman)');
      add(s[k - 1]!, 'exact bottom (Newman)');
    } else if (ok.has('relu-exact')) {
      add(reluExactSpectrum(N, p.sw2, k).lambda[0]!, 'exact top (ReLU)');
    } else if (ok.has('residual-linear-top')) {
      add(linearResidualTopExponent(N, c, p.sw2), 'exact top (linear residual)');
    } else if (ok.has('meanfield-top')) {
      const mf = topExponentMeanField(p.act, p.sw2, p.sb2, N);
      if (mf) add(p.weights === 'gauss' && mf.lambda1Corrected !== null ? mf.lambda1Corrected : mf.lambda1, 'mean-field top (1/N corrected)');
    }
  } catch {
    // No level rather than a broken page.
  }
  return levels;
}

const linspace = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

/**
 * The order/chaos map for `act`: log chi_1 on a grid over sw2 in [0.25, 4] (widened to include the current
 * point) and sb2 in [0, 0.5] (likewise), the critical line, and the current point.
 */
export function phasePlotData(act: Params['act'], current: { sw2: number; sb2: number }, options: { nx?: number; ny?: number } = {}): PhasePlotData {
  const nx = options.nx ?? 40;
  const ny = options.ny ?? 24;
  const sw2Max = Math.min(10, Math.max(4, current.sw2 * 1.15));
  const sb2Max = Math.min(2, Math.max(0.5, current.sb2 * 1.15));
  const sw2 = linspace(0.1, sw2Max, nx);
  const sb2 = linspace(0, sb2Max, ny);
  const grid = orderChaosGrid(act, sw2, sb2);
  const logChi1 = Array.from(grid.chi1, (v) => (v > 0 && Number.isFinite(v) ? Math.log(v) : null));
  const critical = linspace(0, sb2Max, Math.min(ny, 16)).map((b) => {
    const w = criticalSw2(act, b);
    return { sb2: b, sw2: w !== null && w <= sw2Max ? w : null };
  });
  return { sw2, sb2, logChi1, critical, current, activation: act };
}
