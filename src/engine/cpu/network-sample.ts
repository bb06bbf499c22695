/**
 * One random network (one sample) advanced layer by layer in float64: the Benettin QR sweep of
 * docs/THEORY.md section 2 with the model of section 1. The weights come from the ensemble's entry and
 * the layer map from the architecture's (src/model/); buffers live in a Workspace shared by all samples
 * a worker runs, so nothing is allocated per layer.
 *
 *   h_l = W_l x_{l-1} + b_l,  x_l = a x_{l-1} + c phi(h_l),  D_l = diag(phi'(h_l))
 *   Z   = a Q + c D_l (W_l Q),  Z = Q' R,  S_i += log|R_ii|  (after the burn-in)
 */
import type { SampleResult } from '../types';
import { nextMacrotask, RunConfig } from '../run-config';
import { fillGaussian, fillUint32, STREAM_TAG, type StreamAddress } from '../rng';
import type { StreamName, WeightStream } from '../../model/index';
import { formQ, haarColumns, householderQR, JS_KERNELS, matvec, type DenseKernels } from './linalg';
import { kernelModule, WasmArena, wasmKernels } from './wasm/kernels';
import { RowScaledTriangular } from './graded-product';

/**
 * Relative threshold below which |R_jj| counts as an exact zero, in float64 (docs/THEORY.md section 2).
 * Used only where zeros are structurally possible but not countable: sparse feedforward weights.
 */
export const RANK_TOLERANCE_F64 = 1e-10;

/**
 * Scratch buffers for one worker, sized for one run, plus the state of the sample in flight (a worker
 * runs one NetworkSample at a time). They live in WebAssembly memory when the SIMD kernels are
 * available, so those kernels can work on them in place.
 */
export class Workspace {
  readonly kernels: DenseKernels;
  /** out[0..count) = scale * Gaussians 0..count-1 of a stream (WebAssembly Philox when available). */
  readonly gaussian: (out: Float64Array, count: number, address: StreamAddress, scale?: number) => void;
  readonly sampleX: Float64Array;
  readonly sampleQ: Float64Array;
  readonly w: Float64Array;
  readonly wq: Float64Array;
  readonly z: Float64Array;
  readonly tau: Float64Array;
  readonly h: Float64Array;
  readonly d: Float64Array;
  readonly bias: Float64Array;
  readonly xNext: Float64Array;
  readonly square: Float64Array;
  readonly squareQ: Float64Array;
  readonly rRowMajor: Float64Array;
  private words = new Uint32Array(0);
  /** The stream coordinates of the draw in progress (drawWeights). */
  private address = { seed: 0, sample: 0, layer: 0 };
  /** What the ensembles draw from: this sample's stream at the layer being drawn. */
  private readonly stream: WeightStream = {
    gaussian: (out: Float64Array, count: number, tag: StreamName, scale: number) => this.gaussian(out, count, { ...this.address, tag: STREAM_TAG[tag] }, scale),
    uint32: (count: number, tag: StreamName) => {
      if (this.words.length < count) this.words = new Uint32Array(count);
      const out = this.words.subarray(0, count);
      fillUint32(out, 0, count, { ...this.address, tag: STREAM_TAG[tag] });
      return out;
    },
    orthonormalize: (w: Float64Array) => this.orthonormalize(w),
  };

  constructor(
    readonly config: RunConfig,
    useWasm = true,
  ) {
    const { n, k } = config;
    const sizes = {
      w: n * n,
      wq: n * k,
      z: n * k,
      tau: n,
      h: n,
      d: n,
      bias: n,
      xNext: n,
      square: n * n,
      squareQ: config.ensemble.gpu.orthogonalize ? n * n : 0,
      rRowMajor: config.trackSingularValues ? n * n : 0,
      sampleX: n,
      sampleQ: n * k,
    };
    const module = useWasm ? kernelModule() : null;
    let alloc: (length: number) => Float64Array = (length) => new Float64Array(length);
    if (module) {
      const rawWords = 4 * Math.ceil((n * n) / 4);
      const arena = new WasmArena(module, Object.values(sizes).reduce((a, b) => a + b + 2, 0) + rawWords / 2 + rawWords + 4);
      alloc = (length) => arena.alloc(length);
      this.kernels = wasmKernels(arena);
      const raw = arena.allocUint32(rawWords);
      const normals = arena.alloc(rawWords);
      const { philoxFill, boxMuller } = arena.exports;
      // Philox and Box-Muller both in WebAssembly; whole blocks go to a scratch buffer first because
      // count need not be a multiple of 4.
      this.gaussian = (out, count, a, scale = 1) => {
        const blocks = Math.ceil(count / 4);
        philoxFill(raw.byteOffset, 0, blocks, a.layer, a.tag, a.seed, a.sample);
        boxMuller(raw.byteOffset, normals.byteOffset, blocks, scale);
        out.set(normals.subarray(0, count));
      };
    } else {
      this.kernels = JS_KERNELS;
      this.gaussian = (out, count, a, scale = 1) => fillGaussian(out, 0, 0, count, a, scale);
    }
    this.w = alloc(sizes.w);
    this.wq = alloc(sizes.wq);
    this.z = alloc(sizes.z);
    this.tau = alloc(sizes.tau);
    this.h = alloc(sizes.h);
    this.d = alloc(sizes.d);
    this.bias = alloc(sizes.bias);
    this.xNext = alloc(sizes.xNext);
    this.square = alloc(sizes.square);
    this.squareQ = alloc(sizes.squareQ);
    this.rRowMajor = alloc(sizes.rRowMajor);
    this.sampleX = alloc(sizes.sampleX);
    this.sampleQ = alloc(sizes.sampleQ);
  }

  /** W_l of one sample into `w`, drawn by the run's ensemble from this sample's stream. */
  drawWeights(sample: number, layer: number): void {
    const { config } = this;
    this.address = { seed: config.params.seed, sample, layer };
    config.ensemble.drawCpu(this.w, config.n, config.params, this.stream);
  }

  /** Row-major Gaussian -> row-major Haar Q (QR with the sign fix, as haarColumns). */
  private orthonormalize(w: Float64Array): void {
    const n = this.config.n;
    const panel = this.squareQ;
    const q = this.square;
    for (let col = 0; col < n; col++) for (let row = 0; row < n; row++) panel[col * n + row] = w[row * n + col]!;
    haarColumns(panel, this.tau, q, n, n, this.kernels.reflect); // q holds O column-major
    for (let row = 0; row < n; row++) for (let col = 0; col < n; col++) w[row * n + col] = q[col * n + row]!;
  }
}

export class NetworkSample {
  /** Layers completed. */
  layer = 0;
  readonly x: Float64Array;
  readonly q: Float64Array;
  readonly sums: Float64Array;
  readonly graded: RowScaledTriangular | null;
  readonly convergence: Float64Array;
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
    const { n, k, a, c } = this.config;
    const layer = this.layer + 1;
    ws.drawWeights(this.sample, layer);
    const active = this.forward(ws, layer);
    if (active < 0) {
      this.overflowLayer = layer;
      return;
    }
    // Jacobian applied to the frame: Z = a Q + c D (W Q), then Z = Q' R.
    const { q } = this;
    const { z, d, wq } = ws;
    ws.kernels.matmulWQ(ws.w, q, wq, n, k);
    for (let j = 0; j < k; j++) {
      const col = j * n;
      if (a === 0) for (let i = 0; i < n; i++) z[col + i] = c * d[i]! * wq[col + i]!;
      else for (let i = 0; i < n; i++) z[col + i] = a * q[col + i]! + c * d[i]! * wq[col + i]!;
    }
    householderQR(z, ws.tau, n, k, ws.kernels.reflect);
    this.accumulate(ws, layer, this.zeroFrom(active));
    formQ(z, ws.tau, q, n, k, ws.kernels.reflect);
    this.layer = layer;
    this.recordCheckpoint(layer);
  }

  /** h = W x + b, D = phi'(h), x <- a x + c phi(h). Returns the number of units with phi' != 0, or -1 on overflow. */
  private forward(ws: Workspace, layer: number): number {
    const { n, a, c, params, act } = this.config;
    const { h, d, bias: b, xNext } = ws;
    if (params.sb2 > 0) ws.gaussian(b, n, { seed: params.seed, sample: this.sample, layer, tag: STREAM_TAG.bias }, Math.sqrt(params.sb2));
    else b.fill(0);
    const x = this.x;
    matvec(ws.w, x, b, h, n);
    let active = 0;
    let finite = true;
    for (let i = 0; i < n; i++) {
      const hi = h[i]!;
      const di = act.dphi(hi);
      d[i] = di;
      if (di !== 0) active++;
      const xi = a * x[i]! + c * act.phi(hi);
      xNext[i] = xi;
      if (!Number.isFinite(xi) || !Number.isFinite(hi)) finite = false;
    }
    if (!finite) return -1;
    x.set(xNext);
    return active;
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
      if (measured) sums[j]! += singular ? -Infinity : Math.log(rjj);
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
