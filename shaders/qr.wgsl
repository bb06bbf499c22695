// Householder QR of each sample's panel Z (N x k, column-major), one workgroup per sample: R on and
// above the diagonal, reflectors below; then Q = H_0 ... H_{k-1} (first k columns) into Q, and
// log|R_jj| into compensated (Kahan) float32 sums, so 10^5 layers lose no accuracy to rounding.
// Structurally singular directions (j >= the rank bound of D W, feedforward) are flagged in `dead`,
// never passed through log(round-off).
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read_write> Z: array<f32>;
@group(0) @binding(2) var<storage, read_write> Q: array<f32>;
@group(0) @binding(3) var<storage, read_write> sums: array<f32>;
@group(0) @binding(4) var<storage, read_write> comps: array<f32>;
@group(0) @binding(5) var<storage, read_write> dead: array<u32>;
@group(0) @binding(6) var<storage, read> stats: array<u32>;

override WG: u32 = 64u;      // a power of two, chosen from the device limits (gpu/limits.ts)
override TAUS: u32 = 1024u;  // >= k
var<workgroup> red: array<f32, WG>;
var<workgroup> taus: array<f32, TAUS>;
var<workgroup> sh_scale: f32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let k = P.k;
  let zb = s * n * k;
  for (var j = 0u; j < k; j++) {
    let col = zb + j * n;
    var part = 0.0;
    for (var i = j + 1u + tid; i < n; i += WG) { part += Z[col + i] * Z[col + i]; }
    red[tid] = part;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
      if (tid < stride) { red[tid] += red[tid + stride]; }
      workgroupBarrier();
    }
    if (tid == 0u) {
      let alpha = Z[col + j];
      let sigma = red[0];
      if (sigma == 0.0) {
        taus[j] = 0.0;
        sh_scale = 1.0;
      } else {
        let norm = sqrt(alpha * alpha + sigma);
        let beta = select(norm, -norm, alpha >= 0.0);
        taus[j] = (beta - alpha) / beta;
        sh_scale = 1.0 / (alpha - beta);
        Z[col + j] = beta;
      }
    }
    storageBarrier();
    workgroupBarrier();
    let scale = sh_scale;
    for (var i = j + 1u + tid; i < n; i += WG) { Z[col + i] *= scale; }
    storageBarrier();
    workgroupBarrier();
    let tau = taus[j];
    if (tau != 0.0) {
      for (var c = j + 1u + tid; c < k; c += WG) {
        let cc = zb + c * n;
        var acc = Z[cc + j];
        for (var i = j + 1u; i < n; i++) { acc += Z[col + i] * Z[cc + i]; }
        acc *= tau;
        Z[cc + j] -= acc;
        for (var i = j + 1u; i < n; i++) { Z[cc + i] -= acc * Z[col + i]; }
      }
    }
    storageBarrier();
    workgroupBarrier();
  }

  // Exponent increments. Sparse feedforward layers can lose rank through their pattern (a matching
  // smaller than N), which the empty-row/column bound misses: there, also flag |R_jj| <= 1e-5 max|R_ii|,
  // the float32 compromise of THEORY.md section 2 (the float64 engine uses 1e-10).
  var local_max = 0.0;
  for (var j = tid; j < k; j += WG) { local_max = max(local_max, abs(Z[zb + j * n + j])); }
  red[tid] = local_max;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (tid < stride) { red[tid] = max(red[tid], red[tid + stride]); }
    workgroupBarrier();
  }
  let threshold = select(0.0, 1e-5 * red[0], P.feedforward == 1u && P.weights == 1u);
  let bound = select(k, stats[4u * s], P.feedforward == 1u);
  for (var j = tid; j < k; j += WG) {
    let r = abs(Z[zb + j * n + j]);
    if (P.measured == 1u) {
      if (j >= bound || r == 0.0 || r <= threshold) {
        dead[s * k + j] = 1u;
      } else {
        let idx = s * k + j;
        let y = log(r) - comps[idx];
        let t = sums[idx] + y;
        comps[idx] = (t - sums[idx]) - y;
        sums[idx] = t;
      }
    }
  }

  // Q = H_0 ... H_{k-1} I[:, :k] by backward accumulation.
  for (var e = tid; e < n * k; e += WG) { Q[zb + e] = select(0.0, 1.0, e % n == e / n); }
  storageBarrier();
  workgroupBarrier();
  for (var jj = k; jj > 0u; jj--) {
    let j = jj - 1u;
    let tau = taus[j];
    if (tau != 0.0) {
      let col = zb + j * n;
      for (var c = j + tid; c < k; c += WG) {
        let cc = zb + c * n;
        var acc = Q[cc + j];
        for (var i = j + 1u; i < n; i++) { acc += Z[col + i] * Q[cc + i]; }
        acc *= tau;
        Q[cc + j] -= acc;
        for (var i = j + 1u; i < n; i++) { Q[cc + i] -= acc * Z[col + i]; }
      }
    }
    storageBarrier();
    workgroupBarrier();
  }
}
