// Forward pass of one layer: h = W x + b, D = phi'(h), x <- a x + c phi(h), and the same map for the
// second input x2 (docs/THEORY.md 5.14: same W and b, no D), in two dispatches:
//   rows (workgroups: row blocks x samples): GR invocations per row share its dot product (strided
//     over the row, so their loads coalesce), then one of them finishes the row: bias, D, phi, the
//     count of rows of D W that can be nonzero, and whether anything was not finite;
//   finish (one workgroup per sample): x <- x' and x2 <- x2' (no row may read them after this), the
//     structural rank bound of D W (the count of such rows, capped by the number of nonzero columns of
//     W), a sticky overflow marker (the first layer whose activations were not finite), and at a layer
//     the forward block records, the sums |x|^2, |x2|^2, x.x2 and |x - x2|^2 into FWD.
// One workgroup per sample walking every row in turn (as before) left a GPU mostly idle: N dependent
// rows of N loads per invocation group.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> XN: array<f32>;
@group(0) @binding(4) var<storage, read_write> D: array<f32>;
// Per sample: stats[4 s] the rank bound of this layer, [4 s + 1] the first layer whose activations
// were not finite (0: none), and the rows pass's tallies for finish, which clears them: [4 s + 2] the
// rows that can be nonzero, [4 s + 3] nonzero when something was not finite.
@group(0) @binding(5) var<storage, read_write> stats: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> X2: array<f32>;
@group(0) @binding(7) var<storage, read_write> XN2: array<f32>;
// The forward block: per recorded slot and sample, 5 floats (the four sums here, grad in qr-finish.wgsl).
@group(0) @binding(8) var<storage, read_write> FWD: array<f32>;

override WG: u32 = 64u;  // chosen from the device limits (gpu/limits.ts)
override GR: u32 = 8u;   // invocations per row in `rows`, a power of two dividing WG
var<workgroup> part: array<f32, WG>;
var<workgroup> part2: array<f32, WG>;
var<workgroup> part_nonzero: array<u32, WG>;
var<workgroup> sums4: array<vec4<f32>, WG>;
var<workgroup> cols_active: atomic<u32>;

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.y;
  let n = P.n;
  let i = wid.x * (WG / GR) + tid / GR;
  let g = tid % GR;
  let wb = s * n * n + i * n;
  let xb = s * n;
  var acc = 0.0;
  var acc2 = 0.0;
  var nonzero = false;
  if (i < n) {
    // Four t per iteration, so that several loads are in flight; the second input shares W's loads.
    var acc4 = vec4<f32>(0.0);
    var acc24 = vec4<f32>(0.0);
    var t = g;
    for (; t + 3u * GR < n; t += 4u * GR) {
      let w = vec4<f32>(W[wb + t], W[wb + t + GR], W[wb + t + 2u * GR], W[wb + t + 3u * GR]);
      acc4 += w * vec4<f32>(X[xb + t], X[xb + t + GR], X[xb + t + 2u * GR], X[xb + t + 3u * GR]);
      acc24 += w * vec4<f32>(X2[xb + t], X2[xb + t + GR], X2[xb + t + 2u * GR], X2[xb + t + 3u * GR]);
      nonzero = nonzero | any(w != vec4<f32>(0.0));
    }
    acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);
    acc2 = (acc24.x + acc24.y) + (acc24.z + acc24.w);
    for (; t < n; t += GR) {
      let w = W[wb + t];
      acc += w * X[xb + t];
      acc2 += w * X2[xb + t];
      nonzero = nonzero | (w != 0.0);
    }
  }
  part[tid] = acc;
  part2[tid] = acc2;
  part_nonzero[tid] = select(0u, 1u, nonzero);
  workgroupBarrier();
  if (g != 0u || i >= n) { return; }
  var h = 0.0;
  var h2 = 0.0;
  var row_nonzero = 0u;
  for (var q = 0u; q < GR; q++) {
    h += part[tid + q];
    h2 += part2[tid + q];
    row_nonzero |= part_nonzero[tid + q];
  }
  if (P.b_scale > 0.0) {
    let b = gaussian4(philox4x32_10(vec4<u32>(i / 4u, P.layer, 1u, 0u), vec2<u32>(P.seed, P.sample_base + s)))[i % 4u] * P.b_scale;
    h += b;
    h2 += b;
  }
  let d = dphi(P.act, P.theta, h);
  D[xb + i] = d;
  let xn = P.a * X[xb + i] + P.c * phi(P.act, P.theta, h);
  XN[xb + i] = xn;
  XN2[xb + i] = P.a * X2[xb + i] + P.c * phi(P.act, P.theta, h2);
  if (d != 0.0 && row_nonzero != 0u) { atomicAdd(&stats[4u * s + 2u], 1u); }
  if (not_finite(h) || not_finite(xn)) { atomicMax(&stats[4u * s + 3u], 1u); }
}

@compute @workgroup_size(WG)
fn finish(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let wb = s * n * n;
  let xb = s * n;
  if (tid == 0u) { atomicStore(&cols_active, 0u); }
  workgroupBarrier();
  // Empty columns only occur for weights with structural zeros (or sw2 = 0), and only layers with the
  // rank bound use it (qr-finish.wgsl, tproduct.wgsl): skip this O(N^2) scan otherwise (scan_columns).
  if (P.scan_columns == 1u) {
    for (var j = tid; j < n; j += WG) {
      // Four rows per iteration and ors that do not short-circuit, so the loads need not wait on each
      // other (a || made each load a branch on the one before: N in turn per column).
      var col_nonzero = false;
      var i = 0u;
      for (; i + 3u < n; i += 4u) {
        let w = vec4<f32>(W[wb + i * n + j], W[wb + (i + 1u) * n + j], W[wb + (i + 2u) * n + j], W[wb + (i + 3u) * n + j]);
        col_nonzero = col_nonzero | any(w != vec4<f32>(0.0));
      }
      for (; i < n; i++) { col_nonzero = col_nonzero | (W[wb + i * n + j] != 0.0); }
      if (col_nonzero) { atomicAdd(&cols_active, 1u); }
    }
  } else if (tid == 0u) {
    atomicStore(&cols_active, n);
  }
  var acc = vec4<f32>(0.0);
  for (var i = tid; i < n; i += WG) {
    let x = XN[xb + i];
    let y = XN2[xb + i];
    X[xb + i] = x;
    X2[xb + i] = y;
    acc += vec4<f32>(x * x, y * y, x * y, (x - y) * (x - y));
  }
  if (P.forward_slot != 0u) {
    sums4[tid] = acc;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
      if (tid < stride) { sums4[tid] += sums4[tid + stride]; }
      workgroupBarrier();
    }
    if (tid == 0u) {
      let o = 5u * ((P.forward_slot - 1u) * P.samples + s);
      FWD[o] = sums4[0].x;
      FWD[o + 1u] = sums4[0].y;
      FWD[o + 2u] = sums4[0].z;
      FWD[o + 3u] = sums4[0].w;
    }
  }
  workgroupBarrier();
  if (tid == 0u) {
    let b = 4u * s;
    atomicStore(&stats[b], min(atomicLoad(&stats[b + 2u]), atomicLoad(&cols_active)));
    if (atomicLoad(&stats[b + 3u]) != 0u && atomicLoad(&stats[b + 1u]) == 0u) { atomicStore(&stats[b + 1u], P.layer); }
    atomicStore(&stats[b + 2u], 0u);
    atomicStore(&stats[b + 3u], 0u);
  }
}
