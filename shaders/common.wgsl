// Helpers shared by the engine's kernels. The Layer uniform struct, the activations' phi/phi' dispatch and
// the ensembles' weight draws are generated from src/engine/gpu/layer-uniform.ts and the model registry
// (src/model/), and put in front of this file by src/engine/gpu/wgsl.ts.

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
// sigmoid'(h) = e^{-|h|} / (1 + e^{-|h|})^2: no 1 - s cancellation (docs/THEORY.md section 2).
fn sigmoid_prime(h: f32) -> f32 {
  let e = exp(-abs(h));
  let d = 1.0 + e;
  return e / (d * d);
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

// Infinity or NaN (all exponent bits set), without relying on isinf/isnan, which WGSL does not have.
fn not_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}
