/** The mean-field order/chaos phase diagram: log chi_1(q*) over (sw2, sb2) and the critical line chi_1 = 1. */
import { resolveActivation, type ActivationLike, type ActivationModel } from '../../model/index';
import { chi1, fixedPoint, orderChaosGrid } from '../meanfield';
import { attempt, linspace } from './shared';
import type { PhaseGridOptions, PhasePlotData } from './types';

/** chi_1 used for the critical line: at q*, or (as criticalSw2 does) at q = 1e12 where q* diverges. */
function chiForCritical(act: ActivationModel, sw2: number, sb2: number): number {
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
export function phasePlotData(actLike: ActivationLike, current: { sw2: number; sb2: number }, options: PhaseGridOptions = {}): PhasePlotData {
  const act = resolveActivation(actLike);
  const okNum = (v: number) => (Number.isFinite(v) ? v : 0);
  const cur = { sw2: okNum(current.sw2), sb2: okNum(current.sb2) };
  const [nw, nb] = Array.isArray(options.n) ? options.n : options.n !== undefined ? [options.n, Math.round(0.75 * options.n)] : [32, 24];
  const nW = Math.max(2, Math.floor(nw));
  const nB = Math.max(2, Math.floor(nb));
  const [w0, w1] = options.sw2Range ?? [Math.max(0, Math.min(0.5, cur.sw2 - 0.15 * Math.max(cur.sw2, 0.5))), Math.max(4, 1.15 * cur.sw2)];
  const [b0, b1] = options.sb2Range ?? [0, Math.max(0.5, 1.15 * cur.sb2)];
  const key = `${act.key}|${w0}|${w1}|${b0}|${b1}|${nW}|${nB}`;
  let grid = PHASE_CACHE.get(key);
  if (!grid) {
    grid = phaseGrid(act, linspace(w0, w1, nW), linspace(Math.max(0, b0), b1, nB));
    if (PHASE_CACHE.size > 32) PHASE_CACHE.clear();
    PHASE_CACHE.set(key, grid);
  }
  return { ...grid, current: cur };
}

function phaseGrid(act: ActivationModel, sw2: number[], sb2: number[]): Omit<PhasePlotData, 'current'> {
  const nW = sw2.length;
  // sw2 <= 0 (allowed at the slider's end) has J = 0: chi_1 = 0, log undefined.
  const cols = sw2.map((w, i) => [w, i] as const).filter(([w]) => w > 0);
  const logChi1: (number | null)[] = new Array<number | null>(nW * sb2.length).fill(null);
  const chiGrid = attempt(() =>
    orderChaosGrid(
      act,
      cols.map(([w]) => w),
      sb2,
    ),
  );
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
  return { sw2, sb2, logChi1, critical, activation: act.label };
}
