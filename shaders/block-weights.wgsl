// The full residual block's W_l (m x N) and V_l (N x m), row-major, for every sample of the batch
// (docs/THEORY.md 5.10): block b of each (four elements), drawn by the ensemble's generated draw_weights
// from W's tags (weights, sparseMask) and V's (outputWeights, outputMask), so that the CPU engine, which
// draws the same elements from the same streams, builds the same networks. Both have m N elements.
@group(0) @binding(0) var<uniform> P: Layer;
@group(0) @binding(1) var<storage, read_write> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<f32>;

override WG: u32 = 64u;  // chosen from the device limits (gpu/limits.ts)
// STREAM_TAG in src/model/stream.ts.
const TAG_WEIGHTS: u32 = 0u;
const TAG_MASK: u32 = 4u;
const TAG_OUTPUT_WEIGHTS: u32 = 6u;
const TAG_OUTPUT_MASK: u32 = 7u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let b = gid.x;
  let s = gid.y;
  let mn = P.m * P.n;
  if (4u * b >= mn || s >= P.samples) { return; }
  let key = vec2<u32>(P.seed, P.sample_base + s);
  let w = draw_weights(P, b, key, vec2<u32>(TAG_WEIGHTS, TAG_MASK), P.w_scale);
  let v = draw_weights(P, b, key, vec2<u32>(TAG_OUTPUT_WEIGHTS, TAG_OUTPUT_MASK), P.v_scale);
  for (var lane = 0u; lane < 4u; lane++) {
    let e = 4u * b + lane;
    if (e < mn) {
      W[s * mn + e] = w[lane];
      V[s * mn + e] = v[lane];
    }
  }
}
