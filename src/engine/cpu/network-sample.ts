/**
 * One random network (one sample) advanced layer by layer in float64: the Benettin QR sweep of
 * THEORY.md section 2 with the model of section 1. Buffers live in a Workspace shared by all samples
 * a worker runs, so nothing is allocated per layer.
 *
 *   h_l = W_l x_{l-1} + b_l,  x_l = a x_{l-1} + c phi(h_l),  D_l = diag(phi'(h_l))
 *   Z   = a Q + c D_l (W_l Q),  Z = Q' R,  S_i += log|R_ii|  (after the burn-in)
 */
import type { Params } from '../../params/types';
import { residualCoefficients, sparseKeepThreshold } from '../../params/derived';
import { activation, type ActivationFunctions } from '../activations';
import { fillGaussian, fillUint32, STREAM_TAG, type StreamAddress } from '../rng';
import { formQ, haarColumns, householderQR, JS_KERNELS, matvec, type DenseKernels } from './linalg';
import { kernelModule, WasmArena, wasmKernels } from './wasm/kernels';
import { RowScaledTriangular } from './graded-product';
import type { SampleResult } from '../types';

/**
 * Relative threshold below which |R_jj| counts as an exact zero, in float64 (THEORY.md section 2).
 * Used only where zeros are structurally possible but not countable: sparse feedforward weights.
 */
export const RANK_TOLERANCE_F64 = 1e-10;

/** Everything about the run that does not change from sample to sample. */
export class RunConfig {
  readonly n: number;
  readonly k: number;
  readonly a: number;
  readonly c: number;
  readonly act: ActivationFunctions;
  readonly feedforward: boolean;
  readonly trackSingularValues: boolean;
  readonly keepThreshold: number;
  /** Checkpoints of the convergence history: every `checkEvery` layers after the burn-in, and at L. */
  readonly checkEvery: number;
  readonly checkpoints: number;

  constructor(
    readonly params: Params,
    singularValues = true,
  ) {
    this.n = params.width;
    this.k = Math.min(params.k, params.width);
    const { a, c } = residualCoefficients(params);
    this.a = a;
    this.c = c;
    this.act = activation(params.act);
    this.feedforward = params.arch === 'ff';
    this.trackSingularValues = singularValues && this.k === this.n;
    this.keepThreshold = sparseKeepThreshold(params.p);
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
}

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
  readonly mask: Uint32Array;
  readonly rRowMajor: Float64Array;

  constructor(
    readonly config: RunConfig,
    useWasm = true,
  ) {
    const { n, k } = config;
    const orth = config.params.weights === 'orth';
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
      squareQ: orth ? n * n : 0,
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
    this.mask = new Uint32Array(config.params.weights === 'sparse' ? n * n : 0);
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

  private drawWeights(layer: number, ws: Workspace): void {
    const { n, params } = this.config;
    const address = { seed: params.seed, sample: this.sample, layer, tag: STREAM_TAG.weights };
    const w = ws.w;
    switch (params.weights) {
      case 'gauss':
        ws.gaussian(w, n * n, address, Math.sqrt(params.sw2 / n));
        break;
      case 'sparse': {
        ws.gaussian(w, n * n, address, Math.sqrt(params.sw2 / (n * params.p)));
        fillUint32(ws.mask, 0, n * n, { ...address, tag: STREAM_TAG.sparseMask });
        const threshold = this.config.keepThreshold;
        for (let e = 0; e < n * n; e++) if (!(ws.mask[e]! < threshold)) w[e] = 0;
        break;
      }
      case 'orth': {
        // W = sqrt(sw2) O with O Haar: QR (with sign fix) of a Gaussian matrix, element = row*N + col.
        const g = ws.square;
        ws.gaussian(g, n * n, address);
        const panel = ws.squareQ;
        for (let col = 0; col < n; col++) for (let row = 0; row < n; row++) panel[col * n + row] = g[row * n + col]!;
        haarColumns(panel, ws.tau, g, n, n, ws.kernels.reflect); // g now holds O column-major
        const s = Math.sqrt(params.sw2);
        for (let row = 0; row < n; row++) for (let col = 0; col < n; col++) w[row * n + col] = s * g[col * n + row]!;
        break;
      }
    }
  }

  private step(ws: Workspace): void {
    const cfg = this.config;
    const { n, k, a, c, params } = cfg;
    const layer = this.layer + 1;
    this.drawWeights(layer, ws);
    const b = ws.bias;
    if (params.sb2 > 0) {
      ws.gaussian(b, n, { seed: params.seed, sample: this.sample, layer, tag: STREAM_TAG.bias }, Math.sqrt(params.sb2));
    } else {
      b.fill(0);
    }

    // Forward pass.
    const h = ws.h;
    const d = ws.d;
    const x = this.x;
    const xNext = ws.xNext;
    matvec(ws.w, x, b, h, n);
    const { phi, dphi } = cfg.act;
    let active = 0;
    let finite = true;
    for (let i = 0; i < n; i++) {
      const hi = h[i]!;
      const di = dphi(hi);
      d[i] = di;
      if (di !== 0) active++;
      const xi = a * x[i]! + c * phi(hi);
      xNext[i] = xi;
      if (!Number.isFinite(xi) || !Number.isFinite(hi)) finite = false;
    }
    if (!finite) {
      this.overflowLayer = layer;
      return;
    }
    x.set(xNext);

    // Jacobian applied to the frame: Z = a Q + c D (W Q).
    const q = this.q;
    const z = ws.z;
    ws.kernels.matmulWQ(ws.w, q, ws.wq, n, k);
    const wq = ws.wq;
    for (let j = 0; j < k; j++) {
      const col = j * n;
      if (a === 0) {
        for (let i = 0; i < n; i++) z[col + i] = c * d[i]! * wq[col + i]!;
      } else {
        for (let i = 0; i < n; i++) z[col + i] = a * q[col + i]! + c * d[i]! * wq[col + i]!;
      }
    }
    householderQR(z, ws.tau, n, k, ws.kernels.reflect);

    // Exactly singular directions. Feedforward: rank(D W Q) <= #{phi' != 0}, so indices beyond the
    // number of active units are structural zeros (exact, no threshold). Sparse feedforward weights
    // can lose rank in other ways, detected by the float64 relative threshold.
    let zeroFrom = k;
    if (cfg.feedforward && active < k) zeroFrom = active;
    let rMax = 0;
    if (cfg.feedforward && params.weights === 'sparse') {
      for (let j = 0; j < k; j++) rMax = Math.max(rMax, Math.abs(z[j * n + j]!));
    }
    const measured = layer > params.transient;
    const sums = this.sums;
    const rr = ws.rRowMajor;
    const graded = this.graded;
    for (let j = 0; j < k; j++) {
      const rjj = Math.abs(z[j * n + j]!);
      const singular = j >= zeroFrom || rjj === 0 || (rMax > 0 && rjj <= RANK_TOLERANCE_F64 * rMax);
      if (measured) sums[j]! += singular ? -Infinity : Math.log(rjj);
      if (graded) {
        // R row j, row-major, zeroed when the direction is exactly singular (THEORY.md section 2).
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
    formQ(z, ws.tau, q, n, k, ws.kernels.reflect);
    this.layer = layer;

    const slot = cfg.checkpointIndex(layer);
    if (slot >= 0) {
      const m = layer - params.transient;
      let finiteSum = 0;
      let finiteCount = 0;
      for (let j = 0; j < k; j++) {
        if (sums[j]! > -Infinity) {
          finiteSum += sums[j]!;
          finiteCount++;
        }
      }
      this.convergence[3 * slot] = sums[0]! / m;
      this.convergence[3 * slot + 1] = sums[k - 1]! / m;
      this.convergence[3 * slot + 2] = finiteCount > 0 ? finiteSum / finiteCount / m : -Infinity;
    }
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
