/**
 * Gaussian expectations E_z[f(sqrt(q) z)], z ~ N(0,1), for the mean-field theory (docs/THEORY.md section 4).
 *
 * The default rule is the trapezoid rule in z on [-10, 10] with step dz <= min(0.05, 0.05/sqrt(q)).
 * For smooth integrands the trapezoid rule on a Gaussian is spectrally accurate (the endpoint
 * corrections of Euler-Maclaurin vanish to ~1e-22), while fixed-order Gauss-Hermite puts its nodes
 * far apart at large q and misses the |z| < few/sqrt(q) region where saturating activations vary.
 *
 * Integrands with kinks or jumps (ReLU, hard-tanh, SELU') defeat the trapezoid rule (O(dz) or
 * O(dz^4) errors), so a second, break-aware rule is provided: composite Gauss-Legendre on panels
 * whose edges sit on the kinks. It can also coarsen the panels where |h| is large, which keeps the
 * cost independent of q for activations that are smooth at scale >> 1 there.
 */
import { INV_SQRT_2PI } from '../math/special';

/** Nodes h_i and weights w_i with sum_i w_i f(h_i) ~= E_z[f(sqrt(q) z)]. */
export interface GaussianNodes {
  h: Float64Array;
  w: Float64Array;
}

const Z_MAX = 10;
const DZ = 0.05;
/** Gauss-Legendre order per panel: exact to ~1e-16 on panels where the integrand varies on scale >= 1. */
const GL_ORDER = 20;
/** Widest panel of the break-aware rule, in z and (where f varies) in h. */
const PANEL = 2;
const CACHE_SIZE = 16;

/** Small LRU keyed by string: solvers call the rules with the same q over and over. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      // Re-insert to mark as most recently used (Map iterates in insertion order).
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.set(key, v);
    if (this.map.size > this.size) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }
}

const trapezoidCache = new Lru<GaussianNodes>(CACHE_SIZE);

const SINGLE_NODE: GaussianNodes = { h: new Float64Array([0]), w: new Float64Array([1]) };

function checkVariance(q: number): void {
  if (!(q >= 0) || !Number.isFinite(q)) throw new RangeError(`Gaussian variance must be finite and >= 0, got ${q}`);
}

/**
 * Trapezoid nodes for E_z[f(sqrt(q) z)]: z on [-10, 10] with step dz = 20/n <= min(0.05, 0.05/sqrt(q))
 * (n even, so z = 0 is a node and the grid is symmetric), weights dz * pdf(z) with endpoint halves.
 * q = 0 gives the single node h = 0 with weight 1. The arrays are cached and shared: do not mutate.
 *
 * Validity: error <= ~2e-16 for integrands smooth on the scale of 1 in h (tanh, erf, sigmoid, GELU,
 * SiLU, any q in [0.01, 1000]); O(dz) to O(dz^4) errors for integrands with kinks or jumps (ReLU,
 * hard-tanh, SELU'), for which use piecewiseGaussianNodes. The node count grows like 400 sqrt(q).
 */
export function gaussianNodes(q: number): GaussianNodes {
  checkVariance(q);
  if (q === 0) return SINGLE_NODE;
  const key = String(q);
  const hit = trapezoidCache.get(key);
  if (hit) return hit;
  // 400 intervals at dz = 0.05; more when q > 1 so that the step in h stays <= 0.05.
  const n = 2 * Math.ceil((2 * Z_MAX) / (2 * Math.min(DZ, DZ / Math.sqrt(q))) - 1e-9);
  const dz = (2 * Z_MAX) / n;
  const s = Math.sqrt(q);
  const h = new Float64Array(n + 1);
  const w = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    // Build z from the centre so that the grid is exactly symmetric.
    const z = (i - n / 2) * dz;
    h[i] = s * z;
    w[i] = dz * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
  }
  w[0] = w[0]! * 0.5;
  w[n] = w[n]! * 0.5;
  const rule = { h, w };
  trapezoidCache.set(key, rule);
  return rule;
}

/**
 * E_z[f(sqrt(q) z)] by the trapezoid rule of gaussianNodes.
 *
 * Validity: ~1e-16 for f smooth on the scale of 1 in h; not for f with kinks or jumps (use
 * piecewiseGaussianExpectation with the break points).
 */
export function gaussianExpectation(f: (h: number) => number, q: number): number {
  const { h, w } = gaussianNodes(q);
  let sum = 0;
  for (let i = 0; i < h.length; i++) sum += w[i]! * f(h[i]!);
  return sum;
}

/** Gauss-Legendre nodes/weights on [-1, 1] by Newton iteration on the Legendre recurrence. */
function computeGaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    // Tricomi's initial guess is within Newton's basin for every root.
    let t = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      const { p, dp } = legendre(n, t);
      const step = p / dp;
      t -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    // The derivative at the converged root gives the weight.
    const { dp } = legendre(n, t);
    const wt = 2 / ((1 - t * t) * dp * dp);
    x[i] = -t;
    x[n - 1 - i] = t;
    w[i] = wt;
    w[n - 1 - i] = wt;
  }
  if (n % 2 === 1) x[(n - 1) / 2] = 0;
  return { x, w };
}

const GL = computeGaussLegendre(GL_ORDER);

/** P_n(t) by the three-term recurrence, and P_n'(t) from P_n and P_{n-1}. */
function legendre(n: number, t: number): { p: number; dp: number } {
  let p0 = 1;
  let p1 = t;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return { p: p1, dp: (n * (t * p1 - p0)) / (t * t - 1) };
}

/**
 * The n-point Gauss-Legendre rule on [-1, 1] (nodes ascending).
 *
 * Validity: exact for polynomials of degree <= 2n - 1; n up to a few hundred (Newton on the
 * three-term recurrence, float64).
 */
export function gaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  if (n === GL_ORDER) return { x: GL.x.slice(), w: GL.w.slice() };
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Gauss-Legendre order must be a positive integer, got ${n}`);
  return computeGaussLegendre(n);
}

/** Nodes z_i and weights w_i in the standard-normal variable: sum_i w_i f(sqrt(q) z_i) ~= E f. */
export interface StandardNormalRule {
  z: Float64Array;
  w: Float64Array;
}

const zRuleCache = new Lru<StandardNormalRule>(4 * CACHE_SIZE);

/** Options of piecewiseGaussianRuleZ beyond the panel layout. */
export interface RuleOptions {
  /** h = shift + sqrt(q) z: breaks and the fine core are placed in h (the kernel's conditional rules). */
  shift?: number;
  /** Gauss-Legendre points per panel (default 20). */
  order?: number;
}

const GL_BY_ORDER = new Map<number, { x: Float64Array; w: Float64Array }>();
function glOfOrder(n: number): { x: Float64Array; w: Float64Array } {
  let gl = GL_BY_ORDER.get(n);
  if (!gl) GL_BY_ORDER.set(n, (gl = computeGaussLegendre(n)));
  return gl;
}

/**
 * The z-space form of piecewiseGaussianNodes (same nodes, h_i = sqrt(q) z_i), cached by its panel
 * layout rather than by q: without breaks, every q <= 1 shares one layout and nearby q share the
 * others, so solvers that call it with ever-new q pay no rebuild. The core boundary |h| =
 * smoothBeyond is rounded outwards to a 2^(1/4) grid in z for that purpose (a wider core is only
 * more accurate).
 *
 * Validity: as piecewiseGaussianNodes.
 */
export function piecewiseGaussianRuleZ(
  q: number,
  breaks: readonly number[] = [],
  smoothBeyond = Infinity,
  evenHalf = false,
  options: RuleOptions = {},
): StandardNormalRule {
  const shift = options.shift ?? 0;
  const order = options.order ?? GL_ORDER;
  const gl = order === GL_ORDER ? GL : glOfOrder(order);
  checkVariance(q);
  if (q === 0) return { z: new Float64Array([0]), w: new Float64Array([1]) };
  const s = Math.sqrt(q);
  const zLo = evenHalf ? 0 : -Z_MAX;
  const cuts = [zLo, Z_MAX];
  const addCut = (z: number) => {
    if (z > zLo && z < Z_MAX) cuts.push(z);
  };
  for (const b of breaks) addCut((b - shift) / s);
  // The interval of z where |shift + s z| < smoothBeyond, in which panels must be fine.
  let coreLo = -Infinity;
  let coreHi = Infinity;
  if (Number.isFinite(smoothBeyond)) {
    if (shift === 0) {
      coreHi = 2 ** (Math.ceil(4 * Math.log2(smoothBeyond / s)) / 4);
      coreLo = -coreHi;
    } else {
      coreLo = (-smoothBeyond - shift) / s;
      coreHi = (smoothBeyond - shift) / s;
    }
    addCut(coreLo);
    addCut(coreHi);
  }
  cuts.sort((a, b) => a - b);
  const fineWidth = Math.min(PANEL, PANEL / s);
  const plan: [number, number, number][] = []; // [start, panel width, panels]
  let count = 0;
  for (let c = 0; c + 1 < cuts.length; c++) {
    const a = cuts[c]!;
    const b = cuts[c + 1]!;
    if (!(b > a)) continue;
    const mid = 0.5 * (a + b);
    const limit = mid > coreLo && mid < coreHi ? fineWidth : PANEL;
    const m = Math.max(1, Math.ceil((b - a) / limit - 1e-9));
    plan.push([a, (b - a) / m, m]);
    count += m * order;
  }
  // A shifted rule (the kernel's inner rules) is built for one conditional mean and not reused.
  const key = shift === 0 ? plan.map((p) => p.join(':')).join('|') + (evenHalf ? 'E' : '') + order : '';
  const hit = shift === 0 ? zRuleCache.get(key) : undefined;
  if (hit) return hit;
  const z = new Float64Array(count);
  const w = new Float64Array(count);
  const scale = evenHalf ? 2 : 1;
  let k = 0;
  for (const [a, pw, m] of plan) {
    for (let p = 0; p < m; p++) {
      const centre = a + (p + 0.5) * pw;
      for (let j = 0; j < order; j++) {
        const zk = centre + 0.5 * pw * gl.x[j]!;
        z[k] = zk;
        w[k] = scale * 0.5 * pw * gl.w[j]! * INV_SQRT_2PI * Math.exp(-0.5 * zk * zk);
        k++;
      }
    }
  }
  const rule = { z, w };
  if (shift === 0) zRuleCache.set(key, rule);
  return rule;
}

/**
 * Break-aware nodes for E_z[f(sqrt(q) z)]: composite 20-point Gauss-Legendre in z on [-10, 10],
 * with panel edges at z = b/sqrt(q) for every break b (a point in h where f has a kink or jump).
 * Panels are at most min(2, 2/sqrt(q)) wide in z (width <= 2 in h) where |h| < smoothBeyond, and at
 * most 2 wide in z beyond, so for finite smoothBeyond the cost stays ~1000 nodes at any q (200 for
 * q <= 1). With evenHalf, only the z > 0 half is returned, with doubled weights: the rule is then
 * valid for even f only (breaks must be symmetric), at half the cost.
 *
 * Validity: ~1e-15 relative for f analytic within ~1.5 of the real axis in h between the breaks
 * (tanh's poles sit at distance pi/2), and, beyond |h| = smoothBeyond, smooth on the scale of 1 in
 * z (constant, polynomial, or exponentially small variations, as for every activation of this
 * project beyond |h| = 40). The value of f exactly at a break is never used.
 */
export function piecewiseGaussianNodes(q: number, breaks: readonly number[] = [], smoothBeyond = Infinity, evenHalf = false): GaussianNodes {
  if (q === 0) return SINGLE_NODE;
  const { z, w } = piecewiseGaussianRuleZ(q, breaks, smoothBeyond, evenHalf);
  const s = Math.sqrt(q);
  return { h: z.map((v) => s * v), w };
}

/**
 * E_z[f(sqrt(q) z)] with the break-aware rule of piecewiseGaussianNodes.
 *
 * Validity: ~1e-15 for f piecewise smooth with its kinks/jumps listed in `breaks` (in h); see
 * piecewiseGaussianNodes for the meaning of smoothBeyond.
 */
export function piecewiseGaussianExpectation(f: (h: number) => number, q: number, breaks: readonly number[] = [], smoothBeyond = Infinity): number {
  const { h, w } = piecewiseGaussianNodes(q, breaks, smoothBeyond);
  let sum = 0;
  for (let i = 0; i < h.length; i++) sum += w[i]! * f(h[i]!);
  return sum;
}
