/**
 * What both engines need to know about a run before its first layer: the model's entries resolved from
 * the parameters (src/model/), the frame size, and the convergence checkpoints. Neutral ground: the CPU
 * and GPU engines both build on it, and neither reaches into the other.
 */
import { modelOf, type ActivationModel, type ArchitectureEntry, type EnsembleEntry } from '../model/index';
import type { Params } from '../params/types';
import { ForwardPlan } from './forward-stats';

/** Everything about the run that does not change from sample to sample. */
export class RunConfig {
  readonly n: number;
  readonly k: number;
  /** m, the rows of W_l (N except in the full block). */
  readonly m: number;
  /**
   * x_l = a x_{l-1} + c_l u_l, J_l = a I + c_l (du_l/dx): u_l = phi(h_l) (feedforward, residual) or
   * V_l phi(h_l) + a_l (the full block, outputMatrix). c = c_1; cAt(l) is c_l.
   */
  readonly a: number;
  readonly c: number;
  readonly cAt: (layer: number) => number;
  readonly outputMatrix: boolean;
  /** Scale of V_l's Gaussians (sqrt(sv2/m) for Gaussian entries) and of a_l's (sqrt(sa2)). */
  readonly outputWeightScale: number;
  readonly outputBiasScale: number;
  /** The layers the forward block records. */
  readonly forward: ForwardPlan;
  readonly act: ActivationModel;
  readonly ensemble: EnsembleEntry;
  readonly architecture: ArchitectureEntry;
  /** Scale of the Gaussians the ensemble draws (ensemble.scale). */
  readonly weightScale: number;
  /** T = R_L ... R_1 is accumulated for the finite-depth singular values (only possible with k = N). */
  readonly trackSingularValues: boolean;
  /**
   * Exactly zero directions can come from W itself (sparse feedforward weights), beyond what the rank
   * bound from phi' counts: only a relative threshold on |R_jj| finds those (docs/THEORY.md section 2).
   */
  readonly thresholdRank: boolean;
  /** Checkpoints of the convergence history: every `checkEvery` layers after the burn-in, and at L. */
  readonly checkEvery: number;
  readonly checkpoints: number;

  constructor(
    readonly params: Params,
    singularValues = true,
    forwardStats = true,
  ) {
    this.n = params.width;
    this.k = Math.min(params.k, params.width);
    const model = modelOf(params);
    this.m = model.inner;
    this.a = model.a;
    this.c = model.c;
    this.cAt = model.cAt;
    this.outputMatrix = model.architecture.outputMatrix;
    this.outputWeightScale = this.outputMatrix ? model.ensemble.scale({ sw2: params.sv2, p: params.p }, this.m) : 0;
    this.outputBiasScale = Math.sqrt(params.sa2);
    this.forward = new ForwardPlan(params.depth, forwardStats);
    this.act = model.activation;
    this.ensemble = model.ensemble;
    this.architecture = model.architecture;
    this.weightScale = model.ensemble.scale(params, this.n);
    this.trackSingularValues = singularValues && this.k === this.n;
    this.thresholdRank = model.architecture.rankFromActivation && model.ensemble.traits.structuralZeros;
    const measured = params.depth - params.transient;
    this.checkEvery = Math.max(1, Math.ceil(measured / 200));
    this.checkpoints = Math.ceil(measured / this.checkEvery);
  }

  /** Checkpoint slot for a completed layer, or -1 when the layer is not a checkpoint. */
  checkpointIndex(layer: number): number {
    const m = layer - this.params.transient;
    if (m <= 0) return -1;
    if (layer === this.params.depth) return this.checkpoints - 1;
    return m % this.checkEvery === 0 ? m / this.checkEvery - 1 : -1;
  }

  /** The layer at which checkpoint slot i is taken. */
  checkpointLayer(i: number): number {
    return i === this.checkpoints - 1 ? this.params.depth : this.params.transient + (i + 1) * this.checkEvery;
  }

  /** Every checkpoint's layer, in order. */
  checkpointLayers(): number[] {
    return Array.from({ length: this.checkpoints }, (_, i) => this.checkpointLayer(i));
  }

  /**
   * The convergence record of one checkpoint from the running log sums: S_1/m, S_k/m and the mean over
   * the finite indices (-Infinity when none is), m = layers measured so far.
   */
  static convergenceEntry(sums: ArrayLike<number>, k: number, measuredLayers: number): [number, number, number] {
    let finiteSum = 0;
    let finiteCount = 0;
    for (let j = 0; j < k; j++) {
      const v = sums[j]!;
      if (v > -Infinity) {
        finiteSum += v;
        finiteCount++;
      }
    }
    return [sums[0]! / measuredLayers, sums[k - 1]! / measuredLayers, finiteCount > 0 ? finiteSum / finiteCount / measuredLayers : -Infinity];
  }
}

/** A macrotask boundary: lets queued messages and timers run (a page stays responsive between slices). */
export function nextMacrotask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
