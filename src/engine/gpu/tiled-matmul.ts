/**
 * Shapes of the workgroup-memory tiled matmul (shaders/matmul-tiled.wgsl), shared by the engine's
 * jacobian product on GPUs (jacobian-tiled.wgsl) and the bench's reference matmul
 * (reference-matmul.wgsl): which shapes exist, whether one fits a device, and the WGSL source of a
 * kernel in that shape (its consts, then the kernel's bindings and hooks, then the tiling).
 */
import matmulTiledWgsl from '../../../shaders/matmul-tiled.wgsl?raw';

/** One shape: micro-tile TM x TN per invocation, WX x WY invocations, BK-deep slices. */
export interface TiledMatmulShape {
  tm: number;
  tn: number;
  wx: number;
  wy: number;
  bk: number;
}

/**
 * The shapes tried, largest block first: 128 x 128 blocks for large products, 64 x 64 with 8 x 8 or
 * 4 x 4 micro-tiles, 32 x 32 for small ones. All fit WebGPU's default limits (256 invocations, 16 KiB
 * of workgroup memory).
 */
export const TILED_SHAPES: readonly TiledMatmulShape[] = [
  { tm: 8, tn: 8, wx: 16, wy: 16, bk: 8 },
  { tm: 8, tn: 8, wx: 8, wy: 8, bk: 16 },
  { tm: 4, tn: 4, wx: 16, wy: 16, bk: 16 },
  { tm: 4, tn: 4, wx: 8, wy: 8, bk: 16 },
];

export function describeTiledShape(c: TiledMatmulShape): string {
  return `${c.tm}x${c.tn} per invocation, ${c.wx}x${c.wy} invocations, ${c.wx * c.tm}x${c.wy * c.tn} block, BK ${c.bk}`;
}

/** Rows (M) and columns (NC) of C per workgroup. */
export const tiledBlock = (c: TiledMatmulShape): [number, number] => [c.wx * c.tm, c.wy * c.tn];

/** Bytes of workgroup memory: the two staged slices, each row padded by one vec4 (see the shader). */
export function tiledWorkgroupBytes(c: TiledMatmulShape): number {
  return 16 * c.bk * ((c.wx * c.tm) / 4 + 1 + (c.wy * c.tn) / 4 + 1);
}

/** The device limits a tiled shape must fit (a subset of GPUSupportedLimits, as limits.ts's GpuLimits). */
interface ShapeLimits {
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupSizeY: number;
  readonly maxComputeWorkgroupStorageSize: number;
}

/** Why this shape cannot run on a device with these limits, or null when it can. */
export function tiledShapeUnfit(c: TiledMatmulShape, limits: ShapeLimits): string | null {
  if (c.tm % 4 !== 0 || c.tn % 4 !== 0) return 'micro-tile sides must be multiples of 4';
  const threads = c.wx * c.wy;
  if ((c.wx * c.tm * c.bk) % threads !== 0 || (c.wy * c.tn * c.bk) % threads !== 0) return 'slices must split evenly over the invocations';
  if (threads > limits.maxComputeInvocationsPerWorkgroup)
    return `${threads} invocations > maxComputeInvocationsPerWorkgroup ${limits.maxComputeInvocationsPerWorkgroup}`;
  if (c.wx > limits.maxComputeWorkgroupSizeX || c.wy > limits.maxComputeWorkgroupSizeY) return 'workgroup side above maxComputeWorkgroupSizeX/Y';
  const bytes = tiledWorkgroupBytes(c);
  if (bytes > limits.maxComputeWorkgroupStorageSize) return `${bytes} bytes > maxComputeWorkgroupStorageSize ${limits.maxComputeWorkgroupStorageSize}`;
  return null;
}

/**
 * A kernel's source in this shape: the consts (the register arrays need constant lengths, so they
 * cannot be pipeline overrides), the kernel's bindings and hooks, then the tiling.
 */
export function tiledMatmulSource(c: TiledMatmulShape, hooks: string): string {
  const consts = `const TM: u32 = ${c.tm}u;\nconst TN: u32 = ${c.tn}u;\nconst WX: u32 = ${c.wx}u;\nconst WY: u32 = ${c.wy}u;\nconst BK: u32 = ${c.bk}u;\n`;
  return `${consts}\n${hooks}\n${matmulTiledWgsl}`;
}
