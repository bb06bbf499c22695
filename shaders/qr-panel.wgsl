// Blocked Householder QR, step 1 of 3 (qr-apply.wgsl, qr-finish.wgsl): factor one panel of each
// sample's Z (N x k, column-major), the columns [j0, j1) with j1 - j0 <= PB, one workgroup per
// sample. As in LAPACK's geqrt: R on and above the diagonal, the reflectors v_j (unit diagonal
// implied) below it, and the panel's compact-WY factor T (PB x PB, upper triangular) into Tm, so that
// H_j0 ... H_{j1-1} = I - V T V^T. qr-apply.wgsl then applies the whole panel to the trailing columns
// as matrix-matrix work; only this kernel is a sequence of vector steps, over PB columns instead of k.
//
// One set of dot products per reflector serves both purposes: for every other panel column c,
// d_c = Z[j, c] + sum_{i > j} v_j[i] Z[i, c] is the update's dot product when c > j, and v_c^T v_j
// (the T recurrence's) when c < j, because column c < j holds v_c below its diagonal. Each column's
// dot product and update belong to G = WG / PB invocations (interleaved rows), so a reflector costs a
// handful of barriers, not a reduction tree per column.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<uniform> B: Panel;
@group(0) @binding(2) var<storage, read_write> Z: array<f32>;
@group(0) @binding(3) var<storage, read_write> Tm: array<f32>;

override WG: u32 = 64u;   // chosen from the device limits (gpu/limits.ts)
override PB: u32 = 32u;   // panel width
override G: u32 = max(1u, WG / PB);  // invocations per panel column
override RED: u32 = max(WG, PB * G);
override SPAN: u32 = min(WG, 16u);     // a power of two dividing WG
override RED2: u32 = WG / SPAN;
override TT: u32 = PB * PB;
var<workgroup> red: array<f32, RED>;     // partial sums
var<workgroup> red2: array<f32, RED2>;
var<workgroup> dsh: array<f32, PB>;      // d_c
var<workgroup> tsh: array<f32, TT>;      // T, row-major
var<workgroup> sh_tau: f32;
var<workgroup> sh_scale: f32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let k = P.k;
  let zb = s * n * k;
  let j0 = B.j0;
  let width = B.j1 - j0;
  for (var e = tid; e < PB * PB; e += WG) { tsh[e] = 0.0; }

  for (var jl = 0u; jl < width; jl++) {
    let j = j0 + jl;
    let col = zb + j * n;
    // The reflector's norm below the diagonal: partial sums, added up in two stages of SPAN (two
    // barriers instead of a tree of log2(WG)).
    var part = 0.0;
    for (var i = j + 1u + tid; i < n; i += WG) { part += Z[col + i] * Z[col + i]; }
    red[tid] = part;
    workgroupBarrier();
    if (tid < WG / SPAN) {
      var acc = 0.0;
      for (var t = tid * SPAN; t < (tid + 1u) * SPAN; t++) { acc += red[t]; }
      red2[tid] = acc;
    }
    workgroupBarrier();
    if (tid == 0u) {
      var sigma = 0.0;
      for (var t = 0u; t < WG / SPAN; t++) { sigma += red2[t]; }
      let alpha = Z[col + j];
      if (sigma == 0.0) {
        sh_tau = 0.0;
        sh_scale = 1.0;
      } else {
        let norm = sqrt(alpha * alpha + sigma);
        let beta = select(norm, -norm, alpha >= 0.0);
        sh_tau = (beta - alpha) / beta;
        sh_scale = 1.0 / (alpha - beta);
        Z[col + j] = beta;
      }
    }
    storageBarrier();
    // Uniform loads (with a barrier): every invocation takes the same branches below.
    let scale = workgroupUniformLoad(&sh_scale);
    let tau = workgroupUniformLoad(&sh_tau);
    for (var i = j + 1u + tid; i < n; i += WG) { Z[col + i] *= scale; }
    storageBarrier();
    workgroupBarrier();
    if (tau != 0.0) {
      // Partial d_c over rows j+1+g, j+1+g+G, ... for every panel column c != j (neighbouring
      // invocations take neighbouring rows of one column: coalesced loads).
      for (var slot = tid; slot < PB * G; slot += WG) {
        let cl = slot / G;
        let g = slot % G;
        var acc = 0.0;
        if (cl < width && cl != jl) {
          let cc = zb + (j0 + cl) * n;
          // Four rows per iteration, so that four loads are in flight (one at a time, every
          // iteration waits for its load: this loop is the panel's critical path on a GPU).
          var acc4 = vec4<f32>(0.0);
          var i = j + 1u + g;
          for (; i + 3u * G < n; i += 4u * G) {
            let a = vec4<f32>(Z[col + i], Z[col + i + G], Z[col + i + 2u * G], Z[col + i + 3u * G]);
            let b = vec4<f32>(Z[cc + i], Z[cc + i + G], Z[cc + i + 2u * G], Z[cc + i + 3u * G]);
            acc4 += a * b;
          }
          acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);
          for (; i < n; i += G) { acc += Z[col + i] * Z[cc + i]; }
        }
        red[g * PB + cl] = acc;
      }
      workgroupBarrier();
      for (var cl = tid; cl < width; cl += WG) {
        var d = Z[zb + (j0 + cl) * n + j];
        for (var g = 0u; g < G; g++) { d += red[g * PB + cl]; }
        dsh[cl] = d;
      }
      workgroupBarrier();
      // Update the later panel columns, Z[:, c] -= tau d_c v_j over rows >= j, with the same split.
      for (var slot = tid; slot < PB * G; slot += WG) {
        let cl = slot / G;
        let g = slot % G;
        if (cl > jl && cl < width) {
          let cc = zb + (j0 + cl) * n;
          let f = tau * dsh[cl];
          // Row j (v_j's implied 1) first, then four rows per iteration as above.
          if (g == 0u) { Z[cc + j] -= f; }
          var i = select(j + g, j + G, g == 0u);
          for (; i + 3u * G < n; i += 4u * G) {
            let v = vec4<f32>(Z[col + i], Z[col + i + G], Z[col + i + 2u * G], Z[col + i + 3u * G]);
            let m = vec4<f32>(Z[cc + i], Z[cc + i + G], Z[cc + i + 2u * G], Z[cc + i + 3u * G]) - f * v;
            Z[cc + i] = m.x;
            Z[cc + i + G] = m.y;
            Z[cc + i + 2u * G] = m.z;
            Z[cc + i + 3u * G] = m.w;
          }
          for (; i < n; i += G) { Z[cc + i] -= f * Z[col + i]; }
        }
      }
      // T[0:jl, jl] = -tau T[0:jl, 0:jl] y with y_m = v_m^T v_j = d_m; one row per invocation.
      for (var m = tid; m < jl; m += WG) {
        var acc = 0.0;
        for (var q = m; q < jl; q++) { acc += tsh[m * PB + q] * dsh[q]; }
        tsh[m * PB + jl] = -tau * acc;
      }
      if (tid == 0u) { tsh[jl * PB + jl] = tau; }
    }
    storageBarrier();
    workgroupBarrier();
  }
  let tb = (s * ((k + PB - 1u) / PB) + j0 / PB) * PB * PB;
  for (var e = tid; e < PB * PB; e += WG) { Tm[tb + e] = tsh[e]; }
}
