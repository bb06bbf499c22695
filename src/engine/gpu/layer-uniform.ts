/**
 * The per-layer uniform of the engine's kernels, declared once: this field list generates both the WGSL
 * `struct Layer` every kernel reads and the TypeScript writer that fills it. One 256-byte slot per layer,
 * selected with a dynamic offset, so a whole chunk of layers is encoded into one command buffer.
 *
 * The values come from the run configuration (src/engine/run-config.ts), which reads the model entries:
 * the kernels see the activation and ensemble only as registry indices (for the generated phi/dphi and
 * weight-draw dispatch) and as the flags below, never as names.
 */
import { activationIndex, ensembleIndex } from '../../model/index';
import type { RunConfig } from '../run-config';
import { sparseKeepThreshold } from '../../model/index';

export const UNIFORM_SLOT = 256;

interface Field {
  readonly name: string;
  readonly type: 'u32' | 'f32';
  readonly doc: string;
}

export const LAYER_FIELDS = [
  { name: 'n', type: 'u32', doc: 'width N' },
  { name: 'k', type: 'u32', doc: 'columns of Q' },
  { name: 'samples', type: 'u32', doc: 'samples in this batch' },
  { name: 'layer', type: 'u32', doc: '1-based layer index (stream coordinate); 0 for the initial state' },
  { name: 'seed', type: 'u32', doc: 'seed of the random stream' },
  { name: 'sample_base', type: 'u32', doc: "stream index of the batch's first sample" },
  { name: 'act', type: 'u32', doc: 'activation: its index in the model registry (phi/dphi dispatch)' },
  { name: 'ensemble', type: 'u32', doc: 'weight ensemble: its index in the model registry (draw_weights dispatch)' },
  { name: 'a', type: 'f32', doc: 'J = a I + c D W' },
  { name: 'c', type: 'f32', doc: 'J = a I + c D W' },
  { name: 'w_scale', type: 'f32', doc: "scale of the drawn Gaussians (the ensemble entry's scale)" },
  { name: 'b_scale', type: 'f32', doc: 'sqrt(sb2)' },
  { name: 'keep_threshold', type: 'u32', doc: 'sparse mask: keep iff the mask word < threshold' },
  { name: 'keep_all', type: 'u32', doc: '1: keep every weight (p = 1, where the threshold 2^32 does not fit)' },
  { name: 'measured', type: 'u32', doc: '1 when this layer is past the burn-in' },
  { name: 'rank_bound', type: 'u32', doc: "1: rank(J_l) <= #{phi' != 0} (no identity term), so the structural bound applies" },
  { name: 'theta', type: 'f32', doc: "the activation's shape value (the power activation's exponent), 0 if none" },
  { name: 'rank_threshold', type: 'u32', doc: '1: W itself can make zero directions (sparse feedforward), found by |R_jj| <= 1e-5 max|R_ii|' },
  { name: 'scan_columns', type: 'u32', doc: '1: count the nonzero columns of W for the rank bound' },
  { name: 'transposed_store', type: 'u32', doc: '1: the draw is stored column-major for the QR that orthogonalizes it' },
  { name: 'forward_slot', type: 'u32', doc: "1 + this layer's slot in the forward block's record (src/engine/forward-stats.ts); 0: not recorded" },
  { name: 'm', type: 'u32', doc: 'inner width: rows of W (N except in the full block)' },
  { name: 'v_scale', type: 'f32', doc: "scale of the full block's V Gaussians" },
  { name: 'a_scale', type: 'f32', doc: "sqrt(sa2): scale of the full block's output bias" },
] as const satisfies readonly Field[];

export type LayerFieldName = (typeof LAYER_FIELDS)[number]['name'];
export type LayerValues = Record<LayerFieldName, number>;

/** Bytes the kernels bind of a slot: the struct's size, rounded up to 16. */
export const LAYER_UNIFORM_BYTES = Math.ceil((4 * LAYER_FIELDS.length) / 16) * 16;

/** `struct Layer { ... }` in WGSL, from the field list. */
export function layerStructWgsl(): string {
  return ['struct Layer {', ...LAYER_FIELDS.map((f) => `  ${f.name}: ${f.type}, // ${f.doc}`), '};'].join('\n');
}

/** Writes one Layer struct into slot `slot` of `target`. */
export function writeLayerUniform(target: ArrayBuffer, slot: number, values: LayerValues): void {
  const ints = new Uint32Array(target, slot * UNIFORM_SLOT, LAYER_FIELDS.length);
  const floats = new Float32Array(target, slot * UNIFORM_SLOT, LAYER_FIELDS.length);
  LAYER_FIELDS.forEach((f, i) => {
    const v = values[f.name];
    if (f.type === 'f32') floats[i] = v;
    else ints[i] = Math.min(v, 0xffffffff);
  });
}

/**
 * The Layer uniform of layer l (1-based; 0 is the initial state) for a batch whose first sample has
 * stream index `base` and which holds `count` samples.
 */
export function layerValues(config: RunConfig, base: number, count: number, l: number): LayerValues {
  const { n, k, params, a, act, ensemble, architecture } = config;
  const rankBound = architecture.rankFromActivation;
  const threshold = sparseKeepThreshold(params.p);
  return {
    n,
    k,
    samples: count,
    layer: l,
    seed: params.seed,
    sample_base: base,
    act: activationIndex(params.act),
    ensemble: ensembleIndex(params.weights),
    a,
    // c_l of this layer (the schedule's; the initial state's slot never uses it).
    c: config.cAt(Math.max(1, l)),
    w_scale: config.weightScale,
    b_scale: Math.sqrt(params.sb2),
    keep_threshold: threshold,
    keep_all: threshold >= 2 ** 32 ? 1 : 0,
    measured: l > params.transient ? 1 : 0,
    rank_bound: rankBound ? 1 : 0,
    theta: act.shape,
    rank_threshold: config.thresholdRank ? 1 : 0,
    // Empty columns only occur where W has structural zeros (or sw2 = 0), and only the rank bound uses them.
    scan_columns: rankBound && (ensemble.traits.structuralZeros || config.weightScale === 0) ? 1 : 0,
    transposed_store: ensemble.gpu.columnMajor ? 1 : 0,
    forward_slot: l === 0 ? 0 : config.forward.slotOf(l) + 1,
    m: config.m,
    v_scale: config.outputWeightScale,
    a_scale: config.outputBiasScale,
  };
}
