/**
 * One batch of the full residual block on the GPU (docs/THEORY.md 5.10): the shared core of every layer
 * program (signals, frame, QR, log sums, forward block: batch.ts) plus W_l (m x N) and V_l (N x m), the
 * inner layer's [D | phi(h) | phi(h2)] and Y = D W Q (m x k). One layer is
 *   weights (W, V) -> inner (h, D, phi for both inputs) -> outer (x' = x + c (V phi + a)) -> finish
 *   -> Y = D (W Q) -> Z = Q + c V Y -> the QR.
 */
import { GpuBatch, type BatchShape } from './batch';
import type { KernelGroup } from './profiler';
import { matmulWorkgroups, type GpuPlan } from './limits';
import type { BlockPrograms } from './programs';

type PassFor = (group: KernelGroup) => GPUComputePassEncoder;

export class BlockBatch {
  readonly core: GpuBatch;
  private readonly groups: Record<'weights' | 'inner' | 'outer' | 'finish' | 'jacobianInner' | 'jacobianOuter', GPUBindGroup>;

  constructor(
    device: GPUDevice,
    private readonly programs: BlockPrograms,
    private readonly plan: GpuPlan,
    shape: BatchShape & { inner: number },
    track: (b: GPUBuffer) => void,
  ) {
    const { n, k, count, inner: m } = shape;
    this.core = new GpuBatch(device, programs, plan, shape, track);
    const S = GPUBufferUsage.STORAGE;
    const buffer = (floats: number, label: string) => {
      const b = device.createBuffer({ size: Math.max(16, 4 * floats), usage: S, label });
      track(b);
      return b;
    };
    const w = buffer(count * m * n, 'block W');
    const v = buffer(count * n * m, 'block V');
    const h = buffer(count * 3 * m, 'block D, phi(h), phi(h2)');
    const y = buffer(count * m * k, 'block D W Q');
    const c = this.core.buffers;
    const g = (program: keyof BlockPrograms & keyof BlockBatch['groups'], storage: GPUBuffer[]) => this.core.group(this.programs[program], storage);
    this.groups = {
      weights: g('weights', [w, v]),
      inner: g('inner', [w, c.x, c.x2, h, c.stats]),
      outer: g('outer', [v, h, c.x, c.x2, c.xn, c.xn2, c.stats]),
      // forward.wgsl's finish reads W only to count empty columns (scan_columns), which the block never asks for.
      finish: g('finish', [w, c.x, c.xn, h, c.stats, c.x2, c.xn2, c.forward]),
      jacobianInner: g('jacobianInner', [w, c.q, h, y]),
      jacobianOuter: g('jacobianOuter', [v, y, c.q, c.z]),
    };
    this.shape = shape;
  }

  readonly shape: BatchShape & { inner: number };

  get buffers(): GpuBatch['buffers'] {
    return this.core.buffers;
  }

  encodeInitialFrame(pass: GPUComputePassEncoder, offset: number): void {
    this.core.initialFrame(pass, offset);
  }

  encodeLayer(pass: PassFor, offset: number): void {
    const { n, k, count, inner: m } = this.shape;
    const { workgroupSize: wg, forwardRowGroup: gr } = this.plan;
    const run = (p: GPUComputePassEncoder, name: keyof BlockBatch['groups'], x: number, y: number, z?: number) => {
      p.setPipeline(this.programs[name].pipeline);
      p.setBindGroup(0, this.groups[name], [offset]);
      if (z === undefined) p.dispatchWorkgroups(x, y);
      else p.dispatchWorkgroups(x, y, z);
    };
    run(pass('weights'), 'weights', Math.ceil((m * n) / 4 / wg), count);
    const forward = pass('forward');
    run(forward, 'inner', Math.ceil(m / (wg / gr)), count);
    run(forward, 'outer', Math.ceil(n / (wg / gr)), count);
    run(forward, 'finish', count, 1);
    const jacobian = pass('jacobian');
    run(jacobian, 'jacobianInner', ...matmulWorkgroups(this.plan.matmul, m, k), count);
    run(jacobian, 'jacobianOuter', ...matmulWorkgroups(this.plan.matmul, n, k), count);
    this.core.qr(pass('qr'), offset);
  }
}
