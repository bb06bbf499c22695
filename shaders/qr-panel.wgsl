// Blocked Householder QR, step 1 of 3 (qr-apply.wgsl, qr-finish.wgsl): factor one panel of each
// sample's Z (N x k, column-major), the columns [j0, j1) with j1 - j0 <= PB, one workgroup per
// sample. As in LAPACK's geqrt: R on and above the diagonal, the reflectors v_j (unit diagonal
// implied) below it, and the panel's compact-WY factor T (PB x PB, upper triangular) into Tm, so that
// H_j0 ... H_{j1-1} = I - V T V^T. qr-apply.wgsl then applies the whole panel to the trailing columns
// as matrix-matrix work; only this kernel is a sequence of vector steps, over PB columns instead of k.
//
// The panel lives in registers for the whole factorization: it is read from Z once and written back
// once. A slot (c, g) holds column j0 + c's rows j0 + g + G r, r < RPI (G row groups per column, so
// consecutive slots read consecutive rows). Reading and writing Z in every step instead made each of
// the PB steps wait on memory latency several times.
//
// The reflectors are a chain of workgroup barriers, the QR's serial latency, so each takes two:
//   1. column j's entries below the diagonal x, its diagonal alpha and its partial squared norms are
//      in workgroup memory (published by its slots at the end of the previous step). Every
//      invocation forms tau, scale = 1 / (alpha - beta) and beta itself, from the same sums in the
//      same order; column j's slots turn into beta and v_j = x scale, every other column's slots
//      take their partial dot product with v_j (computed on the fly from x, as v_j's stored values);
//      the T column of the previous reflector is formed meanwhile. Barrier.
//   2. d_c in full (a G-way sum); the later columns get Z[:, c] -= tau d_c v_j, and column j + 1's
//      slots then publish it for the next step (into the other half of xsh, while this half is still
//      being read); the earlier ones keep d_c for T. Barrier.
// One set of dot products per reflector serves both purposes: d_c = sum_{i >= j} v_j[i] Z[i, c]
// (v_j[j] = 1) is the update's when c > j, and v_c^T v_j (the T recurrence's) when c < j, because
// column c < j holds v_c below its diagonal.
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
override RV: u32 = RPI * G;  // x entries per half of xsh
var<workgroup> xsh: array<f32, 2 * RV>;   // column j's x by local row (0 at and above j), half j % 2
var<workgroup> nred: array<f32, G>;       // its partial squared norms below the diagonal
var<workgroup> sh_alpha: f32;             // its diagonal entry
var<workgroup> red: array<f32, PB * G>;   // partial dot products, [g PB + c]
var<workgroup> dsh: array<f32, PB>;       // d_c for c < j (the T recurrence)
var<workgroup> tsh: array<f32, PB * PB>;  // T, row-major

// Column jl's entries for the reflector that zeroes it, from slot q (column jl, row group g) of one
// invocation: x below the diagonal (zeros above) into half jl % 2 of xsh, the diagonal into sh_alpha,
// the partial squared norm into nred[g].
fn publish(zr: ptr<function, array<f32, SPI * RPI>>, q: u32, g: u32, jl: u32) {
  let half = (jl % 2u) * RV;
  var part = 0.0;
  for (var r = 0u; r < RPI; r++) {
    let li = g + G * r;
    let x = (*zr)[q * RPI + r];
    xsh[half + li] = select(0.0, x, li > jl);
    if (li > jl) { part += x * x; }
    if (li == jl) { sh_alpha = x; }
  }
  nred[g] = part;
}

// T[0:j, j] = -tau_j T[0:j, 0:j] y with y_m = v_m^T v_j = dsh[m]; one row per invocation, four terms
// per step (independent sums: this dot is on every reflector's critical path). The steps run over
// whole groups of four from the one holding m: the extra terms are exact zeros (T is zero below its
// diagonal and in its columns >= j, dsh in its entries >= j).
fn t_column(j: u32, tau: f32, tid: u32) {
  for (var m = tid; m < j; m += WG) {
    let row = m * PB;
    var acc = vec4<f32>(0.0);
    for (var c = m & ~3u; c < j; c += 4u) {
      acc += vec4<f32>(tsh[row + c], tsh[row + c + 1u], tsh[row + c + 2u], tsh[row + c + 3u]) * vec4<f32>(dsh[c], dsh[c + 1u], dsh[c + 2u], dsh[c + 3u]);
    }
    tsh[row + j] = -tau * ((acc.x + acc.y) + (acc.z + acc.w));
  }
  if (tid == 0u) { tsh[j * PB + j] = tau; }
}

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
    if (c == 0u) { publish(&zr, q, g, 0u); }
  }
  workgroupBarrier();

  var tau_prev = 0.0;
  for (var jl = 0u; jl < width; jl++) {
    let half = (jl % 2u) * RV;
    // G-way sums in four independent chains (G is a power of two): a dependent chain of G loads and
    // adds per reflector is latency on the critical path.
    var s4 = vec4<f32>(0.0);
    var h0 = 0u;
    for (; h0 + 3u < G; h0 += 4u) { s4 += vec4<f32>(nred[h0], nred[h0 + 1u], nred[h0 + 2u], nred[h0 + 3u]); }
    var sigma = (s4.x + s4.y) + (s4.z + s4.w);
    for (; h0 < G; h0++) { sigma += nred[h0]; }
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
    if (jl > 0u) { t_column(jl - 1u, tau_prev, tid); }
    let jv = vec4<u32>(jl);
    for (var q = 0u; q < SPI; q++) {
      let slot = tid + q * WG;
      let c = slot / G;
      let g = slot % G;
      if (c == jl) {
        // Column jl becomes beta on the diagonal and v_j below it.
        for (var r = 0u; r < RPI; r++) {
          let li = g + G * r;
          let x = zr[q * RPI + r];
          if (li > jl) {
            zr[q * RPI + r] = x * scale;
          } else if (li == jl) {
            zr[q * RPI + r] = beta;
          }
        }
      } else if (slot < PB * G && c < width) {
        // Partial d_c over the slot's rows, v_j = x scale below the diagonal and 1 on it (x is 0
        // above it). Four independent sums (RPI is a multiple of 4): a chain of dependent adds is the
        // latency here.
        var acc = vec4<f32>(0.0);
        for (var r = 0u; r < RPI; r += 4u) {
          let li = vec4<u32>(g + G * r, g + G * (r + 1u), g + G * (r + 2u), g + G * (r + 3u));
          let x = vec4<f32>(xsh[half + li.x], xsh[half + li.y], xsh[half + li.z], xsh[half + li.w]);
          let v = select(x * scale, vec4<f32>(1.0), li == jv);
          let o = q * RPI + r;
          acc += v * vec4<f32>(zr[o], zr[o + 1u], zr[o + 2u], zr[o + 3u]);
        }
        red[g * PB + c] = (acc.x + acc.y) + (acc.z + acc.w);
      }
    }
    workgroupBarrier();
    // d_c in full; the later columns get Z[:, c] -= tau d_c v_j (and the next column is published),
    // the earlier ones feed T.
    for (var q = 0u; q < SPI; q++) {
      let slot = tid + q * WG;
      let c = slot / G;
      if (slot < PB * G && c < width && c != jl) {
        let g = slot % G;
        var d4 = vec4<f32>(0.0);
        var h = 0u;
        for (; h + 3u < G; h += 4u) { d4 += vec4<f32>(red[h * PB + c], red[(h + 1u) * PB + c], red[(h + 2u) * PB + c], red[(h + 3u) * PB + c]); }
        var d = (d4.x + d4.y) + (d4.z + d4.w);
        for (; h < G; h++) { d += red[h * PB + c]; }
        if (c > jl) {
          let f = tau * d;
          for (var r = 0u; r < RPI; r++) {
            let li = g + G * r;
            zr[q * RPI + r] -= f * select(xsh[half + li] * scale, 1.0, li == jl);
          }
          if (c == jl + 1u) { publish(&zr, q, g, jl + 1u); }
        } else if (g == 0u) {
          dsh[c] = d;
        }
      }
    }
    tau_prev = tau;
    workgroupBarrier();
  }
  if (width > 0u) { t_column(width - 1u, tau_prev, tid); }
  workgroupBarrier();  // T is complete

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
