/**
 * What crosses between the CPU and the GPU for one batch: its initial state going up (x_0 and the second
 * input, built in float64 from the shared stream exactly as the CPU engine builds them, and the Haar Q_0
 * built on the GPU), and its results coming back (exponents, convergence checkpoints, overflow markers,
 * the forward block), decoded into the engines' common SampleResult.
 */
import type { RunConfig } from '../run-config';
import { fillGaussian, STREAM_TAG } from '../rng';
import { FORWARD_STRIDE, secondInputFrom, writeForwardEntry, writeForwardSums } from '../forward-stats';
import type { SampleResult } from '../types';
import { readBuffer } from './device';
import { layerValues, UNIFORM_SLOT, writeLayerUniform } from './layer-uniform';
import type { LayerBatch } from './layer-programs';

/** Per sample of a batch, the forward block's record with layer 0 (the inputs, in float64) filled in. */
export type InitialRecords = Float64Array[];

/**
 * x_0 and x2_0 of each sample (from the same stream as the CPU engine, in float64, then rounded to
 * float32) and the Haar Q_0, built on the GPU: a QR of N x k per sample, which on the CPU would cost
 * more than many layers on the GPU. Returns the forward records with layer 0 filled in.
 */
export function uploadInitialState(device: GPUDevice, config: RunConfig, batch: LayerBatch, base: number): InitialRecords {
  const { n, params } = config;
  const { count } = batch.shape;
  const x64 = new Float64Array(n);
  const g64 = new Float64Array(n);
  const x2_64 = new Float64Array(n);
  const x = new Float32Array(count * n);
  const x2 = new Float32Array(count * n);
  const records: InitialRecords = [];
  for (let s = 0; s < count; s++) {
    const address = { seed: params.seed, sample: base + s, layer: 0 };
    fillGaussian(x64, 0, 0, n, { ...address, tag: STREAM_TAG.input }, Math.sqrt(params.q0));
    fillGaussian(g64, 0, 0, n, { ...address, tag: STREAM_TAG.secondInput });
    secondInputFrom(x64, g64, params.c0, x2_64);
    x.set(x64, s * n);
    x2.set(x2_64, s * n);
    const record = config.forward.emptyRecord();
    writeForwardEntry(record, 0, x64, x2_64, n, 0);
    records.push(record);
  }
  const bufs = batch.buffers;
  device.queue.writeBuffer(bufs.x, 0, x);
  device.queue.writeBuffer(bufs.x2, 0, x2);
  const uniform = new ArrayBuffer(UNIFORM_SLOT);
  writeLayerUniform(uniform, 0, layerValues(config, base, count, 0));
  device.queue.writeBuffer(bufs.uniform, 0, uniform);
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  batch.encodeInitialFrame(pass, 0);
  pass.end();
  device.queue.submit([enc.finish()]);
  return records;
}

/** Reads a finished batch back and decodes it into one SampleResult per sample. */
export async function readBatchResults(
  device: GPUDevice,
  config: RunConfig,
  bufs: LayerBatch['buffers'],
  base: number,
  count: number,
  records: InitialRecords,
): Promise<SampleResult[]> {
  const { k, n, params } = config;
  const [sums, dead, stats, history, historyDead, forward] = await Promise.all([
    readBuffer(device, bufs.sums, Float32Array),
    readBuffer(device, bufs.dead, Uint32Array),
    readBuffer(device, bufs.stats, Uint32Array),
    readBuffer(device, bufs.history, Float32Array),
    readBuffer(device, bufs.historyDead, Uint32Array),
    readBuffer(device, bufs.forward, Float32Array),
  ]);
  const m = params.depth - params.transient;
  const slots = config.forward.layers.length;
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
      for (let j = 0; j < k; j++) {
        if (at(j) === -Infinity) continue;
        sum += at(j);
        finite++;
      }
      convergence[3 * c] = at(0);
      convergence[3 * c + 1] = at(k - 1);
      convergence[3 * c + 2] = finite > 0 ? sum / finite : -Infinity;
    }
    const record = records[s]!;
    for (let slot = 1; slot < slots; slot++) {
      const o = FORWARD_STRIDE * (slot * count + s);
      writeForwardSums(record, slot, { xx: forward[o]!, yy: forward[o + 1]!, xy: forward[o + 2]!, dd: forward[o + 3]! }, n, forward[o + 4]!);
    }
    const overflow = stats[4 * s + 1]!;
    out.push({ sample: base + s, exponents, logSingularValues: null, rank, convergence, overflowLayer: overflow === 0 ? null : overflow, forward: record });
  }
  return out;
}
