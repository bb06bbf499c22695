/**
 * Headless entry: `npm run spectrum -- --query '...' --json`. Runs the same engines as the browser
 * and prints the reference-protocol JSON (docs/THEORY.md section 7) or a short human summary.
 */
import { parseEntries } from '../params/url';
import type { Correction } from '../params/types';
import type { Engine, Snapshot } from '../engine/types';
import { GpuDeviceError, GpuEngine, gpuPrefersCpu } from '../engine/gpu/gpu-engine';
import { GpuLimitError, GpuOutOfMemoryError } from '../engine/gpu/limits';
import { nodeDevice } from '../engine/gpu/node-gpu';
import { FallbackEngine } from '../engine/fallback-engine';
import { CpuEngine } from '../engine/cpu/cpu-engine';
import { defaultNodeWorkers } from '../engine/cpu/node-pool';
import { float64LogSingularValues } from '../engine/cpu/network-sample';
import { snapshotJson } from '../engine/snapshot-json';
import { architectureEntry } from '../model/index';
import { CliError, helpText, parseArgs, type CliOptions } from './args';

/**
 * cpu: the float64 engine. gpu: the WebGPU engine, or exit 2 with the reason (no device, a device
 * limit the run exceeds, a lost device). auto: the GPU through a FallbackEngine, which restarts the run
 * on the CPU if there is no device or the GPU run fails, and says why; runs that float32 cannot do
 * right (gpuPrefersCpu: sparse feedforward nets) go to the CPU directly.
 */
async function chooseEngine(options: CliOptions): Promise<{ engine: Engine; notice?: string }> {
  const cpu = () => {
    const pool = defaultNodeWorkers(options.workers);
    return new CpuEngine({ workers: pool.factory, concurrency: pool.concurrency, label: pool.label });
  };
  const gpu = async () => {
    const { device, description } = await nodeDevice();
    return new GpuEngine(device, description, { ownsDevice: true, float64Recompute: float64LogSingularValues });
  };
  if (options.backend === 'cpu') return { engine: cpu() };
  if (options.backend === 'auto') return { engine: new FallbackEngine({ primary: gpu, fallback: cpu(), route: (params) => gpuPrefersCpu(params) }) };
  try {
    return { engine: await gpu() };
  } catch (e) {
    fail(`no WebGPU device: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function fail(message: string): never {
  process.stderr.write(`spectrum: ${message}\n`);
  process.exit(2);
}

const fmt = (v: number | null, digits = 5) => (v === null ? '-inf' : v.toFixed(digits));

function summary(snap: Snapshot, corrections: Correction[]): string {
  const p = snap.params;
  const { mean, sem, count } = snap.exponents;
  const k = mean.length;
  const lines = [
    `${architectureEntry(p.arch).label} ${p.act}, N=${p.width}, L=${p.depth}, sw2=${p.sw2}, sb2=${p.sb2}, ${p.weights} weights, ${snap.samples} samples, seed ${p.seed}`,
    `backend: ${snap.backend}; ${(snap.elapsedMs / 1000).toFixed(2)} s, ${Math.round(snap.throughput)} layer-samples/s`,
    `protocol: ${snap.protocol}`,
  ];
  for (const c of corrections) lines.push(`corrected: ${c.reason}`);
  for (const w of snap.warnings) lines.push(`warning: ${w}`);
  const show = k <= 8 ? [...Array(k).keys()] : [0, 1, 2, Math.floor(k / 2) - 1, k - 3, k - 2, k - 1];
  lines.push('Lyapunov exponents per layer (mean ± SE, finite samples):');
  for (const i of show) lines.push(`  lambda_${String(i + 1).padEnd(4)} ${fmt(mean[i]!)} ± ${sem[i] === null ? 'n/a' : sem[i]!.toFixed(5)}  (${count[i]})`);
  const ranks = Object.entries(snap.rankHistogram)
    .map(([r, n]) => `${r}:${n}`)
    .join(' ');
  lines.push(`rank histogram (rank:samples): ${ranks}`);
  if (snap.logSingularValues) {
    const s = snap.logSingularValues.mean;
    lines.push(`log sigma(J): largest ${fmt(s[0]!, 3)}, smallest ${fmt(s[s.length - 1]!, 3)}`);
  } else if (snap.logSingularValuesNote) {
    lines.push(`singular values: ${snap.logSingularValuesNote}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof CliError) fail(e.message);
    throw e;
  }
  if (options.help) {
    process.stdout.write(helpText() + '\n');
    return;
  }
  const { params, corrections } = parseEntries(options.entries);
  const engine = await chooseEngine(options);
  let last: Snapshot | undefined;
  try {
    for await (const snap of engine.engine.run(params, {
      perSample: options.perSample,
      singularValues: options.singularValues,
      snapshotIntervalMs: 1000,
    }))
      last = snap;
  } catch (e) {
    // --backend gpu: a refusal (device limits) or a failed device is an answer, not a crash.
    if (e instanceof GpuLimitError || e instanceof GpuOutOfMemoryError || e instanceof GpuDeviceError)
      fail(`GPU engine: ${e.message}; use --backend cpu or auto`);
    throw e;
  } finally {
    engine.engine.dispose();
  }
  if (!last) fail('the engine produced no result');
  if (engine.notice) last.warnings.unshift(engine.notice);
  if (engine.engine instanceof FallbackEngine && engine.engine.lastRunReason) {
    last.warnings.unshift(`backend auto fell back to the CPU: ${engine.engine.lastRunReason}`);
  }
  process.stdout.write((options.json ? JSON.stringify(snapshotJson(last, corrections)) : summary(last, corrections)) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`spectrum: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
