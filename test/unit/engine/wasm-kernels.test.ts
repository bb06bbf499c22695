/** The WebAssembly SIMD kernels against the JavaScript ones, and the committed binary against its source. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formQ, householderQR, JS_KERNELS } from '../../../src/engine/cpu/linalg';
import { kernelModule, WasmArena, wasmKernels } from '../../../src/engine/cpu/wasm/kernels';
import { fillGaussian, STREAM_TAG } from '../../../src/engine/rng';
// @ts-expect-error: plain ESM build script without type declarations
import { compileKernels, moduleSource } from '../../../scripts/build-wasm.mjs';

const module = kernelModule();

function arenaWith(...lengths: number[]) {
  const arena = new WasmArena(
    module!,
    lengths.reduce((a, b) => a + b + 2, 0),
  );
  return { arena, views: lengths.map((l) => arena.alloc(l)), kernels: wasmKernels(arena) };
}

describe('WebAssembly SIMD kernels', () => {
  it('are available in this runtime', () => {
    expect(module).not.toBeNull();
  });

  it.each([
    [4, 2],
    [8, 8],
    [16, 6],
    [64, 64],
    [36, 10],
    [12, 12],
  ])('matmulWQ matches JavaScript, N=%i, k=%i', (n, k) => {
    const { views, kernels } = arenaWith(n * n, n * k, n * k);
    const [w, q, out] = views as [Float64Array, Float64Array, Float64Array];
    fillGaussian(w, 0, 0, n * n, { seed: 1, sample: 0, layer: 1, tag: STREAM_TAG.weights });
    fillGaussian(q, 0, 0, n * k, { seed: 1, sample: 0, layer: 2, tag: STREAM_TAG.weights });
    const ref = new Float64Array(n * k);
    JS_KERNELS.matmulWQ(w, q, ref, n, k);
    kernels.matmulWQ(w, q, out, n, k);
    for (let e = 0; e < n * k; e++) expect(Math.abs(out[e]! - ref[e]!)).toBeLessThan(1e-13);
  });

  it.each([
    [5, 5],
    [9, 4],
    [16, 16],
    [33, 33],
    [64, 64],
    [7, 1],
    [2, 2],
  ])('Householder QR and explicit Q match JavaScript, N=%i, k=%i', (n, k) => {
    const { views, kernels } = arenaWith(n * k, n, n * k);
    const [z, tau, q] = views as [Float64Array, Float64Array, Float64Array];
    fillGaussian(z, 0, 0, n * k, { seed: 3, sample: 1, layer: 4, tag: STREAM_TAG.weights });
    const zr = Float64Array.from(z);
    const tr = new Float64Array(n);
    const qr = new Float64Array(n * k);
    householderQR(zr, tr, n, k);
    formQ(zr, tr, qr, n, k);
    householderQR(z, tau, n, k, kernels.reflect);
    formQ(z, tau, q, n, k, kernels.reflect);
    for (let e = 0; e < n * k; e++) {
      expect(Math.abs(z[e]! - zr[e]!)).toBeLessThan(1e-12);
      expect(Math.abs(q[e]! - qr[e]!)).toBeLessThan(1e-12);
    }
  });

  it.each([
    [16, 16],
    [33, 33],
    [64, 64],
  ])('handles exactly singular panels, N=%i, k=%i', (n, k) => {
    // Zero every third row: rank r = n - #zero rows. R's leading r x r block is unique; the last
    // columns of Q are an arbitrary orthonormal completion, so check orthonormality instead.
    const { views, kernels } = arenaWith(n * k, n, n * k);
    const [z, tau, q] = views as [Float64Array, Float64Array, Float64Array];
    fillGaussian(z, 0, 0, n * k, { seed: 3, sample: 1, layer: 4, tag: STREAM_TAG.weights });
    let zeroRows = 0;
    for (let i = 1; i < n; i += 3) {
      zeroRows++;
      for (let j = 0; j < k; j++) z[j * n + i] = 0;
    }
    const rank = n - zeroRows;
    const zr = Float64Array.from(z);
    const tr = new Float64Array(n);
    householderQR(zr, tr, n, k);
    householderQR(z, tau, n, k, kernels.reflect);
    formQ(z, tau, q, n, k, kernels.reflect);
    for (let j = 0; j < rank; j++) for (let i = 0; i <= j; i++) expect(Math.abs(z[j * n + i]! - zr[j * n + i]!)).toBeLessThan(1e-12);
    for (let j = rank; j < k; j++) expect(Math.abs(z[j * n + j]!)).toBeLessThan(1e-12);
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += q[a * n + i]! * q[b * n + i]!;
        expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(1e-13);
      }
  });

  it('committed kernels-binary.ts is the compiled kernels.wat', async () => {
    const committed = readFileSync(new URL('../../../src/engine/cpu/wasm/kernels-binary.ts', import.meta.url), 'utf8');
    expect(committed).toBe(moduleSource(await compileKernels()));
  });
});

describe('WebAssembly Gaussians', () => {
  it('agree with fillGaussian (Math.log/sin/cos) to a few ulps, over 2^20 draws and edge blocks', async () => {
    const { Workspace } = await import('../../../src/engine/cpu/network-sample');
    const { RunConfig } = await import('../../../src/engine/run-config');
    const { parseQuery } = await import('../../../src/params/url');
    const ws = new Workspace(new RunConfig(parseQuery('width=1024&samples=1').params));
    expect(ws.kernels.name).toBe('wasm-simd');
    let worst = 0;
    for (const address of [
      { seed: 0, sample: 0, layer: 0, tag: STREAM_TAG.initialFrame },
      { seed: 0xffffffff, sample: 4095, layer: 100000, tag: STREAM_TAG.weights },
      { seed: 2 ** 31 + 5, sample: 7, layer: 3, tag: STREAM_TAG.bias },
    ]) {
      for (const count of [1, 3, 4, 23, 529, 1024 * 1024]) {
        const ours = new Float64Array(count);
        const ref = new Float64Array(count);
        ws.gaussian(ours, count, address, 0.7);
        fillGaussian(ref, 0, 0, count, address, 0.7);
        for (let e = 0; e < count; e++) worst = Math.max(worst, Math.abs(ours[e]! - ref[e]!) / (1 + Math.abs(ref[e]!)));
      }
    }
    // A wrong octant, coefficient or log split shows up as 1e-3 .. 1; float64 rounding as ~1e-16.
    expect(worst).toBeLessThan(4e-15);
  });
});
