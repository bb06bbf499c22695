/**
 * The WebGPU engine (float32): the same model, random stream and snapshot as the CPU engine. Samples
 * run in batches; a chunk of layers is encoded into one command buffer (no CPU round trip per layer),
 * and results are read back only at the end of a chunk. With k = N the singular values of J come from
 * T = R_L ... R_1, accumulated on the GPU in row-scaled float32 (singular-values.ts) and read back once
 * per batch; a sample whose T left float32's reach (flagged by the kernel) is recomputed in float64 on
 * the CPU from the same stream, in short slices, and the snapshot says how many were.
 *
 * Before a run, the device limits are checked and the workgroup sizes and batch size chosen from them
 * (limits.ts); what cannot fit is refused with a GpuLimitError. A lost device or an uncaptured GPU
 * error rejects the run in flight and every later one with a GpuDeviceError (never a hang or a
 * silently wrong result), so a wrapper can fall back to the CPU (../fallback-engine.ts). Every buffer
 * a run creates is destroyed when it ends, is aborted or fails.
 */
import type { Params } from '../../params/types';
import { modelOf } from '../../model/index';
import { buildSnapshot } from '../aggregate';
import { RunConfig } from '../run-config';
import type { Engine, RunOptions, SampleResult, Snapshot } from '../types';
import { effectiveLimits, GpuOutOfMemoryError, planTProduct, type GpuLimits, type GpuPlan } from './limits';
import type { GpuProfiler, KernelGroup } from './profiler';
import { MAX_LAYER_SLOTS } from './batch';
import { isEmulatedAdapter } from './device';
import { layerValues, UNIFORM_SLOT, writeLayerUniform } from './layer-uniform';
import { readBatchResults, uploadInitialState } from './batch-io';
import { layerProgram, type LayerBatch, type LayerProgram } from './layer-programs';
import { createTProductPrograms, TAccumulator, type TProductPrograms } from './singular-values';

/**
 * Default upper bound on one batch's device memory; the device limits may lower it further. WebGPU
 * does not say how much memory a GPU has, so this is a budget: on a GPU, enough for 16 samples at
 * N = 1024 with singular values (about 26 MB each) in one batch, since batches run one after another
 * and a small batch leaves a large GPU idle; on a CPU emulation, whose memory is the page's, less.
 */
export const BATCH_BYTES = { gpu: 512 * 1024 * 1024, emulated: 96 * 1024 * 1024 } as const;

/** Work encoded into one command buffer before the engine waits for the GPU (flops). */
const CHUNK_FLOPS = 1e10;

/**
 * Why a backend=auto run of these parameters should use the float64 CPU engine although the GPU works,
 * or null. Weights with structural zeros (sparse) in nets without skip connections: float32 cannot tell an exactly zero direction from a small one
 * (docs/THEORY.md section 2); the GPU flags |R_jj| <= 1e-5 max|R_ii| and catches the empty rows and columns
 * structurally, but a pattern whose matching is smaller than that bound leaves zeros it misses (seen:
 * p = 0.1-0.15, N = 32, 1-3 of 12 samples with too few -Infinity exponents). The CPU's 1e-10 is safe.
 */
export function gpuPrefersCpu(params: Params): string | null {
  const { ensemble, architecture } = modelOf(params);
  return ensemble.traits.structuralZeros && architecture.rankFromActivation
    ? 'sparse feedforward weights need float64 to tell exactly zero directions from small ones (docs/THEORY.md section 2)'
    : null;
}

/**
 * For activations whose phi' has tails far below float32 resolution (the float32Tails trait: erf's
 * Gaussian tails, GELU's zero crossing at h = -0.75 reached by cancellation). A rare layer with such a
 * unit makes the bottom R_kk/|Z| smaller than float32 resolves; the QR then returns ~1e-7 |Z| and the
 * bottom exponent reads too high (test/gpu/engine.gpu.test.ts measures it). The other indices are unaffected.
 */
const FLOAT32_TAIL_NOTE =
  "float32 caveat: a layer where some unit has |phi'| below ~1e-7 (the tails of erf', GELU's zero of phi') puts the bottom exponent below float32 resolution, so it can read too high in a few samples (seen: up to 0.34 per layer at N = 12, L = 50). Other exponents are unaffected; the CPU engine is float64.";

/** The device was lost or reported an uncaptured error: this engine cannot run any more. */
export class GpuDeviceError extends Error {
  override readonly name = 'GpuDeviceError';
}

export interface GpuEngineOptions {
  /** Caps on the device limits (a budget): the engine plans within min(device limit, cap). */
  limits?: Partial<GpuLimits>;
  /** Upper bound on one batch's device memory in bytes (default BATCH_BYTES for the adapter's kind). */
  batchBytes?: number;
  /** Destroy the device in dispose(): set when nobody else uses it. */
  ownsDevice?: boolean;
  /**
   * Work (flops) encoded into one command buffer before waiting for the GPU; default CHUNK_FLOPS.
   * Smaller = quicker cancelling and more waits; 0 = one layer per chunk (tests use it).
   */
  chunkFlops?: number;
  /**
   * Per-kernel GPU timing (the bench): each kernel group of each layer gets its own timestamped
   * compute pass. Off by default; the plain path encodes a whole chunk into one pass.
   */
  profiler?: GpuProfiler;
  /**
   * Plan kernels as for this kind of adapter instead of the one detected (see `emulated`): tests run
   * the real-GPU kernels (tiled matmul, wide workgroups) on SwiftShader with 'gpu'.
   */
  tuning?: 'gpu' | 'emulated';
  /**
   * The float64 log singular values of one sample (the same network from the same stream), for the
   * samples whose float32 T the GPU kernels do not cover; null if aborted. The CPU engine provides it
   * (float64LogSingularValues in src/engine/cpu/network-sample.ts); without it such samples are reported
   * missing. The GPU engine does not import the CPU engine itself.
   */
  float64Recompute?: (config: RunConfig, sample: number, signal?: AbortSignal) => Promise<Float64Array | null>;
}

/** The bookkeeping of one run. */
interface RunState {
  readonly config: RunConfig;
  readonly program: LayerProgram;
  readonly tPrograms: TProductPrograms | null;
  /** Samples per batch; lowered when the GPU runs out of memory (WebGPU does not say how much there is). */
  batch: number;
  memoryNote: string | null;
  readonly results: SampleResult[];
  /** Layer-samples done. */
  work: number;
  /** Samples whose singular values were recomputed in float64, or are missing for want of a recompute. */
  recomputed: number;
  missing: number;
  snapshot(done: boolean): Snapshot;
}

export class GpuEngine implements Engine {
  readonly backend = 'gpu';
  /** The choices of the latest run (workgroup sizes, batch), for a status line; null before one. */
  lastPlan: GpuPlan | null = null;
  private live = new Set<GPUBuffer>();
  private tProductPrograms: TProductPrograms | null = null;
  private failureReason: string | null = null;
  /** Rejects with a GpuDeviceError when the device is lost or reports an uncaptured error. */
  private readonly failed: Promise<never>;
  private readonly onUncapturedError: (event: Event) => void;

  constructor(
    private readonly device: GPUDevice,
    private readonly adapterName = 'WebGPU',
    private readonly options: GpuEngineOptions = {},
  ) {
    let reject: (e: Error) => void = () => {};
    this.failed = new Promise<never>((_, r) => (reject = r));
    this.failed.catch(() => undefined);
    const fail = (reason: string) => {
      if (this.failureReason !== null) return;
      this.failureReason = reason;
      reject(new GpuDeviceError(reason));
    };
    void device.lost.then((info) => fail(`the GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`));
    this.onUncapturedError = (event) => fail(`uncaptured GPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
    device.addEventListener('uncapturederror', this.onUncapturedError);
  }

  /**
   * A CPU emulation of a GPU (SwiftShader, WARP...): the adapter says so (isFallbackAdapter, where the
   * browser exposes device.adapterInfo), or its name does.
   */
  get emulated(): boolean {
    return isEmulatedAdapter((this.device as GPUDevice & { adapterInfo?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).adapterInfo, this.adapterName);
  }

  /** Whether kernels are planned for a CPU emulation: the `tuning` option, else the adapter's kind. */
  private get plannedAsEmulated(): boolean {
    return this.options.tuning ? this.options.tuning === 'emulated' : this.emulated;
  }

  /** Why this engine can no longer run (device lost, uncaptured GPU error), or null. */
  get failure(): string | null {
    return this.failureReason;
  }

  dispose(): void {
    for (const b of this.live) b.destroy();
    this.live.clear();
    this.device.removeEventListener('uncapturederror', this.onUncapturedError);
    if (this.options.ownsDevice) this.device.destroy();
  }

  private throwIfFailed(): void {
    if (this.failureReason !== null) throw new GpuDeviceError(this.failureReason);
  }

  /** Awaits GPU work, but rejects as soon as the device is lost or reports an error. */
  private async guard<T>(work: Promise<T>): Promise<T> {
    const value = await Promise.race([work, this.failed]);
    this.throwIfFailed();
    return value;
  }

  /**
   * The error to report for a failed run: a device failure explains any error (a lost device shows
   * up first as a rejected mapAsync, whose AbortError says nothing), so wait briefly for one.
   */
  private async explain(e: unknown): Promise<unknown> {
    if (e instanceof GpuDeviceError) return e;
    if (this.failureReason === null) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.failed.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, 100)))]);
      clearTimeout(timer);
    }
    return this.failureReason === null ? e : new GpuDeviceError(this.failureReason, { cause: e });
  }

  async *run(params: Params, options: RunOptions = {}): AsyncGenerator<Snapshot, void, void> {
    const { signal } = options;
    this.throwIfFailed();
    const run = this.prepare(params, options);
    for (let base = 0; base < params.samples;) {
      if (signal?.aborted) return;
      const count = Math.min(run.batch, params.samples - base);
      const outcome = await this.runBatch(run, base, count, signal);
      if (outcome === 'aborted') return;
      if (outcome === 'smaller') continue; // out of memory: the same samples again in smaller batches
      run.results.push(...outcome);
      base += count;
      if (base < params.samples) yield run.snapshot(false);
    }
    this.throwIfFailed();
    yield run.snapshot(true);
  }

  /** Plans the run (a GpuLimitError if it cannot fit the device) and sets up its bookkeeping. */
  private prepare(params: Params, options: RunOptions): RunState {
    const config = new RunConfig(params, options.singularValues ?? true);
    const limits = effectiveLimits(this.device, this.options.limits);
    const emulated = this.plannedAsEmulated;
    const program = layerProgram(this.device, limits, { config, batchBytes: this.options.batchBytes ?? BATCH_BYTES[emulated ? 'emulated' : 'gpu'], emulated });
    this.lastPlan = program.plan;
    // The T-product pipelines depend on nothing of the run: compiled once per engine.
    const tPrograms = config.trackSingularValues ? (this.tProductPrograms ??= createTProductPrograms(this.device, planTProduct(limits, emulated))) : null;
    const started = performance.now();
    const checkpoints = config.checkpointLayers();
    const backend = `gpu (float32, ${this.adapterName})`;
    const caveat = gpuPrefersCpu(params);
    const state: RunState = {
      config,
      program,
      tPrograms,
      batch: program.plan.batch,
      memoryNote: null,
      results: [],
      work: 0,
      recomputed: 0,
      missing: 0,
      snapshot: (done) => {
        const notes = [
          ...(caveat ? [`float32 caveat: ${caveat}; this GPU run may count too few -Infinity exponents (use the CPU engine).`] : []),
          ...(config.act.traits.float32Tails ? [FLOAT32_TAIL_NOTE] : []),
          ...(state.memoryNote ? [state.memoryNote] : []),
          ...(state.missing === 0
            ? []
            : [
                `Singular values of ${state.missing} of ${state.results.length} samples are missing: their float32 product T = R_L...R_1 hit a case the GPU kernels do not cover, and this engine was given no float64 engine to recompute them.`,
              ]),
          ...(state.recomputed === 0
            ? []
            : [
                `Singular values of ${state.recomputed} of ${state.results.length} samples were recomputed in float64 on the CPU (same networks): their float32 product T = R_L...R_1 hit a case the GPU kernels do not cover (a zero row above a nonzero one, a row leaving float32 range, or a float32 Jacobi that did not settle).`,
              ]),
        ];
        return buildSnapshot({
          params,
          k: config.k,
          singularValues: config.trackSingularValues,
          checkpoints,
          forwardLayers: config.forward.layers,
          results: state.results,
          partial: [],
          elapsedMs: performance.now() - started,
          work: state.work,
          done,
          perSample: options.perSample ?? false,
          backend,
          notes,
        });
      },
    };
    return state;
  }

  /**
   * One batch of samples through every layer: allocate, initialize, encode the layers in chunks, the
   * singular values, read back. 'smaller' when the GPU ran out of memory for it (the batch size is
   * halved for the retry), 'aborted' when the run was cancelled.
   */
  private async runBatch(run: RunState, base: number, count: number, signal: AbortSignal | undefined): Promise<SampleResult[] | 'smaller' | 'aborted'> {
    const { config, program, tPrograms } = run;
    const { n, k } = config;
    const owned: GPUBuffer[] = [];
    let tAcc: TAccumulator | null = null;
    try {
      const allocated = await this.allocate(() => {
        const shape = {
          n,
          k,
          count,
          orthogonalize: config.ensemble.gpu.orthogonalize,
          checkpoints: config.checkpoints,
          forwardSlots: config.forward.layers.length,
        };
        const made = program.createBatch(shape, (b) => {
          owned.push(b);
          this.live.add(b);
        });
        // T's product has the jacobian's size (k = N), so it takes the jacobian's tiling where there is one.
        const productShape = program.plan.matmul.kind === 'tiled' ? program.plan.matmul.shape : null;
        return { made, t: tPrograms ? new TAccumulator(this.device, tPrograms, count, n, productShape) : null };
      });
      tAcc = allocated.value.t;
      if (allocated.outOfMemory) {
        if (count === 1)
          throw new GpuOutOfMemoryError(`the GPU ran out of memory for one sample at N = ${n}${config.trackSingularValues ? ' with singular values' : ''}`);
        run.batch = Math.ceil(count / 2);
        run.memoryNote = `The GPU ran out of memory for ${count} samples at a time, so this run uses batches of ${run.batch} or fewer (slower on a large GPU, same results).`;
        return 'smaller';
      }
      const batch = allocated.value.made;
      const inputs = uploadInitialState(this.device, config, batch, base);
      tAcc?.reset();
      if (!(await this.runLayers(run, batch, base, tAcc, signal))) return 'aborted';
      const results = await this.guard(readBatchResults(this.device, config, batch.buffers, base, count, inputs));
      if (tAcc && !(await this.attachSingularValues(run, results, tAcc, signal))) return 'aborted';
      return results;
    } catch (e) {
      if (signal?.aborted) return 'aborted';
      throw await this.explain(e);
    } finally {
      tAcc?.destroy();
      for (const b of owned) {
        b.destroy();
        this.live.delete(b);
      }
    }
  }

  /** Encodes and submits every layer of a batch in chunks, then T's singular values; false if aborted. */
  private async runLayers(run: RunState, batch: LayerBatch, base: number, tAcc: TAccumulator | null, signal: AbortSignal | undefined): Promise<boolean> {
    const { config } = run;
    const { n, k, params } = config;
    const { count } = batch.shape;
    // Layers per command buffer: about CHUNK_FLOPS of work (a few ms on a GPU, so cancelling stays
    // quick), at most the uniform buffer's 256 slots. Checkpoints are copied inside the chunk.
    // The Jacobian's matmul (two of m x N for the full block), the QR, the T product.
    const matmulFlops = 2 * (config.outputMatrix ? 2 * config.m : n) * n * k;
    const flopsPerLayer = count * (matmulFlops + 4 * n * k * k + (tAcc ? (2 / 3) * n ** 3 : 0));
    const layersPerChunk = Math.max(1, Math.min(MAX_LAYER_SLOTS, Math.floor((this.options.chunkFlops ?? CHUNK_FLOPS) / flopsPerLayer)));
    // Two chunks in flight: chunk c+1 is encoded and queued while chunk c runs, so the GPU does not idle
    // through the wake-up and the encoding between chunks (measured on an H100 at N = 256: ~10 ms per
    // chunk, a third of a 100-layer run, with one chunk at a time). The queue stays two chunks short, so
    // cancelling still takes effect within about two chunks.
    let previous: Promise<void> | null = null;
    for (let layer = 0; layer < params.depth;) {
      if (signal?.aborted) return false;
      const chunkEnd = Math.min(params.depth, layer + layersPerChunk);
      this.encodeChunk(run, batch, base, layer, chunkEnd, tAcc);
      run.work += (chunkEnd - layer) * count;
      layer = chunkEnd;
      const submitted = this.device.queue.onSubmittedWorkDone();
      // Awaited on the next turn; if this turn throws first, its rejection must not go unhandled.
      submitted.catch(() => undefined);
      if (previous) await this.guard(previous);
      previous = submitted;
    }
    if (tAcc) {
      // The singular values of T on the GPU; only N numbers per sample come back. Its sweeps stop when
      // the samples have converged, or when the run is cancelled.
      const bufs = batch.buffers;
      await tAcc.computeSingularValues({ uniform: bufs.uniform, z: bufs.z, stats: bufs.stats }, 0, {
        stop: () => signal?.aborted ?? false,
        wait: (work) => this.guard(work),
      });
    }
    if (previous) await this.guard(previous);
    return !signal?.aborted;
  }

  /**
   * The GPU's log singular values per sample; a sample its float32 T does not cover is recomputed in
   * float64 (the float64Recompute option), or left without them and said so. false if aborted.
   */
  private async attachSingularValues(run: RunState, results: SampleResult[], tAcc: TAccumulator, signal: AbortSignal | undefined): Promise<boolean> {
    const { logSigma } = await this.guard(tAcc.readLogSingularValues());
    for (let s = 0; s < results.length; s++) {
      const r = results[s]!;
      if (r.overflowLayer !== null) continue;
      r.logSingularValues = logSigma[s]!;
      if (r.logSingularValues !== null) continue;
      const recompute = this.options.float64Recompute;
      if (!recompute) {
        run.missing++;
        continue;
      }
      r.logSingularValues = await recompute(run.config, r.sample, signal);
      if (r.logSingularValues === null) return false; // aborted
      run.recomputed++;
    }
    return true;
  }

  /**
   * Runs `create` (a batch's buffers, bind groups and constant uniforms), and says whether the GPU ran
   * out of memory on the way: its out-of-memory error, and the validation errors of what used the
   * buffers it left invalid, are caught here instead of failing the whole engine (the caller destroys
   * what was made). Any other validation error is a bug and is thrown.
   */
  private async allocate<T>(create: () => T): Promise<{ value: T; outOfMemory: boolean }> {
    const device = this.device;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    let value: { made: T } | null = null;
    let thrown: unknown = null;
    try {
      value = { made: create() };
    } catch (e) {
      thrown = e;
    }
    const oom = await device.popErrorScope();
    const invalid = await device.popErrorScope();
    if (value === null) throw thrown;
    if (!oom && invalid) throw new Error(`GPU validation error while allocating a batch: ${invalid.message}`);
    return { value: value.made, outOfMemory: oom !== null };
  }

  private encodeChunk(run: RunState, batch: LayerBatch, base: number, from: number, to: number, tAcc: TAccumulator | null): void {
    const { config } = run;
    const { k } = config;
    const { count } = batch.shape;
    const bufs = batch.buffers;
    const device = this.device;
    const uniforms = new ArrayBuffer((to - from) * UNIFORM_SLOT);
    for (let l = from; l < to; l++) writeLayerUniform(uniforms, l - from, layerValues(config, base, count, l + 1));
    device.queue.writeBuffer(bufs.uniform, 0, uniforms);
    const enc = device.createCommandEncoder();
    const profiler = this.options.profiler;
    // Without a profiler the whole chunk is one pass. With one, every kernel group gets a pass of its
    // own, because WebGPU writes timestamps only where a pass begins and ends.
    let open: GPUComputePassEncoder | null = profiler ? null : enc.beginComputePass();
    const pass = (group: KernelGroup): GPUComputePassEncoder => {
      if (profiler) {
        open?.end();
        const timestampWrites = profiler.timestampWrites(group);
        open = enc.beginComputePass(timestampWrites ? { timestampWrites } : {});
      }
      return open!;
    };
    for (let l = from; l < to; l++) {
      const offset = (l - from) * UNIFORM_SLOT;
      batch.encodeLayer(pass, offset);
      // T <- R_l T while Z still holds R_l (the next layer's jacobian dispatch overwrites it).
      if (tAcc) tAcc.encodeLayer(pass('tproduct'), { uniform: bufs.uniform, z: bufs.z, stats: bufs.stats }, offset);
      const slot = config.checkpointIndex(l + 1);
      if (slot >= 0) {
        // The running sums at a convergence checkpoint, copied aside in the same command buffer
        // (copies happen between passes): no CPU round trip per checkpoint.
        open?.end();
        open = null;
        const bytes = 4 * count * k;
        enc.copyBufferToBuffer(bufs.sums, 0, bufs.history, slot * bytes, bytes);
        enc.copyBufferToBuffer(bufs.dead, 0, bufs.historyDead, slot * bytes, bytes);
        if (!profiler && l + 1 < to) open = enc.beginComputePass();
      }
    }
    open?.end();
    device.queue.submit([enc.finish()]);
    profiler?.flush();
  }
}
