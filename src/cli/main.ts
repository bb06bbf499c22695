/**
 * Headless entry: `npm run spectrum -- --query '...' --json`. Runs the same engines as the browser
 * and prints the reference-protocol JSON (THEORY.md section 7) or a short human summary.
 */
import { parseEntries } from '../params/url';
import type { Correction } from '../params/types';
import type { Engine, Snapshot } from '../engine/types';
import { GpuEngine, gpuUnsupported } from '../engine/gpu/gpu-engine';
import type { Params } from '../params/types';
import { nodeDevice } from '../engine/gpu/node-gpu';
import { CpuEngine } from '../engine/cpu/cpu-engine';
import { defaultNodeWorkers } from '../engine/cpu/node-pool';
import { snapshotJson } from '../engine/snapshot-json';
import { CliError, helpText, parseArgs, type CliOptions } from './args';

/**
 * cpu: the float64 engine. gpu: the WebGPU engine or exit 2 with the reason. auto: the GPU when one is
 * available and the run needs no singular values (the GPU engine does not compute them yet), else the
 * CPU, saying why.
 */
async function chooseEngine(options: CliOptions, params: Params): Promise<{ engine: Engine; device?: GPUDevice; notice?: string }> {
  const fullFrame = params.k === params.width;
  const cpu = () => {
    const pool = defaultNodeWorkers(options.workers);
    return new CpuEngine({ workers: pool.factory, concurrency: pool.concurrency, label: pool.label });
  };
  if (options.backend === 'cpu') return { engine: cpu() };
  const wantsSingularValues = fullFrame && options.singularValues;
  if (options.backend === 'auto' && wantsSingularValues) {
    return { engine: cpu(), notice: 'backend auto chose the CPU: the GPU engine does not compute singular values yet (pass --no-singular-values to use it)' };
  }
  const unsupported = gpuUnsupported(params);
  if (unsupported) {
    if (options.backend === 'gpu') fail(`${unsupported}; use --backend cpu`);
    return { engine: cpu(), notice: `backend auto chose the CPU: ${unsupported}` };
  }
  try {
    const { device, description } = await nodeDevice();
    const notice = wantsSingularValues ? 'The GPU engine does not compute singular values yet; use --backend cpu for them.' : undefined;
    return { engine: new GpuEngine(device, description), device, notice };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (options.backend === 'gpu') fail(`no WebGPU device: ${reason}`);
    return { engine: cpu(), notice: `backend auto fell back to the CPU: ${reason}` };
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
    `${p.arch === 'ff' ? 'feedforward' : 'residual'} ${p.act}, N=${p.width}, L=${p.depth}, sw2=${p.sw2}, sb2=${p.sb2}, ${p.weights} weights, ${snap.samples} samples, seed ${p.seed}`,
    `backend: ${snap.backend}; ${(snap.elapsedMs / 1000).toFixed(2)} s, ${Math.round(snap.throughput)} layer-samples/s`,
    `protocol: ${snap.protocol}`,
  ];
  for (const c of corrections) lines.push(`corrected: ${c.reason}`);
  for (const w of snap.warnings) lines.push(`warning: ${w}`);
  const show = k <= 8 ? [...Array(k).keys()] : [0, 1, 2, Math.floor(k / 2) - 1, k - 3, k - 2, k - 1];
  lines.push('Lyapunov exponents per layer (mean ± SE, finite samples):');
  for (const i of show) lines.push(`  lambda_${String(i + 1).padEnd(4)} ${fmt(mean[i]!)} ± ${sem[i] === null ? 'n/a' : sem[i]!.toFixed(5)}  (${count[i]})`);
  const ranks = Object.entries(snap.rankHistogram).map(([r, n]) => `${r}:${n}`).join(' ');
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
  const engine = await chooseEngine(options, params);
  let last: Snapshot | undefined;
  try {
    for await (const snap of engine.engine.run(params, {
      perSample: options.perSample,
      singularValues: options.singularValues,
      snapshotIntervalMs: 1000,
    })) last = snap;
  } finally {
    engine.engine.dispose();
    engine.device?.destroy();
  }
  if (!last) fail('the engine produced no result');
  if (engine.notice) last.warnings.unshift(engine.notice);
  process.stdout.write((options.json ? JSON.stringify(snapshotJson(last, corrections)) : summary(last, corrections)) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`spectrum: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
