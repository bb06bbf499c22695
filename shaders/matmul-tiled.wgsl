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
//   fn mm_store(s: u32, r: u32, c: u32, v: f32)   what to do with C[s][r, c] = v (the epilogue);
//   fn mm_k_range(row0: u32, col0: u32) -> vec2<u32>   the k in [x, y) where the block at (row0, col0)
//                 can have nonzero terms: (0, K) in general, less for triangular factors. A block
//                 whose range is empty is skipped (nothing is stored). Terms of the range's first and
//                 last slices outside it are still added, so they must be exact zeros.
// B is column-major unless the pipeline sets B_ROW_MAJOR (B[k, c] at k NC + c: the T product's unit
// rows); the loads follow the layout, so that neighbouring invocations read neighbouring words.
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
override B_ROW_MAJOR: bool = false;

// Element e of a slice of B (e < BN BK): its column c (within the block) and depth kk (within the
// slice), taken so that consecutive e are consecutive words of B.
fn b_slot(e: u32) -> vec2<u32> {
  if (B_ROW_MAJOR) { return vec2<u32>(e % BN, e / BN); }
  return vec2<u32>(e / BK, e % BK);
}
fn b_index(bb: u32, c: u32, kk: u32, nc: u32, kd: u32) -> u32 {
  if (B_ROW_MAJOR) { return bb + min(kk, kd - 1u) * nc + min(c, nc - 1u); }
  return bb + min(c, nc - 1u) * kd + min(kk, kd - 1u);
}

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

  // A uniform condition (workgroup id and uniforms only): the whole workgroup leaves, before any barrier.
  let range = mm_k_range(row0, col0);
  if (range.x >= range.y) { return; }
  let first = range.x / BK;
  let slices = (min(range.y, kd) + BK - 1u) / BK;
  // The first slice into registers.
  for (var i = 0u; i < LOADS_A; i++) {
    let e = tid + i * THREADS;
    let r = row0 + e / BK;
    let kk = first * BK + e % BK;
    pa[i] = select(0.0, mm_a(ab + min(r, m - 1u) * kd + min(kk, kd - 1u)), r < m && kk < kd);
  }
  for (var i = 0u; i < LOADS_B; i++) {
    let slot = b_slot(tid + i * THREADS);
    let c = col0 + slot.x;
    let kk = first * BK + slot.y;
    pb[i] = select(0.0, mm_b(b_index(bb, c, kk, nc, kd)), c < nc && kk < kd);
  }

  for (var t = first; t < slices; t++) {
    for (var i = 0u; i < LOADS_A; i++) {
      let e = tid + i * THREADS;
      let r = e / BK;
      As[(e % BK) * SA + r / 4u][r % 4u] = pa[i];
    }
    for (var i = 0u; i < LOADS_B; i++) {
      let slot = b_slot(tid + i * THREADS);
      Bs[slot.y * SB + slot.x / 4u][slot.x % 4u] = pb[i];
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
        let slot = b_slot(tid + i * THREADS);
        let c = col0 + slot.x;
        let kk = k0 + slot.y;
        pb[i] = select(0.0, mm_b(b_index(bb, c, kk, nc, kd)), c < nc && kk < kd);
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
