/**
 * One batch of samples on the GPU: its buffers, their bind groups, and the encoding of each kernel
 * group of a layer. The engine (gpu-engine.ts) encodes whole chunks of layers from these; the bench
 * (src/cli/bench-gpu.ts) times the same groups alone on the same buffers, so both measure and run one
 * layout.
 *
 * Per sample: W (N x N, row-major), x and its next value, the second input x2 and its next value, D (N), Z and Q (N x k, column-major), the log sums, their
 * Kahan compensations and the singular flags (k), the rank bound and overflow marker (4 words), the
 * QR panels' T factors, the checkpoint copies of sums and flags, the running log-gradient and the
 * forward block's record. One uniform buffer holds up to
 * 256 Layer slots (one per layer of a chunk), another the QR's Panel slots.
 */
import { panelUniforms, type Program, type Programs, type QrPrograms } from './programs';
import { LAYER_UNIFORM_BYTES, UNIFORM_SLOT } from './layer-uniform';
import { matmulWorkgroups, qrApplyWFloats, qrTFloats, type GpuPlan, type QrPlan } from './limits';

export const MAX_LAYER_SLOTS = 256;

/** What every layer program's batch shares: the Jacobian's QR and the initial frame's Gaussian. */
export type CorePrograms = Pick<Programs, 'qr' | 'frame'>;

export interface BatchShape {
  n: number;
  k: number;
  /** Samples in this batch. */
  count: number;
  /** The ensemble is orthogonalized (orthogonal weights): plan and allocate the QR of its N x N Gaussian. */
  orthogonalize: boolean;
  checkpoints: number;
  /** Layers the forward block records (src/engine/forward-stats.ts); default 1. */
  forwardSlots?: number;
}

export interface BatchBuffers {
  w: GPUBuffer;
  /** Orthogonal weights: the Gaussian (column-major), then its R and reflectors (null otherwise). */
  g: GPUBuffer | null;
  /** Orthogonal weights: the Haar O (column-major) that orthogonal-weights.wgsl scales into W. */
  o: GPUBuffer | null;
  x: GPUBuffer;
  xn: GPUBuffer;
  /** The second input (docs/THEORY.md 5.14) and its next value. */
  x2: GPUBuffer;
  xn2: GPUBuffer;
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
  /** Running log-gradient along Q_0's first column: sum, Kahan compensation, singular flag (3 floats per sample). */
  grad: GPUBuffer;
  /** The forward block: per recorded slot and sample, |x|^2, |x2|^2, x.x2, |x - x2|^2 and grad. */
  forward: GPUBuffer;
}

type Pass = GPUComputePassEncoder;

/**
 * One blocked Householder QR of an N x k matrix per sample (qr-*.wgsl): its programs, its Panel
 * uniforms and bind groups over the matrix (in place: R and reflectors), the formed Q and T factors.
 */
class BlockedQr {
  private readonly panelCount: number;
  private readonly finishSlot: number;
  private readonly haarSlot: number;
  private readonly groups: { panel: GPUBindGroup; apply: GPUBindGroup; finish: GPUBindGroup };

  constructor(
    device: GPUDevice,
    private readonly programs: QrPrograms,
    private readonly plan: QrPlan,
    private readonly n: number,
    private readonly k: number,
    private readonly count: number,
    /** Binds the Layer uniform, then this QR's Panel uniforms, then the storage buffers. */
    group: (program: Program, panels: GPUBuffer, storage: GPUBuffer[]) => GPUBindGroup,
    buffers: {
      matrix: GPUBuffer;
      q: GPUBuffer;
      t: GPUBuffer;
      w: GPUBuffer;
      panels: GPUBuffer;
      sums: GPUBuffer;
      comps: GPUBuffer;
      dead: GPUBuffer;
      stats: GPUBuffer;
      grad: GPUBuffer;
      forward: GPUBuffer;
    },
  ) {
    const panel = panelUniforms(k, plan.panelWidth);
    this.panelCount = panel.panels;
    this.finishSlot = panel.finishSlot;
    this.haarSlot = panel.haarSlot;
    device.queue.writeBuffer(buffers.panels, 0, panel.data);
    const b = buffers;
    this.groups = {
      panel: group(programs.panel, b.panels, [b.matrix, b.t]),
      // factor and form (and their entry points) are one kernel with different constants, hence one layout.
      apply: group(programs.factor[0]!, b.panels, [b.matrix, b.q, b.t, b.w]),
      finish: group(programs.finish, b.panels, [b.matrix, b.q, b.sums, b.comps, b.dead, b.stats, b.grad, b.forward]),
    };
  }

  /** Bytes of the Panel uniforms of a QR with k columns. */
  static panelBytes(k: number, plan: QrPlan): number {
    return panelUniforms(k, plan.panelWidth).data.byteLength;
  }

  /** Floats per sample of the split apply's W buffer (at least one, for the binding). */
  static applyWFloats(k: number, plan: QrPlan): number {
    return Math.max(1, qrApplyWFloats(k, plan));
  }

  /**
   * A = Q R in place (R above the diagonal, reflectors below), Q formed explicitly, and the layer's
   * log|R_jj| added to the sums (when the Layer slot is measured and `haar` is not set). `haar`: a
   * random frame (Q with the Haar sign fix, nothing measured). Per panel: its factorization, and
   * qr-apply.wgsl on the trailing columns (one dispatch, or two when split); then qr-finish, then
   * qr-apply forming Q, panel by panel backwards.
   */
  encode(pass: Pass, offset: number, haar: boolean): void {
    const { k, count, programs: p } = this;
    const width = this.plan.panelWidth;
    const n = this.n;
    const slot = (i: number) => [offset, i * UNIFORM_SLOT];
    // The apply of panel i to `columns` target columns (from j1, or from j0 when forming Q).
    const apply = (programs: Program[], i: number, columns: number) => {
      const columnBlocks = Math.ceil(columns / this.plan.applyColumns);
      pass.setBindGroup(0, this.groups.apply, slot(i));
      programs.forEach((program, step) => {
        pass.setPipeline(program.pipeline);
        // The split apply's update: one workgroup per PB x TC block of rows >= j0.
        if (step === 1) pass.dispatchWorkgroups(columnBlocks, Math.ceil((n - i * width) / width), count);
        else pass.dispatchWorkgroups(columnBlocks, count);
      });
    };
    for (let i = 0; i < this.panelCount; i++) {
      pass.setPipeline(p.panel.pipeline);
      pass.setBindGroup(0, this.groups.panel, slot(i));
      pass.dispatchWorkgroups(count);
      const trailing = k - Math.min(k, (i + 1) * width);
      if (trailing > 0) apply(p.factor, i, trailing);
    }
    pass.setPipeline(p.finish.pipeline);
    pass.setBindGroup(0, this.groups.finish, slot(haar ? this.haarSlot : this.finishSlot));
    pass.dispatchWorkgroups(count);
    for (let i = this.panelCount - 1; i >= 0; i--) apply(p.form, i, k - i * width);
  }
}

export class GpuBatch {
  readonly buffers: BatchBuffers;
  /** The square program's bind groups (null for a core batch that another layer program drives). */
  private readonly squareGroups: (Record<'weights' | 'forward' | 'jacobian', GPUBindGroup> & { orthWeights: GPUBindGroup | null }) | null;
  private readonly frameGroup: GPUBindGroup;
  private readonly jacobianQr: BlockedQr;
  /** Orthogonal weights: the QR of the N x N Gaussian (null otherwise). */
  private readonly orthQr: BlockedQr | null;

  /**
   * `track` receives every buffer as soon as it exists (the caller destroys them, also on failure).
   * With `programs` = 'core' only what every layer program shares is made (signals, frame, QR, sums,
   * the forward block): another program (block-batch.ts) adds its weights and kernels.
   */
  constructor(
    private readonly device: GPUDevice,
    programs: Programs | CorePrograms,
    private readonly plan: GpuPlan,
    readonly shape: BatchShape,
    track: (b: GPUBuffer) => void,
  ) {
    this.programs = programs;
    const square = 'forwardRows' in programs ? programs : null;
    const { n, k, count, checkpoints } = shape;
    const forwardSlots = shape.forwardSlots ?? 1;
    const S = GPUBufferUsage.STORAGE;
    const src = GPUBufferUsage.COPY_SRC;
    const dst = GPUBufferUsage.COPY_DST;
    const buffer = (size: number, usage: number, label: string) => {
      const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage, label });
      track(b);
      return b;
    };
    const orthPlan = square && shape.orthogonalize ? plan.orthQr : null;
    if (square && shape.orthogonalize && !(orthPlan && square.orthQr && square.orthWeights))
      throw new Error("GpuBatch: orthogonal weights need the plan's and programs' orthogonal QR");
    const b: BatchBuffers = {
      w: buffer(square ? 4 * count * n * n : 16, S | src, 'W'),
      g: orthPlan ? buffer(4 * count * n * n, S, 'Gaussian for orthogonal W') : null,
      o: orthPlan ? buffer(4 * count * n * n, S, 'orthogonal frame O') : null,
      x: buffer(4 * count * n, S | dst, 'x'),
      xn: buffer(4 * count * n, S, 'x next'),
      x2: buffer(4 * count * n, S | dst, 'second input'),
      xn2: buffer(4 * count * n, S, 'second input next'),
      d: buffer(4 * count * n, S, 'D'),
      z: buffer(4 * count * n * k, S | src | dst, 'Z'),
      q: buffer(4 * count * n * k, S | src | dst, 'Q'),
      t: buffer(4 * count * qrTFloats(k, plan.qr.panelWidth), S, 'QR panel T factors'),
      sums: buffer(4 * count * k, S | src, 'log sums'),
      comps: buffer(4 * count * k, S, 'Kahan compensation'),
      dead: buffer(4 * count * k, S | src, 'singular flags'),
      stats: buffer(16 * count, S | src, 'rank bound, overflow'),
      uniform: buffer(MAX_LAYER_SLOTS * UNIFORM_SLOT, GPUBufferUsage.UNIFORM | dst, 'layer uniforms'),
      panels: buffer(BlockedQr.panelBytes(k, plan.qr), GPUBufferUsage.UNIFORM | dst, 'QR panel uniforms'),
      history: buffer(4 * count * k * checkpoints, dst | src, 'checkpoint sums'),
      historyDead: buffer(4 * count * k * checkpoints, dst | src, 'checkpoint flags'),
      grad: buffer(12 * count, S, 'log-gradient'),
      forward: buffer(20 * count * forwardSlots, S | src, 'forward block'),
    };
    this.buffers = b;
    const p = programs;
    const qrGroup = (program: Program, panels: GPUBuffer, storage: GPUBuffer[]) => this.group(program, storage, panels);
    const common = { sums: b.sums, comps: b.comps, dead: b.dead, stats: b.stats, grad: b.grad, forward: b.forward };
    const applyW = (cols: number, qr: QrPlan, label: string) => buffer(4 * count * BlockedQr.applyWFloats(cols, qr), S, label);
    this.jacobianQr = new BlockedQr(device, p.qr, plan.qr, n, k, count, qrGroup, {
      matrix: b.z,
      q: b.q,
      t: b.t,
      w: applyW(k, plan.qr, 'QR apply W'),
      panels: b.panels,
      ...common,
    });
    // The weights' QR measures nothing (Haar mode): the log sums are bound but never written.
    this.orthQr =
      square && orthPlan && b.g && b.o
        ? new BlockedQr(device, square.orthQr!, orthPlan, n, n, count, qrGroup, {
            matrix: b.g,
            q: b.o,
            t: buffer(4 * count * qrTFloats(n, orthPlan.panelWidth), S, 'orthogonal QR T factors'),
            w: applyW(n, orthPlan, 'orthogonal QR apply W'),
            panels: buffer(BlockedQr.panelBytes(n, orthPlan), GPUBufferUsage.UNIFORM | dst, 'orthogonal QR panel uniforms'),
            ...common,
          })
        : null;
    this.frameGroup = this.group(p.frame, [b.z]);
    this.squareGroups = square
      ? {
          weights: this.group(square.weights, [b.g ?? b.w]),
          orthWeights: square.orthWeights && b.o ? this.group(square.orthWeights, [b.o, b.w]) : null,
          // rows and finish are one module with one set of bindings, hence one layout.
          forward: this.group(square.forwardRows, [b.w, b.x, b.xn, b.d, b.stats, b.x2, b.xn2, b.forward]),
          jacobian: this.group(square.jacobian, [b.w, b.q, b.d, b.z]),
        }
      : null;
  }

  private readonly programs: Programs | CorePrograms;

  /** The square program's kernels and bind groups (a core batch has none). */
  private get square(): { programs: Programs; groups: NonNullable<GpuBatch['squareGroups']> } {
    if (!this.squareGroups || !('forwardRows' in this.programs)) throw new Error('GpuBatch: a core batch has no square layer kernels');
    return { programs: this.programs, groups: this.squareGroups };
  }

  /** Bind group: the Layer uniform, the Panel uniforms `panels` (QR kernels only), then the storage buffers. */
  group(program: Program, storage: GPUBuffer[], panels: GPUBuffer | null = null): GPUBindGroup {
    const first = panels ? 2 : 1;
    return this.device.createBindGroup({
      layout: program.layout,
      entries: [
        { binding: 0, resource: { buffer: this.buffers.uniform, size: LAYER_UNIFORM_BYTES } },
        ...(panels ? [{ binding: 1, resource: { buffer: panels, size: 16 } }] : []),
        ...storage.map((buffer, i) => ({ binding: i + first, resource: { buffer } })),
      ],
    });
  }

  /** W_l (for orthogonal weights: the Gaussian that orthogonal() factors). `offset`: the Layer slot's. */
  weights(pass: Pass, offset: number): void {
    const { n, count } = this.shape;
    const { programs, groups } = this.square;
    pass.setPipeline(programs.weights.pipeline);
    pass.setBindGroup(0, groups.weights, [offset]);
    pass.dispatchWorkgroups(Math.ceil((n * n) / 4 / this.plan.workgroupSize), count);
  }

  /**
   * Orthogonal weights only: W_l = sqrt(sw2) O_l, O_l the Haar Q of the Gaussian (the blocked QR with
   * the sign fix, as the CPU's haarColumns), then scaled into W row-major. A no-op otherwise.
   */
  orthogonal(pass: Pass, offset: number): void {
    const { programs, groups } = this.square;
    if (!this.orthQr || !groups.orthWeights) return;
    this.orthQr.encode(pass, offset, true);
    const { n, count } = this.shape;
    pass.setPipeline(programs.orthWeights!.pipeline);
    pass.setBindGroup(0, groups.orthWeights, [offset]);
    pass.dispatchWorkgroups(Math.ceil((n * n) / this.plan.workgroupSize), count);
  }

  get hasOrthogonal(): boolean {
    return this.orthQr !== null;
  }

  /** h = W x + b, D = phi'(h), x <- a x + c phi(h), the rank bound and the overflow marker. */
  forward(pass: Pass, offset: number): void {
    const { n, count } = this.shape;
    const { programs, groups } = this.square;
    pass.setBindGroup(0, groups.forward, [offset]);
    pass.setPipeline(programs.forwardRows.pipeline);
    pass.dispatchWorkgroups(Math.ceil(n / (this.plan.workgroupSize / this.plan.forwardRowGroup)), count);
    pass.setPipeline(programs.forwardFinish.pipeline);
    pass.dispatchWorkgroups(count);
  }

  /** Z = a Q + c D (W Q). */
  jacobian(pass: Pass, offset: number): void {
    const { n, k, count } = this.shape;
    const { programs, groups } = this.square;
    pass.setPipeline(programs.jacobian.pipeline);
    pass.setBindGroup(0, groups.jacobian, [offset]);
    pass.dispatchWorkgroups(...matmulWorkgroups(this.plan.matmul, n, k), count);
  }

  /**
   * Z = Q R by blocked Householder, in place (R above the diagonal, reflectors below), Q formed
   * explicitly, and the layer's log|R_jj| added to the sums (when the Layer slot is measured).
   * `haar`: the initial frame (Q with the Haar sign fix).
   */
  qr(pass: Pass, offset: number, haar = false): void {
    this.jacobianQr.encode(pass, offset, haar);
  }

  /**
   * The Haar initial frame Q_0 of every sample, the CPU engine's to float32 rounding: the Gaussian of
   * stream (layer 0, initialFrame), then its QR with the sign fix (which measures nothing).
   */
  initialFrame(pass: Pass, offset: number): void {
    const { n, count } = this.shape;
    pass.setPipeline(this.programs.frame.pipeline);
    pass.setBindGroup(0, this.frameGroup, [offset]);
    pass.dispatchWorkgroups(Math.ceil((n * n) / 4 / this.plan.workgroupSize), count);
    this.qr(pass, offset, true);
  }
}
