/**
 * Mean-field signal propagation layer by layer (docs/THEORY.md 5.15): the forward block's quantities
 * (q, c, dist, grad, gradSq of src/engine/forward-stats.ts) as N -> infinity for two inputs of equal norm
 * and cosine c0, for every architecture (each entry's `meanField` states its recursion) and every
 * activation (closed kernels where the entry has them, quadrature otherwise), with the per-layer c_l of
 * ascale=power.
 *
 * grad is E log|J_l ... J_1 u| for a direction u orthogonal to x: the sum of the entries' per-layer
 * second-order (delta-method) values, which carry the 1/N correction of 5.4 for Gaussian weights. Where
 * the per-layer law is known exactly at finite N (linear nets with Gaussian weights: Newman's top
 * exponent, feedforward, and the Poisson-digamma series of 5.7a, residual) the exact value is used.
 */
import { modelOf, type LayerMoments, type SignalState } from '../model/index';
import type { Params } from '../params/types';
import { digamma } from '../math/gamma';
import { gaussianKernel } from './kernel';
import { expectations } from './meanfield';
import { residualLinearTop } from './residual';

/** The Params fields the trajectory reads. */
export type SignalKnobs = Pick<
  Params,
  'act' | 'apow' | 'weights' | 'arch' | 'width' | 'inner' | 'depth' | 'sw2' | 'sb2' | 'sv2' | 'sa2' | 'alpha' | 'ascale' | 'beta' | 'q0' | 'c0' | 'p'
>;

export interface SignalTrajectory {
  /** Layers 0..L (0 = the inputs). */
  readonly layers: Float64Array;
  /** |x_l|^2/N, the cosine of the two inputs' signals, |x_l - x'_l|^2/N. NaN after an overflow. */
  readonly q: Float64Array;
  readonly c: Float64Array;
  readonly dist: Float64Array;
  /** E log|J_l ... J_1 u| (|u| = 1) and E |J_l ... J_1 u|^2 (annealed). */
  readonly grad: Float64Array;
  readonly gradSq: Float64Array;
  /** How grad was computed, for the legend. */
  readonly gradMethod: 'exact' | 'delta' | 'infinite-N';
}

/** Variances beyond this end the trajectory (the rest is NaN). */
const Q_OVERFLOW = 1e300;

/** Layers up to this evaluate the two-point kernel exactly (one 2-D quadrature, ~1-10 ms, per layer). */
export const EXACT_KERNEL_LAYERS = 256;
/** Beyond, it is evaluated every max(1, floor(l / KERNEL_STRIDE_DIVISOR)) layers and extrapolated between. */
export const KERNEL_STRIDE_DIVISOR = 256;

/**
 * The two-point kernel along a trajectory: exact at every layer l <= EXACT_KERNEL_LAYERS, then at nodes
 * spaced ~l/256 apart, linearly extrapolated from the last two nodes in between. The state moves on the
 * scale of l there, so the extrapolation error is ~(1/256)^2 ~ 2e-5 relative per layer (measured in
 * test/unit/theory/signal.test.ts against the kernel at every layer).
 */
export class KernelTrack {
  private lastLayer = 0;
  private last = NaN;
  private prevLayer = 0;
  private prev = NaN;
  private nextExact = 1;

  constructor(
    private readonly evaluate: (q: number, q12: number) => number,
    private readonly exactLayers = EXACT_KERNEL_LAYERS,
  ) {}

  at(layer: number, q: number, q12: number): number {
    if (layer <= this.exactLayers || layer >= this.nextExact || !Number.isFinite(this.prev)) {
      const k = this.evaluate(q, q12);
      [this.prevLayer, this.prev, this.lastLayer, this.last] = [this.lastLayer, this.last, layer, k];
      this.nextExact = layer + Math.max(1, Math.floor(layer / KERNEL_STRIDE_DIVISOR));
      return k;
    }
    const slope = (this.last - this.prev) / (this.lastLayer - this.prevLayer);
    return this.last + slope * (layer - this.lastLayer);
  }
}

/** The per-layer E log|J u| of a linear Gaussian net, exact at every N, or null where it is not known exactly. */
function exactLinearGradient(p: SignalKnobs, residual: boolean, outputMatrix: boolean): ((c: number) => number) | null {
  const model = modelOf(p);
  if (!model.activation.traits.identity || !model.ensemble.traits.gaussianEntries || outputMatrix) return null;
  const N = p.width;
  // Newman's top exponent: R_11^2 = (sw2/N) chi^2_N (docs/THEORY.md 5.1).
  if (!residual) return () => 0.5 * (Math.log((2 * p.sw2) / N) + digamma(N / 2));
  return (c) => residualLinearTop(N, c, p.sw2);
}

/**
 * The mean-field trajectory for layers 0..depth. Total for valid Params: a mean field that overflows
 * leaves NaN from there on; a kernel whose E phi'^4 diverges leaves grad at its infinite-N value.
 */
export function signalMeanField(p: SignalKnobs, exactKernelLayers = EXACT_KERNEL_LAYERS): SignalTrajectory {
  const model = modelOf(p);
  const { activation: act, architecture: arch, ensemble } = model;
  const L = p.depth;
  const make = () => new Float64Array(L + 1).fill(NaN);
  const [q, c, dist, grad, gradSq] = [make(), make(), make(), make(), make()];
  const layers = Float64Array.from({ length: L + 1 }, (_, l) => l);
  const exact = exactLinearGradient(p, arch.residual, arch.outputMatrix);
  // The 1/N terms are derived for i.i.d. Gaussian entries; other ensembles get the N -> infinity value.
  const finiteN = ensemble.traits.gaussianEntries;
  let state: SignalState = { p: p.q0, p12: p.c0 * p.q0, m: 0 };
  let logGrad = 0;
  let logGradSq = 0;
  let method: SignalTrajectory['gradMethod'] = exact ? 'exact' : finiteN ? 'delta' : 'infinite-N';
  const record = (l: number) => {
    q[l] = state.p;
    c[l] = state.p > 0 ? Math.max(-1, Math.min(1, state.p12 / state.p)) : NaN;
    dist[l] = Math.max(0, 2 * (state.p - state.p12));
    grad[l] = logGrad;
    gradSq[l] = Math.exp(logGradSq);
  };
  record(0);
  const kernel = new KernelTrack((ql, q12) => (p.c0 === 1 ? NaN : gaussianKernel(act, ql, ql, Math.max(-ql, Math.min(ql, q12)))), exactKernelLayers);
  for (let l = 1; l <= L; l++) {
    const cl = model.cAt(l);
    const ql = p.sw2 * state.p + p.sb2;
    const q12 = p.sw2 * state.p12 + p.sb2;
    if (!(ql >= 0 && ql < Q_OVERFLOW)) break;
    const e = expectations(act, ql);
    const mo: LayerMoments = {
      ephi: e.ephi,
      ephi2: e.ephi2,
      kernel: p.c0 === 1 ? e.ephi2 : kernel.at(l, ql, q12),
      chiW: p.sw2 * e.edphi2,
      kurtosis: e.edphi2 > 0 ? e.edphi4 / (e.edphi2 * e.edphi2) : 1,
    };
    const next = arch.meanField.step(state, cl, mo, p);
    const g = arch.meanField.gradient(cl, mo, p);
    if (!Number.isFinite(next.p) || !Number.isFinite(next.p12) || !(next.p < Q_OVERFLOW)) break;
    state = next;
    logGradSq += g.logGain;
    let meanLog: number;
    if (exact) meanLog = exact(cl);
    else if (finiteN && Number.isFinite(g.meanLog)) meanLog = g.meanLog;
    else {
      meanLog = 0.5 * g.logGain;
      if (method === 'delta') method = 'infinite-N';
    }
    logGrad += meanLog;
    record(l);
  }
  return { layers, q, c, dist, grad, gradSq, gradMethod: method };
}
