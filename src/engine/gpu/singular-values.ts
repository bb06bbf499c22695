/**
 * Finite-depth singular values of J on the GPU (docs/THEORY.md section 3): T = R_L ... R_1 is accumulated
 * per sample on the GPU in row-scaled float32 (shaders/tproduct.wgsl), so only T (N^2 + O(N) words
 * per sample) comes back instead of every R_l; the singular values then come from the float64
 * row-scaled one-sided Jacobi of graded-product.ts.
 *
 * Row i of T is 2^{x_i} f_i C_i: an exact int32 binary exponent, a float32 mantissa in [1, 2) and a
 * float32 unit row. The log scale s_i = x_i ln 2 + ln f_i is formed only here, in float64, so its
 * accuracy does not degrade with |s| (a float32 s would be rounded to 3e-5 at every layer at |s| = 500).
 *
 * Contract with the GPU engine (k = N only, as on the CPU):
 *  - per layer, after the qr dispatch of that layer and before the next layer's jacobian dispatch
 *    overwrites Z, call encodeLayer(pass, { uniform, z, stats }, uniformOffset) in the same compute
 *    pass, with the engine's own buffers: the Layer uniform slot of that layer (n, k = n, samples,
 *    feedforward, weights are read), Z holding R_l as the QR kernels leave it (sample s column-major at
 *    s N^2: R[i][j] = Z[s N^2 + j N + i], i <= j; below the diagonal is ignored), and stats with the
 *    layer's rank bound at stats[4 s] (forward.wgsl);
 *  - every layer from 1 to L, burn-in included (T is the product over all layers, as on the CPU);
 *  - reset() once per batch before the first layer; after the last, computeSingularValues() and
 *    readLogSingularValues() (read() gives T itself, for tests and diagnostics).
 * Rows of R_l are treated as exactly zero by qr-finish.wgsl's rule for `dead` (j >= rank bound, R_jj == 0,
 * sparse feedforward |R_jj| <= 1e-5 max|R_ii|), so the count of -Infinity values is structural.
 *
 * Not covered (the sample's flags are nonzero and readLogSingularValues returns null for it): a zero row
 * of R_l above a nonzero row of T (mid-spectrum zeros: in practice only the sparse threshold's false
 * flags or Q_0 = I), which needs the change of frame of graded-product.ts; a unit-row diagonal below
 * 1e-30 (float32 range); a non-finite R.
 */
import tstateWgsl from '../../../shaders/tstate.wgsl?raw';
import tproductWgsl from '../../../shaders/tproduct.wgsl?raw';
import jacobiWgsl from '../../../shaders/jacobi.wgsl?raw';
import tproductTiledWgsl from '../../../shaders/tproduct-tiled.wgsl?raw';
import { tProductBytesPerSample } from './limits';
import { LAYER_UNIFORM_BYTES } from './layer-uniform';
import { shaderPrelude } from './wgsl';
import { readBuffer } from './device';
import { describeTiledShape, tiledBlock, tiledMatmulSource, type TiledMatmulShape } from './tiled-matmul';

/** Flag bits per sample (shaders/tproduct.wgsl). */
export const T_FLAG_REFILL = 1;
export const T_FLAG_RANGE = 2;
export const T_FLAG_NONFINITE = 4;
/** shaders/jacobi.wgsl did not converge, or a row cancelled below float32's reach. */
export const T_FLAG_JACOBI = 8;

/** jacobi.wgsl's JS_CONVERGED bit in a sample's header word 3 (its sweep status). */
const JACOBI_CONVERGED = 0x2000000;

/**
 * Whether every sample of a status copy (computeSingularValues: 4 header words per sample) has
 * converged or been flagged, so that further sweeps would change nothing. Unmaps the buffer again.
 */
async function allSettled(status: GPUBuffer, samples: number): Promise<boolean> {
  await status.mapAsync(GPUMapMode.READ);
  try {
    const words = new Uint32Array(status.getMappedRange());
    for (let s = 0; s < samples; s++) {
      if (words[4 * s + 1] === 0 && !(words[4 * s + 3]! & JACOBI_CONVERGED)) return false;
    }
    return true;
  } finally {
    status.unmap();
  }
}

/** Binary exponent stored for an exactly zero row. */
const ZERO_ROW = -0x80000000;

/** Sources of the kernel files, exported so tests can build deliberately broken variants. */
export const TPRODUCT_WGSL: string = tproductWgsl;
export const TPRODUCT_TILED_WGSL: string = tproductTiledWgsl;
export const JACOBI_WGSL: string = jacobiWgsl;

/** Sweeps of jacobi.wgsl before a sample that still rotates is flagged (its MAX_SWEEPS). */
export const JACOBI_MAX_SWEEPS = 40;
/**
 * jacobi.wgsl's PART_WORK: a dispatch takes about this many N^-2 rounds of a sweep (N/2 pairs of rows
 * of N each), a few milliseconds of one workgroup on a laptop GPU, so no dispatch holds the GPU long.
 */
export const JACOBI_PART_WORK = 2 ** 23;

/**
 * Work per group of Jacobi sweeps submitted together (flops), as much as one of the engine's chunks
 * of layers: long enough that two queued groups hide the wait for an earlier group's status, short
 * enough that the sweeps stop soon after the samples converge, or after a run is cancelled.
 */
export const JACOBI_GROUP_FLOPS = 1e10;

/** Rounds of a Jacobi sweep per dispatch at this N (jacobi.wgsl's rounds_per_part). */
export const jacobiRoundsPerPart = (n: number, partWork = JACOBI_PART_WORK) => Math.max(1, Math.floor(partWork / (n * n)));
/** Dispatches per Jacobi sweep at this N: a sweep's m - 1 rounds (m = N rounded up to even) in parts. */
export const jacobiPartsPerSweep = (n: number, partWork = JACOBI_PART_WORK) => Math.ceil((n + (n % 2) - 1) / jacobiRoundsPerPart(n, partWork));

export interface TProductPrograms {
  readonly layout: GPUBindGroupLayout;
  readonly coefficients: GPUComputePipeline;
  readonly rankUpdate: GPUComputePipeline;
  /** Pr = A C by the register kernel (tproduct.wgsl's `product`: a CPU emulation, which pays per barrier). */
  readonly product: GPUComputePipeline;
  /** Pr = A C tiled in workgroup memory, in this shape (tproduct-tiled.wgsl; a GPU), made once per shape. */
  tiledProduct(shape: TiledMatmulShape): GPUComputePipeline;
  readonly normalize: GPUComputePipeline;
  /** The singular values of T at the end (jacobi.wgsl): its set-up, then the parts of its sweeps. */
  readonly jacobiStart: GPUComputePipeline;
  readonly jacobiSweep: GPUComputePipeline;
  /** jacobi.wgsl's PART_WORK, which fixes the dispatches per sweep. */
  readonly jacobiPartWork: number;
}

export interface TProductOptions {
  /** Replacement sources (tests of deliberately broken kernels). */
  tproductSource?: string;
  tproductTiledSource?: string;
  jacobiSource?: string;
  /** Invocations per workgroup of jacobi.wgsl (up to 32 per pair of rows in a round); default 64. */
  jacobiWorkgroup?: number;
  /** Invocations per row of tproduct.wgsl's coefficients and normalize_rows (a power of two); default 64. */
  rowWorkgroup?: number;
  /** jacobi.wgsl's PART_WORK (tests: many parts per sweep at a small N); default JACOBI_PART_WORK. */
  jacobiPartWork?: number;
}

/** The pipelines of tproduct.wgsl and jacobi.wgsl over one shared bind-group layout (tstate.wgsl). */
export function createTProductPrograms(device: GPUDevice, options: TProductOptions = {}): TProductPrograms {
  const source = options.tproductSource ?? tproductWgsl;
  const storage = (type: GPUBufferBindingType, binding: number): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  const layout = device.createBindGroupLayout({
    label: 'tproduct',
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: LAYER_UNIFORM_BYTES } },
      storage('read-only-storage', 1),
      storage('read-only-storage', 2),
      storage('storage', 3),
      storage('storage', 4),
      storage('storage', 5),
      storage('storage', 6),
    ],
  });
  const module = device.createShaderModule({ label: 'tproduct', code: `${shaderPrelude()}\n${tstateWgsl}\n${source}` });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  const pipeline = (entryPoint: string, constants: Record<string, number> = {}) =>
    device.createComputePipeline({ label: `tproduct ${entryPoint}`, layout: pipelineLayout, compute: { module, entryPoint, constants } });
  const jacobiModule = device.createShaderModule({ label: 'jacobi', code: `${shaderPrelude()}\n${tstateWgsl}\n${options.jacobiSource ?? jacobiWgsl}` });
  const jacobiPartWork = options.jacobiPartWork ?? JACOBI_PART_WORK;
  const jacobiConstants = { JWG: options.jacobiWorkgroup ?? 64, MAX_SWEEPS: JACOBI_MAX_SWEEPS, PART_WORK: jacobiPartWork };
  const jacobi = (entryPoint: string) =>
    device.createComputePipeline({
      label: `jacobi ${entryPoint}`,
      layout: pipelineLayout,
      compute: { module: jacobiModule, entryPoint, constants: jacobiConstants },
    });
  const row = { RW: options.rowWorkgroup ?? 64 };
  const tiled = new Map<string, GPUComputePipeline>();
  const tiledProduct = (shape: TiledMatmulShape) => {
    const key = describeTiledShape(shape);
    let made = tiled.get(key);
    if (!made) {
      const code = `${shaderPrelude()}\n${tstateWgsl}\n${tiledMatmulSource(shape, options.tproductTiledSource ?? tproductTiledWgsl)}`;
      const tiledModule = device.createShaderModule({ label: `tproduct tiled ${key}`, code });
      made = device.createComputePipeline({
        label: `tproduct tiled ${key}`,
        layout: pipelineLayout,
        compute: { module: tiledModule, entryPoint: 'main', constants: { B_ROW_MAJOR: 1 } },
      });
      tiled.set(key, made);
    }
    return made;
  };
  return {
    layout,
    coefficients: pipeline('coefficients', row),
    rankUpdate: pipeline('rank_update'),
    product: pipeline('product'),
    tiledProduct,
    normalize: pipeline('normalize_rows', row),
    jacobiStart: jacobi('start'),
    jacobiSweep: jacobi('sweep_part'),
    jacobiPartWork,
  };
}

/** The engine's buffers one layer reads (see the contract above). */
export interface TLayerInputs {
  /** Layer uniforms (layer-uniform.ts), bound LAYER_UNIFORM_BYTES at the dynamic offset given to encodeLayer. */
  uniform: GPUBuffer;
  /** R_l of every sample where the QR kernels leave it. */
  z: GPUBuffer;
  /** stats[4 s] = rank bound of the layer (forward.wgsl). */
  stats: GPUBuffer;
}

/** T of every sample of a batch, read back. */
export interface TResult {
  samples: number;
  n: number;
  /** Log row scales, samples x n, float64; -Infinity for a zero row. */
  s: Float64Array;
  /** Unit rows, samples x n x n, row-major, upper triangular; zero rows where s = -Infinity. */
  c: Float32Array;
  /** Nonzero (leading) rows of T per sample: the number of finite singular values when flags = 0. */
  rank: Uint32Array;
  /** T_FLAG_* bits per sample; 0 when T is covered. */
  flags: Uint32Array;
  /** Layers applied per sample. */
  layers: Uint32Array;
}

export class TAccumulator {
  /** GPU memory held, in bytes. */
  readonly bytes: number;
  private readonly state: GPUBuffer;
  private readonly c: GPUBuffer;
  private readonly a: GPUBuffer;
  private readonly pr: GPUBuffer;
  private readonly stride: number;
  private group: { inputs: TLayerInputs; bindGroup: GPUBindGroup } | null = null;
  /** Pr = A C tiled (a GPU): the pipeline and its dispatch; null for the register kernel. */
  private readonly tiledProduct: { pipeline: GPUComputePipeline; workgroups: [number, number] } | null;

  /** GPU bytes per sample, for batch sizing: three N x N float32 arrays and the row records. */
  static bytesPerSample(n: number): number {
    return tProductBytesPerSample(n);
  }

  constructor(
    private readonly device: GPUDevice,
    private readonly programs: TProductPrograms,
    readonly samples: number,
    readonly n: number,
    /** Pr = A C tiled in this shape (the jacobian's, on a GPU), or null for the register kernel. */
    productShape: TiledMatmulShape | null = null,
  ) {
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(samples) || samples < 1) {
      throw new RangeError(`TAccumulator: bad size (samples ${samples}, n ${n})`);
    }
    const square = 4 * samples * n * n;
    const limit = device.limits.maxStorageBufferBindingSize;
    if (square > limit) throw new RangeError(`TAccumulator: ${samples} samples of N = ${n} need ${square} bytes per binding, above the device limit ${limit}`);
    if (samples > device.limits.maxComputeWorkgroupsPerDimension) throw new RangeError(`TAccumulator: ${samples} samples exceed the dispatch limit`);
    this.stride = 4 + 4 * n;
    const S = GPUBufferUsage.STORAGE;
    const make = (size: number, usage: number, label: string) => device.createBuffer({ size, usage, label });
    this.state = make(4 * samples * this.stride, S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, 'T row scales');
    this.c = make(square, S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC, 'T unit rows');
    this.a = make(square, S, 'T coefficients');
    this.pr = make(square, S, 'T product');
    this.bytes = samples * TAccumulator.bytesPerSample(n);
    // Made here, not at the first layer: the caller's error scopes around the construction see a failure.
    if (productShape) {
      const [rows, cols] = tiledBlock(productShape);
      this.tiledProduct = { pipeline: programs.tiledProduct(productShape), workgroups: [Math.ceil(n / rows), Math.ceil(n / cols)] };
    } else {
      this.tiledProduct = null;
    }
  }

  /** T = I for every sample. A queue write, so it precedes every command buffer submitted after it. */
  reset(): void {
    const { samples, n, stride } = this;
    const words = new Uint32Array(samples * stride);
    const one = new Uint32Array(new Float32Array([1]).buffer)[0]!;
    const c = new Float32Array(samples * n * n);
    for (let s = 0; s < samples; s++) {
      const hb = s * stride;
      words[hb] = n; // rank
      for (let i = 0; i < n; i++) {
        words[hb + 4 + 4 * i + 1] = one; // x = 0, f = 1
        c[s * n * n + i * n + i] = 1;
      }
    }
    this.device.queue.writeBuffer(this.state, 0, words);
    this.device.queue.writeBuffer(this.c, 0, c);
  }

  /** T <- R_l T for every sample: four dispatches into the caller's compute pass. */
  encodeLayer(pass: GPUComputePassEncoder, inputs: TLayerInputs, uniformOffset: number): void {
    const { n, samples } = this;
    pass.setBindGroup(0, this.bindGroup(inputs), [uniformOffset]);
    pass.setPipeline(this.programs.coefficients);
    pass.dispatchWorkgroups(n, samples);
    pass.setPipeline(this.programs.rankUpdate);
    pass.dispatchWorkgroups(samples);
    if (this.tiledProduct) {
      pass.setPipeline(this.tiledProduct.pipeline);
      pass.dispatchWorkgroups(...this.tiledProduct.workgroups, samples);
    } else {
      pass.setPipeline(this.programs.product);
      const tiles = Math.ceil(n / 32);
      pass.dispatchWorkgroups(tiles, tiles, samples);
    }
    pass.setPipeline(this.programs.normalize);
    pass.dispatchWorkgroups(n, samples);
  }

  /**
   * The singular values of every sample's T, on the GPU (jacobi.wgsl), after the last layer's
   * command buffers: the set-up, then the sweeps in groups of about JACOBI_GROUP_FLOPS, each sweep in
   * dispatches of bounded work (where one dispatch of all sweeps held the GPU for over a second at
   * N = 1024, and the page's drawing with it). Each group's command buffer ends with a copy of the
   * samples' sweep status; while groups g + 1 and g + 2 run, group g's status is read, and no further
   * group is submitted once every sample has converged (or been flagged), or once `stop()` says so (a
   * cancelled run: what is queued finishes, nothing more is added). `wait` wraps every wait on the
   * GPU (the engine's rejects when the device is lost). Returns the sweeps submitted. T itself
   * (read()) is unchanged; readLogSingularValues() gives the result.
   */
  async computeSingularValues(
    inputs: TLayerInputs,
    uniformOffset: number,
    options: { stop?: () => boolean; wait?: <T>(work: Promise<T>) => Promise<T>; maxSweeps?: number; groupFlops?: number } = {},
  ): Promise<number> {
    const { device, samples, n } = this;
    const wait = options.wait ?? (<T>(work: Promise<T>) => work);
    const maxSweeps = Math.min(JACOBI_MAX_SWEEPS, options.maxSweeps ?? JACOBI_MAX_SWEEPS);
    // A sweep is about 6 N^3 flops per sample (N^2 / 2 pairs of rows of N, a dot product and a rotation).
    const groupSweeps = Math.max(1, Math.min(maxSweeps, Math.floor((options.groupFlops ?? JACOBI_GROUP_FLOPS) / (samples * 6 * n ** 3))));
    const bindGroup = this.bindGroup(inputs);
    const parts = jacobiPartsPerSweep(n, this.programs.jacobiPartWork);
    const submit = (label: string, encodePasses: (pass: GPUComputePassEncoder) => void, status: GPUBuffer | null) => {
      const enc = device.createCommandEncoder({ label });
      const pass = enc.beginComputePass({ label });
      pass.setBindGroup(0, bindGroup, [uniformOffset]);
      encodePasses(pass);
      pass.end();
      // The samples' header words [rank, flags, layers, sweep status], 16 bytes each.
      if (status) for (let s = 0; s < samples; s++) enc.copyBufferToBuffer(this.state, 4 * s * this.stride, status, 16 * s, 16);
      device.queue.submit([enc.finish()]);
    };
    submit(
      'jacobi start',
      (pass) => {
        pass.setPipeline(this.programs.jacobiStart);
        pass.dispatchWorkgroups(samples);
      },
      null,
    );
    // Group g's status is read once group g + 2 is queued, so the GPU has two groups of work while
    // the page waits for the read (waking up takes milliseconds: ~10 ms per wait was seen on an H100).
    const lookahead = 2;
    const staging = Array.from({ length: lookahead + 1 }, (_, i) =>
      device.createBuffer({ label: `jacobi status ${i}`, size: 16 * samples, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ }),
    );
    try {
      let submitted = 0;
      const pending: GPUBuffer[] = [];
      for (let group = 0; submitted < maxSweeps; group++) {
        const sweeps = Math.min(groupSweeps, maxSweeps - submitted);
        const status = staging[group % staging.length]!;
        submit(
          `jacobi sweeps ${submitted + 1}-${submitted + sweeps}`,
          (pass) => {
            pass.setPipeline(this.programs.jacobiSweep);
            for (let d = 0; d < sweeps * parts; d++) pass.dispatchWorkgroups(samples);
          },
          status,
        );
        submitted += sweeps;
        pending.push(status);
        if (options.stop?.()) break;
        if (pending.length > lookahead) {
          const settled = allSettled(pending.shift()!, samples);
          // If `wait` gives up first (a lost device), the read's own rejection must not go unhandled.
          settled.catch(() => undefined);
          if (await wait(settled)) break;
        }
      }
      return submitted;
    } finally {
      for (const b of staging) b.destroy();
    }
  }

  /**
   * log sigma_i(T) per sample, descending (-Infinity for zero rows), from computeSingularValues' result:
   * N numbers per sample come back, formed in float64 as x_i ln 2 + h_i. null for a flagged sample
   * (flags says why), which the caller recomputes in float64. A sample whose sweeps did not end in
   * convergence (its commands cut short) counts as T_FLAG_JACOBI: never an unconverged result.
   */
  async readLogSingularValues(): Promise<{ logSigma: (Float64Array | null)[]; flags: Uint32Array }> {
    const { n, stride } = this;
    // h_i is jacobi.wgsl's, in the record's scratch word.
    const { words, logs, flags } = await this.readRecords((floats, rec) => floats[rec + 2]!);
    for (let q = 0; q < flags.length; q++) {
      if (!(words[q * stride + 3]! & JACOBI_CONVERGED)) flags[q]! |= T_FLAG_JACOBI;
    }
    const logSigma = Array.from(flags, (f, q) =>
      f === 0
        ? logs
            .slice(q * n, q * n + n)
            .sort()
            .reverse()
        : null,
    );
    return { logSigma, flags };
  }

  /** Reads T back (submits its own copies; call after the layers' command buffers are submitted). */
  async read(): Promise<TResult> {
    const { samples, n, stride } = this;
    // log |row i| = x_i ln 2 + log f_i.
    const [{ words, logs, flags }, c] = await Promise.all([
      this.readRecords((floats, rec) => Math.log(floats[rec + 1]!)),
      readBuffer(this.device, this.c, Float32Array),
    ]);
    const rank = Uint32Array.from({ length: samples }, (_, q) => words[q * stride]!);
    const layers = Uint32Array.from({ length: samples }, (_, q) => words[q * stride + 2]!);
    return { samples, n, s: logs, c, rank, flags, layers };
  }

  /**
   * The row records of every sample (tstate.wgsl): per row, x_i ln 2 + logPart(record) in float64
   * (-Infinity for a zero row), and per sample the header flags OR'd with its rows' flags.
   */
  private async readRecords(logPart: (floats: Float32Array, rec: number) => number): Promise<{ words: Uint32Array; logs: Float64Array; flags: Uint32Array }> {
    const { samples, n, stride } = this;
    const words = await readBuffer(this.device, this.state, Uint32Array);
    const ints = new Int32Array(words.buffer);
    const floats = new Float32Array(words.buffer);
    const logs = new Float64Array(samples * n);
    const flags = new Uint32Array(samples);
    for (let q = 0; q < samples; q++) {
      const hb = q * stride;
      let f = words[hb + 1]!;
      for (let i = 0; i < n; i++) {
        const rec = hb + 4 + 4 * i;
        f |= words[rec + 3]!;
        const x = ints[rec]!;
        logs[q * n + i] = x === ZERO_ROW ? -Infinity : x * Math.LN2 + logPart(floats, rec);
      }
      flags[q] = f;
    }
    return { words, logs, flags };
  }

  destroy(): void {
    this.state.destroy();
    this.c.destroy();
    this.a.destroy();
    this.pr.destroy();
    this.group = null;
  }

  private bindGroup(inputs: TLayerInputs): GPUBindGroup {
    const g = this.group;
    if (g && g.inputs.uniform === inputs.uniform && g.inputs.z === inputs.z && g.inputs.stats === inputs.stats) return g.bindGroup;
    const bindGroup = this.device.createBindGroup({
      label: 'tproduct',
      layout: this.programs.layout,
      entries: [
        { binding: 0, resource: { buffer: inputs.uniform, size: LAYER_UNIFORM_BYTES } },
        { binding: 1, resource: { buffer: inputs.z } },
        { binding: 2, resource: { buffer: inputs.stats } },
        { binding: 3, resource: { buffer: this.state } },
        { binding: 4, resource: { buffer: this.c } },
        { binding: 5, resource: { buffer: this.a } },
        { binding: 6, resource: { buffer: this.pr } },
      ],
    });
    this.group = { inputs: { ...inputs }, bindGroup };
    return bindGroup;
  }
}
