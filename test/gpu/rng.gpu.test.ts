/** shaders/rng.wgsl against src/engine/rng.ts: raw Philox bit for bit, Gaussians to float32 rounding. */
import { afterAll, describe, expect, it } from 'vitest';
import rngWgsl from '../../shaders/rng.wgsl?raw';
import { fillGaussian, fillUint32, philox4x32_10, STREAM_TAG, type StreamTag } from '../../src/engine/rng';
import { gpuRequired, testDevice, withErrorScopes } from './dawn';

const { acquired, reason } = await testDevice();
const device = acquired?.device;

const KERNEL = /* wgsl */ `
${rngWgsl}
@group(0) @binding(0) var<storage, read> cases: array<u32>;        // 6 per case: c0 c1 c2 c3 k0 k1
@group(0) @binding(1) var<storage, read_write> raw: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> normal: array<vec4<f32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= arrayLength(&raw)) { return; }
  let b = 6u * i;
  let block = philox4x32_10(vec4<u32>(cases[b], cases[b + 1u], cases[b + 2u], cases[b + 3u]), vec2<u32>(cases[b + 4u], cases[b + 5u]));
  raw[i] = block;
  normal[i] = gaussian4(block);
}`;

async function runKernel(cases: Uint32Array): Promise<{ raw: Uint32Array; normal: Float32Array }> {
  const d = device!;
  const count = cases.length / 6;
  const input = d.createBuffer({ size: cases.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  d.queue.writeBuffer(input, 0, cases);
  const rawBuf = d.createBuffer({ size: count * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const normBuf = d.createBuffer({ size: count * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const readRaw = d.createBuffer({ size: count * 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const readNorm = d.createBuffer({ size: count * 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const pipeline = await d.createComputePipelineAsync({ layout: 'auto', compute: { module: d.createShaderModule({ code: KERNEL }), entryPoint: 'main' } });
    const bind = d.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [input, rawBuf, normBuf].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(count / 64));
    pass.end();
    enc.copyBufferToBuffer(rawBuf, 0, readRaw, 0, count * 16);
    enc.copyBufferToBuffer(normBuf, 0, readNorm, 0, count * 16);
    d.queue.submit([enc.finish()]);
    await Promise.all([readRaw.mapAsync(GPUMapMode.READ), readNorm.mapAsync(GPUMapMode.READ)]);
    return { raw: new Uint32Array(readRaw.getMappedRange().slice(0)), normal: new Float32Array(readNorm.getMappedRange().slice(0)) };
  } finally {
    for (const b of [input, rawBuf, normBuf, readRaw, readNorm]) b.destroy();
  }
}

describe.skipIf(!device && !gpuRequired)('WGSL random stream (Dawn + SwiftShader)', () => {
  afterAll(() => device?.destroy());

  it('has a WebGPU device', () => {
    expect(device, reason).toBeTruthy();
  });

  it('reproduces the Random123 known-answer vectors and the TypeScript blocks bit for bit', async () => {
    const kat = [
      [0, 0, 0, 0, 0, 0],
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0],
    ];
    // Plus stream coordinates as the engine uses them: block index, layer, tag, 0; seed, sample.
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
    const engineLike = Array.from({ length: 2045 }, (_, i) => [i % 7 === 0 ? next() : i, next() % 100001, i % 5, 0, next(), next() % 4096]);
    const all = [...kat, ...engineLike];
    const { raw } = await withErrorScopes(device!, () => runKernel(Uint32Array.from(all.flat())));
    const expected = new Uint32Array(4);
    let mismatches = 0;
    all.forEach((c, i) => {
      philox4x32_10(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, expected);
      for (let lane = 0; lane < 4; lane++) if (raw[4 * i + lane] !== expected[lane]) mismatches++;
    });
    expect(mismatches).toBe(0);
    expect(Array.from(raw.subarray(8, 12))).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });

  it('draws the same Gaussians as fillGaussian to float32 rounding', async () => {
    const address = { seed: 2024, sample: 17, layer: 3, tag: STREAM_TAG.weights as StreamTag };
    const blocks = 4096;
    const cases = new Uint32Array(blocks * 6);
    for (let b = 0; b < blocks; b++) cases.set([b, address.layer, address.tag, 0, address.seed, address.sample], 6 * b);
    const { normal } = await withErrorScopes(device!, () => runKernel(cases));
    const ref = new Float64Array(blocks * 4);
    fillGaussian(ref, 0, 0, blocks * 4, address);
    let worst = 0;
    for (let e = 0; e < ref.length; e++) worst = Math.max(worst, Math.abs(normal[e]! - ref[e]!) / (1 + Math.abs(ref[e]!)));
    // float32 has eps = 1.2e-7; log, sqrt and the products add a few roundings.
    expect(worst).toBeLessThan(1e-6);
    // The raw mask stream is the same generator.
    const mask = new Uint32Array(8);
    fillUint32(mask, 0, 8, { ...address, tag: STREAM_TAG.sparseMask });
    expect(mask.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
  });
});
