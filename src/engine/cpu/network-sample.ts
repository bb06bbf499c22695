/**
 * One random network (one sample) advanced layer by layer in float64: the Benettin QR sweep of
 * docs/THEORY.md section 2 with the model of section 1, and the forward block of 5.14 (a second input
 * through the same network). The weights come from the ensemble's entry and the layer map from the
 * architecture's (src/model/); buffers live in a Workspace shared by all samples a worker runs.
 *
 *   h_l = W_l x_{l-1} + b_l,  u_l = phi(h_l)  or  V_l phi(h_l) + a_l  (full block)
 *   x_l = a x_{l-1} + c_l u_l,  D_l = diag(phi'(h_l))
 *   Z   = a Q + c_l D_l (W_l Q)  or  a Q + c_l V_l D_l (W_l Q),  Z = Q' R,  S_i += log|R_ii|
 */
import type { SampleResult } from '../types';
import { nextMacrotask, RunConfig } from '../run-config';
import { STREAM_TAG } from '../rng';
import { secondInputFrom, writeForwardEntry } from '../forward-stats';
import { formQ, haarColumns, householderQR, matmulRect, matvecRect } from './linalg';
import { RowScaledTriangular } from './graded-product';
import { Workspace } from './workspace';

export { Workspace };

/**
 * Relative threshold below which |R_jj| counts as an exact zero, in float64 (docs/THEORY.md section 2).
 * Used only where zeros are structurally possible but not countable: sparse feedforward weights.
 */
export const RANK_TOLERANCE_F64 = 1e-10;

export class NetworkSample {
  /** Layers completed. */
  layer = 0;
  readonly x: Float64Array;
  /** The second input's signal (docs/THEORY.md 5.14). */
  readonly x2: Float64Array;
  readonly q: Float64Array;
  readonly sums: Float64Array;
  readonly graded: RowScaledTriangular | null;
  readonly convergence: Float64Array;
  /** The forward block's record (src/engine/forward-stats.ts). */
  readonly forwardRecord: Float64Array;
  /** log|J_l ... J_1 u| for u = Q_0's first column: the sum of log|R_11| from layer 1, burn-in included. */
  private grad = 0;
  overflowLayer: number | null = null;

  constructor(
    readonly config: RunConfig,
    readonly sample: number,
    ws: Workspace,
  ) {
    const { n, k, params } = config;
    const seed = params.seed;
    this.x = ws.sampleX;
    ws.gaussian(this.x, n, { seed, sample, layer: 0, tag: STREAM_TAG.input }, Math.sqrt(params.q0));
    this.x2 = ws.sampleX2;
    ws.gaussian(this.x2, n, { seed, sample, layer: 0, tag: STREAM_TAG.secondInput });
    secondInputFrom(this.x, Float64Array.from(this.x2), params.c0, this.x2);
    // Haar Q_0 from the first k columns of an N x N Gaussian (element = row * N + col).
    this.q = ws.sampleQ;
    const g = ws.square;
    ws.gaussian(g, n * n, { seed, sample, layer: 0, tag: STREAM_TAG.initialFrame });
    const panel = ws.z;
    for (let col = 0; col < k; col++) for (let row = 0; row < n; row++) panel[col * n + row] = g[row * n + col]!;
    haarColumns(panel, ws.tau, this.q, n, k, ws.kernels.reflect);
    this.sums = new Float64Array(k);
    this.graded = config.trackSingularValues ? new RowScaledTriangular(n) : null;
    this.convergence = new Float64Array(3 * config.checkpoints).fill(NaN);
    this.forwardRecord = config.forward.emptyRecord();
    this.recordForward(0);
  }

  get finished(): boolean {
    return this.layer >= this.config.params.depth || this.overflowLayer !== null;
  }

  /** Advance up to `count` layers (stops at depth or at an overflow). */
  advance(count: number, ws: Workspace): void {
    const end = Math.min(this.config.params.depth, this.layer + count);
    while (this.layer < end && this.overflowLayer === null) this.step(ws);
  }

  /** One layer of the Benettin sweep. */
  private step(ws: Workspace): void {
    const { n, k, m, a, outputMatrix } = this.config;
    const layer = this.layer + 1;
    const c = this.config.cAt(layer);
    ws.drawWeights(this.sample, layer);
    this.drawBiases(ws, layer);
    const active = this.forward(ws, this.x, c, true);
    // The second input exists only for the forward block.
    if (this.config.forward.layers.length > 0) this.forward(ws, this.x2, c, false);
    if (active < 0) {
      this.overflowLayer = layer;
      return;
    }
    // Jacobian applied to the frame: Z = a Q + c D (W Q), or a Q + c V D (W Q); then Z = Q' R.
    const { q } = this;
    const { z, d, wq } = ws;
    if (m === n) ws.kernels.matmulWQ(ws.w, q, wq, n, k);
    else matmulRect(ws.w, m, n, q, k, wq);
    if (outputMatrix) {
      for (let j = 0; j < k; j++) for (let i = 0; i < m; i++) wq[j * m + i]! *= d[i]!;
      if (m === n) ws.kernels.matmulWQ(ws.v, wq, z, n, k);
      else matmulRect(ws.v, n, m, wq, k, z);
      for (let e = 0; e < n * k; e++) z[e] = a * q[e]! + c * z[e]!;
    } else {
      // (c d_i) w_ij q_j, in this order, so that results stay bit for bit those of earlier versions.
      for (let j = 0; j < k; j++) {
        const col = j * n;
        if (a === 0) for (let i = 0; i < n; i++) z[col + i] = c * d[i]! * wq[col + i]!;
        else for (let i = 0; i < n; i++) z[col + i] = a * q[col + i]! + c * d[i]! * wq[col + i]!;
      }
    }
    householderQR(z, ws.tau, n, k, ws.kernels.reflect);
    this.accumulate(ws, layer, this.zeroFrom(active));
    formQ(z, ws.tau, q, n, k, ws.kernels.reflect);
    this.layer = layer;
    this.recordCheckpoint(layer);
    this.recordForward(layer);
  }

  /** b_l (m) and the full block's a_l (N), the same for both inputs. */
  private drawBiases(ws: Workspace, layer: number): void {
    const { params, outputMatrix, outputBiasScale } = this.config;
    if (params.sb2 > 0) ws.gaussian(ws.bias, ws.bias.length, ws.at('bias', layer), Math.sqrt(params.sb2));
    else ws.bias.fill(0);
    if (outputMatrix && outputBiasScale > 0) ws.gaussian(ws.outputBias, ws.outputBias.length, ws.at('outputBias', layer), outputBiasScale);
    else ws.outputBias.fill(0);
  }

  /**
   * h = W x + b, x <- a x + c u with u = phi(h) or V phi(h) + a_l; D = phi'(h) when `main` (the first
   * input's trajectory is the one the Jacobian follows). Returns the number of units with phi' != 0, or
   * -1 when the signal is no longer finite.
   */
  private forward(ws: Workspace, x: Float64Array, c: number, main: boolean): number {
    const { n, m, a, act, outputMatrix } = this.config;
    const { h, d, phi, update, xNext } = ws;
    matvecRect(ws.w, m, n, x, ws.bias, h);
    let active = 0;
    let finite = true;
    for (let i = 0; i < m; i++) {
      const hi = h[i]!;
      if (main) {
        const di = act.dphi(hi);
        d[i] = di;
        if (di !== 0) active++;
      }
      if (!Number.isFinite(hi)) finite = false;
      phi[i] = act.phi(hi);
    }
    if (outputMatrix) matvecRect(ws.v, n, m, phi, ws.outputBias, update);
    const u = outputMatrix ? update : phi;
    for (let i = 0; i < n; i++) {
      const xi = a * x[i]! + c * u[i]!;
      xNext[i] = xi;
      if (!Number.isFinite(xi)) finite = false;
    }
    x.set(xNext);
    return finite ? active : -1;
  }

  private recordForward(layer: number): void {
    const slot = this.config.forward.slotOf(layer);
    if (slot >= 0) writeForwardEntry(this.forwardRecord, slot, this.x, this.x2, this.config.n, this.grad);
  }

  /**
   * The first index of R that is exactly singular by structure: rank(D W Q) <= #{phi' != 0} where the
   * architecture has no identity term (exact, no threshold); k otherwise.
   */
  private zeroFrom(active: number): number {
    const { k, architecture } = this.config;
    return architecture.rankFromActivation && active < k ? active : k;
  }

  /**
   * log|R_jj| into the sums (after the burn-in) and R into T, with the exactly singular directions as
   * -Infinity and zero rows of R (docs/THEORY.md section 2). Sparse feedforward weights can lose rank in
   * ways the bound does not count: those are found by the float64 relative threshold.
   */
  private accumulate(ws: Workspace, layer: number, zeroFrom: number): void {
    const { n, k, params, thresholdRank } = this.config;
    const z = ws.z;
    let rMax = 0;
    if (thresholdRank) for (let j = 0; j < k; j++) rMax = Math.max(rMax, Math.abs(z[j * n + j]!));
    const measured = layer > params.transient;
    const { sums, graded } = this;
    const rr = ws.rRowMajor;
    for (let j = 0; j < k; j++) {
      const rjj = Math.abs(z[j * n + j]!);
      const singular = j >= zeroFrom || rjj === 0 || (rMax > 0 && rjj <= RANK_TOLERANCE_F64 * rMax);
      const logR = singular ? -Infinity : Math.log(rjj);
      if (measured) sums[j]! += logR;
      if (j === 0) this.grad += logR;
      if (graded) {
        // R row j, row-major, zeroed when the direction is exactly singular.
        const row = j * n;
        if (singular) {
          rr.fill(0, row, row + n);
        } else {
          for (let i = 0; i < j; i++) rr[row + i] = 0;
          for (let col = j; col < n; col++) rr[row + col] = z[col * n + j]!;
        }
      }
    }
    if (graded) graded.leftMultiply(rr);
  }

  private recordCheckpoint(layer: number): void {
    const { config } = this;
    const slot = config.checkpointIndex(layer);
    if (slot >= 0) this.convergence.set(RunConfig.convergenceEntry(this.sums, config.k, layer - config.params.transient), 3 * slot);
  }

  result(): SampleResult {
    const { k, params } = this.config;
    const m = params.depth - params.transient;
    const exponents = new Float64Array(k);
    let rank = 0;
    for (let j = 0; j < k; j++) {
      exponents[j] = this.sums[j]! / m;
      if (exponents[j]! > -Infinity) rank++;
    }
    return {
      sample: this.sample,
      exponents,
      logSingularValues: this.graded && this.overflowLayer === null ? this.graded.logSingularValues() : null,
      rank,
      convergence: this.convergence,
      overflowLayer: this.overflowLayer,
      forward: this.forwardRecord,
    };
  }
}

/**
 * One sample's log singular values from the float64 engine (same stream, so the same network), for a
 * sample the GPU's float32 T does not cover. Runs in ~10 ms slices so a page stays responsive; null if
 * aborted. The GPU engine receives this as its `float64Recompute` option (it does not import this folder).
 */
export async function float64LogSingularValues(
  config: RunConfig,
  sample: number,
  signal?: AbortSignal,
  pause: () => Promise<void> = nextMacrotask,
): Promise<Float64Array | null> {
  const ws = workspaces.get(config) ?? new Workspace(config);
  workspaces.set(config, ws);
  const net = new NetworkSample(config, sample, ws);
  while (!net.finished) {
    const start = performance.now();
    do net.advance(1, ws);
    while (!net.finished && performance.now() - start < 10);
    await pause();
    if (signal?.aborted) return null;
  }
  return net.result().logSingularValues;
}

/** One float64 workspace per run (weakly held), allocated only if a sample needs recomputing. */
const workspaces = new WeakMap<RunConfig, Workspace>();
