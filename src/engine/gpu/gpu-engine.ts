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
import { residualCoefficients, sparseKeepThreshold } from '../../params/derived';
import { buildSnapshot } from '../aggregate';
import { NetworkSample, RunConfig, Workspace } from '../cpu/network-sample';
import { nextMacrotask } from '../cpu/worker-core';
import type { Engine, RunOptions, SampleResult, Snapshot } from '../types';
import { effectiveLimits, planGpuRun, type GpuLimits, type GpuPlan } from './limits';
import type { GpuProfiler, KernelGroup } from './profiler';
import { createPrograms, UNIFORM_SLOT, writeLayerUniform, type Programs } from './programs';
import { createTProductPrograms, sampleLogSingularValues, TAccumulator, type TProductPrograms } from './singular-values';

/** Default upper bound on one batch's device memory; the device limits may lower it further. */
export const BATCH_BYTES = 96 * 1024 * 1024;

/** Work encoded into one command buffer before the engine waits for the GPU (flops). */
const CHUNK_FLOPS = 1e10;

interface BatchBuffers {
  w: GPUBuffer;
  /** Orthogonal weights: the Gaussian that orthogonal.wgsl factors (null otherwise). */
  g: GPUBuffer | null;
  x: GPUBuffer;
  xn: GPUBuffer;
  d: GPUBuffer;
  z: GPUBuffer;
  q: GPUBuffer;
  sums: GPUBuffer;
  comps: GPUBuffer;
  dead: GPUBuffer;
  stats: GPUBuffer;
  uniform: GPUBuffer;
  history: GPUBuffer;
  historyDead: GPUBuffer;
}

/**
 * Why the GPU engine cannot run these parameters, or null when it can. Every model is supported
 * (orthogonal weights included); what remains are the device limits, checked when a run starts
 * (a GpuLimitError from run()).
 */
export function gpuUnsupported(_params: Params): string | null {
  return null;
}

/**
 * Why a backend=auto run of these parameters should use the float64 CPU engine although the GPU works,
 * or null. Sparse feedforward nets: float32 cannot tell an exactly zero direction from a small one
 * (THEORY.md section 2); the GPU flags |R_jj| <= 1e-5 max|R_ii| and catches the empty rows and columns
 * structurally, but a pattern whose matching is smaller than that bound leaves zeros it misses (seen:
 * p = 0.1-0.15, N = 32, 1-3 of 12 samples with too few -Infinity exponents). The CPU's 1e-10 is safe.
 */
export function gpuPrefersCpu(params: Params): string | null {
  return params.weights === 'sparse' && params.arch === 'ff'
    ? 'sparse feedforward weights need float64 to tell exactly zero directions from small ones (THEORY.md section 2)'
    : null;
}

/** The device was lost or reported an uncaptured error: this engine cannot run any more. */
export class GpuDeviceError extends Error {
  override readonly name = 'GpuDeviceError';
}

export interface GpuEngineOptions {
  /** Caps on the device limits (a budget): the engine plans within min(device limit, cap). */
  limits?: Partial<GpuLimits>;
  /** Upper bound on one batch's device memory in bytes (default BATCH_BYTES). */
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

  private buffer(owned: GPUBuffer[], size: number, usage: number, label: string): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
    owned.push(b);
    this.live.add(b);
    return b;
  }

  async *run(params: Params, options: RunOptions = {}): AsyncGenerator<Snapshot, void, void> {
    const { signal, perSample = false } = options;
    this.throwIfFailed();
    const device = this.device;
    const config = new RunConfig(params, options.singularValues ?? true);
    const singularValues = config.trackSingularValues;
    const { n, k } = config;
    const orth = params.weights === 'orth';
    // Refuse up front (GpuLimitError) rather than fail halfway; sizes come from the limits.
    const plan = planGpuRun(effectiveLimits(device, this.options.limits), {
      n,
      k,
      samples: params.samples,
      orth,
      checkpoints: config.checkpoints,
      batchBytes: this.options.batchBytes ?? BATCH_BYTES,
      singularValues,
    });
    this.lastPlan = plan;
    const programs = createPrograms(device, plan, orth);
    // The T-product pipelines depend on nothing of the run: compiled once per engine.
    const tPrograms = singularValues ? (this.tProductPrograms ??= createTProductPrograms(device)) : null;
    const started = performance.now();
    const checkpoints = Array.from({ length: config.checkpoints }, (_, i) => config.checkpointLayer(i));
    const batch = plan.batch;
    const results: SampleResult[] = [];
    let work = 0;
    const backend = `gpu (float32, ${this.adapterName})`;
    let recomputed = 0;
    /** float64 scratch for x_0, Q_0 and the samples recomputed on the CPU, allocated once per run. */
    let workspace: Workspace | null = null;
    // Without singular values, so that building a start state allocates no T.
    const initConfig = new RunConfig(params, false);
    const caveat = gpuPrefersCpu(params);
    const notes = () => [
      ...(caveat ? [`float32 caveat: ${caveat}; this GPU run may count too few -Infinity exponents (use the CPU engine).`] : []),
      ...(recomputed === 0
        ? []
        : [`Singular values of ${recomputed} of ${results.length} samples were recomputed in float64 on the CPU (same networks): their float32 product T = R_L...R_1 hit a case the GPU kernel does not cover (a zero row above a nonzero one, or a row leaving float32 range).`]),
    ];
    const snapshot = (done: boolean, partial: { layer: number; sums: ArrayLike<number> }[]) =>
      buildSnapshot({ params, k, singularValues, checkpoints, results, partial, elapsedMs: performance.now() - started, work, done, perSample, backend, notes: notes() });

    for (let base = 0; base < params.samples; base += batch) {
      if (signal?.aborted) return;
      const count = Math.min(batch, params.samples - base);
      const owned: GPUBuffer[] = [];
      let tAcc: TAccumulator | null = null;
      // Layers per command buffer: about CHUNK_FLOPS of work (a few ms on a GPU, so cancelling stays
      // quick), at most the uniform buffer's 256 slots. Checkpoints are copied inside the chunk.
      const flopsPerLayer = count * (2 * n * n * k + 4 * n * k * k + (tPrograms ? (2 / 3) * n ** 3 : 0));
      const layersPerChunk = Math.max(1, Math.min(256, Math.floor((this.options.chunkFlops ?? CHUNK_FLOPS) / flopsPerLayer)));
      try {
        const bufs = this.createBatch(config, count, owned);
        this.initialize(initConfig, (workspace ??= new Workspace(config)), bufs, base, count);
        if (tPrograms) {
          tAcc = new TAccumulator(device, tPrograms, count, n);
          tAcc.reset();
        }
        let layer = 0;
        while (layer < params.depth) {
          if (signal?.aborted) return;
          const chunkEnd = Math.min(params.depth, layer + layersPerChunk);
          this.encodeChunk(config, plan, programs, bufs, base, count, layer, chunkEnd, tAcc);
          work += (chunkEnd - layer) * count;
          layer = chunkEnd;
          // One wait per chunk keeps the queue short and lets the caller cancel.
          await this.guard(device.queue.onSubmittedWorkDone());
        }
        if (signal?.aborted) return;
        const batchResults = await this.guard(this.readResults(config, bufs, base, count));
        if (tAcc) {
          const t = await this.guard(tAcc.read());
          for (let s = 0; s < count; s++) {
            const r = batchResults[s]!;
            if (r.overflowLayer !== null) continue;
            r.logSingularValues = sampleLogSingularValues(t, s);
            if (r.logSingularValues === null) {
              r.logSingularValues = await cpuLogSingularValues(config, (workspace ??= new Workspace(config)), r.sample, signal);
              if (r.logSingularValues === null) return; // aborted
              recomputed++;
            }
          }
        }
        results.push(...batchResults);
      } catch (e) {
        if (signal?.aborted) return;
        throw await this.explain(e);
      } finally {
        tAcc?.destroy();
        for (const b of owned) {
          b.destroy();
          this.live.delete(b);
        }
      }
      if (base + count < params.samples) yield snapshot(false, []);
    }
    this.throwIfFailed();
    yield snapshot(true, []);
  }

  /** The batch's buffers, each also pushed to `owned` as soon as it exists (destroyed by the caller). */
  private createBatch(config: RunConfig, count: number, owned: GPUBuffer[]): BatchBuffers {
    const { n, k } = config;
    const S = GPUBufferUsage.STORAGE;
    const src = GPUBufferUsage.COPY_SRC;
    const dst = GPUBufferUsage.COPY_DST;
    const buffer = (size: number, usage: number, label: string) => this.buffer(owned, size, usage, label);
    return {
      w: buffer(4 * count * n * n, S, 'W'),
      g: config.params.weights === 'orth' ? buffer(4 * count * n * n, S, 'Gaussian for orthogonal W') : null,
      x: buffer(4 * count * n, S | dst, 'x'),
      xn: buffer(4 * count * n, S, 'x next'),
      d: buffer(4 * count * n, S, 'D'),
      z: buffer(4 * count * n * k, S, 'Z'),
      q: buffer(4 * count * n * k, S | dst, 'Q'),
      sums: buffer(4 * count * k, S | src, 'log sums'),
      comps: buffer(4 * count * k, S, 'Kahan compensation'),
      dead: buffer(4 * count * k, S | src, 'singular flags'),
      stats: buffer(16 * count, S | src, 'rank bound, overflow'),
      uniform: buffer(256 * UNIFORM_SLOT, GPUBufferUsage.UNIFORM | dst, 'layer uniforms'),
      history: buffer(4 * count * k * config.checkpoints, dst | src, 'checkpoint sums'),
      historyDead: buffer(4 * count * k * config.checkpoints, dst | src, 'checkpoint flags'),
    };
  }

  /**
   * x_0 and the Haar Q_0 of each sample: exactly the CPU engine's (NetworkSample builds them in float64
   * with its WebAssembly kernels), rounded to float32.
   */
  private initialize(config: RunConfig, ws: Workspace, bufs: BatchBuffers, base: number, count: number): void {
    const { n, k } = config;
    const x = new Float32Array(count * n);
    const q = new Float32Array(count * n * k);
    for (let s = 0; s < count; s++) {
      const start = new NetworkSample(config, base + s, ws);
      x.set(start.x, s * n);
      q.set(start.q, s * n * k);
    }
    this.device.queue.writeBuffer(bufs.x, 0, x);
    this.device.queue.writeBuffer(bufs.q, 0, q);
  }

  private encodeChunk(config: RunConfig, plan: GpuPlan, p: Programs, bufs: BatchBuffers, base: number, count: number, from: number, to: number, tAcc: TAccumulator | null): void {
    const { n, k, params } = config;
    const orth = bufs.g !== null;
    const device = this.device;
    const { a, c } = residualCoefficients(params);
    const uniforms = new ArrayBuffer((to - from) * UNIFORM_SLOT);
    for (let l = from; l < to; l++) {
      writeLayerUniform(uniforms, l - from, {
        n,
        k,
        samples: count,
        layer: l + 1,
        seed: params.seed,
        sampleBase: base,
        act: params.act,
        sparse: params.weights === 'sparse',
        orth,
        a,
        c,
        // Orthogonal: the Gaussian's scale does not change its Q factor, and orthogonal.wgsl scales O by it.
        wScale: orth ? Math.sqrt(params.sw2) : Math.sqrt(params.sw2 / (n * (params.weights === 'sparse' ? params.p : 1))),
        bScale: Math.sqrt(params.sb2),
        keepThreshold: sparseKeepThreshold(params.p),
        keepAll: params.p >= 1,
        measured: l + 1 > params.transient,
        feedforward: params.arch === 'ff',
      });
    }
    device.queue.writeBuffer(bufs.uniform, 0, uniforms);
    const group = (program: { layout: GPUBindGroupLayout }, buffers: GPUBuffer[]) =>
      device.createBindGroup({
        layout: program.layout,
        entries: [{ binding: 0, resource: { buffer: bufs.uniform, size: 64 } }, ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } }))],
      });
    const weightsGroup = group(p.weights, [bufs.g ?? bufs.w]);
    const orthGroup = p.orthogonal && bufs.g ? group(p.orthogonal, [bufs.g, bufs.w]) : null;
    const forwardGroup = group(p.forward, [bufs.w, bufs.x, bufs.xn, bufs.d, bufs.stats]);
    const jacobianGroup = group(p.jacobian, [bufs.w, bufs.q, bufs.d, bufs.z]);
    const qrGroup = group(p.qr, [bufs.z, bufs.q, bufs.sums, bufs.comps, bufs.dead, bufs.stats]);
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
      const offset = [(l - from) * UNIFORM_SLOT];
      let cp = pass('weights');
      cp.setPipeline(p.weights.pipeline);
      cp.setBindGroup(0, weightsGroup, offset);
      cp.dispatchWorkgroups(Math.ceil((n * n) / 4 / plan.workgroupSize), count);
      if (orthGroup) {
        cp = pass('orthogonal');
        cp.setPipeline(p.orthogonal!.pipeline);
        cp.setBindGroup(0, orthGroup, offset);
        cp.dispatchWorkgroups(count);
      }
      cp = pass('forward');
      cp.setPipeline(p.forward.pipeline);
      cp.setBindGroup(0, forwardGroup, offset);
      cp.dispatchWorkgroups(count);
      cp = pass('jacobian');
      cp.setPipeline(p.jacobian.pipeline);
      cp.setBindGroup(0, jacobianGroup, offset);
      cp.dispatchWorkgroups(Math.ceil(n / (4 * plan.tileX)), Math.ceil(k / (4 * plan.tileY)), count);
      cp = pass('qr');
      cp.setPipeline(p.qr.pipeline);
      cp.setBindGroup(0, qrGroup, offset);
      cp.dispatchWorkgroups(count);
      // T <- R_l T while Z still holds R_l (the next layer's jacobian dispatch overwrites it).
      if (tAcc) tAcc.encodeLayer(pass('tproduct'), { uniform: bufs.uniform, z: bufs.z, stats: bufs.stats }, offset[0]!);
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

  private async readResults(config: RunConfig, bufs: BatchBuffers, base: number, count: number): Promise<SampleResult[]> {
    const { k, params } = config;
    const [sums, dead, stats, history, historyDead] = await Promise.all([
      this.read(bufs.sums, Float32Array),
      this.read(bufs.dead, Uint32Array),
      this.read(bufs.stats, Uint32Array),
      this.read(bufs.history, Float32Array),
      this.read(bufs.historyDead, Uint32Array),
    ]);
    const m = params.depth - params.transient;
    const out: SampleResult[] = [];
    for (let s = 0; s < count; s++) {
      const exponents = new Float64Array(k);
      let rank = 0;
      for (let j = 0; j < k; j++) {
        exponents[j] = dead[s * k + j] ? -Infinity : sums[s * k + j]! / m;
        if (exponents[j]! > -Infinity) rank++;
      }
      const convergence = new Float64Array(3 * config.checkpoints);
      for (let c = 0; c < config.checkpoints; c++) {
        const ml = config.checkpointLayer(c) - params.transient;
        const off = c * count * k + s * k;
        const at = (j: number) => (historyDead[off + j] ? -Infinity : history[off + j]! / ml);
        let sum = 0;
        let finite = 0;
        for (let j = 0; j < k; j++) if (at(j) > -Infinity) (sum += at(j)), finite++;
        convergence[3 * c] = at(0);
        convergence[3 * c + 1] = at(k - 1);
        convergence[3 * c + 2] = finite > 0 ? sum / finite : -Infinity;
      }
      const overflow = stats[4 * s + 1]!;
      out.push({ sample: base + s, exponents, logSingularValues: null, rank, convergence, overflowLayer: overflow === 0 ? null : overflow });
    }
    return out;
  }

  private async read<T extends Float32Array | Uint32Array>(src: GPUBuffer, kind: { new (b: ArrayBuffer): T }): Promise<T> {
    const staging = this.device.createBuffer({ size: src.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(src, 0, staging, 0, src.size);
      this.device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      return new kind(staging.getMappedRange().slice(0));
    } finally {
      staging.destroy();
    }
  }
}

/**
 * One sample's log singular values from the float64 CPU engine (same stream, so the same network), for
 * a sample the GPU's float32 T does not cover. Runs in ~10 ms slices so a page stays responsive; null
 * if aborted.
 */
async function cpuLogSingularValues(config: RunConfig, ws: Workspace, sample: number, signal: AbortSignal | undefined): Promise<Float64Array | null> {
  const net = new NetworkSample(config, sample, ws);
  while (!net.finished) {
    const start = performance.now();
    do net.advance(1, ws);
    while (!net.finished && performance.now() - start < 10);
    await nextMacrotask();
    if (signal?.aborted) return null;
  }
  return net.result().logSingularValues;
}

