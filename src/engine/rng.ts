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
 * The WGSL twin evaluates the same expressions in float32 (sin/cos from the exact quadrant of the
 * integer bits), so the two agree to float32 rounding. |z| is at most sqrt(2 * 24 log 2) = 5.77; the
 * truncated tail has probability 8e-9 and changes the variance by less than 1e-6 relative.
 * Bernoulli masks (sparse weights) compare the raw uint32 of the mask stream with an integer
 * threshold (params/derived.ts sparseKeepThreshold), so both engines make bit-identical masks.
 */

export const STREAM_TAG = {
  weights: 0,
  bias: 1,
  input: 2,
  initialFrame: 3,
  sparseMask: 4,
} as const;
export type StreamTag = (typeof STREAM_TAG)[keyof typeof STREAM_TAG];

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
// 16-bit halves of the multipliers: the high word of a 32x32 product is assembled from two exact
// 48-bit float64 products, because JavaScript has no 64-bit integer multiply short of BigInt.
const M0_LO = M0 & 0xffff;
const M0_HI = M0 >>> 16;
const M1_LO = M1 & 0xffff;
const M1_HI = M1 >>> 16;
const TWO_POW_32 = 4294967296;

/** High 32 bits of (a * m) for m = (mHi << 16) | mLo, a uint32. */
function mulhi(a: number, mLo: number, mHi: number): number {
  const pLo = a * mLo; // < 2^48, exact
  const pHi = a * mHi; // < 2^48, exact
  const mid = (pHi % 65536) * 65536 + pLo; // < 2^49, exact
  return (Math.floor(pHi / 65536) + Math.floor(mid / TWO_POW_32)) >>> 0;
}

/** One Philox4x32-10 block: writes 4 uint32 outputs into out[0..3]. */
export function philox4x32_10(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  c0 >>>= 0;
  c1 >>>= 0;
  c2 >>>= 0;
  c3 >>>= 0;
  k0 >>>= 0;
  k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(c0, M0_LO, M0_HI);
    const lo0 = Math.imul(c0, M0) >>> 0;
    const hi1 = mulhi(c2, M1_LO, M1_HI);
    const lo1 = Math.imul(c2, M1) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
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

const block = new Uint32Array(4);
const M0_L = M0 & 0xffff;
const M0_H = M0 >>> 16;
const M1_L = M1 & 0xffff;
const M1_H = M1 >>> 16;

/**
 * out[offset + e - first] = scale * z(e) for elements e = first .. first + count - 1 of the stream,
 * where z(e) is the standard Gaussian of the layout above. Any sub-range gives the same values as the
 * whole. This is the CPU engine's hottest loop after the matmul (N^2 draws per layer), so Philox is
 * inlined with an integer-only high-word multiply, and whole blocks skip the per-lane checks.
 */
export function fillGaussian(
  out: Float64Array,
  offset: number,
  first: number,
  count: number,
  address: StreamAddress,
  scale = 1,
): void {
  const seed = address.seed >>> 0;
  const sample = address.sample >>> 0;
  const layer = address.layer >>> 0;
  const tag = address.tag >>> 0;
  const end = first + count;
  for (let blockIndex = Math.floor(first / 4); blockIndex * 4 < end; blockIndex++) {
    let c0 = blockIndex >>> 0;
    let c1 = layer;
    let c2 = tag;
    let c3 = 0;
    let k0 = seed;
    let k1 = sample;
    for (let round = 0; round < 10; round++) {
      // 32 x 32 -> 64-bit products from 16-bit limbs; every partial product is exact below 2^32.
      const a0L = c0 & 0xffff, a0H = c0 >>> 16;
      const ll0 = a0L * M0_L, lh0 = a0L * M0_H, hl0 = a0H * M0_L;
      const cross0 = (ll0 >>> 16) + (lh0 & 0xffff) + (hl0 & 0xffff);
      const hi0 = (a0H * M0_H + (lh0 >>> 16) + (hl0 >>> 16) + (cross0 >>> 16)) >>> 0;
      const lo0 = Math.imul(c0, M0) >>> 0;
      const a2L = c2 & 0xffff, a2H = c2 >>> 16;
      const ll1 = a2L * M1_L, lh1 = a2L * M1_H, hl1 = a2H * M1_L;
      const cross1 = (ll1 >>> 16) + (lh1 & 0xffff) + (hl1 & 0xffff);
      const hi1 = (a2H * M1_H + (lh1 >>> 16) + (hl1 >>> 16) + (cross1 >>> 16)) >>> 0;
      const lo1 = Math.imul(c2, M1) >>> 0;
      c0 = (hi1 ^ c1 ^ k0) >>> 0;
      c1 = lo1;
      c2 = (hi0 ^ c3 ^ k1) >>> 0;
      c3 = lo0;
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
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
}

/** out[e - first] = raw uint32 of element e of the stream, for e = first .. first + count - 1. */
export function fillUint32(out: Uint32Array, first: number, count: number, address: StreamAddress): void {
  const { seed, sample, layer, tag } = address;
  const end = first + count;
  let e = first;
  while (e < end) {
    const blockIndex = Math.floor(e / 4);
    philox4x32_10(blockIndex, layer, tag, 0, seed, sample, block);
    const base = blockIndex * 4;
    for (let lane = e - base; lane < 4 && base + lane < end; lane++) out[base + lane - first] = block[lane]!;
    e = base + 4;
  }
}
