// A batched fp32 matmul without workgroup memory, for CPU emulations of a GPU (SwiftShader pays for
// every barrier per invocation): C[s] = A[s] B[s] with A row-major M x K, B column-major K x NC, one
// 4 x 4 tile of C per invocation in 16 registers, edge tiles guarded. The including file provides the
// hooks matmul-tiled.wgsl documents (mm_dims, mm_a, mm_b, mm_store; mm_k_range is not used: every k is
// summed) and the host the workgroup size TX x TY.
override TX: u32 = 8u;
override TY: u32 = 8u;

@compute @workgroup_size(TX, TY)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let size = mm_dims();
  let m = size.x;
  let nc = size.y;
  let kd = size.z;
  let i0 = 4u * gid.x;
  let j0 = 4u * gid.y;
  let s = gid.z;
  if (i0 >= m || j0 >= nc || s >= size.w) { return; }
  let ab = s * m * kd;
  let bb = s * kd * nc;
  var acc: array<vec4<f32>, 4>;  // acc[r][cc]: row i0 + r, column j0 + cc
  for (var t = 0u; t < kd; t++) {
    var b = vec4<f32>(0.0);
    for (var cc = 0u; cc < 4u; cc++) {
      if (j0 + cc < nc) { b[cc] = mm_b(bb + (j0 + cc) * kd + t); }
    }
    for (var r = 0u; r < 4u; r++) {
      if (i0 + r < m) { acc[r] += mm_a(ab + (i0 + r) * kd + t) * b; }
    }
  }
  for (var r = 0u; r < 4u; r++) {
    if (i0 + r >= m) { break; }
    for (var cc = 0u; cc < 4u; cc++) {
      if (j0 + cc < nc) { mm_store(s, i0 + r, j0 + cc, acc[r][cc]); }
    }
  }
}
