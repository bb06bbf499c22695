/**
 * The benchmark's yardstick: a conventionally tuned fp32 batched matmul (shaders/reference-matmul.wgsl)
 * on the same adapter, at the same N, k and batch as the engine's jacobian kernel, with the same
 * layouts (A row-major like W, B and C column-major like Q and Z). It is not part of the engine; the
 * bench reports the jacobian's GFLOP/s as a fraction of this kernel's.
 */
import referenceWgsl from '../../shaders/reference-matmul.wgsl?raw';

/** One shape of the kernel: micro-tile TM x TN per invocation, WX x WY invocations, BK-deep slices. */
export interface ReferenceMatmulConfig {
  tm: number;
  tn: number;
  wx: number;
  wy: number;
  bk: number;
}

/**
 * The shapes the bench tries, best kept (a small autotune, since the best shape depends on the GPU):
 * 64 x 64 blocks with 4 x 4 or 8 x 8 micro-tiles, 128 x 128 blocks for large N, 32 x 32 for small N.
 * All fit WebGPU's default limits (256 invocations, 16 KiB of workgroup memory).
 */
export const REFERENCE_VARIANTS: readonly ReferenceMatmulConfig[] = [
  { tm: 4, tn: 4, wx: 16, wy: 16, bk: 16 },
  { tm: 8, tn: 8, wx: 8, wy: 8, bk: 16 },
  { tm: 8, tn: 8, wx: 16, wy: 16, bk: 8 },
  { tm: 4, tn: 4, wx: 8, wy: 8, bk: 16 },
];

export function describeReferenceConfig(c: ReferenceMatmulConfig): string {
  return `${c.tm}x${c.tn} per invocation, ${c.wx}x${c.wy} invocations, ${c.wx * c.tm}x${c.wy * c.tn} block, BK ${c.bk}`;
}

/** Bytes of workgroup memory: the two staged slices, each row padded by one vec4 (see the shader). */
export function referenceWorkgroupBytes(c: ReferenceMatmulConfig): number {
  return 16 * c.bk * ((c.wx * c.tm) / 4 + 1 + (c.wy * c.tn) / 4 + 1);
}

/** Why this shape cannot run on a device with these limits, or null when it can. */
export function referenceUnfit(c: ReferenceMatmulConfig, limits: GPUSupportedLimits): string | null {
  if (c.tm % 4 !== 0 || c.tn % 4 !== 0) return 'micro-tile sides must be multiples of 4';
  const threads = c.wx * c.wy;
  if (((c.wx * c.tm * c.bk) % threads !== 0) || ((c.wy * c.tn * c.bk) % threads !== 0)) return 'slices must split evenly over the invocations';
  if (threads > limits.maxComputeInvocationsPerWorkgroup) return `${threads} invocations > maxComputeInvocationsPerWorkgroup ${limits.maxComputeInvocationsPerWorkgroup}`;
  if (c.wx > limits.maxComputeWorkgroupSizeX || c.wy > limits.maxComputeWorkgroupSizeY) return 'workgroup side above maxComputeWorkgroupSizeX/Y';
  const bytes = referenceWorkgroupBytes(c);
  if (bytes > limits.maxComputeWorkgroupStorageSize) return `${bytes} bytes > maxComputeWorkgroupStorageSize ${limits.maxComputeWorkgroupStorageSize}`;
  return null;
}

/** The shader with this shape's constants in front (its register arrays need constant lengths). */
export function referenceMatmulSource(c: ReferenceMatmulConfig): string {
  const consts = `const TM: u32 = ${c.tm}u;\nconst TN: u32 = ${c.tn}u;\nconst WX: u32 = ${c.wx}u;\nconst WY: u32 = ${c.wy}u;\nconst BK: u32 = ${c.bk}u;\n`;
  return consts + referenceWgsl;
}

/** Sizes of one batched product C[s] = A[s] B[s]: A is m x k, B is k x nc, batch samples. */
export interface MatmulDims {
  m: number;
  nc: number;
  k: number;
  batch: number;
}

/** One bound product: encode() records its dispatch; destroy() frees the uniform it owns. */
export interface BoundMatmul {
  encode(pass: GPUComputePassEncoder): void;
  destroy(): void;
}

export class ReferenceMatmul {
  readonly pipeline: GPUComputePipeline;
  private readonly layout: GPUBindGroupLayout;

  constructor(
    private readonly device: GPUDevice,
    readonly config: ReferenceMatmulConfig,
  ) {
    const why = referenceUnfit(config, device.limits);
    if (why) throw new RangeError(`reference matmul (${describeReferenceConfig(config)}) does not fit this device: ${why}`);
    const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
    this.layout = device.createBindGroupLayout({
      label: 'reference matmul',
      entries: [storage(0, 'uniform'), storage(1, 'read-only-storage'), storage(2, 'read-only-storage'), storage(3, 'storage')],
    });
    const module = device.createShaderModule({ label: 'reference matmul', code: referenceMatmulSource(config) });
    this.pipeline = device.createComputePipeline({
      label: `reference matmul ${describeReferenceConfig(config)}`,
      layout: device.createPipelineLayout({ bindGroupLayouts: [this.layout] }),
      compute: { module, entryPoint: 'main' },
    });
  }

  /** Workgroups of one dispatch: blocks of C in x (rows) and y (columns), samples in z. */
  workgroups(d: MatmulDims): [number, number, number] {
    return [Math.ceil(d.m / (this.config.wx * this.config.tm)), Math.ceil(d.nc / (this.config.wy * this.config.tn)), d.batch];
  }

  /** Binds A (batch x m x k, row-major), B and C (column-major) for products of these sizes. */
  bind(d: MatmulDims, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer): BoundMatmul {
    const [x, y, z] = this.workgroups(d);
    const maxDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (Math.max(x, y, z) > maxDim) throw new RangeError(`reference matmul: ${Math.max(x, y, z)} workgroups in one dimension > ${maxDim}`);
    const uniform = this.device.createBuffer({ label: 'reference matmul dims', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(uniform, 0, new Uint32Array([d.m, d.nc, d.k, d.batch]));
    const group = this.device.createBindGroup({
      label: 'reference matmul',
      layout: this.layout,
      entries: [uniform, a, b, c].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const pipeline = this.pipeline;
    return {
      encode(pass) {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(x, y, z);
      },
      destroy() {
        uniform.destroy();
      },
    };
  }
}
