// Blocked Householder QR, step 3 of 3, between the factor and form sweeps of qr-apply.wgsl; one
// workgroup per sample. With R_l now on and above Z's diagonal:
//  - log|R_jj| into compensated (Kahan) float32 sums, so 10^5 layers lose no accuracy to rounding
//    (only for a measured layer's Jacobian, never for a Haar frame: B.haar).
//    Structurally singular directions (j >= the rank bound of D W, feedforward) are flagged in `dead`,
//    never passed through log(round-off);
//  - grad += log|R_11| (Kahan), burn-in included, for the forward block (docs/THEORY.md 5.14: with u
//    the first column of Q_0, log|J_l ... J_1 u| is this running sum), written to FWD at a recorded layer;
//  - Q <- I[:, :k], the start of the backward accumulation Q = H_0 ... H_{k-1} I[:, :k]. With B.haar
//    (the initial frame Q_0, orthogonal weights) column j starts as sign(R_jj) e_j instead, which
//    multiplies Q's column j by sign(R_jj): the fix without which Q is not Haar (docs/THEORY.md), as the
//    CPU's haarColumns does.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<uniform> B: Panel;
@group(0) @binding(2) var<storage, read> Z: array<f32>;
@group(0) @binding(3) var<storage, read_write> Q: array<f32>;
@group(0) @binding(4) var<storage, read_write> sums: array<f32>;
@group(0) @binding(5) var<storage, read_write> comps: array<f32>;
@group(0) @binding(6) var<storage, read_write> dead: array<u32>;
@group(0) @binding(7) var<storage, read> stats: array<u32>;
// Per sample: the running log-gradient, its Kahan compensation, and 1.0 once R_11 was exactly zero.
@group(0) @binding(8) var<storage, read_write> GRAD: array<f32>;
// The forward block's record (forward.wgsl): lane 4 of each slot and sample is grad.
@group(0) @binding(9) var<storage, read_write> FWD: array<f32>;

override WG: u32 = 64u;  // a power of two, chosen from the device limits (gpu/limits.ts)
var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let k = B.k;
  let zb = s * n * k;

  // Sparse feedforward layers can lose rank through their pattern (a matching smaller than N), which
  // the empty-row/column bound misses: there, also flag |R_jj| <= 1e-5 max|R_ii|, the float32
  // compromise of docs/THEORY.md section 2 (the float64 engine uses 1e-10).
  var local_max = 0.0;
  for (var j = tid; j < k; j += WG) { local_max = max(local_max, abs(Z[zb + j * n + j])); }
  red[tid] = local_max;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (tid < stride) { red[tid] = max(red[tid], red[tid + stride]); }
    workgroupBarrier();
  }
  let threshold = select(0.0, 1e-5 * red[0], P.rank_threshold == 1u);
  let bound = select(k, stats[4u * s], P.rank_bound == 1u);
  if (P.measured == 1u && B.haar == 0u) {
    for (var j = tid; j < k; j += WG) {
      let r = abs(Z[zb + j * n + j]);
      let idx = s * k + j;
      if (j >= bound || r == 0.0 || r <= threshold) {
        dead[idx] = 1u;
      } else {
        let y = log(r) - comps[idx];
        let t = sums[idx] + y;
        comps[idx] = (t - sums[idx]) - y;
        sums[idx] = t;
      }
    }
  }

  if (B.haar == 0u && tid == 0u) {
    let r = abs(Z[zb]);
    let gb = 3u * s;
    if (bound == 0u || r == 0.0 || r <= threshold) {
      GRAD[gb + 2u] = 1.0;
    } else {
      let y = log(r) - GRAD[gb + 1u];
      let t = GRAD[gb] + y;
      GRAD[gb + 1u] = (t - GRAD[gb]) - y;
      GRAD[gb] = t;
    }
    if (P.forward_slot != 0u) {
      // -Infinity for an exactly singular direction, as on the CPU (from a runtime value: WGSL rejects an
      // infinite constant expression).
      let minus_inf = bitcast<f32>(0xff800000u | (P.n & 0u));
      FWD[5u * ((P.forward_slot - 1u) * P.samples + s) + 4u] = select(GRAD[gb], minus_inf, GRAD[gb + 2u] != 0.0);
    }
  }

  for (var e = tid; e < n * k; e += WG) {
    let row = e % n;
    let col = e / n;
    var v = 0.0;
    if (row == col) { v = select(1.0, -1.0, B.haar == 1u && Z[zb + col * n + col] < 0.0); }
    Q[zb + e] = v;
  }
}
