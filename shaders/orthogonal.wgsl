// Orthogonal weights W_l = sqrt(sw2) O_l, one workgroup per sample, the same matrix as the CPU engine
// (network-sample.ts drawWeights, linalg.ts haarColumns) to float32 rounding:
//   G  = the N x N Gaussian of the weights stream (element row * N + col), written by weights.wgsl into
//        G (row-major) scaled by w_scale = sqrt(sw2) > 0, which leaves the Q factor unchanged;
//   G  = Q R by Householder QR (LAPACK convention, as householderQR), reflector j below the diagonal
//        of column j, R on and above it;
//   O  = Q with column j multiplied by sign(R_jj) (-1 iff R_jj < 0): the fix without which O is not
//        Haar. Q with a positive-diagonal R is unique, so this is the CPU's O whatever the rounding.
//   W  = w_scale * O, row-major (W[row * N + col]).
// G is left holding R and the reflectors.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read_write> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> W: array<f32>;

override WG: u32 = 64u;      // a power of two, chosen from the device limits
override TAUS: u32 = 1024u;  // >= N
var<workgroup> red: array<f32, WG>;
var<workgroup> taus: array<f32, TAUS>;
var<workgroup> sh_scale: f32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let s = wid.x;
  let n = P.n;
  let gb = s * n * n;
  // Element (i, j) of G is G[gb + i * n + j]: a column is strided, and invocations that own
  // neighbouring columns read neighbouring words.
  for (var j = 0u; j < n; j++) {
    var part = 0.0;
    for (var i = j + 1u + tid; i < n; i += WG) {
      let v = G[gb + i * n + j];
      part += v * v;
    }
    red[tid] = part;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
      if (tid < stride) { red[tid] += red[tid + stride]; }
      workgroupBarrier();
    }
    if (tid == 0u) {
      let alpha = G[gb + j * n + j];
      let sigma = red[0];
      if (sigma == 0.0) {
        taus[j] = 0.0;
        sh_scale = 1.0;
      } else {
        let norm = sqrt(alpha * alpha + sigma);
        let beta = select(norm, -norm, alpha >= 0.0);
        taus[j] = (beta - alpha) / beta;
        sh_scale = 1.0 / (alpha - beta);
        G[gb + j * n + j] = beta;
      }
    }
    storageBarrier();
    workgroupBarrier();
    let scale = sh_scale;
    for (var i = j + 1u + tid; i < n; i += WG) { G[gb + i * n + j] *= scale; }
    storageBarrier();
    workgroupBarrier();
    let tau = taus[j];
    if (tau != 0.0) {
      for (var c = j + 1u + tid; c < n; c += WG) {
        var acc = G[gb + j * n + c];
        for (var i = j + 1u; i < n; i++) { acc += G[gb + i * n + j] * G[gb + i * n + c]; }
        acc *= tau;
        G[gb + j * n + c] -= acc;
        for (var i = j + 1u; i < n; i++) { G[gb + i * n + c] -= acc * G[gb + i * n + j]; }
      }
    }
    storageBarrier();
    workgroupBarrier();
  }

  // Q = H_0 ... H_{N-1} by backward accumulation, directly into W (row-major).
  for (var e = tid; e < n * n; e += WG) { W[gb + e] = select(0.0, 1.0, e % n == e / n); }
  storageBarrier();
  workgroupBarrier();
  for (var jj = n; jj > 0u; jj--) {
    let j = jj - 1u;
    let tau = taus[j];
    if (tau != 0.0) {
      for (var c = j + tid; c < n; c += WG) {
        var acc = W[gb + j * n + c];
        for (var i = j + 1u; i < n; i++) { acc += G[gb + i * n + j] * W[gb + i * n + c]; }
        acc *= tau;
        W[gb + j * n + c] -= acc;
        for (var i = j + 1u; i < n; i++) { W[gb + i * n + c] -= acc * G[gb + i * n + j]; }
      }
    }
    storageBarrier();
    workgroupBarrier();
  }

  // Sign fix and scale: column c times sign(R_cc) sqrt(sw2).
  for (var e = tid; e < n * n; e += WG) {
    let c = e % n;
    let f = select(P.w_scale, -P.w_scale, G[gb + c * n + c] < 0.0);
    W[gb + e] *= f;
  }
}
