/**
 * The forward block of a snapshot (docs/THEORY.md 5.14): how the signal, the geometry of two inputs and
 * the gradient along one direction evolve with depth, per network, at a fixed list of layers. Both engines
 * record the same five numbers per recorded layer and sample; this file owns the layer list, the record's
 * layout and the statistics over samples, so neither engine knows the other.
 *
 *   q      = |x_l|^2 / N
 *   c      = cos(x_l, x'_l)
 *   dist   = |x_l - x'_l|^2 / N
 *   grad   = log |J_l ... J_1 u|,  u = the first column of Q_0 (equal to the running sum of log|R_11|)
 *   gradSq = |J_l ... J_1 u|^2 = exp(2 grad)
 */
import { indexStats } from './stats';
import type { ForwardStats, IndexStats } from './types';

export const FORWARD_QUANTITIES = ['q', 'c', 'dist', 'grad', 'gradSq'] as const;
export type ForwardQuantity = (typeof FORWARD_QUANTITIES)[number];
/** Numbers per recorded layer in a sample's record. */
export const FORWARD_STRIDE = FORWARD_QUANTITIES.length;

/** Depths up to this are recorded at every layer; deeper ones at about this many log-spaced layers. */
export const FORWARD_MAX_LAYERS = 512;

/** The direction grad follows, as the export states it (docs/THEORY.md 5.14, section 7). */
export const GRADIENT_DIRECTION = 'u = the first column of the Haar-random Q_0 of each network (|u| = 1)';

/**
 * Recorded layers: 0 (the inputs) to L for L <= 512; otherwise 0, 1, L and about 512 layers spaced
 * evenly in log l (distinct integers, ascending).
 */
export function forwardLayers(depth: number): number[] {
  if (depth <= FORWARD_MAX_LAYERS) return Array.from({ length: depth + 1 }, (_, l) => l);
  // Rounding merges the first log-spaced points, so take more steps until about 512 distinct layers remain.
  const spaced = (steps: number) => {
    const set = new Set<number>([0, 1, depth]);
    for (let i = 0; i <= steps; i++) set.add(Math.min(depth, Math.max(1, Math.round(Math.exp((i / steps) * Math.log(depth))))));
    return set;
  };
  let steps = FORWARD_MAX_LAYERS - 1;
  while (spaced(steps).size < FORWARD_MAX_LAYERS) steps += 8;
  return [...spaced(steps)].sort((a, b) => a - b);
}

/** The recorded layers of one run and where each layer's numbers go in a sample's record. */
export class ForwardPlan {
  readonly layers: readonly number[];
  private readonly slots: Int32Array;

  /** `enabled` false records nothing (the bench's control run, which measures what the block costs). */
  constructor(depth: number, enabled = true) {
    this.layers = enabled ? forwardLayers(depth) : [];
    this.slots = new Int32Array(depth + 1).fill(-1);
    this.layers.forEach((l, i) => (this.slots[l] = i));
  }

  /** Slot of a layer in the record, or -1 when the layer is not recorded. */
  slotOf(layer: number): number {
    return this.slots[layer] ?? -1;
  }

  /** A sample's record, NaN (not reached) until filled. */
  emptyRecord(): Float64Array {
    return new Float64Array(FORWARD_STRIDE * this.layers.length).fill(NaN);
  }
}

/**
 * Writes one layer's numbers from the two signals (length n) and the running log-gradient. A cosine with
 * a zero signal is undefined (NaN, left out of the means); so is every number of a non-finite signal.
 */
export function writeForwardEntry(record: Float64Array, slot: number, x: ArrayLike<number>, x2: ArrayLike<number>, n: number, grad: number): void {
  let xx = 0;
  let yy = 0;
  let xy = 0;
  // |x - x2|^2 directly: from the three other sums it loses digits when x ~ x2.
  let dd = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]!;
    const b = x2[i]!;
    xx += a * a;
    yy += b * b;
    xy += a * b;
    dd += (a - b) * (a - b);
  }
  writeForwardSums(record, slot, { xx, yy, xy, dd }, n, grad);
}

/**
 * The second input of docs/THEORY.md 5.14 from x and a standard Gaussian g (the second-input stream):
 * x2 = c0 x + sqrt(1 - c0^2) |x| v, v = g's component orthogonal to x, normalized. So |x2| = |x| and the
 * cosine is exactly c0; x itself is not renormalized. Both engines build it in float64 with this.
 */
export function secondInputFrom(x: ArrayLike<number>, g: ArrayLike<number>, c0: number, x2: Float64Array): void {
  const n = x2.length;
  let xx = 0;
  let xg = 0;
  for (let i = 0; i < n; i++) {
    xx += x[i]! * x[i]!;
    xg += x[i]! * g[i]!;
  }
  const proj = xx > 0 ? xg / xx : 0;
  let vv = 0;
  for (let i = 0; i < n; i++) {
    x2[i] = g[i]! - proj * x[i]!;
    vv += x2[i]! * x2[i]!;
  }
  const side = vv > 0 ? (Math.sqrt(Math.max(0, 1 - c0 * c0)) * Math.sqrt(xx)) / Math.sqrt(vv) : 0;
  for (let i = 0; i < n; i++) x2[i] = c0 * x[i]! + side * x2[i]!;
}

/** Writes one recorded layer from the four sums over units (|x|^2, |x2|^2, x.x2, |x - x2|^2) and the log-gradient. */
export function writeForwardSums(record: Float64Array, slot: number, sums: { xx: number; yy: number; xy: number; dd: number }, n: number, grad: number): void {
  const { xx, yy, xy, dd } = sums;
  const o = FORWARD_STRIDE * slot;
  const finite = Number.isFinite(xx) && Number.isFinite(yy) && Number.isFinite(xy) && Number.isFinite(dd);
  record[o] = finite ? xx / n : NaN;
  record[o + 1] = finite && xx > 0 && yy > 0 ? Math.max(-1, Math.min(1, xy / Math.sqrt(xx * yy))) : NaN;
  record[o + 2] = finite ? dd / n : NaN;
  record[o + 3] = grad;
  record[o + 4] = Math.exp(2 * grad);
}

/** One sample's record as one array per quantity (null where not finite), for the per-sample export. */
export function forwardColumns(record: Float64Array): Record<ForwardQuantity, (number | null)[]> {
  const slots = record.length / FORWARD_STRIDE;
  const column = (q: number) =>
    Array.from({ length: slots }, (_, i) => {
      const v = record[FORWARD_STRIDE * i + q]!;
      return Number.isFinite(v) ? v : null;
    });
  return { q: column(0), c: column(1), dist: column(2), grad: column(3), gradSq: column(4) };
}

/** Mean, SE and count per recorded layer of every quantity, over the samples' records. */
export function forwardStats(layers: readonly number[], records: readonly Float64Array[]): ForwardStats {
  const count = layers.length;
  const column = (q: number): IndexStats =>
    indexStats(
      records.map((r) => {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = r[FORWARD_STRIDE * i + q]!;
        return out;
      }),
      count,
    );
  const [q, c, dist, grad, gradSq] = FORWARD_QUANTITIES.map((_, i) => column(i)) as [IndexStats, IndexStats, IndexStats, IndexStats, IndexStats];
  return { layers: [...layers], u: GRADIENT_DIRECTION, q, c, dist, grad, gradSq };
}
