/**
 * What the per-plot overlay files share: the catalogue lookups that turn an applicable overlay into a
 * labelled curve, failure handling (a theory function that throws draws nothing), a small memo for the
 * expensive quantities, and the quantities more than one plot draws (exact ReLU, mean-field top, the
 * residual mean-field trajectory, the linear-residual top exponent).
 */
import type { Params } from '../../params/types';
import { applicability, THEORY_CATALOG, theoryContext, theoryEntry, type TheoryContext, type TheoryId } from '../catalog';
import { expectations, residualMeanField, topExponentMeanField } from '../meanfield';
import { reluExactSpectrum } from '../relu-exact';
import { residualLinearTop } from '../residual';

export { residualLinearTop };
import type { TheoryCurve } from './types';

export const fin = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

function sentence(s: string): string {
  const t = s.trim();
  return t === '' ? '' : /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Note = catalogue validity, then the applicability caveat, then extra sentences, then where docs/THEORY.md has it. */
export function noteFor(id: TheoryId, caveat: string, ...extra: string[]): string {
  const e = theoryEntry(id);
  return [e.validity, caveat ? `Caveat: ${caveat}` : '', ...extra, `See docs/THEORY.md ${e.docs}`].map(sentence).filter(Boolean).join(' ');
}

export function curve(id: TheoryId, note: string, x: number[], y: (number | null)[], style: TheoryCurve['style'], label = theoryEntry(id).title): TheoryCurve {
  return { id, label, note, x, y, style };
}

/** The context of p, and the overlays that apply with their caveat. */
export interface Applying {
  ctx: TheoryContext;
  ok: Map<TheoryId, string>;
  /** The caveat of an applying overlay ('' when none or when it does not apply). */
  cav(id: TheoryId): string;
}

/**
 * The overlays that apply to p. A context that cannot be evaluated (a theory function throwing on an
 * undefined mean field) applies nothing rather than something wrong.
 */
export function applying(p: Params): Applying {
  const ctx = theoryContext(p);
  let ok = new Map<TheoryId, string>();
  try {
    ok = new Map(
      THEORY_CATALOG.map((e) => applicability(e, ctx))
        .filter((a) => a.applies)
        .map((a) => [a.id, a.reason]),
    );
  } catch {
    // nothing applies
  }
  return { ctx, ok, cav: (id) => ok.get(id) ?? '' };
}

/** Runs f, and turns a throw into "no curve". */
export function attempt<T>(f: () => T | null): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

/**
 * Results of the expensive theory (solver walks, mean-field trajectories) for recent parameters, so that
 * the density toggles, the spectrum, the levels and a slider's live preview do not recompute them.
 */
const MEMO = new Map<string, unknown>();
export function memo<T>(key: string, f: () => T): T {
  if (MEMO.has(key)) return MEMO.get(key) as T;
  const v = f();
  if (MEMO.size >= 64) MEMO.delete(MEMO.keys().next().value!);
  MEMO.set(key, v);
  return v;
}

export const linspace = (lo: number, hi: number, n: number) =>
  Array.from({ length: n }, (_, i) => (i === 0 ? lo : i === n - 1 ? hi : lo + ((hi - lo) * i) / (n - 1)));

/** P(phi' != 0) where phi'^2 is 0 or 1 (ReLU, hard tanh); 1 otherwise. */
export function activeFraction(ctx: TheoryContext, q: number): number {
  return ctx.act.traits.binaryDerivative ? expectations(ctx.act, q).edphi2 : 1;
}

/** reluExactSpectrum, shared by the spectrum and the levels (O(N k) digammas: ~13 ms at N = k = 1024). */
export const reluExact = (N: number, sw2: number, k: number) => memo(`relu|${N}|${sw2}|${k}`, () => reluExactSpectrum(N, sw2, k));

/**
 * (1/2) log chi_1 at the layer variance and its 1/N-corrected value (docs/THEORY.md 5.4). `corrected` is
 * null where E phi'^4 diverges (ReLU^a with a <= 3/4), where the correction does not exist.
 */
export function meanFieldTop(ctx: TheoryContext, N: number): { lambda1: number; corrected: number | null } | null {
  const { act, p } = ctx;
  if (act.traits.homogeneousDegree === 1) {
    // phi'^2 does not depend on q: the value holds even where q itself diverges.
    const e = expectations(act, 1);
    const lambda1 = 0.5 * Math.log(p.sw2 * e.edphi2);
    const corrected = lambda1 - (3 * (e.edphi4 / e.edphi2 ** 2) - 1) / (4 * N);
    return { lambda1, corrected: Number.isFinite(corrected) ? corrected : null };
  }
  const mf = topExponentMeanField(act, p.sw2, p.sb2, N);
  if (!mf) return null;
  const corrected = mf.lambda1Corrected;
  return { lambda1: mf.lambda1, corrected: corrected !== null && Number.isFinite(corrected) ? corrected : null };
}

/**
 * One residual mean-field trajectory (docs/THEORY.md 5.7e, p0 = q0, m0 = 0) and the three numbers drawn
 * from it: chiBar over the measured layers (as chiBarFromMeanField), Tarnowski's a = c^2 sum_l chi_l (as
 * tarnowskiParameter) and log(|x_L|/|x_0|) = (1/2) log(p_L/p_0) (as residualOutlierLogGain). One pass
 * instead of three: at depth 1e5 each costs ~0.7 s.
 */
export function residualTrajectory(ctx: TheoryContext): { chiBar: number; a: number; logGain: number } {
  const { p, c, act } = ctx;
  return memo(`res|${act.key}|${p.sw2}|${p.sb2}|${c}|${p.depth}|${p.q0}|${p.transient}`, () => {
    const L = p.depth;
    const { chi, p: pp } = residualMeanField(act, p.sw2, p.sb2, c, L, p.q0, 0);
    let total = 0;
    let measured = 0;
    for (let l = 0; l < L; l++) {
      total += chi[l]!;
      if (l >= p.transient) measured += chi[l]!;
    }
    return { chiBar: L > p.transient ? measured / (L - p.transient) : NaN, a: c * c * total, logGain: 0.5 * Math.log(pp[L - 1]! / p.q0) };
  });
}

/**
 * The variance at which feedforward layers are evaluated: q* (0 where the iterates decay), or any q (1)
 * where the law of phi'^2 does not depend on it (linear, ReLU); null where q* diverges or sw2 <= 0 leaves
 * the mean field undefined.
 */
export function layerQ(ctx: TheoryContext): number | null {
  if (ctx.act.traits.homogeneousDegree === 1) return 1;
  if (!(ctx.p.sw2 > 0)) return null;
  const fp = ctx.fixedPoint();
  if (fp === null || fp.kind === 'divergent') return null;
  return fp.kind === 'zero' ? 0 : fp.q;
}
