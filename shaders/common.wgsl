// Per-dispatch parameters shared by the engine's kernels (one 256-byte slot per layer, selected with a
// dynamic offset, so a whole chunk of layers is encoded into one command buffer).
struct Layer {
  n: u32,              // width N
  k: u32,              // columns of Q
  samples: u32,        // samples in this batch
  layer: u32,          // 1-based layer index (stream coordinate)
  seed: u32,
  sample_base: u32,    // stream index of the batch's first sample
  act: u32,            // activation id (ACT_* below)
  weights: u32,        // 0 gauss, 1 sparse, 2 orthogonal
  a: f32,              // J = a I + c D W
  c: f32,
  w_scale: f32,        // Gaussian weight scale: sqrt(sw2/N) or sqrt(sw2/(N p))
  b_scale: f32,        // sqrt(sb2)
  keep_threshold: u32, // sparse: keep iff mask < threshold (keep_all overrides for p = 1)
  keep_all: u32,
  measured: u32,       // 1 when this layer is past the burn-in
  feedforward: u32,
};

const ACT_LINEAR: u32 = 0u;
const ACT_TANH: u32 = 1u;
const ACT_RELU: u32 = 2u;
const ACT_HARDTANH: u32 = 3u;
const ACT_ERF: u32 = 4u;
const ACT_SIGMOID: u32 = 5u;
const ACT_GELU: u32 = 6u;
const ACT_SILU: u32 = 7u;
const ACT_SELU: u32 = 8u;

const SELU_LAMBDA: f32 = 1.0507009873554805;
const SELU_ALPHA: f32 = 1.6732632423543772;

// erfc for x >= 0 with small relative error (Abramowitz & Stegun 7.1.26 form, |eps| < 1.5e-7 abs);
// callers use erfc(-x) = 2 - erfc(x), which keeps the left tail of Phi accurate.
fn erfc_pos(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * x);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return poly * exp(-x * x);
}
fn erf_f(x: f32) -> f32 {
  let r = 1.0 - erfc_pos(abs(x));
  return select(r, -r, x < 0.0);
}
fn normal_cdf(x: f32) -> f32 {
  let e = erfc_pos(abs(x) * 0.70710678118654752);
  return select(1.0 - 0.5 * e, 0.5 * e, x < 0.0);
}
fn sigmoid_f(h: f32) -> f32 {
  let e = exp(-abs(h));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), h >= 0.0);
}
// sigmoid'(h) = e^{-|h|} / (1 + e^{-|h|})^2: no 1 - s cancellation (THEORY.md section 2).
fn sigmoid_prime(h: f32) -> f32 {
  let e = exp(-abs(h));
  let d = 1.0 + e;
  return e / (d * d);
}

fn phi(act: u32, h: f32) -> f32 {
  switch act {
    case 0u: { return h; }
    case 1u: { return tanh(h); }
    case 2u: { return max(h, 0.0); }
    case 3u: { return clamp(h, -1.0, 1.0); }
    case 4u: { return erf_f(h); }
    case 5u: { return sigmoid_f(h); }
    case 6u: { return h * normal_cdf(h); }
    case 7u: { return h * sigmoid_f(h); }
    default: { return select(SELU_LAMBDA * SELU_ALPHA * (exp(h) - 1.0), SELU_LAMBDA * h, h > 0.0); }
  }
}

// phi' with exact zeros where they are structural (ReLU, hard-tanh) and no catastrophic cancellation:
// tanh' = 4 t/(1 + t)^2 with t = e^{-2|h|}, never 1 - tanh^2 (wrong by 6% at h = 8 in float32).
fn dphi(act: u32, h: f32) -> f32 {
  switch act {
    case 0u: { return 1.0; }
    case 1u: {
      let t = exp(-2.0 * abs(h));
      let d = 1.0 + t;
      return 4.0 * t / (d * d);
    }
    case 2u: { return select(0.0, 1.0, h > 0.0); }
    case 3u: { return select(0.0, 1.0, h > -1.0 && h < 1.0); }
    case 4u: { return 1.1283791670955126 * exp(-h * h); }
    case 5u: { return sigmoid_prime(h); }
    case 6u: { return normal_cdf(h) + h * 0.3989422804014327 * exp(-0.5 * h * h); }
    case 7u: { return sigmoid_f(h) + h * sigmoid_prime(h); }
    default: { return select(SELU_LAMBDA * SELU_ALPHA * exp(h), SELU_LAMBDA, h > 0.0); }
  }
}

// Per-dispatch parameters of the blocked QR kernels (qr-panel, qr-apply, qr-finish): the panel of
// columns [j0, j1) of an N x k matrix, and for qr-finish whether Q gets the Haar sign fix (a random
// frame: Q_0, or orthogonal weights), in which case nothing is measured. k is the Jacobian's columns,
// or N for orthogonal weights.
struct Panel {
  j0: u32,
  j1: u32,
  haar: u32,
  k: u32,
};
