/**
 * What a GPU run needs from the device, checked up front against its limits: workgroup sizes are
 * chosen from the limits, batches are made small enough for the buffer limits, and anything that
 * cannot be made to fit is refused with a GpuLimitError naming the limit, its value and the need,
 * instead of a validation error (or a silently wrong result) halfway through a run.
 */
import { describeTiledShape, tiledBlock, tiledShapeUnfit, TILED_SHAPES, type TiledMatmulShape } from './tiled-matmul';

/** The device limits the engine depends on (a subset of GPUSupportedLimits). */
export interface GpuLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupSizeY: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
}

export const LIMIT_NAMES: readonly (keyof GpuLimits)[] = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
];

/** A run (or a device) that needs more than a device limit allows. */
export class GpuLimitError extends Error {
  override readonly name = 'GpuLimitError';
  constructor(
    readonly limit: keyof GpuLimits,
    readonly available: number,
    readonly needed: number,
    what: string,
  ) {
    super(`GPU limit ${limit} is ${available}, but ${what} needs ${needed}`);
  }
}

/** The GPU engine has no program for this run's model (yet): the run goes to the CPU engine. */
export class GpuUnsupportedError extends Error {
  override readonly name = 'GpuUnsupportedError';
}

/**
 * Not even one sample of this run fits the GPU's memory. Like a GpuLimitError it concerns this run
 * only (smaller runs still fit), so the page runs it on the CPU and keeps the GPU engine.
 */
export class GpuOutOfMemoryError extends Error {
  override readonly name = 'GpuOutOfMemoryError';
}

/** The device's limits, each lowered to `cap[name]` where a cap is given (a memory or size budget). */
export function effectiveLimits(device: { limits: GPUSupportedLimits }, cap: Partial<GpuLimits> = {}): GpuLimits {
  const out = {} as GpuLimits;
  for (const name of LIMIT_NAMES) out[name] = Math.min(device.limits[name], cap[name] ?? Infinity);
  return out;
}

/** Storage buffers bound by the engine's widest kernel (qr-finish.wgsl). */
export const STORAGE_BUFFERS_NEEDED = 8;
/** The engine's preferred sizes: 64 invocations for the per-sample kernels, 8 x 8 for the matmul. */
const PREFERRED_WORKGROUP = 64;
/**
 * qr-finish.wgsl's workgroup (one per sample). A CPU emulation (SwiftShader) pays per invocation at
 * every barrier, so it gets fewer.
 */
const PREFERRED_QR_WORKGROUP = { gpu: 256, emulated: 64 };
/**
 * qr-panel.wgsl holds its panel in registers, G row groups per column: on a GPU enough groups that a
 * slot holds at most this many rows (more invocations, shorter sequential sums, a small register
 * array). On a CPU emulation, where every invocation costs at each barrier, 64 invocations in all
 * (G = 64 / PB), as before the panel moved to registers (256 made the panels 3.7x slower at N = 64).
 */
const PANEL_ROWS_PER_SLOT = 32;
const EMULATED_PANEL_WORKGROUP = 64;
const PREFERRED_TILE = 8;
/**
 * forward.wgsl's invocations per row: on a GPU several, strided over the row (coalesced loads, short
 * dependent sums); on a CPU emulation one, which pays per invocation at the barrier.
 */
const FORWARD_ROW_GROUP = { gpu: 8, emulated: 1 };
/**
 * The tiled matmul's block is the largest whose dispatch still has at least this many workgroups (a
 * few per compute unit of a large GPU, so that the blocks of one product keep it busy); smaller
 * products take the smallest block. Not yet tuned on hardware: the bench prints the engine's choice
 * beside the reference's best shape at each N.
 */
const TILED_MIN_WORKGROUPS = 512;
/**
 * The T-product kernels' workgroups (singular-values.ts). On a GPU, many invocations hide the latency
 * of their loads: jacobi.wgsl takes up to 32 per pair of rows, tproduct.wgsl's row kernels 64 per
 * row. A CPU emulation pays per invocation at every barrier instead (measured on SwiftShader, the
 * engine tests: 1 or 4 per row 29 s, 16 32 s, 64 49 s).
 */
const PREFERRED_T_WORKGROUPS = { gpu: { jacobi: 1024, row: 64 }, emulated: { jacobi: 64, row: 4 } };

/** The blocked QR's shapes (qr-panel.wgsl, qr-apply.wgsl, qr-finish.wgsl). */
export interface QrPlan {
  /** Columns per panel (PB). */
  panelWidth: number;
  /** Target columns per workgroup of qr-apply (TC): the panel width, at most APPLY_COLUMNS. */
  applyColumns: number;
  /** Rows per step of qr-apply's W = V^T M (RB). */
  applyRows: number;
  /** Invocations per workgroup of qr-finish. */
  workgroupSize: number;
  /**
   * qr-apply.wgsl as two dispatches (W, then every PB x TC block of M in its own workgroup) rather
   * than one workgroup per column block walking the row blocks: on a GPU, not on an emulation.
   */
  splitApply: boolean;
  /**
   * qr-panel.wgsl: invocations (WG), row groups per column (G), rows per slot (RPI, a multiple of 4),
   * slots per invocation (SPI).
   */
  panel: { workgroupSize: number; rowGroups: number; rowsPerSlot: number; slotsPerInvocation: number };
}

/**
 * The jacobian product's kernel: on a GPU the workgroup-memory tiled matmul (jacobian-tiled.wgsl) in
 * one of its shapes; on a CPU emulation, or where no shape fits the limits, the barrier-free register
 * kernel (jacobian.wgsl), whose workgroup of tileX x tileY invocations each computes a 4 x 4 tile.
 */
export type MatmulPlan = { kind: 'tiled'; shape: TiledMatmulShape } | { kind: 'register'; tileX: number; tileY: number };

/** What the GPU engine chose for one run. */
export interface GpuPlan {
  /** Invocations per workgroup of forward.wgsl and of the elementwise kernels. */
  workgroupSize: number;
  /** Invocations per row of forward.wgsl's dot products (a power of two dividing workgroupSize). */
  forwardRowGroup: number;
  matmul: MatmulPlan;
  /** The QR of the Jacobian product, N x k. */
  qr: QrPlan;
  /** Orthogonal weights: the QR of the weights' N x N Gaussian (its Haar Q is O); null otherwise. */
  orthQr: QrPlan | null;
  /** Samples per batch. */
  batch: number;
  /** Device memory per sample of a batch, in bytes. */
  bytesPerSample: number;
}

export interface PlanInput {
  n: number;
  k: number;
  samples: number;
  /** The ensemble is orthogonalized (orthogonal weights): plan and allocate the QR of its N x N Gaussian. */
  orthogonalize: boolean;
  checkpoints: number;
  /** Upper bound on one batch's memory (a budget below the device limits). */
  batchBytes: number;
  /** T = R_L ... R_1 is accumulated for the singular values (k = N): three more N x N arrays. */
  singularValues?: boolean;
  /** Layers the forward block records (5 floats each per sample); default 1. */
  forwardSlots?: number;
  /**
   * The full residual block's inner width m (block-batch.ts): W (m x N) and V (N x m) instead of the
   * square W, plus [D | phi(h) | phi(h2)] (3m) and D W Q (m x k).
   */
  inner?: number;
  /**
   * The adapter is a CPU emulation (isFallbackAdapter, e.g. SwiftShader): smaller QR workgroups and
   * the barrier-free register matmul.
   */
  emulated?: boolean;
}

/** GPU bytes per sample of the T accumulator (singular-values.ts): C, A, Pr and the row records. */
export function tProductBytesPerSample(n: number): number {
  return 4 * (3 * n * n + 4 + 4 * n);
}

const floorPow2 = (x: number) => (x >= 1 ? 2 ** Math.floor(Math.log2(x)) : 0);
/** A one-dimensional workgroup: `preferred`, or the largest power of two the limits allow. */
const workgroupWithin = (limits: GpuLimits, preferred: number) =>
  floorPow2(Math.min(preferred, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX));
const ceilPow2 = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

/** Checks that do not depend on the run: is this device usable by the engine at all? */
export function checkDeviceLimits(limits: GpuLimits): void {
  if (limits.maxStorageBuffersPerShaderStage < STORAGE_BUFFERS_NEEDED) {
    throw new GpuLimitError(
      'maxStorageBuffersPerShaderStage',
      limits.maxStorageBuffersPerShaderStage,
      STORAGE_BUFFERS_NEEDED,
      'the QR finish and forward kernels (shaders/qr-finish.wgsl, forward.wgsl), which bind 8 storage buffers each (the WebGPU default),',
    );
  }
  for (const name of [
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupSizeY',
    'maxComputeWorkgroupsPerDimension',
  ] as const) {
    if (limits[name] < 1) throw new GpuLimitError(name, limits[name], 1, 'every kernel');
  }
}

/** qr-panel.wgsl's workgroup memory (f32): xsh[2 RPI G], nred[G], alpha, red[PB G], dsh[PB], T[PB * PB]. */
export function qrPanelBytes(panelWidth: number, rowGroups: number, rowsPerSlot: number): number {
  return 4 * (2 * rowsPerSlot * rowGroups + rowGroups + 1 + panelWidth * rowGroups + panelWidth + panelWidth * panelWidth);
}
/** qr-finish.wgsl's: red[WG] (f32). */
export const qrFinishBytes = (workgroupSize: number) => 4 * workgroupSize;
/** qr-apply.wgsl's: V[RB * PB], M[RB * TC], W[PB * TC], T[PB * PB]. */
export const qrApplyBytes = (panelWidth: number, columns: number, rows: number) => 4 * (rows * (panelWidth + columns) + panelWidth * (columns + panelWidth));
/** qr-apply.wgsl's invocations: one 4 x 4 tile of W (PB x TC) each. */
export const qrApplyInvocations = (panelWidth: number, columns: number) => (panelWidth / 4) * (columns / 4);
/** qr-apply's TC: target columns per workgroup (and per block of its split update). */
const APPLY_COLUMNS = 32;

/**
 * Panel widths, widest first. A QR of k columns takes about 5 k / PB dispatches (per panel: the
 * panel, the trailing update and the forming of Q, each of the last two split in two), and on a GPU
 * each dependent dispatch costs microseconds however little it does (an H100 at stop 9: N = 64 took
 * 0.35 ms per layer in about a dozen dispatches), so a GPU prefers 64-column panels: at N = 256 19
 * QR dispatches per layer instead of 39. The price is a longer serial panel (twice the columns per
 * reflector step). Not yet measured on hardware: GPU_PANEL_WIDTHS without 64 restores the old plan.
 * A CPU emulation keeps 32 at most (each invocation pays at every barrier there).
 */
const GPU_PANEL_WIDTHS = [64, 32, 16, 8, 4];
const EMULATED_PANEL_WIDTHS = [32, 16, 8, 4];
/**
 * A panel wider than 32 columns only where its slots hold at most this many rows each in registers
 * (more invocations per workgroup, or a smaller N): a long register array spills to slow memory.
 */
const WIDE_PANEL_MAX_ROWS = 64;
/**
 * qr-apply's rows per step of W = V^T M, the most that fit: each step is a round of global loads and
 * two barriers, so a GPU, which waits on the loads, wants few steps. A CPU emulation at most 16 (64
 * made its QR 15% slower at N = 64-128: the last panels' steps are mostly rows past N).
 */
const APPLY_ROWS = [64, 32, 16, 8, 4, 2, 1];
const EMULATED_APPLY_ROWS = 16;

/**
 * The widest panel (most matrix-matrix work) whose kernels fit the limits, no wider than k needs.
 * qr-panel's row groups shrink before the panel does (each halving doubles the rows a slot holds in
 * registers), and qr-finish's workgroup shrinks to fit its reduction array.
 */
export function planQr(limits: GpuLimits, n: number, k: number, finishWorkgroup: number, emulated = false): QrPlan {
  const storage = limits.maxComputeWorkgroupStorageSize;
  const invocations = floorPow2(Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX));
  const widest = Math.max(4, ceilPow2(k));
  let workgroupSize = finishWorkgroup;
  while (workgroupSize > 1 && qrFinishBytes(workgroupSize) > storage) workgroupSize /= 2;
  if (qrFinishBytes(workgroupSize) <= storage) {
    for (const panelWidth of emulated ? EMULATED_PANEL_WIDTHS : GPU_PANEL_WIDTHS) {
      const applyColumns = Math.min(panelWidth, APPLY_COLUMNS);
      if (panelWidth > widest || qrApplyInvocations(panelWidth, applyColumns) > invocations) continue;
      const applyRows = APPLY_ROWS.find((rows) => (!emulated || rows <= EMULATED_APPLY_ROWS) && qrApplyBytes(panelWidth, applyColumns, rows) <= storage);
      if (applyRows === undefined) continue;
      const wanted = emulated ? EMULATED_PANEL_WORKGROUP / panelWidth : ceilPow2(Math.ceil(n / PANEL_ROWS_PER_SLOT));
      for (let rowGroups = Math.max(1, Math.min(wanted, floorPow2(invocations / panelWidth))); rowGroups >= 1; rowGroups /= 2) {
        const rowsPerSlot = 4 * Math.ceil(n / rowGroups / 4);
        if (qrPanelBytes(panelWidth, rowGroups, rowsPerSlot) > storage) continue;
        const slots = panelWidth * rowGroups;
        const panelWorkgroup = Math.min(slots, invocations);
        const panel = { workgroupSize: panelWorkgroup, rowGroups, rowsPerSlot, slotsPerInvocation: Math.ceil(slots / panelWorkgroup) };
        if (panelWidth > APPLY_COLUMNS && rowsPerSlot * panel.slotsPerInvocation > WIDE_PANEL_MAX_ROWS) break;
        return { panelWidth, applyColumns, applyRows, workgroupSize, splitApply: !emulated, panel };
      }
    }
  }
  const narrowest = Math.max(qrApplyBytes(4, 4, 1), qrPanelBytes(4, 1, n), qrFinishBytes(1));
  throw new GpuLimitError(
    'maxComputeWorkgroupStorageSize',
    storage,
    narrowest,
    `the blocked QR (shaders/qr-*.wgsl) at N = ${n} with its narrowest, 4-column panels (bytes of workgroup memory)`,
  );
}

/** Workgroup sizes of the T-product kernels, which depend only on the device (compiled once per engine). */
export function planTProduct(limits: GpuLimits, emulated: boolean): { jacobiWorkgroup: number; rowWorkgroup: number } {
  const preferred = emulated ? PREFERRED_T_WORKGROUPS.emulated : PREFERRED_T_WORKGROUPS.gpu;
  return { jacobiWorkgroup: workgroupWithin(limits, preferred.jacobi), rowWorkgroup: workgroupWithin(limits, preferred.row) };
}

/** Floats per sample of the panels' compact-WY factors T (one PB x PB matrix per panel). */
export const qrTFloats = (k: number, panelWidth: number) => Math.ceil(k / panelWidth) * panelWidth * panelWidth;
/** Floats per sample of the split apply's W (PB per target column); 0 when the apply is not split. */
export const qrApplyWFloats = (k: number, qr: QrPlan) => (qr.splitApply ? qr.panelWidth * k : 0);

/** Chooses workgroup sizes and the batch size for a run, or throws a GpuLimitError. */
export function planGpuRun(limits: GpuLimits, input: PlanInput): GpuPlan {
  checkDeviceLimits(limits);
  const { n, k, samples, orthogonalize, checkpoints, batchBytes } = input;
  // forward.wgsl's workgroup memory is 28 WG + 4 bytes (1796 at 64 invocations), within the WebGPU minimum.
  const workgroupSize = workgroupWithin(limits, PREFERRED_WORKGROUP);
  const forwardRowGroup = Math.min(workgroupSize, input.emulated ? FORWARD_ROW_GROUP.emulated : FORWARD_ROW_GROUP.gpu);
  const tileX = floorPow2(Math.min(PREFERRED_TILE, limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup));
  const tileY = floorPow2(Math.min(PREFERRED_TILE, limits.maxComputeWorkgroupSizeY, Math.floor(limits.maxComputeInvocationsPerWorkgroup / tileX)));
  const tiledShapes = input.emulated ? [] : TILED_SHAPES.filter((shape) => tiledShapeUnfit(shape, limits) === null);

  const qrPreferred = input.emulated ? PREFERRED_QR_WORKGROUP.emulated : PREFERRED_QR_WORKGROUP.gpu;
  const qr = planQr(limits, n, k, workgroupWithin(limits, qrPreferred), input.emulated);
  const orthQr = orthogonalize ? (k === n ? qr : planQr(limits, n, n, workgroupWithin(limits, qrPreferred), input.emulated)) : null;

  // Dispatch sizes that do not depend on the batch.
  const dims = limits.maxComputeWorkgroupsPerDimension;
  const dispatches: [number, string][] = [
    [
      Math.ceil(((input.inner ?? n) * n) / 4 / workgroupSize),
      `the weights kernel at N = ${n}${input.inner === undefined ? '' : `, m = ${input.inner}`} with ${workgroupSize}-invocation workgroups (workgroups in x)`,
    ],
    ...(orthogonalize
      ? [
          [Math.ceil((n * n) / workgroupSize), `the orthogonal weights' kernel at N = ${n} with ${workgroupSize}-invocation workgroups (workgroups in x)`] as [
            number,
            string,
          ],
        ]
      : []),
    [Math.ceil(n / (4 * tileX)), `the jacobian kernel at N = ${n} (workgroups in x)`],
    [Math.ceil(k / (4 * tileY)), `the jacobian kernel at k = ${k} (workgroups in y)`],
  ];
  for (const [count, what] of dispatches) {
    if (count > dims) throw new GpuLimitError('maxComputeWorkgroupsPerDimension', dims, count, what);
  }

  // Buffers: one batch's W (and the orthogonal Gaussian and frame) is the largest storage binding, the
  // checkpoint history the largest plain buffer.
  const m = input.inner;
  const wBytes = 4 * (m === undefined ? n * n : m * Math.max(n, k));
  const panelBytes = 4 * n * k;
  const historyBytes = 4 * k * checkpoints;
  const bindingMax = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const largestBinding = Math.max(wBytes, panelBytes);
  if (largestBinding > bindingMax) {
    const limit = limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
    throw new GpuLimitError(limit, limits[limit], largestBinding, `one sample's weight matrix (4 N^2 bytes at N = ${n})`);
  }
  if (historyBytes > limits.maxBufferSize) {
    throw new GpuLimitError(
      'maxBufferSize',
      limits.maxBufferSize,
      historyBytes,
      `one sample's convergence history (4 k x ${checkpoints} checkpoints bytes at k = ${k})`,
    );
  }
  const orthFloats = orthQr ? 2 * n * n + qrTFloats(n, orthQr.panelWidth) + qrApplyWFloats(n, orthQr) : 0;
  const qrFloats = qrTFloats(k, qr.panelWidth) + qrApplyWFloats(k, qr);
  const weightFloats = m === undefined ? n * n : 2 * m * n + 3 * m + m * k;
  const bytesPerSample =
    4 * (weightFloats + 5 * n + 2 * n * k + 3 * k + 4 + 2 * k * checkpoints + qrFloats + orthFloats + 3 + 5 * (input.forwardSlots ?? 1)) +
    (input.singularValues ? tProductBytesPerSample(n) : 0);
  const batch = Math.max(
    1,
    Math.min(
      samples,
      Math.floor(batchBytes / bytesPerSample),
      Math.floor(bindingMax / largestBinding),
      Math.floor(limits.maxBufferSize / Math.max(1, historyBytes)),
      dims,
    ),
  );
  return { workgroupSize, forwardRowGroup, matmul: planMatmul(tiledShapes, n, k, batch, { tileX, tileY }), qr, orthQr, batch, bytesPerSample };
}

/** The jacobian kernel for a product of this size among the shapes that fit (none: the register kernel). */
function planMatmul(shapes: TiledMatmulShape[], n: number, k: number, batch: number, register: { tileX: number; tileY: number }): MatmulPlan {
  const workgroups = (shape: TiledMatmulShape) => {
    const [rows, cols] = tiledBlock(shape);
    return Math.ceil(n / rows) * Math.ceil(k / cols) * batch;
  };
  const shape = shapes.find((s) => workgroups(s) >= TILED_MIN_WORKGROUPS) ?? shapes[shapes.length - 1];
  return shape ? { kind: 'tiled', shape } : { kind: 'register', ...register };
}

/** The jacobian dispatch's workgroups in x (rows of Z) and y (columns) for a plan; z is the batch. */
export function matmulWorkgroups(plan: MatmulPlan, n: number, k: number): [number, number] {
  if (plan.kind === 'register') return [Math.ceil(n / (4 * plan.tileX)), Math.ceil(k / (4 * plan.tileY))];
  const [rows, cols] = tiledBlock(plan.shape);
  return [Math.ceil(n / rows), Math.ceil(k / cols)];
}

/** One line for a status bar: what the engine chose from the limits. */
export function describePlan(plan: GpuPlan): string {
  const matmul =
    plan.matmul.kind === 'tiled'
      ? `tiled matmul (${describeTiledShape(plan.matmul.shape)})`
      : `${plan.matmul.tileX}x${plan.matmul.tileY} register matmul tiles`;
  return `workgroups of ${plan.workgroupSize}, ${matmul}, ${plan.qr.panelWidth}-column QR panels, ${plan.batch} sample${plan.batch === 1 ? '' : 's'} per batch`;
}
