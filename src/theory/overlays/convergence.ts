/**
 * Horizontal theory levels of the convergence plot: the spectrum overlays' values of the quantities it
 * tracks, only where the catalogue says they apply.
 */
import { lambdaName } from '../../math/notation';
import type { Params } from '../../params/types';
import { newmanSpectrum } from '../gaussian-product';
import { reluRankProbability } from '../relu-exact';
import { smallCSpectrum } from '../residual';
import { applying, attempt, meanFieldTop, reluExact, residualLinearTop, residualTrajectory } from './shared';

/**
 * Horizontal levels for the convergence plot (per-layer exponents; the plot's running top = lambda_1,
 * bottom = lambda_k and mean = mean of the finite lambda_1..lambda_k): exact values where a finite-N
 * result applies, else the mean-field top (feedforward) or the small-c expansion (residual).
 */
export function convergenceLevels(p: Params): { y: number; label: string }[] {
  const { ctx, ok } = applying(p);
  const N = p.width;
  const k = Math.min(p.k, N);
  const { c } = ctx;
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
      const mf = meanFieldTop(ctx, N);
      const corrected = ctx.ensemble.traits.gaussianEntries ? (mf?.corrected ?? null) : null;
      if (mf) add(corrected ?? mf.lambda1, corrected !== null ? 'mean-field top λ₁ (1/N corrected)' : 'mean-field top λ₁ (N → ∞)');
    }
    if (ok.has('residual-small-c')) {
      const chiBar = residualTrajectory(ctx).chiBar;
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
