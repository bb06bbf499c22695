/**
 * The WebGPU engine (float32) against the float64 CPU engine on the same seed, sample by sample
 * (Dawn + SwiftShader), and against exact theory. Every run sits inside validation and out-of-memory
 * error scopes, and the engine destroys its buffers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/engine/cpu/cpu-engine';
import { inProcessWorkers } from '../../src/engine/cpu/in-process';
import { GpuEngine, type GpuEngineOptions } from '../../src/engine/gpu/gpu-engine';
import { both as bothOn, expectAgreement, last, svTolerance } from './agreement';
import { parseQuery } from '../../src/params/url';
import { newmanSpectrum } from '../../src/theory/gaussian-product';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;
const both = (query: string, options: GpuEngineOptions = {}) => bothOn(device!, query, options);

const CASES = [
  'act=linear&width=16&depth=60',
  'act=tanh&width=16&depth=60&sw2=2&sb2=0.05',
  'act=relu&width=16&depth=60&sw2=2',
  'act=hardtanh&width=12&depth=50&sw2=2',
  'act=erf&width=12&depth=50&sw2=1.5&sb2=0.1',
  'act=sigmoid&width=12&depth=50&sw2=3',
  'act=gelu&width=12&depth=50&sw2=2&sb2=0.05',
  'act=silu&width=12&depth=50&sw2=2',
  'act=selu&width=12&depth=50&sw2=1',
  'act=tanh&width=16&k=5&depth=60&sw2=1.5',
  // Several QR panels (32 + 32 + 8; 32 + 5 with k < N): the blocked trailing update and Q formation.
  'act=tanh&width=72&depth=30&sw2=1.5',
  'act=relu&width=70&k=37&depth=30&sw2=2',
  'act=tanh&width=13&depth=40&sw2=1.2&transient=10',
  'act=tanh&arch=res&alpha=1&ascale=sqrtL&width=16&depth=60&sw2=1',
  'act=relu&arch=res&alpha=0.5&ascale=const&width=12&depth=40&sw2=2',
  'act=linear&weights=sparse&p=0.3&width=16&depth=40',
  'act=relu&weights=sparse&p=0.5&width=16&depth=40&sw2=2',
  // Sparse with N odd and k < N (empty rows and columns of W; the bound they give is checked on its
  // own in forward.gpu.test.ts, since qr-finish's sparse threshold catches those directions too).
  'act=linear&weights=sparse&p=0.2&width=15&depth=30&k=9',
  // Orthogonal weights: W = sqrt(sw2) O, O Haar from the QR of the weights stream's Gaussian.
  'act=tanh&weights=orth&width=16&depth=60&sw2=2&sb2=0.05',
  'act=linear&weights=orth&width=16&depth=60&sw2=1.7',
  'act=relu&weights=orth&width=16&depth=60&sw2=2',
  'act=tanh&weights=orth&width=16&k=5&depth=40&sw2=1.5',
  'act=tanh&arch=res&alpha=1&ascale=sqrtL&weights=orth&width=16&depth=60&sw2=1',
  'act=relu&arch=res&alpha=0.5&ascale=const&weights=orth&width=12&depth=40&sw2=2',
  // The power-law schedule c_l = alpha l^-beta (per-layer c in the Layer uniform), and the full residual
  // block (block-batch.ts): a bottleneck m < N, m > N, output bias, k < N, sparse W and V.
  'act=tanh&arch=res&ascale=power&alpha=1&beta=0.7&width=16&depth=60&sw2=1.5&c0=0.9',
  'act=relu&arch=res&ascale=power&alpha=0.8&beta=1.5&width=12&depth=40&sw2=2',
  'act=tanh&arch=full&inner=6&sv2=1.5&sa2=0.1&alpha=1&ascale=sqrtL&width=16&depth=40&sw2=1.5&sb2=0.05',
  'act=relu&arch=full&inner=21&ascale=power&beta=1.2&width=14&k=9&depth=30&sw2=2',
  'act=gelu&arch=full&inner=9&weights=sparse&p=0.5&alpha=0.5&ascale=const&width=12&depth=30&sw2=2',
];

const GPU_TUNED_CASES = [
  'act=tanh&width=16&depth=40&sw2=2&sb2=0.05',
  'act=relu&width=16&depth=40&sw2=2',
  'act=tanh&width=72&depth=20&sw2=1.5',
  'act=relu&width=70&k=37&depth=20&sw2=2',
  'act=tanh&arch=res&alpha=1&ascale=sqrtL&width=40&depth=30&sw2=1',
  'act=relu&weights=orth&width=33&k=9&depth=30&sw2=2',
  // A larger net: 5 x 5 tiled blocks per product, 3 QR panels (64 + 64 + 1) of 4 row groups (RPI = 36);
  // k < N, so no singular values (the Jacobi of an ungraded T takes SwiftShader long).
  'act=tanh&width=130&k=129&depth=6&sw2=1.5',
  // The full block's two tiled products (m x N then N x m), partial blocks on both sides.
  'act=tanh&arch=full&inner=37&sv2=1.2&sa2=0.05&width=40&depth=20&sw2=1.5',
  'act=relu&arch=full&inner=70&ascale=power&beta=1.5&width=33&k=9&depth=20&sw2=2',
  // The smallest sizes: one column, one 2 x 2 orthogonal weight.
  'act=tanh&width=3&k=1&depth=30',
  'act=tanh&weights=orth&width=2&k=1&depth=20',
];

describe.skipIf(!device && !gpuRequired)('WebGPU engine vs CPU engine (same seed, per sample)', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  it.each(CASES)('%s', async (q) => {
    const { cpu, gpu } = await both(`${q}&samples=3&seed=7`);
    expectAgreement(q, cpu, gpu);
  });

  // The kernels a real GPU gets (tiled jacobian matmul, 64-column QR panels, split QR updates, wide
  // T-product workgroups), run here on SwiftShader: partial blocks (N, k not multiples of 32), several QR panels,
  // k < N, residual nets, exact zeros of ReLU, and the singular values where k = N.
  it.each(GPU_TUNED_CASES)('planned as for a real GPU: %s', async (q) => {
    const { cpu, gpu, plan } = await both(`${q}&samples=3&seed=7`, { tuning: 'gpu' });
    expect(plan.matmul.kind).toBe('tiled');
    expect(plan.qr.workgroupSize).toBe(256);
    const k = gpu.exponents.mean.length;
    expect(plan.qr.panelWidth).toBe(Math.min(64, Math.max(4, 2 ** Math.ceil(Math.log2(k)))));
    expectAgreement(q, cpu, gpu);
  });

  it('without a float64 engine, samples whose float32 T is not covered have no singular values, and say so', async () => {
    const q = 'act=linear&weights=sparse&p=0.1&width=16&depth=30&samples=6&seed=7';
    const { gpu } = await both(q, { float64Recompute: undefined });
    const note = gpu.warnings.find((w) => /are missing/.test(w));
    expect(note, gpu.warnings.join(' | ')).toBeDefined();
    const missing = Number(/of (\d+) of 6 samples/.exec(note!)![1]);
    expect(missing).toBeGreaterThan(0);
    expect(gpu.perSample!.filter((r) => r.logSingularValues === null).length).toBe(missing);
    expect(gpu.warnings.some((w) => /recomputed in float64/.test(w))).toBe(false);
  });

  it('sparse samples whose float32 T is not covered get float64 singular values from the CPU, and say so', async () => {
    // p = 0.1: zero rows of R_l in mid-spectrum (empty columns of W), the case tproduct.wgsl flags.
    const q = 'act=linear&weights=sparse&p=0.1&width=16&depth=30&samples=6&seed=7';
    const { cpu, gpu } = await both(q);
    const note = gpu.warnings.find((w) => /recomputed in float64 on the CPU/.test(w));
    expect(note, gpu.warnings.join(' | ')).toBeDefined();
    const recomputed = Number(/of (\d+) of 6 samples/.exec(note!)![1]);
    expect(recomputed).toBeGreaterThan(0);
    expect(recomputed).toBeLessThan(6);
    expect(gpu.warnings.some((w) => /float32 caveat: sparse feedforward/.test(w))).toBe(true);
    // Samples whose -Infinity counts agree (the GPU may miss zeros here: gpuPrefersCpu) have the same
    // singular values; at least one of them was recomputed and is the CPU's to rounding.
    let exact = 0;
    cpu.perSample!.forEach((a, s) => {
      const b = gpu.perSample![s]!;
      if (b.rank !== a.rank) return;
      let maxErr = 0;
      a.logSingularValues!.forEach((v, i) => {
        const w = b.logSingularValues![i]!;
        if (v === null) expect(w, `sample ${s}, sigma ${i + 1}`).toBeNull();
        else {
          maxErr = Math.max(maxErr, Math.abs(w! - v));
          expect(Math.abs(w! - v), `sample ${s}, log sigma ${i + 1}`).toBeLessThan(svTolerance(v));
        }
      });
      if (maxErr < 1e-12) exact++;
    });
    expect(exact).toBeGreaterThan(0);
  });

  it('checkpoints copied inside multi-layer command buffers equal those of one-layer chunks, and match the CPU', async () => {
    const { params } = parseQuery('act=tanh&width=12&depth=450&samples=2&sw2=1.6&seed=4&transient=20');
    const runWith = async (chunkFlops?: number) => {
      const engine = new GpuEngine(device!, 'SwiftShader', chunkFlops === undefined ? {} : { chunkFlops });
      const snap = await withErrorScopes(device!, () => last(engine.run(params, { singularValues: false })));
      engine.dispose();
      return snap;
    };
    const [big, single] = [await runWith(), await runWith(0)];
    expect(big.convergence).toEqual(single.convergence);
    const cpu = await last(new CpuEngine({ workers: inProcessWorkers, concurrency: 1 }).run(params, { singularValues: false }));
    // depth 450 after a 20-layer burn-in: a checkpoint every 3 layers, 144 in all.
    expect(big.convergence.layer.length).toBe(cpu.convergence.layer.length);
    expect(big.convergence.layer).toEqual(cpu.convergence.layer);
    big.convergence.top.forEach((v, i) => expect(Math.abs(v! - cpu.convergence.top[i]!), `checkpoint ${i}`).toBeLessThan(2e-3));
  });

  it('orthogonal linear feedforward: every exponent is exactly log sqrt(sw2), on both engines', async () => {
    // W Q = sqrt(sw2) O Q has orthonormal columns times sqrt(sw2), so R_l = sqrt(sw2) I at every layer.
    const sw2 = 1.7;
    const { cpu, gpu } = await both(`act=linear&weights=orth&width=16&depth=50&sw2=${sw2}&samples=2&seed=5`);
    const exact = 0.5 * Math.log(sw2);
    for (const snap of [cpu, gpu]) {
      for (const s of snap.perSample!) {
        expect(s.rank).toBe(16);
        // float64: rounding only; float32: the Kahan-summed log of R_jj = sqrt(sw2)(1 + O(N eps)).
        const tol = snap === cpu ? 1e-12 : 2e-6;
        s.exponents.forEach((v, i) => expect(Math.abs(v! - exact), `${snap.backend} sample ${s.sample} index ${i + 1}`).toBeLessThan(tol));
      }
    }
  });

  it('marks the first layer whose float32 activations overflow, per sample, and leaves those samples out', async () => {
    // Linear, sw2 = 10: |x_l| grows like 10^(l/2), past float32's 3.4e38 near layer 76 (float64 lasts
    // to ~616, so the CPU engine does not overflow here). The bias is 0, so no other term can.
    const { params } = parseQuery('act=linear&width=16&depth=120&sw2=10&samples=3&seed=2');
    const engine = new GpuEngine(device!, 'SwiftShader');
    const snap = await withErrorScopes(device!, () => last(engine.run(params, { perSample: true, singularValues: false })));
    engine.dispose();
    for (const s of snap.perSample!) {
      expect(s.overflowLayer, `sample ${s.sample}`).not.toBeNull();
      expect(s.overflowLayer!).toBeGreaterThan(60);
      expect(s.overflowLayer!).toBeLessThan(95);
    }
    expect(
      snap.warnings.some((w) => /Activations overflowed .* in 3 of 3 finished samples/.test(w)),
      snap.warnings.join(' | '),
    ).toBe(true);
    // 60 layers stay finite.
    const short = new GpuEngine(device!, 'SwiftShader');
    const ok = await withErrorScopes(device!, () => last(short.run({ ...params, depth: 60 }, { perSample: true, singularValues: false })));
    short.dispose();
    for (const s of ok.perSample!) expect(s.overflowLayer).toBeNull();
  });

  it('reproduces the exact Gaussian-product spectrum within 4 standard errors', async () => {
    const { params } = parseQuery('act=linear&width=16&depth=120&samples=24&sw2=1.3&seed=3');
    const engine = new GpuEngine(device!, 'SwiftShader');
    const snap = await withErrorScopes(device!, () => last(engine.run(params)));
    engine.dispose();
    const exact = newmanSpectrum(16, 1.3);
    for (let i = 0; i < 16; i++) {
      expect(Math.abs(snap.exponents.mean[i]! - exact[i]!)).toBeLessThan(4 * snap.exponents.sem[i]!);
    }
  });
});
