/**
 * forward.wgsl's structural rank bound (stats[4 s]) against a count made here from the same layer's
 * W, read back from the GPU (Dawn + SwiftShader). In the engine tests the sparse threshold of
 * qr-finish.wgsl (|R_jj| <= 1e-5 max|R_ii|) also catches the directions that empty columns of W
 * remove, so a bound that ignored them passed every one of them; this test checks the bound alone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GpuBatch } from '../../src/engine/gpu/batch';
import { readBuffer } from '../../src/engine/gpu/device';
import { effectiveLimits, planGpuRun } from '../../src/engine/gpu/limits';
import { createPrograms } from '../../src/engine/gpu/programs';
import { layerValues, UNIFORM_SLOT, writeLayerUniform } from '../../src/engine/gpu/layer-uniform';
import { RunConfig } from '../../src/engine/run-config';
import { parseQuery } from '../../src/params/url';
import { gpuRequired, submitPass, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

interface Layer {
  /** Rows of W with a nonzero entry (D = 1: linear), columns likewise, and the GPU's bound. */
  rows: number;
  cols: number;
  bound: number;
}

/** Layers 1..L of S samples of a linear net (D = 1), each drawn and run through forward.wgsl. */
async function layers(n: number, p: number, feedforward: boolean, L: number, S: number): Promise<Layer[]> {
  const d = device!;
  const plan = planGpuRun(effectiveLimits(d), { n, k: n, samples: S, orthogonalize: false, checkpoints: 1, batchBytes: 1 << 26, emulated: true });
  const programs = createPrograms(d, plan);
  // Linear sparse weights (sw2 = 1); residual: x <- x + 0.5 W x.
  const arch = feedforward ? 'arch=ff' : 'arch=res&alpha=0.5&ascale=const';
  const config = new RunConfig(parseQuery(`act=linear&weights=sparse&p=${p}&sw2=1&sb2=0&width=${n}&samples=${S}&seed=5&depth=${L}&${arch}`).params);
  const owned: GPUBuffer[] = [];
  const out: Layer[] = [];
  try {
    const batch = new GpuBatch(d, programs, plan, { n, k: n, count: S, orthogonalize: false, checkpoints: 1 }, (b) => owned.push(b));
    d.queue.writeBuffer(
      batch.buffers.x,
      0,
      new Float32Array(S * n).map((_, i) => Math.sin(1 + i)),
    );
    for (let l = 1; l <= L; l++) {
      const uniform = new ArrayBuffer(UNIFORM_SLOT);
      writeLayerUniform(uniform, 0, layerValues(config, 0, S, l));
      d.queue.writeBuffer(batch.buffers.uniform, 0, uniform);
      submitPass(d, (pass) => {
        batch.weights(pass, 0);
        batch.forward(pass, 0);
      });
      const w = await readBuffer(d, batch.buffers.w, Float32Array);
      const stats = await readBuffer(d, batch.buffers.stats, Uint32Array);
      for (let s = 0; s < S; s++) {
        let rows = 0;
        let cols = 0;
        for (let i = 0; i < n; i++) {
          let nonzero = false;
          for (let j = 0; j < n; j++) nonzero ||= w[(s * n + i) * n + j] !== 0;
          if (nonzero) rows++;
        }
        for (let j = 0; j < n; j++) {
          let nonzero = false;
          for (let i = 0; i < n; i++) nonzero ||= w[(s * n + i) * n + j] !== 0;
          if (nonzero) cols++;
        }
        out.push({ rows, cols, bound: stats[4 * s]! });
      }
    }
    return out;
  } finally {
    for (const b of owned) b.destroy();
  }
}

describe.skipIf(!device && !gpuRequired)('forward.wgsl: the structural rank bound of D W', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  // N odd and not a multiple of 4: the column scan's last rows are taken one at a time.
  it.each([15, 16])('feedforward, sparse p = 0.2, N = %i: min(nonzero rows, nonzero columns)', async (n) => {
    const seen = await withErrorScopes(device!, () => layers(n, 0.2, true, 12, 4));
    for (const { rows, cols, bound } of seen) expect(bound).toBe(Math.min(rows, cols));
    // The columns must decide some layers, or the test would not see them.
    expect(seen.filter((l) => l.cols < l.rows).length).toBeGreaterThan(2);
  });

  it('residual: the columns are not scanned (the bound is used by feedforward layers only)', async () => {
    const seen = await withErrorScopes(device!, () => layers(15, 0.2, false, 8, 4));
    for (const { rows, bound } of seen) expect(bound).toBe(rows);
  });
});
