// Blocked Householder QR, step 1 of 3 (qr-apply.wgsl, qr-finish.wgsl): factor one panel of each
// sample's Z (N x k, column-major), the columns [j0, j1) with j1 - j0 <= PB, one workgroup per
// sample. As in LAPACK's geqrt: R on and above the diagonal, the reflectors v_j (unit diagonal
// implied) below it, and the panel's compact-WY factor T (PB x PB, upper triangular) into Tm, so that
// H_j0 ... H_{j1-1} = I - V T V^T. qr-apply.wgsl then applies the whole panel to the trailing columns
// as matrix-matrix work; only this kernel is a sequence of vector steps, over PB columns instead of k.
//
// The panel lives in registers for the whole factorization: it is read from Z once and written back
// once. A slot (c, g) holds column j0 + c's rows j0 + g + G r, r < RPI (G row groups per column, so
// consecutive slots read consecutive rows). Each reflector is one round through workgroup memory: its
// norm (a G-way sum), its scaled v_j broadcast in vsh, every column's partial dot product with v_j
// (a G-way sum again) and the update, a handful of barriers and no global memory access. Reading and
// writing Z in every step instead made each of the PB steps wait on memory latency several times.
//
// One set of dot products per reflector serves both purposes: for every other panel column c,
// d_c = sum_{i >= j} v_j[i] Z[i, c] (v_j[j] = 1) is the update's dot product when c > j, and v_c^T v_j
// (the T recurrence's) when c < j, because column c < j holds v_c below its diagonal.
//
// The host puts two consts in front (their register array needs a constant length):
//   RPI  rows per slot, a multiple of 4 >= N / G;   SPI  slots per invocation, PB G / WG.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<uniform> B: Panel;
@group(0) @binding(2) var<storage, read_write> Z: array<f32>;
@group(0) @binding(3) var<storage, read_write> Tm: array<f32>;

override WG: u32 = 64u;  // invocations, chosen from the device limits (gpu/limits.ts)
override PB: u32 = 32u;  // panel width
override G: u32 = 2u;    // row groups per column (slots: PB G, SPI per invocation)
var<workgroup> vsh: array<f32, RPI * G>;  // v_j by local row i - j0: 0 above j, 1 at j
var<workgroup> red: array<f32, PB * G>;   // partial sums, [g PB + c]
var<workgroup> dsh: array<f32, PB>;       // d_c for c < j (the T recurrence)
var<workgroup> tsh: array<f32, PB * PB>;  // T, row-major
var<workgroup> sh_alpha: f32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let k = B.k;
  let zb = s * n * k;
  let j0 = B.j0;
  let width = B.j1 - j0;
  for (var e = tid; e < PB * PB; e += WG) { tsh[e] = 0.0; }

  // zr[q RPI + r]: slot q's row j0 + g + G r of column j0 + c (0 outside the panel).
  var zr: array<f32, SPI * RPI>;
  for (var q = 0u; q < SPI; q++) {
    let slot = tid + q * WG;
    let c = slot / G;
    let g = slot % G;
    let cb = zb + (j0 + c) * n + j0;
    for (var r = 0u; r < RPI; r++) {
      let li = g + G * r;
      zr[q * RPI + r] = select(0.0, Z[min(cb + li, zb + n * k - 1u)], slot < PB * G && c < width && j0 + li < n);
    }
  }

  for (var jl = 0u; jl < width; jl++) {
    // The reflector's norm below the diagonal, and the diagonal entry alpha, from column jl's slots.
    for (var q = 0u; q < SPI; q++) {
      let slot = tid + q * WG;
      if (slot / G == jl) {
        let g = slot % G;
        var part = 0.0;
        for (var r = 0u; r < RPI; r++) {
          let li = g + G * r;
          let x = zr[q * RPI + r];
          if (li > jl) { part += x * x; }
          if (li == jl) { sh_alpha = x; }
        }
        red[g] = part;
      }
    }
    workgroupBarrier();
    // Every invocation forms the reflector from the same partial sums in the same order, so all hold
    // the same tau, scale and beta: no invocation computes them for the others, no broadcast barrier.
    var sigma = 0.0;
    for (var g = 0u; g < G; g++) { sigma += red[g]; }
    let alpha = sh_alpha;
    // sigma == 0: H_j = I (tau = 0), as LAPACK; the steps below are then exact no-ops (v_j = e_j).
    var tau = 0.0;
    var scale = 1.0;
    var beta = alpha;
    if (sigma != 0.0) {
      let norm = sqrt(alpha * alpha + sigma);
      beta = select(norm, -norm, alpha >= 0.0);
      tau = (beta - alpha) / beta;
      scale = 1.0 / (alpha - beta);
    }
    // Column jl becomes beta on the diagonal and v_j below it; v_j goes to vsh for everyone.
    for (var q = 0u; q < SPI; q++) {
      let slot = tid + q * WG;
      if (slot / G == jl) {
        let g = slot % G;
        for (var r = 0u; r < RPI; r++) {
          let li = g + G * r;
          let x = zr[q * RPI + r];
          var v = 0.0;
          if (li > jl) {
            v = x * scale;
            zr[q * RPI + r] = v;
          } else if (li == jl) {
            v = 1.0;
            zr[q * RPI + r] = beta;
          }
          vsh[li] = v;
        }
      }
    }
    workgroupBarrier();
    // Partial d_c over each slot's rows (vsh is 0 above row j, so every row can be taken).
    for (var q = 0u; q < SPI; q++) {
      let slot = tid + q * WG;
      let c = slot / G;
      if (slot < PB * G && c < width && c != jl) {
        let g = slot % G;
        // Four independent sums (RPI is a multiple of 4): a chain of dependent adds is the latency here.
        var acc = vec4<f32>(0.0);
        for (var r = 0u; r < RPI; r += 4u) {
          let v = vec4<f32>(vsh[g + G * r], vsh[g + G * (r + 1u)], vsh[g + G * (r + 2u)], vsh[g + G * (r + 3u)]);
          let o = q * RPI + r;
          acc += v * vec4<f32>(zr[o], zr[o + 1u], zr[o + 2u], zr[o + 3u]);
        }
        red[g * PB + c] = (acc.x + acc.y) + (acc.z + acc.w);
      }
    }
    workgroupBarrier();
    // d_c in full; the later columns get Z[:, c] -= tau d_c v_j, the earlier ones feed T.
    for (var q = 0u; q < SPI; q++) {
      let slot = tid + q * WG;
      let c = slot / G;
      if (slot < PB * G && c < width && c != jl) {
        let g = slot % G;
        var d = 0.0;
        for (var h = 0u; h < G; h++) { d += red[h * PB + c]; }
        if (c > jl) {
          let f = tau * d;
          for (var r = 0u; r < RPI; r++) { zr[q * RPI + r] -= f * vsh[g + G * r]; }
        } else if (g == 0u) {
          dsh[c] = d;
        }
      }
    }
    workgroupBarrier();
    // T[0:jl, jl] = -tau T[0:jl, 0:jl] y with y_m = v_m^T v_j = d_m; one row per invocation.
    for (var m = tid; m < jl; m += WG) {
      var acc = 0.0;
      for (var c = m; c < jl; c++) { acc += tsh[m * PB + c] * dsh[c]; }
      tsh[m * PB + jl] = -tau * acc;
    }
    if (tid == 0u) { tsh[jl * PB + jl] = tau; }
    // No barrier here: the next reflector's first step writes only red[0..G) and sh_alpha, whose last
    // readers passed the barriers above, and the T recurrence ends before that reflector's first barrier.
  }
  workgroupBarrier();  // T and the panel are complete

  for (var q = 0u; q < SPI; q++) {
    let slot = tid + q * WG;
    let c = slot / G;
    let g = slot % G;
    if (slot < PB * G && c < width) {
      let cb = zb + (j0 + c) * n + j0;
      for (var r = 0u; r < RPI; r++) {
        let li = g + G * r;
        if (j0 + li < n) { Z[cb + li] = zr[q * RPI + r]; }
      }
    }
  }
  let tb = (s * ((k + PB - 1u) / PB) + j0 / PB) * PB * PB;
  for (var e = tid; e < PB * PB; e += WG) { Tm[tb + e] = tsh[e]; }
}
