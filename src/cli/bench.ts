/**
 * `npm run bench`: prints one JSON object with the CPU engine's speed (layer-samples/s and GFLOP/s)
 * for N in {32, 64, 128, 256}, the CLI's start-up time, and, when python3 with numpy is present, the
 * issue's yardstick (a straightforward numpy loop) measured on the same machine in the same run; and,
 * when Dawn for Node finds a WebGPU adapter, the GPU engine's rows (bench-gpu.ts), else
 * `gpu: { available: false, reason }`.
 * Flags: `--gpu-sizes 64,128` (widths of the GPU rows), `--no-cpu` (skip the CPU rows and the numpy
 * comparison, e.g. on a GPU machine), `--no-gpu`.
 * Benchmarks print figures; they never assert (machines are shared and noisy).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseQuery } from '../params/url';
import { CpuEngine } from '../engine/cpu/cpu-engine';
import { defaultNodeWorkers } from '../engine/cpu/node-pool';
import { kernelModule } from '../engine/cpu/wasm/kernels';
import { gpuBench, parseGpuSizes } from './bench-gpu';

interface BenchFlags {
  cpu: boolean;
  gpu: boolean;
  gpuSizes?: number[];
}

function parseFlags(argv: string[]): BenchFlags {
  const flags: BenchFlags = { cpu: true, gpu: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-cpu') flags.cpu = false;
    else if (arg === '--no-gpu') flags.gpu = false;
    else if (arg === '--gpu-sizes' || arg.startsWith('--gpu-sizes=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (value === undefined) throw new Error('--gpu-sizes needs a value, e.g. --gpu-sizes 64,128');
      flags.gpuSizes = parseGpuSizes(value);
    } else throw new Error(`unknown flag '${arg}' (bench takes --gpu-sizes 64,128,..., --no-cpu, --no-gpu)`);
  }
  return flags;
}

/**
 * Floating-point operations per layer and sample at k = N, counted as multiply + add = 2:
 * W Q (2 N^3), Householder R (4/3 N^3), explicit Q (4/3 N^3); the graded T update adds 1/3 N^3.
 */
const loopFlops = (n: number) => 2 * n ** 3 + (8 / 3) * n ** 3;
const gradedFlops = (n: number) => n ** 3 / 3;

async function timeCpu(
  query: string,
  singularValues: boolean,
  forwardStats = true,
): Promise<{ seconds: number; layerSamplesPerSecond: number; kernels: string }> {
  const { params } = parseQuery(query);
  const pool = defaultNodeWorkers();
  const engine = new CpuEngine({ workers: pool.factory, concurrency: pool.concurrency });
  const t0 = performance.now();
  for await (const snap of engine.run(params, { snapshotIntervalMs: 10_000, singularValues, forwardStats })) void snap;
  const seconds = (performance.now() - t0) / 1000;
  engine.dispose();
  return { seconds, layerSamplesPerSecond: (params.depth * params.samples) / seconds, kernels: kernelModule() ? 'wasm-simd' : 'js' };
}

function timeCommand(cmd: string, args: string[]): { seconds: number; stdout: string } | null {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout };
}

async function cpuSection(): Promise<{ cpu: unknown[]; fullBlock: unknown; comparisonWithNumpy: unknown[] }> {
  // Depths chosen so that each run takes about a second on 2 cores.
  const depthFor: Record<number, number> = { 32: 400, 64: 200, 128: 60, 256: 16 };
  const cpu = [];
  for (const n of [32, 64, 128, 256]) {
    const depth = depthFor[n]!;
    const query = `width=${n}&depth=${depth}&samples=16&act=tanh&sw2=1.5&seed=1`;
    // The Benettin loop alone (exponents), then with the finite-depth singular values, whose cost is
    // the graded T update per layer plus one Jacobi SVD per sample at the end.
    const loop = await timeCpu(query, false);
    const full = await timeCpu(query, true);
    cpu.push({
      n,
      depth,
      samples: 16,
      kernels: loop.kernels,
      exponentsOnly: {
        seconds: +loop.seconds.toFixed(3),
        layerSamplesPerSecond: Math.round(loop.layerSamplesPerSecond),
        gflops: +((loop.layerSamplesPerSecond * loopFlops(n)) / 1e9).toFixed(2),
      },
      withSingularValues: {
        seconds: +full.seconds.toFixed(3),
        layerSamplesPerSecond: Math.round(full.layerSamplesPerSecond),
        gflops: +((full.layerSamplesPerSecond * (loopFlops(n) + gradedFlops(n))) / 1e9).toFixed(2),
        // Extra time per sample on one core: the graded update of every layer plus the final SVD.
        extraSecondsPerSample: +((Math.max(0, full.seconds - loop.seconds) * defaultNodeWorkers().concurrency) / 16).toFixed(3),
      },
    });
  }

  // The full residual block at N = 128, L = 100, and what the forward block (second input, four sums per
  // layer, the log-gradient) costs: the same run without it, timed in the same process, as a ratio.
  const fullQuery = 'width=128&inner=128&depth=100&samples=16&act=tanh&arch=full&sw2=1.5&alpha=1&ascale=sqrtL&seed=1';
  const fullWith = await timeCpu(fullQuery, false);
  const fullWithout = await timeCpu(fullQuery, false, false);
  const resQuery = 'width=128&depth=100&samples=16&act=tanh&arch=res&sw2=1.5&alpha=1&ascale=sqrtL&seed=1';
  const resWith = await timeCpu(resQuery, false);
  const resWithout = await timeCpu(resQuery, false, false);
  const forwardCost = (withIt: { seconds: number }, without: { seconds: number }) => +(withIt.seconds / without.seconds - 1).toFixed(3);
  const fullBlock = {
    query: fullQuery,
    seconds: +fullWith.seconds.toFixed(3),
    layerSamplesPerSecond: Math.round(fullWith.layerSamplesPerSecond),
    forwardStatsCost: {
      method: 'time with the forward block / time without it - 1, same process, exponents only',
      fullBlock: forwardCost(fullWith, fullWithout),
      residual: forwardCost(resWith, resWithout),
    },
  };

  // The comparison: 32 samples, tanh, N = 64 and 128, whole process timed (start-up included).
  const here = fileURLToPath(new URL('.', import.meta.url));
  const mainJs = `${here}main.js`;
  const numpyScript = fileURLToPath(new URL('../scripts/numpy_baseline.py', import.meta.url));
  const comparison = [];
  for (const [n, depth] of [
    [64, 100],
    [128, 25],
  ] as const) {
    const q = `width=${n}&depth=${depth}&samples=32&act=tanh&sw2=1.5`;
    // The numpy loop computes exponents only, so compare without the singular-value accumulation.
    const ours = timeCommand(process.execPath, [mainJs, '--query', q, '--json', '--no-singular-values']);
    const numpy = existsSync(numpyScript) ? timeCommand('python3', [numpyScript, String(n), String(depth), '32']) : null;
    comparison.push({
      n,
      depth,
      samples: 32,
      cliLayerSamplesPerSecond: ours ? Math.round((depth * 32) / ours.seconds) : null,
      numpyLayerSamplesPerSecond: numpy ? Math.round((depth * 32) / numpy.seconds) : null,
      ratio: ours && numpy ? +(numpy.seconds / ours.seconds).toFixed(2) : null,
    });
  }
  return { cpu, fullBlock, comparisonWithNumpy: comparison };
}

async function main(): Promise<void> {
  let flags: BenchFlags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  const cpuPart = flags.cpu ? await cpuSection() : { cpu: null, cpuNote: 'skipped (--no-cpu)', comparisonWithNumpy: null };
  const mainJs = fileURLToPath(new URL('./main.js', import.meta.url));
  const startup = timeCommand(process.execPath, [mainJs, '--query', 'width=2&depth=1&samples=1', '--json']);
  const gpu = flags.gpu ? await gpuBench(flags.gpuSizes ? { sizes: flags.gpuSizes } : {}) : { available: null, reason: 'skipped (--no-gpu)' };

  const report = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    flopModel:
      'per layer-sample at k = N: 2N^3 (W Q) + 8/3 N^3 (Householder QR with explicit Q); with singular values + 1/3 N^3 (graded T update). extraSecondsPerSample: the extra core-seconds per sample that singular values cost (graded update per layer plus the final Jacobi SVD). The gpu section states its own model.',
    ...cpuPart,
    cliStartupSeconds: startup ? +startup.seconds.toFixed(3) : null,
    gpu,
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

void main();
