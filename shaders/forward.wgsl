// Forward pass of one layer, one workgroup per sample: h = W x + b, D = phi'(h), x <- a x + c phi(h).
// Also the structural rank bound of D W (feedforward): the number of rows of D W that can be nonzero,
// capped by the number of nonzero columns of W, and a sticky overflow marker (first bad layer).
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> XN: array<f32>;
@group(0) @binding(4) var<storage, read_write> D: array<f32>;
// stats[4 s]: rank bound of this layer; stats[4 s + 1]: first layer whose activations were not finite.
@group(0) @binding(5) var<storage, read_write> stats: array<u32>;

override WG: u32 = 64u;  // chosen from the device limits (gpu/limits.ts)
var<workgroup> rows_active: atomic<u32>;
var<workgroup> cols_active: atomic<u32>;
var<workgroup> bad: atomic<u32>;

fn not_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let wb = s * n * n;
  let xb = s * n;
  if (tid == 0u) {
    atomicStore(&rows_active, 0u);
    atomicStore(&cols_active, 0u);
    atomicStore(&bad, 0u);
  }
  workgroupBarrier();
  let key = vec2<u32>(P.seed, P.sample_base + s);
  for (var i = tid; i < n; i += WG) {
    var acc = 0.0;
    var row_nonzero = false;
    for (var t = 0u; t < n; t++) {
      let w = W[wb + i * n + t];
      acc += w * X[xb + t];
      row_nonzero = row_nonzero || w != 0.0;
    }
    if (P.b_scale > 0.0) {
      acc += gaussian4(philox4x32_10(vec4<u32>(i / 4u, P.layer, 1u, 0u), key))[i % 4u] * P.b_scale;
    }
    let d = dphi(P.act, acc);
    D[xb + i] = d;
    let xn = P.a * X[xb + i] + P.c * phi(P.act, acc);
    XN[xb + i] = xn;
    if (d != 0.0 && row_nonzero) { atomicAdd(&rows_active, 1u); }
    if (not_finite(acc) || not_finite(xn)) { atomicStore(&bad, 1u); }
  }
  // Empty columns only occur for sparse weights (or sw2 = 0): skip this strided O(N^2) scan otherwise.
  if (P.weights == 1u || P.w_scale == 0.0) {
    for (var j = tid; j < n; j += WG) {
      var col_nonzero = false;
      for (var i = 0u; i < n; i++) { col_nonzero = col_nonzero || W[wb + i * n + j] != 0.0; }
      if (col_nonzero) { atomicAdd(&cols_active, 1u); }
    }
  } else if (tid == 0u) {
    atomicStore(&cols_active, n);
  }
  storageBarrier();
  workgroupBarrier();
  for (var i = tid; i < n; i += WG) { X[xb + i] = XN[xb + i]; }
  if (tid == 0u) {
    stats[4u * s] = min(atomicLoad(&rows_active), atomicLoad(&cols_active));
    if (atomicLoad(&bad) != 0u && stats[4u * s + 1u] == 0u) { stats[4u * s + 1u] = P.layer; }
  }
}
