/**
 * What a GPU run needs from the device, checked up front against its limits: workgroup sizes are
 * chosen from the limits, batches are made small enough for the buffer limits, and anything that
 * cannot be made to fit is refused with a GpuLimitError naming the limit, its value and the need,
 * instead of a validation error (or a silently wrong result) halfway through a run.
 */

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

/** The device's limits, each lowered to `cap[name]` where a cap is given (a memory or size budget). */
export function effectiveLimits(device: { limits: GPUSupportedLimits }, cap: Partial<GpuLimits> = {}): GpuLimits {
  const out = {} as GpuLimits;
  for (const name of LIMIT_NAMES) out[name] = Math.min(device.limits[name], cap[name] ?? Infinity);
  return out;
}

/** Storage buffers bound by the engine's widest kernel (qr.wgsl). */
export const STORAGE_BUFFERS_NEEDED = 6;
/** The engine's preferred sizes: 64 invocations for the per-sample kernels, 8 x 8 for the matmul. */
const PREFERRED_WORKGROUP = 64;
const PREFERRED_TILE = 8;

/** What the GPU engine chose for one run. */
export interface GpuPlan {
  /** Invocations per workgroup of the per-sample kernels (forward, qr, orthogonal) and of weights. */
  workgroupSize: number;
  /** Workgroup of the jacobian matmul (each invocation computes a 4 x 4 tile). */
  tileX: number;
  tileY: number;
  /** Length of qr.wgsl's workgroup taus array (>= k) and of orthogonal.wgsl's (>= N). */
  qrTaus: number;
  orthTaus: number;
  /** Samples per batch. */
  batch: number;
  /** Device memory per sample of a batch, in bytes. */
  bytesPerSample: number;
}

export interface PlanInput {
  n: number;
  k: number;
  samples: number;
  orth: boolean;
  checkpoints: number;
  /** Upper bound on one batch's memory (a budget below the device limits). */
  batchBytes: number;
  /** T = R_L ... R_1 is accumulated for the singular values (k = N): three more N x N arrays. */
  singularValues?: boolean;
}

/** GPU bytes per sample of the T accumulator (singular-values.ts): C, A, Pr and the row records. */
export function tProductBytesPerSample(n: number): number {
  return 4 * (3 * n * n + 4 + 4 * n);
}

const floorPow2 = (x: number) => (x >= 1 ? 2 ** Math.floor(Math.log2(x)) : 0);
const ceilPow2 = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

/** Checks that do not depend on the run: is this device usable by the engine at all? */
export function checkDeviceLimits(limits: GpuLimits): void {
  if (limits.maxStorageBuffersPerShaderStage < STORAGE_BUFFERS_NEEDED) {
    throw new GpuLimitError('maxStorageBuffersPerShaderStage', limits.maxStorageBuffersPerShaderStage, STORAGE_BUFFERS_NEEDED, 'the QR kernel (shaders/qr.wgsl), which binds 6 storage buffers,');
  }
  for (const name of ['maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupsPerDimension'] as const) {
    if (limits[name] < 1) throw new GpuLimitError(name, limits[name], 1, 'every kernel');
  }
}

/**
 * Bytes of workgroup memory of qr.wgsl / orthogonal.wgsl: taus[len] and red[wg] (f32) plus one f32.
 * forward.wgsl uses 12 bytes (three atomics), always within the WebGPU minimum of 16 KiB.
 */
export function qrWorkgroupBytes(taus: number, workgroupSize: number): number {
  return 4 * (taus + workgroupSize + 1);
}

/** Chooses workgroup sizes and the batch size for a run, or throws a GpuLimitError. */
export function planGpuRun(limits: GpuLimits, input: PlanInput): GpuPlan {
  checkDeviceLimits(limits);
  const { n, k, samples, orth, checkpoints, batchBytes } = input;
  let workgroupSize = floorPow2(Math.min(PREFERRED_WORKGROUP, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX));
  const tileX = floorPow2(Math.min(PREFERRED_TILE, limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup));
  const tileY = floorPow2(Math.min(PREFERRED_TILE, limits.maxComputeWorkgroupSizeY, Math.floor(limits.maxComputeInvocationsPerWorkgroup / tileX)));

  // Workgroup memory: the taus array is a power of two >= the size (few pipeline variants), or exact
  // when only that fits; a smaller workgroup (reduction array) is the last resort.
  const storage = limits.maxComputeWorkgroupStorageSize;
  const tausFor = (len: number, what: string): number => {
    for (const taus of [Math.max(64, ceilPow2(len)), len]) {
      if (qrWorkgroupBytes(taus, workgroupSize) <= storage) return taus;
    }
    while (workgroupSize > 1 && qrWorkgroupBytes(len, workgroupSize) > storage) workgroupSize /= 2;
    const need = qrWorkgroupBytes(len, workgroupSize);
    if (need > storage) {
      throw new GpuLimitError('maxComputeWorkgroupStorageSize', storage, need, `${what} (bytes of workgroup memory: taus[${len}] plus a ${workgroupSize}-entry reduction)`);
    }
    return len;
  };
  const qrTaus = tausFor(k, `the QR kernel (shaders/qr.wgsl) at k = ${k}`);
  const orthTaus = orth ? tausFor(n, `orthogonal weights (shaders/orthogonal.wgsl) at N = ${n}`) : 0;

  // Dispatch sizes that do not depend on the batch.
  const dims = limits.maxComputeWorkgroupsPerDimension;
  const dispatches: [number, string][] = [
    [Math.ceil((n * n) / 4 / workgroupSize), `the weights kernel at N = ${n} with ${workgroupSize}-invocation workgroups (workgroups in x)`],
    [Math.ceil(n / (4 * tileX)), `the jacobian kernel at N = ${n} (workgroups in x)`],
    [Math.ceil(k / (4 * tileY)), `the jacobian kernel at k = ${k} (workgroups in y)`],
  ];
  for (const [count, what] of dispatches) {
    if (count > dims) throw new GpuLimitError('maxComputeWorkgroupsPerDimension', dims, count, what);
  }

  // Buffers: one batch's W (and the orthogonal scratch) is the largest storage binding, the checkpoint
  // history the largest plain buffer.
  const wBytes = 4 * n * n;
  const panelBytes = 4 * n * k;
  const historyBytes = 4 * k * checkpoints;
  const bindingMax = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const largestBinding = Math.max(wBytes, panelBytes);
  if (largestBinding > bindingMax) {
    const limit = limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
    throw new GpuLimitError(limit, limits[limit], largestBinding, `one sample's weight matrix (4 N^2 bytes at N = ${n})`);
  }
  if (historyBytes > limits.maxBufferSize) {
    throw new GpuLimitError('maxBufferSize', limits.maxBufferSize, historyBytes, `one sample's convergence history (4 k x ${checkpoints} checkpoints bytes at k = ${k})`);
  }
  const bytesPerSample = 4 * ((orth ? 2 : 1) * n * n + 3 * n + 2 * n * k + 3 * k + 4 + 2 * k * checkpoints) + (input.singularValues ? tProductBytesPerSample(n) : 0);
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
  return { workgroupSize, tileX, tileY, qrTaus, orthTaus, batch, bytesPerSample };
}

/** One line for a status bar: what the engine chose from the limits. */
export function describePlan(plan: GpuPlan): string {
  return `workgroups of ${plan.workgroupSize}, ${plan.tileX}x${plan.tileY} matmul tiles, ${plan.batch} sample${plan.batch === 1 ? '' : 's'} per batch`;
}
