// Z = a Q + c D (W Q) for every sample: W row-major N x N, Q and Z column-major N x k. Each
// invocation computes a 4 x 4 tile with 16 accumulators in registers and no shared memory (fast on
// SwiftShader and a good shape for real GPUs); edge tiles are guarded.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> Q: array<f32>;
@group(0) @binding(3) var<storage, read> D: array<f32>;
@group(0) @binding(4) var<storage, read_write> Z: array<f32>;

override TX: u32 = 8u;  // workgroup size, chosen from the device limits (gpu/limits.ts)
override TY: u32 = 8u;

@compute @workgroup_size(TX, TY)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = P.n;
  let k = P.k;
  let i0 = 4u * gid.x;
  let j0 = 4u * gid.y;
  let s = gid.z;
  if (i0 >= n || j0 >= k || s >= P.samples) { return; }
  let wb = s * n * n;
  let qb = s * n * k;
  var acc: array<vec4<f32>, 4>;  // acc[r][cc]: row i0 + r, column j0 + cc
  for (var t = 0u; t < n; t++) {
    var q = vec4<f32>(0.0);
    for (var cc = 0u; cc < 4u; cc++) {
      if (j0 + cc < k) { q[cc] = Q[qb + (j0 + cc) * n + t]; }
    }
    for (var r = 0u; r < 4u; r++) {
      if (i0 + r < n) { acc[r] += W[wb + (i0 + r) * n + t] * q; }
    }
  }
  for (var r = 0u; r < 4u; r++) {
    let i = i0 + r;
    if (i >= n) { break; }
    let cd = P.c * D[s * n + i];
    for (var cc = 0u; cc < 4u; cc++) {
      let j = j0 + cc;
      if (j < k) { Z[qb + j * n + i] = P.a * Q[qb + j * n + i] + cd * acc[r][cc]; }
    }
  }
}
