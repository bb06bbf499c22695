/**
 * Scratch buffers of the float64 engine for one worker, sized for one run, plus the state of the sample
 * in flight (a worker runs one NetworkSample at a time). They live in WebAssembly memory when the SIMD
 * kernels are available, so those kernels can work on them in place; nothing is allocated per layer.
 */
import type { RunConfig } from '../run-config';
import { fillGaussian, fillUint32, STREAM_TAG, type StreamAddress } from '../rng';
import type { StreamName, WeightStream } from '../../model/index';
import { haarColumns, JS_KERNELS, type DenseKernels } from './linalg';
import { kernelModule, WasmArena, wasmKernels } from './wasm/kernels';

/** Where the full block's V_l draws from: its own tags, so W_l's stream is the same as in the other blocks. */
const OUTPUT_TAGS: Partial<Record<StreamName, StreamName>> = { weights: 'outputWeights', sparseMask: 'outputMask' };

export class Workspace {
  readonly kernels: DenseKernels;
  /** out[0..count) = scale * Gaussians 0..count-1 of a stream (WebAssembly Philox when available). */
  readonly gaussian: (out: Float64Array, count: number, address: StreamAddress, scale?: number) => void;
  /** Per-sample state: the two signals and the frame. */
  readonly sampleX: Float64Array;
  readonly sampleX2: Float64Array;
  readonly sampleQ: Float64Array;
  /** W_l (m x N, row-major) and the full block's V_l (N x m). */
  readonly w: Float64Array;
  readonly v: Float64Array;
  /** D W Q (m x k), and Z (N x k) with its Householder scalars. */
  readonly wq: Float64Array;
  readonly z: Float64Array;
  readonly tau: Float64Array;
  /** Pre-activations, phi' and phi of both inputs (m), the biases b_l (m) and a_l (N). */
  readonly h: Float64Array;
  readonly d: Float64Array;
  readonly phi: Float64Array;
  readonly bias: Float64Array;
  readonly outputBias: Float64Array;
  /** The layer's update (N) and the next signal. */
  readonly update: Float64Array;
  readonly xNext: Float64Array;
  readonly square: Float64Array;
  readonly squareQ: Float64Array;
  readonly rRowMajor: Float64Array;
  private words = new Uint32Array(0);
  /** The stream coordinates of the draw in progress (drawWeights). */
  private address = { seed: 0, sample: 0, layer: 0 };
  /** What the ensembles draw from: this sample's stream at the layer being drawn. */
  private readonly stream: WeightStream = this.streamWith({});
  private readonly outputStream: WeightStream = this.streamWith(OUTPUT_TAGS);

  constructor(
    readonly config: RunConfig,
    useWasm = true,
  ) {
    const { n, k, m, outputMatrix } = config;
    const sizes = {
      w: m * n,
      v: outputMatrix ? n * m : 0,
      wq: m * k,
      z: n * k,
      tau: n,
      h: m,
      d: m,
      phi: m,
      bias: m,
      outputBias: outputMatrix ? n : 0,
      update: n,
      xNext: n,
      square: n * n,
      squareQ: config.ensemble.gpu.orthogonalize ? n * n : 0,
      rRowMajor: config.trackSingularValues ? n * n : 0,
      sampleX: n,
      sampleX2: n,
      sampleQ: n * k,
    };
    const module = useWasm ? kernelModule() : null;
    let alloc: (length: number) => Float64Array = (length) => new Float64Array(length);
    if (module) {
      const rawWords = 4 * Math.ceil(Math.max(n * n, m * n) / 4);
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
    this.v = alloc(sizes.v);
    this.wq = alloc(sizes.wq);
    this.z = alloc(sizes.z);
    this.tau = alloc(sizes.tau);
    this.h = alloc(sizes.h);
    this.d = alloc(sizes.d);
    this.phi = alloc(sizes.phi);
    this.bias = alloc(sizes.bias);
    this.outputBias = alloc(sizes.outputBias);
    this.update = alloc(sizes.update);
    this.xNext = alloc(sizes.xNext);
    this.square = alloc(sizes.square);
    this.squareQ = alloc(sizes.squareQ);
    this.rRowMajor = alloc(sizes.rRowMajor);
    this.sampleX = alloc(sizes.sampleX);
    this.sampleX2 = alloc(sizes.sampleX2);
    this.sampleQ = alloc(sizes.sampleQ);
  }

  /** Stream `tag` of this sample at the layer being drawn. */
  at(tag: StreamName, layer: number): StreamAddress {
    return { seed: this.address.seed, sample: this.address.sample, layer, tag: STREAM_TAG[tag] };
  }

  /** W_l (and the full block's V_l) of one sample into `w` (`v`), drawn by the run's ensemble. */
  drawWeights(sample: number, layer: number): void {
    const { config } = this;
    const { params, n, m } = config;
    this.address = { seed: params.seed, sample, layer };
    config.ensemble.drawCpu(this.w, m, n, params, this.stream);
    if (config.outputMatrix) config.ensemble.drawCpu(this.v, n, m, { sw2: params.sv2, p: params.p }, this.outputStream);
  }

  /** The ensembles' view of the stream, with some tags redirected (V_l's draw). */
  private streamWith(redirect: Partial<Record<StreamName, StreamName>>): WeightStream {
    const tagOf = (tag: StreamName) => STREAM_TAG[redirect[tag] ?? tag];
    return {
      gaussian: (out, count, tag, scale) => this.gaussian(out, count, { ...this.address, tag: tagOf(tag) }, scale),
      uint32: (count, tag) => {
        if (this.words.length < count) this.words = new Uint32Array(count);
        const out = this.words.subarray(0, count);
        fillUint32(out, 0, count, { ...this.address, tag: tagOf(tag) });
        return out;
      },
      orthonormalize: (w) => this.orthonormalize(w),
    };
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
