// A batched fp32 matmul tiled for GPUs: C[s] = A[s] B[s] with A row-major M x K, B column-major
// K x NC and C column-major M x NC (the jacobian's layouts: A = W, B = Q, C = Z). A BM x BN block of C
// per workgroup, BK-deep slices of A and B staged in workgroup memory, the next slice prefetched into
// registers while the current one is used, and a TM x TN micro-tile of C per invocation held in
// registers (outer products of vec4 reads from workgroup memory).
//
// Two kernels are this file plus a few definitions in front of it: the bench's reference matmul
// (reference-matmul.wgsl, C = A B) and the engine's jacobian product on GPUs (jacobian-tiled.wgsl,
// Z = a Q + c D (W Q)). The including file provides
//   const TM, TN  micro-tile (multiples of 4), WX, WY  workgroup size, BK  slice depth, with
//                 (WX TM) BK and (WY TN) BK multiples of WX WY (every invocation loads the same count);
//   fn mm_dims() -> vec4<u32>               (M, NC, K, batch);
//   fn mm_a(i: u32) -> f32, mm_b(i: u32) -> f32   A and B at a flat index (sample offset included);
//   fn mm_store(s: u32, r: u32, c: u32, v: f32)   what to do with C[s][r, c] = v (the epilogue).
// The sizes are consts, not overrides, because the register arrays need constant lengths. Any M, NC
// and K are allowed: loads outside the matrices read 0 and stores outside are skipped.

const BM: u32 = WX * TM;
const BN: u32 = WY * TN;
const THREADS: u32 = WX * WY;
const LOADS_A: u32 = BM * BK / THREADS;
const LOADS_B: u32 = BN * BK / THREADS;
// Rows of the staged slices, in vec4s, padded by one vec4: the stores below go down a column of the
// slice (consecutive invocations take consecutive kk, which are consecutive in global memory, so the
// global reads coalesce), and without the pad those stores would all hit the same memory bank.
const SA: u32 = BM / 4u + 1u;
const SB: u32 = BN / 4u + 1u;

// As[kk * SA + r / 4][r % 4] = A[row0 + r, k0 + kk]; Bs[kk * SB + c / 4][c % 4] = B[k0 + kk, col0 + c].
var<workgroup> As: array<vec4<f32>, BK * SA>;
var<workgroup> Bs: array<vec4<f32>, BK * SB>;

@compute @workgroup_size(WX, WY)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let size = mm_dims();
  let m = size.x;
  let nc = size.y;
  let kd = size.z;
  let s = wid.z;
  let row0 = wid.x * BM;
  let col0 = wid.y * BN;
  let ab = s * m * kd;
  let bb = s * kd * nc;

  // Register prefetch of one slice; element e = tid + i THREADS of the slice is (r, kk) = (e / BK, e % BK).
  var pa: array<f32, LOADS_A>;
  var pb: array<f32, LOADS_B>;
  var acc: array<vec4<f32>, (TM / 4u) * TN>;  // acc[mi TN + j]: rows 4 (lx + mi WX) .. +3 of column j

  let slices = (kd + BK - 1u) / BK;
  // Slice 0 into registers.
  for (var i = 0u; i < LOADS_A; i++) {
    let e = tid + i * THREADS;
    let r = row0 + e / BK;
    let kk = e % BK;
    pa[i] = select(0.0, mm_a(ab + min(r, m - 1u) * kd + min(kk, kd - 1u)), r < m && kk < kd);
  }
  for (var i = 0u; i < LOADS_B; i++) {
    let e = tid + i * THREADS;
    let c = col0 + e / BK;
    let kk = e % BK;
    pb[i] = select(0.0, mm_b(bb + min(c, nc - 1u) * kd + min(kk, kd - 1u)), c < nc && kk < kd);
  }

  for (var t = 0u; t < slices; t++) {
    for (var i = 0u; i < LOADS_A; i++) {
      let e = tid + i * THREADS;
      let r = e / BK;
      As[(e % BK) * SA + r / 4u][r % 4u] = pa[i];
    }
    for (var i = 0u; i < LOADS_B; i++) {
      let e = tid + i * THREADS;
      let c = e / BK;
      Bs[(e % BK) * SB + c / 4u][c % 4u] = pb[i];
    }
    workgroupBarrier();

    // The next slice's global reads are issued before the arithmetic on this one, to hide their latency.
    if (t + 1u < slices) {
      let k0 = (t + 1u) * BK;
      for (var i = 0u; i < LOADS_A; i++) {
        let e = tid + i * THREADS;
        let r = row0 + e / BK;
        let kk = k0 + e % BK;
        pa[i] = select(0.0, mm_a(ab + min(r, m - 1u) * kd + min(kk, kd - 1u)), r < m && kk < kd);
      }
      for (var i = 0u; i < LOADS_B; i++) {
        let e = tid + i * THREADS;
        let c = col0 + e / BK;
        let kk = k0 + e % BK;
        pb[i] = select(0.0, mm_b(bb + min(c, nc - 1u) * kd + min(kk, kd - 1u)), c < nc && kk < kd);
      }
    }

    // Invocation (lx, ly) owns row vec4s lx + mi WX and column vec4s ly + ni WY of the block: strided,
    // so that neighbouring invocations read neighbouring vec4s of the staged slice.
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<vec4<f32>, TM / 4u>;
      for (var mi = 0u; mi < TM / 4u; mi++) { a[mi] = As[kk * SA + lid.x + mi * WX]; }
      for (var ni = 0u; ni < TN / 4u; ni++) {
        let b = Bs[kk * SB + lid.y + ni * WY];
        for (var mi = 0u; mi < TM / 4u; mi++) {
          let o = mi * TN + 4u * ni;
          acc[o] = fma(a[mi], vec4<f32>(b.x), acc[o]);
          acc[o + 1u] = fma(a[mi], vec4<f32>(b.y), acc[o + 1u]);
          acc[o + 2u] = fma(a[mi], vec4<f32>(b.z), acc[o + 2u]);
          acc[o + 3u] = fma(a[mi], vec4<f32>(b.w), acc[o + 3u]);
        }
      }
    }
    workgroupBarrier();
  }

  for (var mi = 0u; mi < TM / 4u; mi++) {
    let r = row0 + 4u * (lid.x + mi * WX);
    if (r >= m) { continue; }
    for (var ni = 0u; ni < TN / 4u; ni++) {
      for (var q = 0u; q < 4u; q++) {
        let c = col0 + 4u * (lid.y + ni * WY) + q;
        if (c >= nc) { continue; }
        let v = acc[mi * TN + 4u * ni + q];
        mm_store(s, r, c, v.x);
        if (r + 1u < m) { mm_store(s, r + 1u, c, v.y); }
        if (r + 2u < m) { mm_store(s, r + 2u, c, v.z); }
        if (r + 3u < m) { mm_store(s, r + 3u, c, v.w); }
      }
    }
  }
}
