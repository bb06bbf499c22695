/**
 * The bench's reference matmul (shaders/reference-matmul.wgsl): every shape the bench tries computes
 * C = A B per sample in the jacobian's layouts (A row-major, B and C column-major), against a float64
 * product on the CPU, at N = 64 (whole blocks) and at sizes that are not multiples of any block or
 * slice (partial blocks, partial last slice). Dawn + SwiftShader, inside error scopes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceMatmul, type MatmulDims } from '../../src/cli/reference-matmul';
import { describeTiledShape, TILED_SHAPES } from '../../src/engine/gpu/tiled-matmul';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

/** Deterministic values in [-1, 1) (a small LCG), so a failure reproduces. */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 2 ** 31 - 1;
  }
  return out;
}

async function gpuProduct(ref: ReferenceMatmul, d: MatmulDims, a: Float32Array, b: Float32Array): Promise<Float32Array> {
  const dev = device!;
  const made: GPUBuffer[] = [];
  const buffer = (size: number, usage: number) => {
    const buf = dev.createBuffer({ size, usage });
    made.push(buf);
    return buf;
  };
  const S = GPUBufferUsage.STORAGE;
  const ga = buffer(a.byteLength, S | GPUBufferUsage.COPY_DST);
  const gb = buffer(b.byteLength, S | GPUBufferUsage.COPY_DST);
  const bytes = 4 * d.batch * d.m * d.nc;
  // Filled with NaN first: an element the kernel fails to write shows up as NaN, not as a stale 0.
  const gc = buffer(bytes, S | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  const stage = buffer(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  const bound = ref.bind(d, ga, gb, gc);
  try {
    dev.queue.writeBuffer(ga, 0, a);
    dev.queue.writeBuffer(gb, 0, b);
    dev.queue.writeBuffer(gc, 0, new Float32Array(d.batch * d.m * d.nc).fill(NaN));
    const enc = dev.createCommandEncoder();
    const pass = enc.beginComputePass();
    bound.encode(pass);
    pass.end();
    enc.copyBufferToBuffer(gc, 0, stage, 0, bytes);
    dev.queue.submit([enc.finish()]);
    await stage.mapAsync(GPUMapMode.READ);
    return new Float32Array(stage.getMappedRange().slice(0));
  } finally {
    bound.destroy();
    for (const buf of made) buf.destroy();
  }
}

/** Largest |C - A B| / sum_t |A_it B_tj| over all entries (float64 reference; 0 when exact). */
function worstRelativeError(d: MatmulDims, a: Float32Array, b: Float32Array, c: Float32Array): number {
  let worst = 0;
  for (let s = 0; s < d.batch; s++) {
    for (let j = 0; j < d.nc; j++) {
      for (let i = 0; i < d.m; i++) {
        let sum = 0;
        let scale = 0;
        for (let t = 0; t < d.k; t++) {
          const p = a[s * d.m * d.k + i * d.k + t]! * b[s * d.k * d.nc + j * d.k + t]!;
          sum += p;
          scale += Math.abs(p);
        }
        const got = c[s * d.m * d.nc + j * d.m + i]!;
        // NaN (an unwritten entry) must fail, so compare through a negated test.
        const err = Math.abs(got - sum) / Math.max(scale, 1e-30);
        if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
      }
    }
  }
  return worst;
}

const SIZES: MatmulDims[] = [
  { m: 64, nc: 64, k: 64, batch: 2 },
  // Square W with fewer columns of Q (k < N), none of them a multiple of a block or slice.
  { m: 100, nc: 37, k: 100, batch: 3 },
  { m: 48, nc: 48, k: 48, batch: 1 },
];

describe.skipIf(!device && !gpuRequired)('reference matmul (bench yardstick)', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  for (const config of TILED_SHAPES) {
    it(`matches a float64 product: ${describeTiledShape(config)}`, async () => {
      const dev = device!;
      await withErrorScopes(dev, async () => {
        const ref = new ReferenceMatmul(dev, config);
        for (const d of SIZES) {
          const a = values(d.batch * d.m * d.k, 1 + d.m);
          const b = values(d.batch * d.k * d.nc, 7 + d.nc);
          const c = await gpuProduct(ref, d, a, b);
          expect(worstRelativeError(d, a, b, c), `${d.m}x${d.k} times ${d.k}x${d.nc}, batch ${d.batch}`).toBeLessThan(1e-4);
        }
      });
    });
  }
});
