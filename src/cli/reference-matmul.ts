/**
 * The benchmark's yardstick: a conventionally tuned fp32 batched matmul (shaders/reference-matmul.wgsl)
 * on the same adapter, at the same N, k and batch as the engine's jacobian kernel, with the same
 * layouts (A row-major like W, B and C column-major like Q and Z). It is not part of the engine; the
 * bench reports the jacobian's GFLOP/s as a fraction of this kernel's.
 */
import referenceWgsl from '../../shaders/reference-matmul.wgsl?raw';
import { describeTiledShape, tiledMatmulSource, tiledShapeUnfit, type TiledMatmulShape } from '../engine/gpu/tiled-matmul';

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
    readonly config: TiledMatmulShape,
  ) {
    const why = tiledShapeUnfit(config, device.limits);
    if (why) throw new RangeError(`reference matmul (${describeTiledShape(config)}) does not fit this device: ${why}`);
    const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type },
    });
    this.layout = device.createBindGroupLayout({
      label: 'reference matmul',
      entries: [storage(0, 'uniform'), storage(1, 'read-only-storage'), storage(2, 'read-only-storage'), storage(3, 'storage')],
    });
    const module = device.createShaderModule({ label: 'reference matmul', code: tiledMatmulSource(config, referenceWgsl) });
    this.pipeline = device.createComputePipeline({
      label: `reference matmul ${describeTiledShape(config)}`,
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
