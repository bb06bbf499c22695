/**
 * The shared random stream: Philox4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as
 * 1, 2, 3"), a counter-based generator, so every weight, bias and input is a pure function of
 * (seed, sample, layer, tag, element) and the CPU and GPU engines draw identical networks.
 *
 * Layout (a public contract: changing it changes every shared link's numbers):
 *   key     = (seed, sample)
 *   counter = (floor(element / 4), layer, tag, 0)      lane = element % 4
 * with element = row * N + col for matrices (row = output unit), element = i for vectors, layer = 1..L
 * for per-layer draws and 0 for the input x_0 and the initial frame Q_0.
 *
 * Uniforms: u(x) = ((x >>> 9) + 0.5) * 2^-23 for a uint32 x: 24 significant bits, so u is exactly
 * representable in float32 and float64 and lies in [2^-24, 1 - 2^-24], strictly inside (0, 1).
 * Gaussians (Box-Muller, per Philox block (x0, x1, x2, x3)):
 *   r  = sqrt(-2 log u(x0)),  theta = 2 pi u(x1):  lane 0 = r cos theta,  lane 1 = r sin theta
 *   r' = sqrt(-2 log u(x2)),  theta' = 2 pi u(x3): lane 2 = r' cos theta', lane 3 = r' sin theta'
 * The WGSL twin (shaders/rng.wgsl) evaluates the same expressions in float32, with sin/cos from the
 * exact octant of the integer bits plus polynomials, and log u for u >= 1/2 from an atanh series
 * (WGSL's builtins only promise absolute accuracy there), so the two agree to float32 rounding
 * (tested: raw blocks bit for bit, Gaussians within 1e-6 (1 + |z|)). |z| is at most sqrt(2 * 24 log 2) = 5.77; the
 * truncated tail has probability 8e-9 and changes the variance by less than 1e-6 relative.
 * Bernoulli masks (sparse weights) compare the raw uint32 of the mask stream with an integer
 * threshold (the sparse ensemble's sparseKeepThreshold, src/model/ensembles/sparse.ts), so both engines make bit-identical masks.
 */

import { STREAM_TAG, type StreamTag } from '../model/stream';

/** What is drawn from which tag lives with the model (src/model/stream.ts); re-exported for the stream's users. */
export { STREAM_TAG, type StreamTag };

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
// 16-bit halves of the multipliers. JavaScript has no 64-bit integer multiply short of BigInt, so the
// high word of each 32 x 32 product is assembled from four Math.imul partial products; keeping every
// value an int32 (|0) lets V8 stay in integer registers (twice as fast as float64 arithmetic here).
const M0_L = M0 & 0xffff;
const M0_H = M0 >>> 16;
const M1_L = M1 & 0xffff;
const M1_H = M1 >>> 16;

/** Output of the last philoxBlock call, as int32 (reinterpret with >>> 0). */
const block = new Int32Array(4);

function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  c0 |= 0;
  c1 |= 0;
  c2 |= 0;
  c3 |= 0;
  k0 |= 0;
  k1 |= 0;
  for (let round = 0; round < 10; round++) {
    const a0L = c0 & 0xffff;
    const a0H = c0 >>> 16;
    const lh0 = Math.imul(a0L, M0_H);
    const hl0 = Math.imul(a0H, M0_L);
    const cross0 = (Math.imul(a0L, M0_L) >>> 16) + (lh0 & 0xffff) + (hl0 & 0xffff);
    const hi0 = (Math.imul(a0H, M0_H) + (lh0 >>> 16) + (hl0 >>> 16) + (cross0 >>> 16)) | 0;
    const lo0 = Math.imul(c0, M0);
    const a2L = c2 & 0xffff;
    const a2H = c2 >>> 16;
    const lh1 = Math.imul(a2L, M1_H);
    const hl1 = Math.imul(a2H, M1_L);
    const cross1 = (Math.imul(a2L, M1_L) >>> 16) + (lh1 & 0xffff) + (hl1 & 0xffff);
    const hi1 = (Math.imul(a2H, M1_H) + (lh1 >>> 16) + (hl1 >>> 16) + (cross1 >>> 16)) | 0;
    const lo1 = Math.imul(c2, M1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 = (k0 + W0) | 0;
    k1 = (k1 + W1) | 0;
  }
  block[0] = c0;
  block[1] = c1;
  block[2] = c2;
  block[3] = c3;
}

/** One Philox4x32-10 block: writes 4 uint32 outputs into out[0..3]. */
export function philox4x32_10(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  philoxBlock(c0, c1, c2, c3, k0, k1);
  out[0] = block[0]!;
  out[1] = block[1]!;
  out[2] = block[2]!;
  out[3] = block[3]!;
}

const UNIFORM_SCALE = 1 / 8388608; // 2^-23
const TWO_PI = 2 * Math.PI;

/** Uniform in (0,1) with 23 random bits plus a half step, identical in float32 and float64. */
export function uniform24(x: number): number {
  return ((x >>> 9) + 0.5) * UNIFORM_SCALE;
}

/** Coordinates of one stream: a network (seed, sample), a layer, and what is drawn. */
export interface StreamAddress {
  seed: number;
  sample: number;
  layer: number;
  tag: StreamTag;
}

/**
 * Box-Muller on one Philox block (c0..c3 as int32 or uint32), writing the lanes of block `blockIndex`
 * that fall inside elements [first, end) to out[offset + e - first]. The CPU engine's WebAssembly
 * kernel (cpu/wasm/kernels.wat, boxMuller) evaluates the same formulas; tests hold them to 4e-15.
 */
function boxMullerBlock(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  scale: number,
  out: Float64Array,
  offset: number,
  blockIndex: number,
  first: number,
  end: number,
): void {
  const r01 = scale * Math.sqrt(-2 * Math.log(((c0 >>> 9) + 0.5) * UNIFORM_SCALE));
  const t01 = TWO_PI * (((c1 >>> 9) + 0.5) * UNIFORM_SCALE);
  const r23 = scale * Math.sqrt(-2 * Math.log(((c2 >>> 9) + 0.5) * UNIFORM_SCALE));
  const t23 = TWO_PI * (((c3 >>> 9) + 0.5) * UNIFORM_SCALE);
  const base = blockIndex * 4;
  const o = offset + base - first;
  if (base >= first && base + 4 <= end) {
    out[o] = r01 * Math.cos(t01);
    out[o + 1] = r01 * Math.sin(t01);
    out[o + 2] = r23 * Math.cos(t23);
    out[o + 3] = r23 * Math.sin(t23);
  } else {
    // A partial block at either end of the range.
    const lanes = [r01 * Math.cos(t01), r01 * Math.sin(t01), r23 * Math.cos(t23), r23 * Math.sin(t23)];
    for (let lane = Math.max(0, first - base); lane < 4 && base + lane < end; lane++) out[o + lane] = lanes[lane]!;
  }
}

/**
 * out[offset + e - first] = scale * z(e) for elements e = first .. first + count - 1 of the stream,
 * where z(e) is the standard Gaussian of the layout above. Any sub-range gives the same values as the
 * whole.
 */
export function fillGaussian(out: Float64Array, offset: number, first: number, count: number, address: StreamAddress, scale = 1): void {
  const seed = address.seed >>> 0;
  const sample = address.sample >>> 0;
  const layer = address.layer >>> 0;
  const tag = address.tag >>> 0;
  const end = first + count;
  for (let blockIndex = Math.floor(first / 4); blockIndex * 4 < end; blockIndex++) {
    philoxBlock(blockIndex, layer, tag, 0, seed, sample);
    boxMullerBlock(block[0]!, block[1]!, block[2]!, block[3]!, scale, out, offset, blockIndex, first, end);
  }
}

/** out[e - first] = raw uint32 of element e of the stream, for e = first .. first + count - 1. */
export function fillUint32(out: Uint32Array, first: number, count: number, address: StreamAddress): void {
  const { seed, sample, layer, tag } = address;
  const end = first + count;
  let e = first;
  while (e < end) {
    const blockIndex = Math.floor(e / 4);
    philoxBlock(blockIndex, layer, tag, 0, seed, sample);
    const base = blockIndex * 4;
    for (let lane = e - base; lane < 4 && base + lane < end; lane++) out[base + lane - first] = block[lane]! >>> 0;
    e = base + 4;
  }
}
