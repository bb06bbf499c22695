/**
 * The GPU rows of `npm run bench`: the WebGPU engine through Dawn for Node, per width N, against a
 * conventionally tuned fp32 matmul (reference-matmul.ts) on the same adapter, at the same N and batch.
 *
 * Per N (k = N, tanh, sw2 = 1.5, exponents only, i.e. the Benettin loop without the T product):
 *  1. Each kernel of a layer timed alone on the engine's own pipelines and buffer shapes (isolated
 *     kernels; this also compiles every pipeline, so no timed run pays for compilation), and the
 *     reference matmul, autotuned over a few tile shapes, timed the same way.
 *  2. A short run (2 layers) and a depth-L run of the engine (L chosen from step 1 for about a second
 *     of layers): wall time, and the steady per-layer rate from their difference, which excludes the
 *     per-run set-up (pipelines, buffers, the Haar Q_0, readback).
 *  3. Where the adapter offers 'timestamp-query': a depth-L run with a GpuProfiler, giving the split
 *     of GPU time between the matmul, the QR and the other kernels inside the real pipeline.
 * SwiftShader (no GPU; the kernels run on the CPU) gets a shorter protocol: see SWIFTSHADER_BUDGET.
 * Benchmarks print figures and never assert.
 */
import { parseQuery } from '../params/url';
import type { Snapshot } from '../engine/types';
import { BATCH_BYTES, GpuEngine } from '../engine/gpu/gpu-engine';
import { isEmulatedAdapter } from '../engine/gpu/device';
import { nodeDevice } from '../engine/gpu/node-gpu';
import { describePlan, effectiveLimits, LIMIT_NAMES, planGpuRun, type GpuPlan } from '../engine/gpu/limits';
import { GpuBatch } from '../engine/gpu/batch';
import { createPrograms } from '../engine/gpu/programs';
import { layerValues, UNIFORM_SLOT, writeLayerUniform } from '../engine/gpu/layer-uniform';
import { RunConfig } from '../engine/run-config';
import { GpuProfiler, KERNEL_GROUPS, type KernelGroup, type ProfileTotals } from '../engine/gpu/profiler';
import { ReferenceMatmul, type BoundMatmul, type MatmulDims } from './reference-matmul';
import { describeTiledShape, tiledShapeUnfit, TILED_SHAPES } from '../engine/gpu/tiled-matmul';

/**
 * Floating-point operations per layer and sample (multiply + add = 2), read off the kernels' loops:
 *  - jacobian matmul, W (N x N) times Q (N x k): 2 N^2 k;
 *  - Householder QR of Z (N x k, blocked in qr-*.wgsl; counted as unblocked): column j updates k - j - 1 columns of length N - j with a
 *    dot product and an axpy, sum_j 4 (N - j)(k - j) = 2 N k^2 - 2/3 k^3;
 *  - the explicit Q (backward accumulation over the same reflectors): another 2 N k^2 - 2/3 k^3.
 * At k = N: 2 N^3 + 8/3 N^3, the CPU rows' model. The weights and the forward pass (O(N^2) each) are
 * not counted, so pipeline GFLOP/s slightly understates the work done; the rows run without the T
 * product of the singular values.
 */
export const matmulFlops = (n: number, k: number) => 2 * n * n * k;
export const qrFlops = (n: number, k: number) => 2 * (2 * n * k * k - (2 / 3) * k ** 3);
export const pipelineFlops = (n: number, k: number) => matmulFlops(n, k) + qrFlops(n, k);

const FLOP_MODEL = {
  jacobianMatmul: '2 N^2 k (W Q; the a Q + c D epilogue is O(N k) and not counted)',
  qrFactor: '2 N k^2 - 2/3 k^3 (Householder R, qr-panel.wgsl + qr-apply.wgsl; the blocked form adds O(N k PB) for T, not counted)',
  qrFormQ: '2 N k^2 - 2/3 k^3 (explicit Q by backward accumulation)',
  pipeline:
    'jacobianMatmul + qrFactor + qrFormQ = 2 N^2 k + 4 N k^2 - 4/3 k^3 per layer-sample (2 N^3 + 8/3 N^3 at k = N); weights and forward pass not counted',
  referenceMatmul: '2 N^2 k per sample, the same product as the jacobian',
};

/** Default samples per N: 16-64, fewer where one sample is large. */
const SAMPLES: Record<number, number> = { 64: 64, 128: 64, 256: 32, 512: 16, 1024: 16 };
const samplesFor = (n: number) => SAMPLES[n] ?? (n <= 128 ? 64 : n <= 256 ? 32 : 16);

export const ALL_GPU_SIZES = [64, 128, 256, 512, 1024];
/** SwiftShader runs WGSL on the CPU: N = 512 and 1024 would take minutes there. */
const SWIFTSHADER_SIZES = [64, 128, 256];

/**
 * How long to measure. On a GPU: repeated dispatches for about 0.3 s per kernel, a warm-up before
 * each, and depths for about a second of layers. SwiftShader (the CPU) takes seconds per layer at
 * N = 256, so there each kernel and shape is timed once, with 16 samples and the shortest depths.
 */
interface Budget {
  kernelSeconds: number;
  tuneSeconds: number;
  warm: boolean;
  samples: (n: number) => number;
  shortDepth: number;
  minDepth: number;
  /** Depth of the profiled run, given the timed run's. */
  profileDepth: (depth: number) => number;
}

const GPU_BUDGET: Budget = { kernelSeconds: 0.3, tuneSeconds: 0.1, warm: true, samples: samplesFor, shortDepth: 2, minDepth: 6, profileDepth: (d) => d };
const SWIFTSHADER_BUDGET: Budget = { kernelSeconds: 0, tuneSeconds: 0, warm: false, samples: () => 16, shortDepth: 1, minDepth: 3, profileDepth: () => 1 };

export interface GpuBenchOptions {
  /** Widths to run (--gpu-sizes); default: all five, or 64-256 on SwiftShader. */
  sizes?: number[];
  /** Seconds of layers a timed run aims at (step 2); the steady part, set-up excluded. */
  rowSeconds?: number;
}

// ---------------------------------------------------------------------------------------------------
// Device

export interface BenchDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  description: string;
  timestamps: boolean;
  /** A CPU emulation (SwiftShader): the plan the engine makes there (see limits.ts). */
  emulated: boolean;
}

/** nodeDevice()'s device, plus the 'timestamp-query' feature when the adapter offers it. */
async function benchDevice(): Promise<BenchDevice> {
  const acquired = await nodeDevice({
    // Dawn rounds timestamps down to 65.536 us by default (against timing attacks in browsers), which
    // would zero the passes of small kernels; a local benchmark has no such concern.
    dawnFlags: ['disable-dawn-features=timestamp_quantization'],
    optionalFeatures: ['timestamp-query'],
  });
  return {
    ...acquired,
    timestamps: acquired.device.features.has('timestamp-query'),
    emulated: isEmulatedAdapter(acquired.adapter.info, acquired.description),
  };
}

// ---------------------------------------------------------------------------------------------------
// Timing

/**
 * Seconds per repetition of `encodeOne` (dispatches into a pass), on the GPU queue: encoded first, then
 * timed from submit to onSubmittedWorkDone, with enough repetitions in one command buffer to last
 * about `targetSeconds` (so the submit and wake-up latency, ~0.1 ms, is amortized). One untimed
 * repetition first (`warm`) pays for anything done lazily on first use.
 */
async function timeRepeated(
  device: GPUDevice,
  encodeOne: (pass: GPUComputePassEncoder) => void,
  targetSeconds: number,
  warm = true,
): Promise<{ seconds: number; reps: number }> {
  const run = async (reps: number) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let r = 0; r < reps; r++) encodeOne(pass);
    pass.end();
    const commands = enc.finish();
    const t0 = performance.now();
    device.queue.submit([commands]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / 1000;
  };
  if (warm) await run(1);
  let reps = 1;
  let total = await run(1);
  // Grow the count until the batch lasts long enough (a tiny kernel's first estimate is mostly latency).
  for (let round = 0; round < 4 && total < targetSeconds && reps < 20_000; round++) {
    reps = Math.min(20_000, Math.max(2 * reps, Math.ceil((reps * targetSeconds) / Math.max(total, 1e-5))));
    total = await run(reps);
  }
  return { seconds: total / reps, reps };
}

// ---------------------------------------------------------------------------------------------------
// Step 1: kernels alone

interface KernelTimes {
  method: string;
  batch: number;
  /** Milliseconds of one dispatch over the whole batch (one layer of `batch` samples). */
  msPerDispatch: Record<'weights' | 'forward' | 'jacobian' | 'qr', number>;
  matmulGflops: number;
  qrGflops: number;
}

interface ReferenceResult {
  gflops: number;
  msPerProduct: number;
  config: string;
  /** Every shape tried (the autotune), best first. */
  tried: { config: string; gflops: number | null; note?: string }[];
}

const round = (x: number, digits = 3) => +x.toFixed(digits);

/** Step 1 at one N: each engine kernel alone, then the reference matmul, on the same buffers. */
async function kernelsAlone(
  device: GPUDevice,
  plan: GpuPlan,
  n: number,
  k: number,
  budget: Budget,
): Promise<{ kernels: KernelTimes; reference: ReferenceResult }> {
  const { kernelSeconds, tuneSeconds, warm } = budget;
  const batch = plan.batch;
  // A validation error here would otherwise only be printed by Dawn, and the timings would be of
  // dispatches that did not run.
  device.pushErrorScope('validation');
  let scoped = true;
  const programs = createPrograms(device, plan);
  const all: GPUBuffer[] = [];
  // The engine's own batch (buffers, bind groups, dispatches), for one layer slot.
  const gpuBatch = new GpuBatch(device, programs, plan, { n, k, count: batch, orthogonalize: false, checkpoints: 1 }, (b) => all.push(b));
  const bufs = gpuBatch.buffers;
  const product = device.createBuffer({ label: 'reference product', size: 4 * batch * n * k, usage: GPUBufferUsage.STORAGE });
  all.push(product);
  const bound: BoundMatmul[] = [];
  try {
    const uniform = new ArrayBuffer(UNIFORM_SLOT);
    // The rows' model (feedforward tanh, sw2 = 1.5, no bias), layer 1 of samples 0..batch-1.
    writeLayerUniform(
      uniform,
      0,
      layerValues(new RunConfig(parseQuery(`act=tanh&sw2=1.5&sb2=0&width=${n}&k=${k}&samples=${batch}&seed=1`).params), 0, batch, 1),
    );
    device.queue.writeBuffer(bufs.uniform, 0, uniform);
    const x = new Float32Array(batch * n);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(1 + i) * 1.7; // any O(1) input; tanh stays unsaturated
    device.queue.writeBuffer(bufs.x, 0, x);
    const encode = {
      weights: (p: GPUComputePassEncoder) => gpuBatch.weights(p, 0),
      forward: (p: GPUComputePassEncoder) => gpuBatch.forward(p, 0),
      jacobian: (p: GPUComputePassEncoder) => gpuBatch.jacobian(p, 0),
      qr: (p: GPUComputePassEncoder) => gpuBatch.qr(p, 0),
    };
    // Realistic operands: Q starts at 0, so the first layer's QR makes Q = I[:, :k] and the second a
    // generic orthonormal frame; Z then holds a generic R and reflectors (a QR repeated on its own
    // output stays generic and bounded: the reflector entries are at most 1 in magnitude).
    {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (let l = 0; l < 2; l++) for (const name of ['weights', 'forward', 'jacobian', 'qr'] as const) encode[name](pass);
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    }
    const ms: Record<'weights' | 'forward' | 'jacobian' | 'qr', number> = { weights: 0, forward: 0, jacobian: 0, qr: 0 };
    for (const name of ['weights', 'forward', 'jacobian', 'qr'] as const)
      ms[name] = (await timeRepeated(device, encode[name], kernelSeconds, warm)).seconds * 1000;
    const kernels: KernelTimes = {
      method: 'each kernel alone: repeated dispatches of the engine pipeline in one pass, wall time from submit to onSubmittedWorkDone',
      batch,
      msPerDispatch: { weights: round(ms.weights, 4), forward: round(ms.forward, 4), jacobian: round(ms.jacobian, 4), qr: round(ms.qr, 4) },
      matmulGflops: round((batch * matmulFlops(n, k)) / (ms.jacobian / 1000) / 1e9, 2),
      qrGflops: round((batch * qrFlops(n, k)) / (ms.qr / 1000) / 1e9, 2),
    };

    // The reference: A = W, B = Q (the jacobian's operands), C = its own buffer.
    const dims: MatmulDims = { m: n, nc: k, k: n, batch };
    const tried: { config: string; gflops: number | null; note?: string; seconds?: number; bound?: BoundMatmul }[] = [];
    for (const config of TILED_SHAPES) {
      const why = tiledShapeUnfit(config, device.limits);
      if (why) {
        tried.push({ config: describeTiledShape(config), gflops: null, note: why });
        continue;
      }
      const b = new ReferenceMatmul(device, config).bind(dims, bufs.w, bufs.q, product);
      bound.push(b);
      const { seconds } = await timeRepeated(device, (p) => b.encode(p), tuneSeconds, warm);
      tried.push({ config: describeTiledShape(config), gflops: round((batch * matmulFlops(n, k)) / seconds / 1e9, 2), seconds, bound: b });
    }
    const ranked = tried.filter((t) => t.bound).sort((a, b) => a.seconds! - b.seconds!);
    const best = ranked[0];
    if (!best) throw new Error('no reference matmul shape fits this device');
    // The winner timed again for longer (the autotune used short runs).
    const final = kernelSeconds > tuneSeconds ? (await timeRepeated(device, (p) => best.bound!.encode(p), kernelSeconds, false)).seconds : best.seconds!;
    const gflops = (batch * matmulFlops(n, k)) / final / 1e9;
    scoped = false;
    const error = await device.popErrorScope();
    if (error) throw new Error(`GPU validation error while timing the kernels: ${error.message}`);
    return {
      kernels,
      reference: {
        gflops: round(gflops, 2),
        msPerProduct: round(final * 1000, 4),
        config: best.config,
        tried: [...ranked, ...tried.filter((t) => !t.bound)].map(({ config, gflops: g, note }) => (note ? { config, gflops: g, note } : { config, gflops: g })),
      },
    };
  } finally {
    if (scoped) await device.popErrorScope().catch(() => null);
    for (const b of bound) b.destroy();
    for (const b of all) b.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------
// Steps 2 and 3: the engine

interface EngineRun {
  seconds: number;
  snapshot: Snapshot;
  plan: GpuPlan | null;
}

async function runEngine(device: GPUDevice, description: string, query: string, singularValues: boolean, profiler?: GpuProfiler): Promise<EngineRun> {
  const { params } = parseQuery(query);
  const engine = new GpuEngine(device, description, profiler ? { profiler } : {});
  try {
    let last: Snapshot | null = null;
    const t0 = performance.now();
    for await (const snap of engine.run(params, { singularValues, snapshotIntervalMs: 60_000 })) last = snap;
    const seconds = (performance.now() - t0) / 1000;
    if (!last) throw new Error('the engine produced no snapshot');
    return { seconds, snapshot: last, plan: engine.lastPlan };
  } finally {
    engine.dispose();
  }
}

const queryFor = (n: number, depth: number, samples: number) => `width=${n}&depth=${depth}&samples=${samples}&act=tanh&sw2=1.5&seed=1`;

interface Part {
  ms: number;
  fraction: number | null;
}

interface Split {
  method: string;
  depth: number;
  profiledRunSeconds: number;
  matmul: Part;
  qr: Part;
  other: Part;
  detail: Record<string, { ms: number; passes: number }>;
  gpuBusyFraction: number;
  matmulGflopsInPipeline: number | null;
  qrGflopsInPipeline: number | null;
  untimedPasses?: number;
  emptyPasses?: number;
  emptyNote?: string;
  sameExponentsAsPlainRun?: boolean;
}

function sameExponents(a: Snapshot, b: Snapshot): boolean {
  return JSON.stringify(a.exponents.mean) === JSON.stringify(b.exponents.mean);
}

/** Step 3's split: GPU time per kernel group from timestamps, and the matmul's rate inside the run. */
function splitFrom(totals: ProfileTotals, n: number, k: number, layerSamples: number, wallSeconds: number, depth: number): Split {
  const ms = (g: KernelGroup) => totals.groups[g].ns / 1e6;
  const total = KERNEL_GROUPS.reduce((s, g) => s + ms(g), 0);
  const part = (value: number): Part => ({ ms: round(value, 2), fraction: total > 0 ? round(value / total, 3) : null });
  const other = ms('weights') + ms('orthogonal') + ms('forward') + ms('tproduct');
  return {
    method: 'timestamp-query: one timestamped compute pass per kernel group and layer in a separate profiled run (the plain run encodes one pass per chunk)',
    depth,
    profiledRunSeconds: round(wallSeconds),
    matmul: part(ms('jacobian')),
    qr: part(ms('qr')),
    other: part(other),
    detail: Object.fromEntries(
      KERNEL_GROUPS.filter((g) => totals.groups[g].passes > 0).map((g) => [g, { ms: round(ms(g), 2), passes: totals.groups[g].passes }]),
    ),
    // Kernel time over wall time: the rest is CPU set-up, per-chunk synchronisation and gaps.
    gpuBusyFraction: round(total / 1000 / wallSeconds, 3),
    matmulGflopsInPipeline: ms('jacobian') > 0 ? round((layerSamples * matmulFlops(n, k)) / (ms('jacobian') / 1000) / 1e9, 2) : null,
    qrGflopsInPipeline: ms('qr') > 0 ? round((layerSamples * qrFlops(n, k)) / (ms('qr') / 1000) / 1e9, 2) : null,
    ...(totals.untimedPasses > 0 ? { untimedPasses: totals.untimedPasses } : {}),
    ...(totals.emptyPasses > 0
      ? { emptyPasses: totals.emptyPasses, emptyNote: 'passes whose end timestamp was not after their start (coarse or unreliable timestamps)' }
      : {}),
  };
}

async function gpuRow(dev: BenchDevice, n: number, rowSeconds: number, budget: Budget) {
  const { device, description } = dev;
  const k = n;
  const samples = budget.samples(n);
  // The plan the engine makes for a long run (200 checkpoints: the most it keeps), for the batch.
  const plan = planGpuRun(effectiveLimits(device), {
    n,
    k,
    samples,
    orthogonalize: false,
    checkpoints: 200,
    batchBytes: BATCH_BYTES[dev.emulated ? 'emulated' : 'gpu'],
    singularValues: false,
    emulated: dev.emulated,
  });
  const { kernels, reference } = await kernelsAlone(device, plan, n, k, budget);

  // Depth for about rowSeconds of layers, from the kernels alone (a lower bound on the real per-layer
  // time, which also has per-chunk synchronisation).
  const batches = Math.ceil(samples / plan.batch);
  const layerEstimate =
    (batches * (kernels.msPerDispatch.weights + kernels.msPerDispatch.forward + kernels.msPerDispatch.jacobian + kernels.msPerDispatch.qr)) / 1000;
  const shortDepth = budget.shortDepth;
  const depth = Math.max(budget.minDepth, Math.min(4000, Math.round(rowSeconds / Math.max(layerEstimate, 1e-7))));

  const short = await runEngine(device, description, queryFor(n, shortDepth, samples), false);
  const long = await runEngine(device, description, queryFor(n, depth, samples), false);
  const perLayer = Math.max(1e-9, (long.seconds - short.seconds) / (depth - shortDepth));
  const setupSeconds = Math.max(0, short.seconds - shortDepth * perLayer);
  const layerSamples = depth * samples;
  const wallGflops = (layerSamples * pipelineFlops(n, k)) / long.seconds / 1e9;
  const steadyGflops = (samples * pipelineFlops(n, k)) / perLayer / 1e9;

  let split: Split | null = null;
  let splitNote: string | undefined;
  if (dev.timestamps) {
    const profiler = new GpuProfiler(device);
    try {
      const profileDepth = budget.profileDepth(depth);
      const profiled = await runEngine(device, description, queryFor(n, profileDepth, samples), false, profiler);
      split = splitFrom(await profiler.result(), n, k, profileDepth * samples, profiled.seconds, profileDepth);
      // The profiled run encodes the same kernels in more passes: its results must be the plain run's.
      if (profileDepth === depth) split.sameExponentsAsPlainRun = sameExponents(profiled.snapshot, long.snapshot);
    } finally {
      profiler.destroy();
    }
  } else {
    splitNote = 'timestamp-query not offered by this adapter: see isolatedKernels (each kernel timed alone) for the split';
  }
  const top = long.snapshot.exponents.mean[0];
  return {
    n,
    k,
    depth,
    samples,
    batch: long.plan?.batch ?? plan.batch,
    plan: describePlan(long.plan ?? plan),
    seconds: round(long.seconds),
    layerSamplesPerSecond: Math.round(layerSamples / long.seconds),
    gflops: round(wallGflops, 2),
    steady: {
      note: `per-layer rate from a depth-${depth} and a depth-${shortDepth} run; setupSeconds is the rest (pipelines, buffers, the Haar Q_0, readback)`,
      setupSeconds: round(setupSeconds),
      msPerLayer: round(perLayer * 1000, 4),
      layerSamplesPerSecond: Math.round(samples / perLayer),
      gflops: round(steadyGflops, 2),
    },
    matmulGflops: kernels.matmulGflops,
    referenceMatmulGflops: reference.gflops,
    matmulVsReference: round(kernels.matmulGflops / reference.gflops, 3),
    pipelineVsReference: round(steadyGflops / reference.gflops, 3),
    split,
    ...(splitNote ? { splitNote } : {}),
    isolatedKernels: kernels,
    reference,
    // A sanity figure: lambda_1 of the timed run, which `npm run spectrum -- --query '<query>'
    // --no-singular-values --json` reproduces on either engine (to ~1e-3 on the CPU's float64).
    query: queryFor(n, depth, samples),
    topExponent: top === null || top === undefined ? null : round(top, 4),
    ...(long.snapshot.warnings.length ? { warnings: long.snapshot.warnings } : {}),
  };
}

type GpuRow = Awaited<ReturnType<typeof gpuRow>>;

/** The wall-time target: N = 256, L = 100, 32 samples, as `npm run spectrum` runs it. */
interface TargetRun {
  ms: number;
  exponentsOnlyMs: number;
  /** With timestamps: a profiled run's kernel groups and the rest of its wall time (or why it failed). */
  withSingularValues?: { note: string; profiledRunMs: number; layerKernels: Split['detail']; notInLayerKernelsMs: number } | { error: string };
}

export async function targetRun(dev: BenchDevice, n = 256, depth = 100, samples = 32): Promise<TargetRun> {
  const q = queryFor(n, depth, samples);
  // Warm-up: compiles the T-product pipelines (created per run) and pays any first-use cost.
  await runEngine(dev.device, dev.description, queryFor(n, 1, samples), true);
  const full = await runEngine(dev.device, dev.description, q, true);
  const exponentsOnly = await runEngine(dev.device, dev.description, q, false);
  const result: TargetRun = { ms: Math.round(full.seconds * 1000), exponentsOnlyMs: Math.round(exponentsOnly.seconds * 1000) };
  if (!dev.timestamps) return result;
  // Where the time goes with singular values on: the layers' kernel groups (the T product included)
  // by timestamps, and the rest of the wall time (the Jacobi sweeps, set-up, waits), in a profiled run.
  // A failure here (it is extra) keeps the target's figures above.
  const profiler = new GpuProfiler(dev.device);
  try {
    const profiled = await runEngine(dev.device, dev.description, q, true, profiler);
    const split = splitFrom(await profiler.result(), n, n, depth * samples, profiled.seconds, depth);
    const kernelMs = Object.values(split.detail).reduce((sum, g) => sum + g.ms, 0);
    return {
      ...result,
      withSingularValues: {
        note: 'a separate run with one timestamped pass per kernel group and layer; notInLayerKernelsMs is its wall time less those kernels: the Jacobi sweeps, set-up, readback and waits',
        profiledRunMs: Math.round(profiled.seconds * 1000),
        layerKernels: split.detail,
        notInLayerKernelsMs: round(profiled.seconds * 1000 - kernelMs, 1),
      },
    };
  } catch (e) {
    return { ...result, withSingularValues: { error: e instanceof Error ? e.message : String(e) } };
  } finally {
    profiler.destroy();
  }
}

/**
 * The full residual block at N = 128, L = 100 (the block layer program: W m x N and V N x m from their own
 * streams, two matmuls per layer): wall time of one run, and where the adapter has timestamps the share of
 * the 'forward' kernels, an upper bound on what the forward block costs (they also run x_0's own forward pass).
 */
async function fullBlockRow(dev: BenchDevice, samples: number): Promise<Record<string, unknown>> {
  const query = `width=128&inner=128&depth=100&samples=${samples}&act=tanh&arch=full&sw2=1.5&alpha=1&ascale=sqrtL&seed=1`;
  const run = await runEngine(dev.device, dev.description, query, false);
  const row: Record<string, unknown> = {
    query,
    seconds: round(run.seconds),
    layerSamplesPerSecond: Math.round((100 * samples) / run.seconds),
  };
  if (dev.timestamps) {
    const profiler = new GpuProfiler(dev.device);
    try {
      await runEngine(dev.device, dev.description, query, false, profiler);
      const totals = await profiler.result();
      const all = KERNEL_GROUPS.reduce((sum, g) => sum + totals.groups[g].ns, 0);
      row.forwardKernelShare = all > 0 ? round(totals.groups.forward.ns / all, 3) : null;
      row.forwardKernelShareNote =
        "GPU time of the forward kernels (both inputs' forward passes and the forward block's sums) over all kernels: an upper bound on the forward block's cost";
    } finally {
      profiler.destroy();
    }
  }
  return row;
}

export function parseGpuSizes(value: string): number[] {
  const sizes = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 1024)) {
    throw new Error(`--gpu-sizes wants a comma-separated list of widths in 2..1024, got '${value}'`);
  }
  return [...new Set(sizes)];
}

/** The `gpu` section of the bench's JSON; `available: false` with the reason when there is no adapter. */
export async function gpuBench(options: GpuBenchOptions = {}): Promise<Record<string, unknown>> {
  let dev: BenchDevice;
  try {
    dev = await benchDevice();
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message : String(e) };
  }
  const { adapter, device, description } = dev;
  const swiftshader = /swiftshader/i.test(description);
  const skipped: { n: number; reason: string }[] = [];
  let sizes = options.sizes;
  if (!sizes) {
    sizes = swiftshader ? SWIFTSHADER_SIZES : ALL_GPU_SIZES;
    for (const n of ALL_GPU_SIZES) {
      if (!sizes.includes(n)) skipped.push({ n, reason: 'SwiftShader runs the kernels on the CPU, where this size takes minutes; --gpu-sizes overrides' });
    }
  }
  const limits = Object.fromEntries(LIMIT_NAMES.map((name) => [name, device.limits[name]]));
  const rows: GpuRow[] = [];
  const failures: { n: number; error: string }[] = [];
  let target: TargetRun | null = null;
  let fullBlock: Record<string, unknown> | null = null;
  let targetNote: string;
  try {
    for (const n of sizes) {
      try {
        rows.push(await gpuRow(dev, n, options.rowSeconds ?? 1, swiftshader ? SWIFTSHADER_BUDGET : GPU_BUDGET));
      } catch (e) {
        // One size failing (a device limit, say) still leaves the others' figures.
        failures.push({ n, error: e instanceof Error ? e.message : String(e) });
      }
    }
    try {
      fullBlock = await fullBlockRow(dev, swiftshader ? 2 : 32);
    } catch (e) {
      failures.push({ n: 128, error: `full block: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (swiftshader) {
      targetNote = 'not run on SwiftShader (CPU emulation says nothing about this target); run the bench on a GPU';
    } else {
      target = await targetRun(dev);
      targetNote =
        'wall time of one engine run as `npm run spectrum -- --backend gpu` does it (singular values on); exponentsOnlyMs without the T product; both include the per-run set-up (buffers, the Haar Q_0 on the GPU, readback); withSingularValues splits a profiled run of the same';
    }
  } catch (e) {
    failures.push({ n: 256, error: `target run: ${e instanceof Error ? e.message : String(e)}` });
    targetNote = 'the target run failed (see failures)';
  } finally {
    device.destroy();
  }

  const ratios = (pick: (r: GpuRow) => number, keep: (r: GpuRow) => boolean) => {
    const measured = Object.fromEntries(rows.filter(keep).map((r) => [String(r.n), pick(r)]));
    const values = Object.values(measured);
    return { measured, worst: values.length ? Math.min(...values) : null };
  };
  const mm = ratios(
    (r) => r.matmulVsReference,
    () => true,
  );
  const pipe = ratios(
    (r) => r.pipelineVsReference,
    (r) => r.n >= 256,
  );
  return {
    available: true,
    adapter: {
      description,
      isFallbackAdapter: adapter.info.isFallbackAdapter ?? null,
      swiftshader,
      timestampQuery: dev.timestamps,
      ...(dev.timestamps ? { timestampQuantization: 'disabled (Dawn toggle timestamp_quantization)' } : {}),
      limits,
    },
    flopModel: FLOP_MODEL,
    model: 'k = N, feedforward tanh, sw2 = 1.5, Gaussian weights, exponents only (no T product) unless stated',
    ...(swiftshader
      ? {
          swiftshaderNote:
            'SwiftShader emulates the GPU on the CPU: these figures check that the bench works, not GPU speed (kernels and depths are timed only once there)',
        }
      : {}),
    rows,
    fullBlock,
    skipped,
    ...(failures.length ? { failures } : {}),
    targets: {
      ...(swiftshader
        ? {
            note: "SwiftShader: the ratios compare CPU emulations of the kernels (it runs shared-memory tiling slowly), so 'met' is left null; they say nothing about a GPU",
          }
        : {}),
      matmulVsReference: {
        threshold: 0.5,
        ...mm,
        met: mm.worst === null || swiftshader ? null : mm.worst >= 0.5,
        basis: 'jacobian kernel alone vs the best reference shape, same N, k, batch and timing method (isolatedKernels.matmulGflops / reference.gflops)',
      },
      pipelineVsReference: {
        threshold: 0.3,
        ...pipe,
        met: pipe.worst === null || swiftshader ? null : pipe.worst >= 0.3,
        basis: 'N >= 256: steady pipeline GFLOP/s (flopModel.pipeline; per-run set-up excluded) / reference matmul GFLOP/s',
      },
      n256L100S32Ms: {
        threshold: 100,
        measured: target?.ms ?? null,
        exponentsOnlyMs: target?.exponentsOnlyMs ?? null,
        met: target ? target.ms < 100 : null,
        ...(target?.withSingularValues ? { withSingularValues: target.withSingularValues } : {}),
        note: targetNote,
      },
    },
  };
}
