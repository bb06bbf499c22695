// Blocked Householder QR, step 2 of 3: apply one factored panel (qr-panel.wgsl) to TC columns of a
// sample, as three small matrix products through workgroup memory:
//   factor (FORM_Q = false): Z[:, j1:] <- (I - V T^T V^T) Z[:, j1:]   (H_{j1-1} ... H_j0, the trailing update)
//   form   (FORM_Q = true):  Q[:, j0:] <- (I - V T V^T) Q[:, j0:]     (H_j0 ... H_{j1-1}, backward accumulation)
// with V the panel's reflectors (column j0 + m of Z below its diagonal, unit diagonal implied). Only
// rows >= j0 change: V is zero above. Each invocation holds a 4 x 4 register tile of W = V^T M.
//
// Two ways to run it (limits.ts chooses):
//   main: one workgroup per TC columns does everything, the update M -= V W one PB-row block after
//     another (fewest dispatches: a CPU emulation, which pays per dispatch and per barrier);
//   apply_w, then apply_update: the first forms W and leaves it in Wg, the second updates every
//     PB x TC block of M in a workgroup of its own (a GPU: the row blocks no longer wait on each other).
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<uniform> B: Panel;
@group(0) @binding(2) var<storage, read_write> Z: array<f32>;
@group(0) @binding(3) var<storage, read_write> Q: array<f32>;
@group(0) @binding(4) var<storage, read> Tm: array<f32>;
// apply_w -> apply_update: W per sample, target column and panel row, Wg[(s k + col) PB + m].
@group(0) @binding(5) var<storage, read_write> Wg: array<f32>;

override RB: u32 = 16u;            // rows per step of W = V^T M (fewer where workgroup memory is short)
override PB: u32 = 32u;            // panel width (qr-panel.wgsl's), a multiple of 4
override TC: u32 = 32u;            // target columns per workgroup, a multiple of 4
override FORM_Q: bool = false;
override WGA: u32 = (PB / 4u) * (TC / 4u);
override VS: u32 = RB * PB;
override MS: u32 = RB * TC;
override WS: u32 = PB * TC;
override TT: u32 = PB * PB;
var<workgroup> vsh: array<f32, VS>;   // vsh[r * PB + m]
var<workgroup> msh: array<f32, MS>;   // msh[r * TC + c]
var<workgroup> wsh: array<f32, WS>;   // wsh[m * TC + c]
var<workgroup> tsh: array<f32, TT>;   // T row-major; then PB rows of V at a time (tsh[r * PB + m])

fn target_load(idx: u32) -> f32 {
  if (FORM_Q) { return Q[idx]; }
  return Z[idx];
}
fn target_store(idx: u32, v: f32) {
  if (FORM_Q) { Q[idx] = v; } else { Z[idx] = v; }
}

struct Block {
  s: u32,
  n: u32,
  k: u32,
  zb: u32,
  j0: u32,
  width: u32,
  c0: u32,  // first target column of this workgroup
};

// The workgroup's sizes and place: uniform values (no invocation index), as the barriers need.
fn block_of(s: u32, column_block: u32) -> Block {
  let n = P.n;
  let k = B.k;
  let j0 = B.j0;
  return Block(s, n, k, s * n * k, j0, B.j1 - j0, select(B.j1, j0, FORM_Q) + column_block * TC);
}

// V[i][m]: reflector j0 + m at row i (unit diagonal implied; zero above it and outside the panel).
fn reflector(bl: Block, i: u32, m: u32) -> f32 {
  let jm = bl.j0 + m;
  if (m >= bl.width || i >= bl.n || i < jm) { return 0.0; }
  if (i == jm) { return 1.0; }
  return Z[bl.zb + jm * bl.n + i];
}

// wsh <- T^T V^T M (factor) or T V^T M (form) for the block's TC target columns.
fn form_w(bl: Block, tid: u32) {
  let s = bl.s;
  let n = bl.n;
  let k = bl.k;
  let zb = bl.zb;
  let j0 = bl.j0;
  let c0 = bl.c0;
  let tr = tid / (TC / 4u);  // W rows 4 tr .. 4 tr + 3 (and M rows 4 tr .. of a row block)
  let tq = tid % (TC / 4u);  // W columns 4 tq .. 4 tq + 3
  let tb = (s * ((k + PB - 1u) / PB) + j0 / PB) * PB * PB;
  for (var e = tid; e < PB * PB; e += WGA) { tsh[e] = Tm[tb + e]; }

  // W = V^T M over rows j0 .. n-1, RB rows at a time (loads: consecutive invocations, consecutive rows).
  var acc: array<vec4<f32>, 4>;
  for (var r0 = j0; r0 < n; r0 += RB) {
    for (var e = tid; e < RB * PB; e += WGA) {
      let r = e % RB;
      vsh[r * PB + e / RB] = reflector(bl, r0 + r, e / RB);
    }
    for (var e = tid; e < RB * TC; e += WGA) {
      let r = e % RB;
      let c = e / RB;
      let i = r0 + r;
      let col = c0 + c;
      var mval = 0.0;
      if (i < n && col < k) { mval = target_load(zb + col * n + i); }
      msh[r * TC + c] = mval;
    }
    workgroupBarrier();
    for (var r = 0u; r < RB; r++) {
      let mv = vec4<f32>(msh[r * TC + 4u * tq], msh[r * TC + 4u * tq + 1u], msh[r * TC + 4u * tq + 2u], msh[r * TC + 4u * tq + 3u]);
      for (var a = 0u; a < 4u; a++) { acc[a] += vsh[r * PB + 4u * tr + a] * mv; }
    }
    workgroupBarrier();
  }
  for (var a = 0u; a < 4u; a++) {
    for (var b = 0u; b < 4u; b++) { wsh[(4u * tr + a) * TC + 4u * tq + b] = acc[a][b]; }
  }
  workgroupBarrier();

  // W <- T^T W (factor) or T W (form); T is upper triangular, zero outside the panel's width.
  var t_w: array<vec4<f32>, 4>;
  for (var m = 0u; m < PB; m++) {
    let wv = vec4<f32>(wsh[m * TC + 4u * tq], wsh[m * TC + 4u * tq + 1u], wsh[m * TC + 4u * tq + 2u], wsh[m * TC + 4u * tq + 3u]);
    for (var a = 0u; a < 4u; a++) {
      let row = 4u * tr + a;
      let t = select(tsh[m * PB + row], tsh[row * PB + m], FORM_Q);
      t_w[a] += t * wv;
    }
  }
  workgroupBarrier();
  for (var a = 0u; a < 4u; a++) {
    for (var b = 0u; b < 4u; b++) { wsh[(4u * tr + a) * TC + 4u * tq + b] = t_w[a][b]; }
  }
  workgroupBarrier();
}

// M <- M - V W for PB rows from r0 (W in wsh), in 4 x 4 register tiles (the same tr, tq as W's): 16
// independent accumulators per invocation. The rows of V are staged in workgroup memory first (tsh,
// free once T W is formed), with coalesced loads: read from Z inside the m loop, every iteration
// waited for its own loads. V is not among the targets, so M's tiles need no barrier.
fn update_rows(bl: Block, tid: u32, r0: u32) {
  let n = bl.n;
  let k = bl.k;
  let zb = bl.zb;
  let width = bl.width;
  let c0 = bl.c0;
  let tr = tid / (TC / 4u);  // W rows 4 tr .. 4 tr + 3 (and M rows 4 tr .. of a row block)
  let tq = tid % (TC / 4u);  // W columns 4 tq .. 4 tq + 3
  workgroupBarrier();  // earlier reads of tsh and wsh are done
  for (var e = tid; e < PB * PB; e += WGA) {
    let r = e % PB;
    tsh[r * PB + e / PB] = reflector(bl, r0 + r, e / PB);
  }
  workgroupBarrier();
  // upd[a][b]: row r0 + 4 tr + a, column c0 + 4 tq + b. Zeroed explicitly: without an initializer,
  // SwiftShader kept the previous iteration's values (seen: the qr tests failed).
  var upd = array<vec4<f32>, 4>();
  for (var m = 0u; m < width; m++) {
    let wv = vec4<f32>(wsh[m * TC + 4u * tq], wsh[m * TC + 4u * tq + 1u], wsh[m * TC + 4u * tq + 2u], wsh[m * TC + 4u * tq + 3u]);
    for (var a = 0u; a < 4u; a++) { upd[a] += tsh[(4u * tr + a) * PB + m] * wv; }
  }
  for (var a = 0u; a < 4u; a++) {
    let i = r0 + 4u * tr + a;
    if (i >= n) { break; }
    for (var b = 0u; b < 4u; b++) {
      let col = c0 + 4u * tq + b;
      if (col < k) {
        let idx = zb + col * n + i;
        target_store(idx, target_load(idx) - upd[a][b]);
      }
    }
  }
}

@compute @workgroup_size(WGA)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let bl = block_of(wid.y, wid.x);
  form_w(bl, tid);
  for (var r0 = bl.j0; r0 < bl.n; r0 += PB) { update_rows(bl, tid, r0); }
}

@compute @workgroup_size(WGA)
fn apply_w(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let bl = block_of(wid.y, wid.x);
  form_w(bl, tid);
  // Consecutive invocations write consecutive m of one column.
  for (var e = tid; e < PB * TC; e += WGA) {
    let m = e % PB;
    let c = e / PB;
    let col = bl.c0 + c;
    if (col < bl.k) { Wg[(bl.s * bl.k + col) * PB + m] = wsh[m * TC + c]; }
  }
}

// Workgroups: (column block, row block from j0, sample).
@compute @workgroup_size(WGA)
fn apply_update(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let bl = block_of(wid.z, wid.x);
  for (var e = tid; e < PB * TC; e += WGA) {
    let m = e % PB;
    let c = e / PB;
    let col = bl.c0 + c;
    wsh[m * TC + c] = select(0.0, Wg[min((bl.s * bl.k + col) * PB + m, arrayLength(&Wg) - 1u)], col < bl.k);
  }
  update_rows(bl, tid, bl.j0 + wid.y * PB);
}
