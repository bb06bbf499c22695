/**
 * The GPU accumulation of T = R_L ... R_1 in row-scaled float32 (shaders/tproduct.wgsl) against the
 * float64 RowScaledTriangular of the CPU engine, fed the SAME R_l (Dawn + SwiftShader).
 *
 * The R_l are the CPU engine's own: a NetworkSample runs in float64 and every R_l it hands to its
 * RowScaledTriangular is captured (rows of exactly singular directions already zeroed). Both sides then
 * get those R_l rounded to float32; the GPU gets them in qr-finish.wgsl's layout (column-major in Z, NaN below
 * the diagonal, which must never be read) and, for zeroed rows, float32-sized round-off instead of zeros
 * plus the rank bound in stats, as the real QR kernel would leave them. Every run is inside validation
 * and out-of-memory error scopes, and every buffer is destroyed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { jacobiLogSingularValues, RowScaledTriangular } from '../../src/engine/cpu/graded-product';
import { NetworkSample, Workspace } from '../../src/engine/cpu/network-sample';
import { RunConfig } from '../../src/engine/run-config';
import { layerValues, UNIFORM_SLOT, writeLayerUniform } from '../../src/engine/gpu/layer-uniform';
import {
  createTProductPrograms,
  JACOBI_MAX_SWEEPS,
  JACOBI_WGSL,
  jacobiPartsPerSweep,
  jacobiRoundsPerPart,
  T_FLAG_JACOBI,
  T_FLAG_NONFINITE,
  T_FLAG_RANGE,
  T_FLAG_REFILL,
  TAccumulator,
  TPRODUCT_TILED_WGSL,
  TPRODUCT_WGSL,
  type TProductPrograms,
  type TResult,
} from '../../src/engine/gpu/singular-values';
import { parseQuery } from '../../src/params/url';
import { tiledBlock, tiledShapeUnfit, type TiledMatmulShape } from '../../src/engine/gpu/tiled-matmul';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

/** A layer sequence for S samples: R_l row-major (rows of singular directions zeroed) and rank bounds. */
interface Trace {
  n: number;
  feedforward: boolean;
  /** Sparse weights: the GPU also applies qr-finish.wgsl's float32 threshold 1e-5 max|R_ii|. */
  sparse: boolean;
  /** r[s][l]: R_l of sample s, row-major n x n, float64. */
  r: Float64Array[][];
  /** bound[s][l]: rank bound of layer l (the GPU's stats[4 s]); n where it does not apply. */
  bound: number[][];
  /** The CPU engine's own log sigma(J) per sample (float64 R). */
  engine: (Float64Array | null)[];
}

function captureTrace(query: string, samples: number): Trace {
  const { params, corrections } = parseQuery(query);
  expect(corrections).toEqual([]);
  const config = new RunConfig(params);
  expect(config.trackSingularValues).toBe(true);
  const ws = new Workspace(config);
  const n = config.n;
  const trace: Trace = { n, feedforward: config.architecture.rankFromActivation, sparse: params.weights === 'sparse', r: [], bound: [], engine: [] };
  for (let s = 0; s < samples; s++) {
    const sample = new NetworkSample(config, s, ws);
    const graded = sample.graded!;
    const multiply = graded.leftMultiply.bind(graded);
    const rs: Float64Array[] = [];
    const bounds: number[] = [];
    graded.leftMultiply = (r: Float64Array) => {
      // The rank bound forward.wgsl reports: active units with a nonzero row of W, at most the
      // number of nonzero columns of W.
      let rows = 0;
      let cols = 0;
      for (let i = 0; i < n; i++) {
        let row = false;
        let col = false;
        for (let j = 0; j < n; j++) {
          row ||= ws.w[i * n + j] !== 0;
          col ||= ws.w[j * n + i] !== 0;
        }
        if (row && ws.d[i] !== 0) rows++;
        if (col) cols++;
      }
      bounds.push(config.architecture.rankFromActivation ? Math.min(rows, cols) : n);
      rs.push(Float64Array.from(r.subarray(0, n * n)));
      multiply(r);
    };
    sample.advance(params.depth, ws);
    expect(sample.overflowLayer).toBeNull();
    trace.r.push(rs);
    trace.bound.push(bounds);
    trace.engine.push(sample.result().logSingularValues);
  }
  return trace;
}

/** float64 reference on the float32-rounded R_l: what the GPU is asked to reproduce. */
function cpuReference(trace: Trace, s: number): Float64Array {
  const n = trace.n;
  const t = new RowScaledTriangular(n);
  const r32 = new Float64Array(n * n);
  for (const r of trace.r[s]!) {
    for (let e = 0; e < n * n; e++) r32[e] = Math.fround(r[e]!);
    t.leftMultiply(r32);
  }
  return t.logSingularValues();
}

/** T from the GPU, and its singular values from the GPU's float32 Jacobi (jacobi.wgsl). */
interface GpuRun extends TResult {
  gpuLogSigma: (Float64Array | null)[];
  /** Flags after the Jacobi (T_FLAG_JACOBI where it did not settle). */
  jacobiFlags: Uint32Array;
  /** Sweeps the Jacobi submitted. */
  sweeps: number;
}

/**
 * Runs the trace through the GPU accumulator, all layers in one command buffer, then the Jacobi's
 * (computeSingularValues with the options `jacobi`: a Jacobi cut short by maxSweeps, say).
 */
async function runGpu(
  trace: Trace,
  programs: TProductPrograms,
  jacobi: Parameters<TAccumulator['computeSingularValues']>[2] = {},
  productShape: TiledMatmulShape | null = null,
): Promise<GpuRun> {
  const d = device!;
  const n = trace.n;
  const S = trace.r.length;
  const L = trace.r[0]!.length;
  const zWords = S * n * n;
  const rHistory = new Float32Array(L * zWords);
  const statsHistory = new Uint32Array(L * 4 * S);
  let junk = 12345;
  const roundOff = () => {
    junk = (junk * 1103515245 + 12345) >>> 0;
    return (junk / 2 ** 32 - 0.5) * 2e-7;
  };
  for (let l = 0; l < L; l++) {
    for (let s = 0; s < S; s++) {
      const r = trace.r[s]![l]!;
      const bound = trace.bound[s]![l]!;
      const base = l * zWords + s * n * n;
      statsHistory[l * 4 * S + 4 * s] = bound;
      let maxDiag = 0;
      for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(r[i * n + i]!));
      for (let i = 0; i < n; i++) {
        let zeroRow = true;
        for (let j = i; j < n; j++) if (r[i * n + j] !== 0) zeroRow = false;
        // Rows beyond the structural bound are zero for the CPU engine too; the GPU gets round-off
        // there. In networks, other zero rows come only from the float64 threshold of sparse W: the
        // GPU sees them with R_jj = 1e-9 max|R_ii|, which qr-finish.wgsl's float32 threshold (1e-5) catches.
        // Hand-made sequences pass exact zeros (R_jj == 0).
        if (i >= bound) expect(zeroRow, `layer ${l + 1} row ${i} beyond the bound ${bound}`).toBe(true);
        else if (zeroRow && trace.feedforward) expect(trace.sparse).toBe(true);
        for (let j = 0; j < n; j++) {
          // Column-major like the QR kernels; below the diagonal they keep reflectors: NaN proves it is never read.
          let v = j < i ? NaN : r[i * n + j]!;
          if (j >= i && zeroRow) v = i >= bound ? roundOff() : !trace.sparse ? 0 : j === i ? 1e-9 * maxDiag : roundOff();
          rHistory[base + j * n + i] = v;
        }
      }
    }
  }
  const usage = GPUBufferUsage;
  const rBuf = d.createBuffer({ size: rHistory.byteLength, usage: usage.COPY_SRC | usage.COPY_DST });
  const statsBuf = d.createBuffer({ size: statsHistory.byteLength, usage: usage.COPY_SRC | usage.COPY_DST });
  const z = d.createBuffer({ size: 4 * zWords, usage: usage.STORAGE | usage.COPY_DST });
  const stats = d.createBuffer({ size: 16 * S, usage: usage.STORAGE | usage.COPY_DST });
  const uniform = d.createBuffer({ size: L * UNIFORM_SLOT, usage: usage.UNIFORM | usage.COPY_DST });
  const acc = new TAccumulator(d, programs, S, n, productShape);
  try {
    d.queue.writeBuffer(rBuf, 0, rHistory);
    d.queue.writeBuffer(statsBuf, 0, statsHistory);
    const uniforms = new ArrayBuffer(L * UNIFORM_SLOT);
    const base = new RunConfig(parseQuery(`act=tanh&width=${n}&samples=${S}&depth=${L}`).params);
    for (let l = 0; l < L; l++) {
      // The T kernels read the shape and the rank rules: the bound where the trace has one, the
      // relative threshold for sparse feedforward layers.
      writeLayerUniform(uniforms, l, {
        ...layerValues(base, 0, S, l + 1),
        rank_bound: trace.feedforward ? 1 : 0,
        rank_threshold: trace.feedforward && trace.sparse ? 1 : 0,
      });
    }
    d.queue.writeBuffer(uniform, 0, uniforms);
    acc.reset();
    const enc = d.createCommandEncoder();
    for (let l = 0; l < L; l++) {
      // Stand-in for the engine's forward + jacobian + qr dispatches, which leave R_l in Z and the bound in stats.
      enc.copyBufferToBuffer(rBuf, l * 4 * zWords, z, 0, 4 * zWords);
      enc.copyBufferToBuffer(statsBuf, l * 16 * S, stats, 0, 16 * S);
      const pass = enc.beginComputePass();
      acc.encodeLayer(pass, { uniform, z, stats }, l * UNIFORM_SLOT);
      pass.end();
    }
    d.queue.submit([enc.finish()]);
    const sweeps = await acc.computeSingularValues({ uniform, z, stats }, 0, jacobi);
    const t = await acc.read();
    const { logSigma, flags } = await acc.readLogSingularValues();
    expect(Array.from(t.layers)).toEqual(new Array(S).fill(L));
    // The Jacobi adds its own flag only; T's flags are unchanged by it.
    for (let s = 0; s < S; s++) expect(flags[s]! & ~T_FLAG_JACOBI).toBe(t.flags[s]! & ~T_FLAG_JACOBI);
    return { ...t, gpuLogSigma: logSigma, jacobiFlags: flags, sweeps };
  } finally {
    acc.destroy();
    for (const b of [rBuf, statsBuf, z, stats, uniform]) b.destroy();
  }
}

/**
 * The float64 reference on the GPU's own T: log sigma_i(J) of one sample of a read-back batch, by
 * graded-product.ts's row-scaled one-sided Jacobi (zero rows give -Infinity), or null when its T is
 * flagged (not covered).
 */
function sampleLogSingularValues(t: TResult, sample: number): Float64Array | null {
  if (t.flags[sample] !== 0) return null;
  const n = t.n;
  const g = new Float64Array(n);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const si = t.s[sample * n + i]!;
    if (Number.isNaN(si) || si === Infinity) throw new RangeError('sampleLogSingularValues: bad row scale');
    g[i] = si;
    if (si === -Infinity) continue;
    for (let j = i; j < n; j++) u[i * n + j] = t.c[(sample * n + i) * n + j]!;
  }
  return jacobiLogSingularValues(g, u, n);
}

/** max |a_i - b_i| over finite entries; Infinity when the -Infinity entries differ or anything is NaN. */
function maxError(a: Float64Array, b: Float64Array): number {
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === -Infinity || y === -Infinity) {
      if (x !== y) return Infinity;
      continue;
    }
    const e = Math.abs(x - y);
    if (!(e <= err)) err = Number.isNaN(e) ? Infinity : e;
  }
  return err;
}

const TOL = 1e-2;
/**
 * jacobi.wgsl (float32) against graded-product.ts's float64 Jacobi on the same T: rounding of O(1)
 * log-norm updates over a few sweeps, and its stopping rule |cs| < 2e-5 (seen: at most 3e-5, N = 32,
 * log sigma spread over 626 nats).
 */
const JACOBI_TOL = 2e-4;

const NETWORKS = [
  // Log singular values spread over about 600 nats.
  { name: 'linear Gaussian N=16 L=300', query: 'act=linear&width=16&depth=300&sw2=1&seed=11' },
  { name: 'tanh N=16 L=200', query: 'act=tanh&width=16&depth=200&sw2=2&sb2=0.05&seed=12' },
  // rank(J) = min_l K_l: exactly singular directions, many -Infinity values.
  { name: 'ReLU feedforward N=16 L=50', query: 'act=relu&width=16&depth=50&sw2=2&seed=13' },
  { name: 'residual tanh N=16 L=200', query: 'act=tanh&arch=res&alpha=1&ascale=sqrtL&width=16&depth=200&sw2=1&seed=14' },
  { name: 'tanh N=13 L=120 (N not a multiple of 4)', query: 'act=tanh&width=13&depth=120&sw2=1.5&seed=15' },
  { name: 'tanh N=32 L=200', query: 'act=tanh&width=32&depth=200&sw2=2&seed=16' },
  { name: 'sparse ReLU p=0.5 N=16 L=40', query: 'act=relu&weights=sparse&p=0.5&width=16&depth=40&sw2=2&seed=17' },
];

describe.skipIf(!device && !gpuRequired)('T = R_L ... R_1 on the GPU (row-scaled float32) vs float64', () => {
  let programs: TProductPrograms;
  afterAll(() => device?.destroy());

  it('has a WebGPU device', async () => {
    expect(device, reason).toBeTruthy();
    programs = await withErrorScopes(device!, async () => createTProductPrograms(device!));
  });

  it.each(NETWORKS)('$name', async ({ query }) => {
    const trace = captureTrace(query, 3);
    const t = await withErrorScopes(device!, () => runGpu(trace, programs));
    const errors: number[] = [];
    const engineErrors: number[] = [];
    const jacobiErrors: number[] = [];
    let span = 0;
    for (let s = 0; s < 3; s++) {
      expect(t.flags[s], `sample ${s} flags`).toBe(0);
      const gpu = sampleLogSingularValues(t, s)!;
      const ref = cpuReference(trace, s);
      const finite = ref.filter((v) => v > -Infinity);
      span = Math.max(span, finite[0]! - finite[finite.length - 1]!);
      // Same count of exact zeros, and T's rank says so.
      expect(gpu.filter((v) => v === -Infinity).length).toBe(ref.length - finite.length);
      expect(t.rank[s]).toBe(finite.length);
      // Zero rows: s = -Infinity and C exactly 0, no NaN anywhere.
      for (let i = 0; i < trace.n; i++) {
        expect(t.s[s * trace.n + i]! === -Infinity).toBe(i >= t.rank[s]!);
        for (let j = 0; j < trace.n; j++) {
          const cij = t.c[(s * trace.n + i) * trace.n + j]!;
          expect(Number.isFinite(cij)).toBe(true);
          if (i >= t.rank[s]! || j < i) expect(cij).toBe(0);
        }
      }
      // The engine's path: the GPU's own float32 Jacobi on the same T (jacobi.wgsl).
      expect(t.jacobiFlags[s], `sample ${s} Jacobi flags`).toBe(0);
      const onGpu = t.gpuLogSigma[s]!;
      const jacobiErr = maxError(onGpu, gpu);
      jacobiErrors.push(jacobiErr);
      expect(jacobiErr, `sample ${s}: GPU Jacobi vs float64 Jacobi of the same T`).toBeLessThan(JACOBI_TOL);
      expect(maxError(onGpu, ref), `sample ${s}: GPU Jacobi vs float64 R`).toBeLessThan(TOL);
      const err = maxError(gpu, ref);
      const errEngine = maxError(gpu, trace.engine[s]!);
      errors.push(err);
      engineErrors.push(errEngine);
      expect(err, `sample ${s}`).toBeLessThan(TOL);
      expect(errEngine, `sample ${s} vs float64 R`).toBeLessThan(TOL);
    }
    console.log(
      `${query}: log sigma span ${span.toFixed(1)}, max |GPU - CPU| ${Math.max(...errors).toExponential(2)} (same float32 R), ` +
        `${Math.max(...engineErrors).toExponential(2)} (vs the engine's float64 R), float32 Jacobi vs float64 Jacobi ${Math.max(...jacobiErrors).toExponential(2)}; ranks ${Array.from(t.rank).join(',')}`,
    );
  });

  // Deliberately broken kernels must fail the same comparison.
  it.each([
    { name: 'rows not renormalized', from: 'let inv = 1.0 / norm;  // MUTATION:renormalize', to: 'let inv = 1.0;' },
    { name: 'row scales not updated', from: 'bitcast<u32>(xm + e + fr.exp - 1);  // MUTATION:scale', to: 'bitcast<u32>(xm);' },
  ])('a kernel with $name fails', async ({ from, to }) => {
    const source = TPRODUCT_WGSL.replace(from, to);
    expect(source).not.toBe(TPRODUCT_WGSL);
    const broken = await withErrorScopes(device!, async () => createTProductPrograms(device!, { tproductSource: source }));
    const trace = captureTrace('act=linear&width=16&depth=100&sw2=1&seed=11', 2);
    const t = await withErrorScopes(device!, () => runGpu(trace, broken));
    for (let s = 0; s < 2; s++) {
      const gpu = sampleLogSingularValues(t, s);
      const err = gpu ? maxError(gpu, cpuReference(trace, s)) : Infinity;
      expect(err).toBeGreaterThan(TOL);
    }
  });

  it.each([
    { name: 'the rotation angle of the wrong sign', from: 'let w = select(-1.0, 1.0, rz >= 0.0)', to: 'let w = select(1.0, -1.0, rz >= 0.0)' },
    // (A wrong fused norm np2 is no such defect: the end-of-sweep renormalization measures the real one.)
    { name: 'the rotation cosine left out of the scales', from: 'let log_cc = -0.5 * log(1.0 + t * t);', to: 'let log_cc = 0.0;' },
    { name: 'log scales not updated by rotations', from: 'set_h(s, p, h_of(s, p) + rot.log_cc + lp);  // MUTATION:scale', to: '' },
    { name: 'a stopping rule 1000 times looser', from: 'const TOL: f32 = 2e-5;', to: 'const TOL: f32 = 2e-2;' },
  ])('a Jacobi kernel with $name fails', async ({ from, to }) => {
    const source = JACOBI_WGSL.replace(from, to);
    expect(source).not.toBe(JACOBI_WGSL);
    const broken = await withErrorScopes(device!, async () => createTProductPrograms(device!, { jacobiSource: source }));
    const trace = captureTrace('act=tanh&width=16&depth=3&sw2=1.5&seed=21', 2);
    const t = await withErrorScopes(device!, () => runGpu(trace, broken));
    let worst = 0;
    for (let s = 0; s < 2; s++) {
      const onGpu = t.gpuLogSigma[s];
      worst = Math.max(worst, onGpu ? maxError(onGpu, sampleLogSingularValues(t, s)!) : Infinity);
    }
    expect(worst).toBeGreaterThan(JACOBI_TOL);
  });

  // The tiled product (a GPU's plan) in two shapes: 8 x 8 blocks with 16-deep slices, so that a slice
  // starts below a block's first row and ends past its last column (the exact zeros of the triangular
  // factors fill the difference), and the engine's smallest GPU shape, 32 x 32. Both at N = 37 (several
  // blocks, some wholly below the diagonal and skipped, edges not a multiple of anything) and N = 16.
  const SMALL_TILE: TiledMatmulShape = { tm: 4, tn: 4, wx: 2, wy: 2, bk: 16 };
  const ENGINE_TILE: TiledMatmulShape = { tm: 4, tn: 4, wx: 8, wy: 8, bk: 16 };
  it.each([
    { query: 'act=tanh&width=37&depth=150&sw2=2&seed=31', shape: SMALL_TILE },
    { query: 'act=tanh&width=37&depth=150&sw2=2&seed=31', shape: ENGINE_TILE },
    { query: 'act=relu&width=16&depth=50&sw2=2&seed=13', shape: SMALL_TILE },
    { query: 'act=linear&width=13&depth=300&sw2=1&seed=11', shape: SMALL_TILE },
  ])('the tiled product ($shape.wx x $shape.wy invocations of $shape.tm x $shape.tn) agrees with float64: $query', async ({ query, shape }) => {
    expect(tiledShapeUnfit(shape, device!.limits)).toBeNull();
    const trace = captureTrace(query, 2);
    const [rows] = tiledBlock(shape);
    const t = await withErrorScopes(device!, () => runGpu(trace, programs, {}, shape));
    const register = await withErrorScopes(device!, () => runGpu(trace, programs));
    for (let s = 0; s < 2; s++) {
      expect(t.flags[s], `sample ${s} flags`).toBe(0);
      expect(t.rank[s]).toBe(register.rank[s]);
      const ref = cpuReference(trace, s);
      expect(maxError(sampleLogSingularValues(t, s)!, ref), `sample ${s}, ${rows} x ${rows} blocks`).toBeLessThan(TOL);
      expect(maxError(t.gpuLogSigma[s]!, ref)).toBeLessThan(TOL);
      // The same T as the register kernel's to float32 rounding of a different order of the same sums.
      expect(maxError(sampleLogSingularValues(t, s)!, sampleLogSingularValues(register, s)!)).toBeLessThan(1e-4);
    }
  });

  it.each([
    { name: 'k from one slice past the first row', to: 'vec2<u32>(row0 + BK, min(P.n, col0 + BN))' },
    { name: "k up to the block's first column only", to: 'vec2<u32>(row0, min(P.n, col0))' },
  ])('a tiled product with $name fails', async ({ to }) => {
    const from = 'vec2<u32>(row0, min(P.n, col0 + BN)); }  // MUTATION:krange';
    expect(TPRODUCT_TILED_WGSL).toContain(from);
    const broken = await withErrorScopes(device!, async () =>
      createTProductPrograms(device!, { tproductTiledSource: TPRODUCT_TILED_WGSL.replace(from, `${to}; }`) }),
    );
    const trace = captureTrace('act=tanh&width=37&depth=60&sw2=2&seed=31', 2);
    const t = await withErrorScopes(device!, () => runGpu(trace, broken, {}, SMALL_TILE));
    for (let s = 0; s < 2; s++) {
      const gpu = sampleLogSingularValues(t, s);
      expect(gpu ? maxError(gpu, cpuReference(trace, s)) : Infinity).toBeGreaterThan(TOL);
    }
  });

  // jacobi.wgsl runs a sweep in dispatches of a few rounds each (JACOBI_PART_WORK N^-2); the defaults
  // give one part per sweep below N = 2896, so these force many parts at small N.
  it.each([
    { query: 'act=tanh&width=32&depth=30&sw2=2&seed=16', roundsPerPart: 3 },
    { query: 'act=relu&width=15&depth=20&sw2=2&seed=5', roundsPerPart: 1 },
    { query: 'act=linear&width=9&depth=400&sw2=1&seed=7', roundsPerPart: 4 },
  ])('a Jacobi sweep split into dispatches of $roundsPerPart rounds gives the same log sigma, bit for bit ($query)', async ({ query, roundsPerPart }) => {
    const trace = captureTrace(query, 3);
    const n = trace.n;
    const partWork = roundsPerPart * n * n;
    expect(jacobiRoundsPerPart(n, partWork)).toBe(roundsPerPart);
    expect(jacobiPartsPerSweep(n, partWork)).toBe(Math.ceil((n + (n % 2) - 1) / roundsPerPart));
    expect(jacobiPartsPerSweep(n)).toBe(1);
    // The defaults: one dispatch per sweep up to N = 181, then 2^23 / N^2 rounds each.
    expect([181, 256, 512, 1024].map((m) => jacobiPartsPerSweep(m))).toEqual([1, 2, 16, 128]);
    const split = await withErrorScopes(device!, async () => createTProductPrograms(device!, { jacobiPartWork: partWork }));
    const whole = await withErrorScopes(device!, () => runGpu(trace, programs));
    const parts = await withErrorScopes(device!, () => runGpu(trace, split));
    for (let s = 0; s < 3; s++) {
      expect(whole.jacobiFlags[s]).toBe(0);
      expect(parts.jacobiFlags[s], `sample ${s} flags, split sweeps`).toBe(0);
      expect(Array.from(parts.gpuLogSigma[s]!)).toEqual(Array.from(whole.gpuLogSigma[s]!));
      expect(maxError(parts.gpuLogSigma[s]!, cpuReference(trace, s))).toBeLessThan(TOL);
    }
  });

  // The engine's emulated plan has 64 invocations, so at N > 64 a pair gets one or two of them; the
  // network cases above (N <= 32) always get four or more.
  it.each([
    [8, 1],
    [16, 2],
    [32, 4],
  ])('the GPU Jacobi with a %i-invocation workgroup (%i per pair at N = 16) agrees with the float64 Jacobi', async (jacobiWorkgroup) => {
    const variant = await withErrorScopes(device!, async () => createTProductPrograms(device!, { jacobiWorkgroup }));
    const trace = captureTrace('act=tanh&width=16&depth=60&sw2=2&seed=8', 2);
    const t = await withErrorScopes(device!, () => runGpu(trace, variant));
    for (let s = 0; s < 2; s++) {
      expect(t.jacobiFlags[s]).toBe(0);
      expect(maxError(t.gpuLogSigma[s]!, sampleLogSingularValues(t, s)!)).toBeLessThan(JACOBI_TOL);
    }
  });

  it('submits sweeps in groups and stops once every sample has converged: same log sigma, bit for bit', async () => {
    const trace = captureTrace('act=tanh&width=32&depth=30&sw2=2&seed=16', 3);
    // Default groups at N = 32: all 40 sweeps in one group (6 N^3 flops per sample and sweep).
    const whole = await withErrorScopes(device!, () => runGpu(trace, programs));
    expect(whole.sweeps).toBe(JACOBI_MAX_SWEEPS);
    // One sweep per group: group g's status is read while g + 1 and g + 2 are queued, so the sweeps
    // stop at most two past the one that found nothing to rotate.
    const grouped = await withErrorScopes(device!, () => runGpu(trace, programs, { groupFlops: 1 }));
    expect(grouped.sweeps).toBeGreaterThanOrEqual(3);
    expect(grouped.sweeps).toBeLessThan(20);
    for (let s = 0; s < 3; s++) {
      expect(grouped.jacobiFlags[s]).toBe(0);
      expect(Array.from(grouped.gpuLogSigma[s]!)).toEqual(Array.from(whole.gpuLogSigma[s]!));
    }
    console.log(`Jacobi at N = 32: converged after ${grouped.sweeps} sweeps submitted one at a time (of ${JACOBI_MAX_SWEEPS})`);
  });

  it('a cancelled Jacobi (stop()) submits no further group, and its samples report no singular values', async () => {
    const trace = captureTrace('act=tanh&width=24&depth=40&sw2=2&seed=3', 2);
    const t = await withErrorScopes(device!, () => runGpu(trace, programs, { groupFlops: 1, stop: () => true }));
    expect(t.sweeps).toBe(1);
    for (let s = 0; s < 2; s++) expect(t.gpuLogSigma[s]).toBeNull();
  });

  it('a Jacobi cut short reports no singular values (the CPU takes the sample), never unconverged ones', async () => {
    const trace = captureTrace('act=tanh&width=24&depth=40&sw2=2&seed=3', 2);
    // The set-up and the first sweep: a T of 40 layers is not diagonal after one sweep.
    const t = await withErrorScopes(device!, () => runGpu(trace, programs, { maxSweeps: 1 }));
    expect(t.sweeps).toBe(1);
    for (let s = 0; s < 2; s++) {
      expect(t.flags[s]).toBe(0);
      expect(t.jacobiFlags[s]! & T_FLAG_JACOBI).toBe(T_FLAG_JACOBI);
      expect(t.gpuLogSigma[s]).toBeNull();
    }
    // All of them: converged.
    const full = await withErrorScopes(device!, () => runGpu(trace, programs));
    for (let s = 0; s < 2; s++) expect(full.jacobiFlags[s]).toBe(0);
  });

  /** Hand-made sequences, for the cases a real dense network does not produce. */
  function synthetic(n: number, layers: number, samples: number, make: (s: number, l: number, r: Float64Array) => void, sparse = false): Trace {
    let seed = 99;
    const rnd = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    // Sparse feedforward switches on qr-finish.wgsl's relative threshold; the bound stays n.
    const trace: Trace = { n, feedforward: sparse, sparse, r: [], bound: [], engine: [] };
    for (let s = 0; s < samples; s++) {
      trace.r.push([]);
      trace.bound.push([]);
      for (let l = 0; l < layers; l++) {
        const r = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          r[i * n + i] = 1 + rnd();
          for (let j = i + 1; j < n; j++) r[i * n + j] = rnd();
        }
        make(s, l, r);
        trace.r[s]!.push(r);
        trace.bound[s]!.push(n);
      }
    }
    return trace;
  }

  it('flags a zero row above nonzero rows (refilled later) instead of reporting a wrong rank', async () => {
    const n = 6;
    // Sample 0: R_3 has a zero diagonal entry at index 2 (the row counts as zero, as in qr-finish.wgsl), with
    // nonzero rows of T below it. Sample 1: the same but the zero is trailing, which is covered.
    const trace = synthetic(n, 8, 2, (s, l, r) => {
      if (l !== 3) return;
      const row = s === 0 ? 2 : n - 1;
      r[row * n + row] = 0;
    });
    const t = await withErrorScopes(device!, () => runGpu(trace, programs));
    expect(t.flags[0]! & T_FLAG_REFILL).toBe(T_FLAG_REFILL);
    expect(sampleLogSingularValues(t, 0)).toBeNull();
    expect(t.flags[1]).toBe(0);
    // For the CPU the whole row is zero (network-sample.ts zeroes it); the GPU zeroes it from R_jj = 0.
    for (const r of trace.r[1]!) if (r[(n - 1) * n + n - 1] === 0) r.fill(0, (n - 1) * n, n * n);
    const ref = cpuReference(trace, 1);
    const gpu = sampleLogSingularValues(t, 1)!;
    expect(gpu[n - 1]).toBe(-Infinity);
    expect(maxError(gpu, ref)).toBeLessThan(1e-4);
  });

  it('the GPU Jacobi handles nearly parallel rows, equal scales and odd N like the float64 one', async () => {
    const n = 7;
    // One layer: rows 0 and 1 nearly parallel (cos ~ 0.9995, the measured-norm branch), rows 3 and 4 of
    // equal length and orthogonal, the rest generic; sample 1 the same scaled by 1e-20 (graded only by
    // its exponent).
    const trace = synthetic(n, 1, 2, (s, _l, r) => {
      r[0 * n + 0] = 1;
      r[0 * n + 1] = 30;
      r[1 * n + 1] = 30;
      r[1 * n + 2] = 1;
      r[3 * n + 3] = 2;
      r[3 * n + 4] = 0;
      r[4 * n + 4] = 2;
      if (s === 1) for (let e = 0; e < n * n; e++) r[e]! *= 1e-20;
    });
    const t = await withErrorScopes(device!, () => runGpu(trace, programs));
    for (let s = 0; s < 2; s++) {
      expect(t.jacobiFlags[s]).toBe(0);
      const ref = cpuReference(trace, s);
      expect(maxError(t.gpuLogSigma[s]!, ref)).toBeLessThan(1e-4);
    }
  });

  it('flags a diagonal that leaves float32 range instead of returning round-off', async () => {
    const n = 5;
    // Row 0 of T is dominated by row 1 by a factor 1e25 per layer, so C_00 underflows float32 after two layers.
    const trace = synthetic(n, 4, 1, (_s, _l, r) => {
      r[0] = 1e-25;
      r[1] = 1;
    });
    const t = await withErrorScopes(device!, () => runGpu(trace, programs));
    expect(t.flags[0]! & T_FLAG_RANGE).toBe(T_FLAG_RANGE);
    expect(sampleLogSingularValues(t, 0)).toBeNull();
  });

  it('flags a non-finite R_l wherever it sits in a row, with 1 or 64 invocations per row', async () => {
    const n = 12;
    // Sample s gets +Infinity (sample 2: NaN) in row 1 of R_3 at column 2 + 3 s: an entry handled by
    // a different invocation of the row's workgroup each time (the flag is a reduction over them).
    const trace = synthetic(n, 6, 3, (s, l, r) => {
      if (l === 3) r[1 * n + 2 + 3 * s] = s === 2 ? NaN : Infinity;
    });
    for (const rowWorkgroup of [1, 64]) {
      const variant = await withErrorScopes(device!, async () => createTProductPrograms(device!, { rowWorkgroup }));
      const t = await withErrorScopes(device!, () => runGpu(trace, variant));
      for (let s = 0; s < 3; s++) {
        expect(t.flags[s]! & T_FLAG_NONFINITE, `sample ${s}, ${rowWorkgroup} per row`).toBe(T_FLAG_NONFINITE);
        expect(sampleLogSingularValues(t, s)).toBeNull();
      }
    }
  });

  it('counts R_jj <= 1e-5 max|R_ii| as exactly zero for sparse feedforward layers, as qr-finish.wgsl does', async () => {
    const n = 6;
    const trace = synthetic(
      n,
      6,
      1,
      (_s, l, r) => {
        if (l === 2) r[(n - 1) * n + n - 1] = 3e-7; // below 1e-5 max|R_ii| (max >= 1): a dead direction
        if (l === 3) r[(n - 2) * n + n - 2] = 1e-3; // small but above the threshold: kept
      },
      true,
    );
    const t = await withErrorScopes(device!, () => runGpu(trace, programs));
    expect(t.flags[0]).toBe(0);
    expect(t.rank[0]).toBe(n - 1);
    // The CPU engine zeroes the flagged row itself (network-sample.ts); so does the reference here.
    trace.r[0]![2]!.fill(0, (n - 1) * n, n * n);
    const gpu = sampleLogSingularValues(t, 0)!;
    expect(gpu[n - 2]).toBeGreaterThan(-Infinity);
    expect(gpu[n - 1]).toBe(-Infinity);
    expect(maxError(gpu, cpuReference(trace, 0))).toBeLessThan(1e-4);
  });
});
