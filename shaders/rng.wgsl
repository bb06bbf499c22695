// Philox4x32-10 and the Gaussian stream of src/engine/rng.ts, in WGSL. The layout is the same contract:
//   key = (seed, sample), counter = (element / 4, layer, tag, 0), lane = element % 4.
// Raw outputs are bit-identical to the TypeScript generator; Gaussians agree to float32 rounding.

const PHILOX_M0: u32 = 0xd2511f53u;
const PHILOX_M1: u32 = 0xcd9e8d57u;
const PHILOX_W0: u32 = 0x9e3779b9u;
const PHILOX_W1: u32 = 0xbb67ae85u;

// High 32 bits of a * b from 16-bit limbs (WGSL has no 64-bit integers); every partial sum fits a u32.
fn mulhi32(a: u32, b: u32) -> u32 {
  let aL = a & 0xffffu;
  let aH = a >> 16u;
  let bL = b & 0xffffu;
  let bH = b >> 16u;
  let lh = aL * bH;
  let hl = aH * bL;
  let cross = ((aL * bL) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return aH * bH + (lh >> 16u) + (hl >> 16u) + (cross >> 16u);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = mulhi32(c.x, PHILOX_M0);
    let lo0 = c.x * PHILOX_M0;
    let hi1 = mulhi32(c.z, PHILOX_M1);
    let lo1 = c.z * PHILOX_M1;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// u(x) = ((x >> 9) + 0.5) * 2^-23: 24 significant bits, exact in f32, strictly inside (0, 1).
fn uniform24(x: u32) -> f32 {
  return (f32(x >> 9u) + 0.5) * (1.0 / 8388608.0);
}

// (sin, cos) of theta = 2 pi u(x). WGSL only promises 2^-11 absolute error for sin/cos, so reduce to an
// octant exactly from the integer bits and use Taylor polynomials on [0, pi/4] (error < 2e-9).
fn sincos_turn(x: u32) -> vec2<f32> {
  let bits = x >> 9u;                       // 23 bits of u
  let octant = bits >> 20u;                 // floor(8 u)
  let frac = (f32(bits & 0xfffffu) + 0.5) * (1.0 / 1048576.0);
  let f = select(frac, 1.0 - frac, (octant & 1u) == 1u);
  let p = f * 0.78539816339744831;
  let p2 = p * p;
  let s = p * (1.0 + p2 * (-1.0 / 6.0 + p2 * (1.0 / 120.0 + p2 * (-1.0 / 5040.0 + p2 * (1.0 / 362880.0)))));
  let c = 1.0 + p2 * (-0.5 + p2 * (1.0 / 24.0 + p2 * (-1.0 / 720.0 + p2 * (1.0 / 40320.0 + p2 * (-1.0 / 3628800.0)))));
  switch octant {
    case 0u: { return vec2<f32>(s, c); }
    case 1u: { return vec2<f32>(c, s); }
    case 2u: { return vec2<f32>(c, -s); }
    case 3u: { return vec2<f32>(s, -c); }
    case 4u: { return vec2<f32>(-s, -c); }
    case 5u: { return vec2<f32>(-c, -s); }
    case 6u: { return vec2<f32>(-c, s); }
    default: { return vec2<f32>(-s, c); }
  }
}

// -2 log u(x) with small relative error. WGSL's log only promises 2^-21 absolute error on [0.5, 2],
// which the square root of Box-Muller turns into large errors for u near 1. There, use
// log u = 2 atanh(s), s = (u - 1)/(u + 1) in (-1/3, 0), whose series converges fast.
fn minus_two_log_uniform(x: u32) -> f32 {
  let u = uniform24(x);
  if (u < 0.5) {
    return -2.0 * log(u);
  }
  let s = (u - 1.0) / (u + 1.0);
  let s2 = s * s;
  let atanh = s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0 + s2 * (1.0 / 15.0))))))));
  return -4.0 * atanh;
}

// Four standard Gaussians from one Philox block (Box-Muller on lanes (0,1) and (2,3)).
fn gaussian4(block: vec4<u32>) -> vec4<f32> {
  let r01 = sqrt(minus_two_log_uniform(block.x));
  let r23 = sqrt(minus_two_log_uniform(block.z));
  let sc01 = sincos_turn(block.y);
  let sc23 = sincos_turn(block.w);
  return vec4<f32>(r01 * sc01.y, r01 * sc01.x, r23 * sc23.y, r23 * sc23.x);
}
