/**
 * The WebGPU engine (float32): the same model, random stream and snapshot as the CPU engine. Samples
 * run in batches; a chunk of layers is encoded into one command buffer (no CPU round trip per layer),
 * and results are read back only at the end of a chunk. Singular values of J are not computed on the
 * GPU yet (the snapshot says so).
 */
import type { Params } from '../../params/types';
import { residualCoefficients, sparseKeepThreshold } from '../../params/derived';
import { buildSnapshot } from '../aggregate';
import { haarColumns } from '../cpu/linalg';
import { RunConfig } from '../cpu/network-sample';
import { fillGaussian, STREAM_TAG } from '../rng';
import type { Engine, RunOptions, SampleResult, Snapshot } from '../types';
import { createPrograms, UNIFORM_SLOT, writeLayerUniform, type Programs } from './programs';

/** Upper bound on one batch's buffers, well under every adapter's maxStorageBufferBindingSize. */
const BATCH_BYTES = 96 * 1024 * 1024;

interface BatchBuffers {
  w: GPUBuffer;
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

/** Why the GPU engine cannot run these parameters yet, or null when it can. */
export function gpuUnsupported(params: Params): string | null {
  if (params.weights === 'orth') return 'orthogonal weights are not implemented on the GPU yet';
  return null;
}

export class GpuEngine implements Engine {
  readonly backend = 'gpu';
  private programs: Programs | null = null;
  private live = new Set<GPUBuffer>();

  constructor(
    private readonly device: GPUDevice,
    private readonly adapterName = 'WebGPU',
  ) {}

  dispose(): void {
    for (const b of this.live) b.destroy();
    this.live.clear();
  }

  private buffer(size: number, usage: number, label: string): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
    this.live.add(b);
    return b;
  }

  async *run(params: Params, options: RunOptions = {}): AsyncGenerator<Snapshot, void, void> {
    const { signal, perSample = false } = options;
    const unsupported = gpuUnsupported(params);
    // Refuse rather than silently compute another model.
    if (unsupported) throw new Error(`GPU engine: ${unsupported}; use the CPU engine`);
    const device = this.device;
    this.programs ??= createPrograms(device);
    const config = new RunConfig(params, false);
    const { n, k } = config;
    const started = performance.now();
    const checkpoints = Array.from({ length: config.checkpoints }, (_, i) => config.checkpointLayer(i));
    const perSampleBytes = 4 * (n * n + 4 * n + 2 * n * k + 3 * k + 4 + 2 * k * config.checkpoints);
    const batch = Math.max(1, Math.min(params.samples, Math.floor(BATCH_BYTES / perSampleBytes)));
    const results: SampleResult[] = [];
    let work = 0;
    const backend = `gpu (float32, ${this.adapterName})`;
    const note = 'The GPU engine does not compute singular values yet; use the CPU engine for them.';
    const snapshot = (done: boolean, partial: { layer: number; sums: ArrayLike<number> }[]) =>
      buildSnapshot({ params, k, singularValues: false, singularValuesNote: note, checkpoints, results, partial, elapsedMs: performance.now() - started, work, done, perSample, backend });

    for (let base = 0; base < params.samples; base += batch) {
      if (signal?.aborted) return;
      const count = Math.min(batch, params.samples - base);
      const bufs = this.createBatch(config, count);
      try {
        this.initialize(config, bufs, base, count);
        // Chunks end at the convergence checkpoints, whose sums are copied aside on the GPU.
        let layer = 0;
        let slot = 0;
        while (layer < params.depth) {
          if (signal?.aborted) return;
          const chunkEnd = Math.min(nextCheckpoint(config, layer), layer + 256);
          this.encodeChunk(config, bufs, base, count, layer, chunkEnd);
          work += (chunkEnd - layer) * count;
          layer = chunkEnd;
          if (config.checkpointIndex(layer) >= 0) {
            const enc = device.createCommandEncoder();
            const bytes = 4 * count * k;
            enc.copyBufferToBuffer(bufs.sums, 0, bufs.history, slot * bytes, bytes);
            enc.copyBufferToBuffer(bufs.dead, 0, bufs.historyDead, slot * bytes, bytes);
            device.queue.submit([enc.finish()]);
            slot++;
          }
          // One readback per chunk keeps the queue short and lets the caller cancel.
          await device.queue.onSubmittedWorkDone();
        }
        results.push(...(await this.readResults(config, bufs, base, count)));
      } finally {
        for (const b of Object.values(bufs) as GPUBuffer[]) {
          b.destroy();
          this.live.delete(b);
        }
      }
      if (base + count < params.samples) yield snapshot(false, []);
    }
    yield snapshot(true, []);
  }

  private createBatch(config: RunConfig, count: number): BatchBuffers {
    const { n, k } = config;
    const S = GPUBufferUsage.STORAGE;
    const src = GPUBufferUsage.COPY_SRC;
    const dst = GPUBufferUsage.COPY_DST;
    return {
      w: this.buffer(4 * count * n * n, S, 'W'),
      x: this.buffer(4 * count * n, S | dst, 'x'),
      xn: this.buffer(4 * count * n, S, 'x next'),
      d: this.buffer(4 * count * n, S, 'D'),
      z: this.buffer(4 * count * n * k, S, 'Z'),
      q: this.buffer(4 * count * n * k, S | dst, 'Q'),
      sums: this.buffer(4 * count * k, S | src, 'log sums'),
      comps: this.buffer(4 * count * k, S, 'Kahan compensation'),
      dead: this.buffer(4 * count * k, S | src, 'singular flags'),
      stats: this.buffer(16 * count, S | src, 'rank bound, overflow'),
      uniform: this.buffer(256 * UNIFORM_SLOT, GPUBufferUsage.UNIFORM | dst, 'layer uniforms'),
      history: this.buffer(4 * count * k * config.checkpoints, dst | src, 'checkpoint sums'),
      historyDead: this.buffer(4 * count * k * config.checkpoints, dst | src, 'checkpoint flags'),
    };
  }

  /** x_0 and the Haar Q_0 from the shared stream (float64 on the CPU, then rounded to float32). */
  private initialize(config: RunConfig, bufs: BatchBuffers, base: number, count: number): void {
    const { n, k, params } = config;
    const x = new Float32Array(count * n);
    const q = new Float32Array(count * n * k);
    const x64 = new Float64Array(n);
    const g = new Float64Array(n * n);
    const panel = new Float64Array(n * k);
    const q64 = new Float64Array(n * k);
    const tau = new Float64Array(n);
    for (let s = 0; s < count; s++) {
      const sample = base + s;
      fillGaussian(x64, 0, 0, n, { seed: params.seed, sample, layer: 0, tag: STREAM_TAG.input }, Math.sqrt(params.q0));
      x.set(x64, s * n);
      fillGaussian(g, 0, 0, n * n, { seed: params.seed, sample, layer: 0, tag: STREAM_TAG.initialFrame });
      for (let col = 0; col < k; col++) for (let row = 0; row < n; row++) panel[col * n + row] = g[row * n + col]!;
      haarColumns(panel, tau, q64, n, k);
      q.set(q64, s * n * k);
    }
    this.device.queue.writeBuffer(bufs.x, 0, x);
    this.device.queue.writeBuffer(bufs.q, 0, q);
  }

  private encodeChunk(config: RunConfig, bufs: BatchBuffers, base: number, count: number, from: number, to: number): void {
    const { n, k, params } = config;
    const p = this.programs!;
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
        a,
        c,
        wScale: Math.sqrt(params.sw2 / (n * (params.weights === 'sparse' ? params.p : 1))),
        bScale: Math.sqrt(params.sb2),
        keepThreshold: sparseKeepThreshold(params.p),
        keepAll: params.p >= 1,
        measured: l + 1 > params.transient,
        feedforward: params.arch === 'ff',
      });
    }
    device.queue.writeBuffer(bufs.uniform, 0, uniforms);
    const group = (program: keyof Programs, buffers: GPUBuffer[]) =>
      device.createBindGroup({
        layout: p[program].layout,
        entries: [{ binding: 0, resource: { buffer: bufs.uniform, size: 64 } }, ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } }))],
      });
    const weightsGroup = group('weights', [bufs.w]);
    const forwardGroup = group('forward', [bufs.w, bufs.x, bufs.xn, bufs.d, bufs.stats]);
    const jacobianGroup = group('jacobian', [bufs.w, bufs.q, bufs.d, bufs.z]);
    const qrGroup = group('qr', [bufs.z, bufs.q, bufs.sums, bufs.comps, bufs.dead, bufs.stats]);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let l = from; l < to; l++) {
      const offset = [(l - from) * UNIFORM_SLOT];
      pass.setPipeline(p.weights.pipeline);
      pass.setBindGroup(0, weightsGroup, offset);
      pass.dispatchWorkgroups(Math.ceil((n * n) / 4 / 64), count);
      pass.setPipeline(p.forward.pipeline);
      pass.setBindGroup(0, forwardGroup, offset);
      pass.dispatchWorkgroups(count);
      pass.setPipeline(p.jacobian.pipeline);
      pass.setBindGroup(0, jacobianGroup, offset);
      pass.dispatchWorkgroups(Math.ceil(n / 32), Math.ceil(k / 32), count);
      pass.setPipeline(p.qr.pipeline);
      pass.setBindGroup(0, qrGroup, offset);
      pass.dispatchWorkgroups(count);
    }
    pass.end();
    device.queue.submit([enc.finish()]);
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

function nextCheckpoint(config: RunConfig, layer: number): number {
  for (let l = layer + 1; l <= config.params.depth; l++) if (config.checkpointIndex(l) >= 0) return l;
  return config.params.depth;
}
