/**
 * One batch of samples on the GPU: its buffers, their bind groups, and the encoding of each kernel
 * group of a layer. The engine (gpu-engine.ts) encodes whole chunks of layers from these; the bench
 * (src/cli/bench-gpu.ts) times the same groups alone on the same buffers, so both measure and run one
 * layout.
 *
 * Per sample: W (N x N, row-major), x, x', D (N), Z and Q (N x k, column-major), the log sums, their
 * Kahan compensations and the singular flags (k), the rank bound and overflow marker (4 words), the
 * QR panels' T factors, and the checkpoint copies of sums and flags. One uniform buffer holds up to
 * 256 Layer slots (one per layer of a chunk), another the QR's Panel slots.
 */
import { panelUniforms, UNIFORM_SLOT, type Program, type Programs } from './programs';
import { matmulWorkgroups, qrTFloats, type GpuPlan } from './limits';

export const MAX_LAYER_SLOTS = 256;

export interface BatchShape {
  n: number;
  k: number;
  /** Samples in this batch. */
  count: number;
  orth: boolean;
  checkpoints: number;
}

export interface BatchBuffers {
  w: GPUBuffer;
  /** Orthogonal weights: the Gaussian that orthogonal.wgsl factors (null otherwise). */
  g: GPUBuffer | null;
  x: GPUBuffer;
  xn: GPUBuffer;
  d: GPUBuffer;
  z: GPUBuffer;
  q: GPUBuffer;
  /** The QR panels' compact-WY factors. */
  t: GPUBuffer;
  sums: GPUBuffer;
  comps: GPUBuffer;
  dead: GPUBuffer;
  stats: GPUBuffer;
  uniform: GPUBuffer;
  panels: GPUBuffer;
  history: GPUBuffer;
  historyDead: GPUBuffer;
}

type Pass = GPUComputePassEncoder;

export class GpuBatch {
  readonly buffers: BatchBuffers;
  private readonly groups: Record<'weights' | 'forward' | 'jacobian' | 'qrPanel' | 'qrApply' | 'qrFinish' | 'frame', GPUBindGroup> & { orthogonal: GPUBindGroup | null };
  private readonly panelCount: number;
  private readonly finishSlot: number;
  private readonly haarSlot: number;

  /** `track` receives every buffer as soon as it exists (the caller destroys them, also on failure). */
  constructor(
    private readonly device: GPUDevice,
    private readonly programs: Programs,
    private readonly plan: GpuPlan,
    readonly shape: BatchShape,
    track: (b: GPUBuffer) => void,
  ) {
    const { n, k, count, checkpoints } = shape;
    const S = GPUBufferUsage.STORAGE;
    const src = GPUBufferUsage.COPY_SRC;
    const dst = GPUBufferUsage.COPY_DST;
    const buffer = (size: number, usage: number, label: string) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
      track(b);
      return b;
    };
    const panel = panelUniforms(k, plan.qr.panelWidth);
    this.panelCount = panel.panels;
    this.finishSlot = panel.finishSlot;
    this.haarSlot = panel.haarSlot;
    const b: BatchBuffers = {
      w: buffer(4 * count * n * n, S, 'W'),
      g: shape.orth ? buffer(4 * count * n * n, S, 'Gaussian for orthogonal W') : null,
      x: buffer(4 * count * n, S | dst, 'x'),
      xn: buffer(4 * count * n, S, 'x next'),
      d: buffer(4 * count * n, S, 'D'),
      z: buffer(4 * count * n * k, S | src | dst, 'Z'),
      q: buffer(4 * count * n * k, S | src | dst, 'Q'),
      t: buffer(4 * count * qrTFloats(k, plan.qr.panelWidth), S, 'QR panel T factors'),
      sums: buffer(4 * count * k, S | src, 'log sums'),
      comps: buffer(4 * count * k, S, 'Kahan compensation'),
      dead: buffer(4 * count * k, S | src, 'singular flags'),
      stats: buffer(16 * count, S | src, 'rank bound, overflow'),
      uniform: buffer(MAX_LAYER_SLOTS * UNIFORM_SLOT, GPUBufferUsage.UNIFORM | dst, 'layer uniforms'),
      panels: buffer(panel.data.byteLength, GPUBufferUsage.UNIFORM | dst, 'QR panel uniforms'),
      history: buffer(4 * count * k * checkpoints, dst | src, 'checkpoint sums'),
      historyDead: buffer(4 * count * k * checkpoints, dst | src, 'checkpoint flags'),
    };
    this.buffers = b;
    device.queue.writeBuffer(b.panels, 0, panel.data);
    const p = programs;
    this.groups = {
      weights: this.group(p.weights, [b.g ?? b.w]),
      orthogonal: p.orthogonal && b.g ? this.group(p.orthogonal, [b.g, b.w]) : null,
      forward: this.group(p.forward, [b.w, b.x, b.xn, b.d, b.stats]),
      jacobian: this.group(p.jacobian, [b.w, b.q, b.d, b.z]),
      qrPanel: this.group(p.qrPanel, [b.z, b.t], true),
      // qrFactor and qrForm are one kernel with different constants, hence one layout.
      qrApply: this.group(p.qrFactor, [b.z, b.q, b.t], true),
      qrFinish: this.group(p.qrFinish, [b.z, b.q, b.sums, b.comps, b.dead, b.stats], true),
      frame: this.group(p.frame, [b.z]),
    };
  }

  private group(program: Program, storage: GPUBuffer[], panel = false): GPUBindGroup {
    const b = this.buffers;
    const first = panel ? 2 : 1;
    return this.device.createBindGroup({
      layout: program.layout,
      entries: [
        { binding: 0, resource: { buffer: b.uniform, size: 64 } },
        ...(panel ? [{ binding: 1, resource: { buffer: b.panels, size: 16 } }] : []),
        ...storage.map((buffer, i) => ({ binding: i + first, resource: { buffer } })),
      ],
    });
  }

  /** W_l (for orthogonal weights: the Gaussian that orthogonal() factors). `offset`: the Layer slot's. */
  weights(pass: Pass, offset: number): void {
    const { n, count } = this.shape;
    pass.setPipeline(this.programs.weights.pipeline);
    pass.setBindGroup(0, this.groups.weights, [offset]);
    pass.dispatchWorkgroups(Math.ceil((n * n) / 4 / this.plan.workgroupSize), count);
  }

  /** Orthogonal weights only: W_l = sqrt(sw2) O_l from the Gaussian (a no-op otherwise). */
  orthogonal(pass: Pass, offset: number): void {
    if (!this.groups.orthogonal) return;
    pass.setPipeline(this.programs.orthogonal!.pipeline);
    pass.setBindGroup(0, this.groups.orthogonal, [offset]);
    pass.dispatchWorkgroups(this.shape.count);
  }

  get hasOrthogonal(): boolean {
    return this.groups.orthogonal !== null;
  }

  forward(pass: Pass, offset: number): void {
    pass.setPipeline(this.programs.forward.pipeline);
    pass.setBindGroup(0, this.groups.forward, [offset]);
    pass.dispatchWorkgroups(this.shape.count);
  }

  /** Z = a Q + c D (W Q). */
  jacobian(pass: Pass, offset: number): void {
    const { n, k, count } = this.shape;
    pass.setPipeline(this.programs.jacobian.pipeline);
    pass.setBindGroup(0, this.groups.jacobian, [offset]);
    pass.dispatchWorkgroups(...matmulWorkgroups(this.plan.matmul, n, k), count);
  }

  /**
   * Z = Q R by blocked Householder, in place (R above the diagonal, reflectors below), Q formed
   * explicitly, and the layer's log|R_jj| added to the sums (when the Layer slot is measured).
   * `haar`: the initial frame (Q with the Haar sign fix). 3 dispatches per panel.
   */
  qr(pass: Pass, offset: number, haar = false): void {
    const { k, count } = this.shape;
    const p = this.programs;
    const width = this.plan.qr.panelWidth;
    const slot = (i: number) => [offset, i * UNIFORM_SLOT];
    for (let i = 0; i < this.panelCount; i++) {
      pass.setPipeline(p.qrPanel.pipeline);
      pass.setBindGroup(0, this.groups.qrPanel, slot(i));
      pass.dispatchWorkgroups(count);
      const trailing = k - Math.min(k, (i + 1) * width);
      if (trailing > 0) {
        pass.setPipeline(p.qrFactor.pipeline);
        pass.setBindGroup(0, this.groups.qrApply, slot(i));
        pass.dispatchWorkgroups(Math.ceil(trailing / width), count);
      }
    }
    pass.setPipeline(p.qrFinish.pipeline);
    pass.setBindGroup(0, this.groups.qrFinish, slot(haar ? this.haarSlot : this.finishSlot));
    pass.dispatchWorkgroups(count);
    pass.setPipeline(p.qrForm.pipeline);
    for (let i = this.panelCount - 1; i >= 0; i--) {
      pass.setBindGroup(0, this.groups.qrApply, slot(i));
      pass.dispatchWorkgroups(Math.ceil((k - i * width) / width), count);
    }
  }

  /**
   * The Haar initial frame Q_0 of every sample, the CPU engine's to float32 rounding: the Gaussian of
   * stream (layer 0, initialFrame), then its QR with the sign fix. The Layer slot at `offset` must be
   * unmeasured (no log sums).
   */
  initialFrame(pass: Pass, offset: number): void {
    const { n, count } = this.shape;
    pass.setPipeline(this.programs.frame.pipeline);
    pass.setBindGroup(0, this.groups.frame, [offset]);
    pass.dispatchWorkgroups(Math.ceil((n * n) / 4 / this.plan.workgroupSize), count);
    this.qr(pass, offset, true);
  }
}
