/**
 * One small program object per WGSL kernel: its source (shared headers + the kernel file), its bind
 * group layout and pipeline. Every kernel takes the per-layer uniform at binding 0 with a dynamic
 * offset, so a chunk of layers is one command buffer with one uniform buffer of 256-byte slots.
 */
import commonWgsl from '../../../shaders/common.wgsl?raw';
import rngWgsl from '../../../shaders/rng.wgsl?raw';
import weightsWgsl from '../../../shaders/weights.wgsl?raw';
import forwardWgsl from '../../../shaders/forward.wgsl?raw';
import jacobianWgsl from '../../../shaders/jacobian.wgsl?raw';
import qrWgsl from '../../../shaders/qr.wgsl?raw';

export const UNIFORM_SLOT = 256;

type Access = 'read' | 'rw';

export interface Program {
  readonly name: string;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

function makeProgram(device: GPUDevice, name: string, source: string, storage: Access[]): Program {
  const layout = device.createBindGroupLayout({
    label: name,
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 64 } },
      ...storage.map((access, i) => ({
        binding: i + 1,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: access === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
      })),
    ],
  });
  const module = device.createShaderModule({ label: name, code: `${commonWgsl}\n${rngWgsl}\n${source}` });
  const pipeline = device.createComputePipeline({
    label: name,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main' },
  });
  return { name, pipeline, layout };
}

export interface Programs {
  weights: Program;
  forward: Program;
  jacobian: Program;
  qr: Program;
}

export function createPrograms(device: GPUDevice): Programs {
  return {
    weights: makeProgram(device, 'weights', weightsWgsl, ['rw']),
    forward: makeProgram(device, 'forward', forwardWgsl, ['read', 'rw', 'rw', 'rw', 'rw']),
    jacobian: makeProgram(device, 'jacobian', jacobianWgsl, ['read', 'read', 'read', 'rw']),
    qr: makeProgram(device, 'qr', qrWgsl, ['rw', 'rw', 'rw', 'rw', 'rw', 'read']),
  };
}

const ACT_IDS = { linear: 0, tanh: 1, relu: 2, hardtanh: 3, erf: 4, sigmoid: 5, gelu: 6, silu: 7, selu: 8 } as const;

export interface LayerUniform {
  n: number;
  k: number;
  samples: number;
  layer: number;
  seed: number;
  sampleBase: number;
  act: keyof typeof ACT_IDS;
  sparse: boolean;
  a: number;
  c: number;
  wScale: number;
  bScale: number;
  keepThreshold: number;
  keepAll: boolean;
  measured: boolean;
  feedforward: boolean;
}

/** Writes the Layer struct of shaders/common.wgsl into slot `slot` of `target`. */
export function writeLayerUniform(target: ArrayBuffer, slot: number, u: LayerUniform): void {
  const ints = new Uint32Array(target, slot * UNIFORM_SLOT, 16);
  const floats = new Float32Array(target, slot * UNIFORM_SLOT, 16);
  ints[0] = u.n;
  ints[1] = u.k;
  ints[2] = u.samples;
  ints[3] = u.layer;
  ints[4] = u.seed;
  ints[5] = u.sampleBase;
  ints[6] = ACT_IDS[u.act];
  ints[7] = u.sparse ? 1 : 0;
  floats[8] = u.a;
  floats[9] = u.c;
  floats[10] = u.wScale;
  floats[11] = u.bScale;
  ints[12] = Math.min(u.keepThreshold, 0xffffffff);
  ints[13] = u.keepAll ? 1 : 0;
  ints[14] = u.measured ? 1 : 0;
  ints[15] = u.feedforward ? 1 : 0;
}
