/**
 * Mean-field signal propagation (docs/THEORY.md sections 4, 5.4 and 5.7e): the variance map q -> q', its
 * fixed point q*, the slope chi_1 = sw2 E[phi'^2] that separates order from chaos, the top Lyapunov
 * exponent (1/2) log chi_1 with its 1/N correction, and the layer-by-layer trajectories needed for
 * transients and for residual networks.
 */
import { resolveActivation, type ActivationLike, type ActivationModel, type GaussianMoments } from '../model/index';
import { piecewiseGaussianRuleZ, type StandardNormalRule } from './quadrature';

/** Moments of phi(h) and phi'(h) at h = sqrt(q) z. */
export type Expectations = GaussianMoments;

/** Outcome of iterating the variance map from q1 (docs/THEORY.md 5.4). */
export type FixedPoint = { kind: 'finite'; q: number } | { kind: 'zero' } | { kind: 'divergent' } | { kind: 'marginal'; q: number };

/** Iterates that pass this are reported as divergent: a fixed point beyond 1e12 is not told apart. */
const Q_DIVERGE = 1e12;
/** Iterates below this, with q = 0 a fixed point, are reported as decaying to zero (q* < 1e-14 reads as 0). */
const Q_ZERO = 1e-14;
/** map(q) - q within this relative band is rounding noise (hard-tanh at sw2 = 1 sits there for q < 1e-3). */
const NOISE = 1e-13;

/**
 * The rule the mean-field code uses for activations without closed forms: break-aware composite
 * Gauss-Legendre (quadrature.ts) with the entry's breaks and smooth range, which agrees with the trapezoid
 * rule of docs/THEORY.md section 4 to ~1e-15 on smooth activations but needs half the nodes at q <= 1,
 * handles SELU's jump in phi', and stays at ~1000 nodes for any q. For odd phi every integrand used here
 * is even, so half the rule suffices.
 */
function nodesFor(act: ActivationModel, q: number, even: boolean): StandardNormalRule {
  const { breaks, smoothBeyond } = act.quadrature;
  return piecewiseGaussianRuleZ(q, breaks, smoothBeyond, even && act.traits.odd);
}

function checkQ(q: number): void {
  if (!(q >= 0)) throw new RangeError(`variance q must be >= 0, got ${q}`);
}

/**
 * E phi, E phi^2, E phi'^2, E phi'^4 at h = sqrt(q) z, z ~ N(0,1): the entry's closed forms where it
 * has them (linear, ReLU, erf, hard tanh, ReLU^a; docs/THEORY.md section 4 and 5.9), quadrature
 * otherwise. At q = 0 it returns the q -> 0+ limit (for ReLU E phi'^2 = 1/2, not phi'(0)^2 = 0).
 *
 * Validity: any q >= 0; float64 accuracy (~1e-15) for all activations of the project.
 */
export function expectations(actLike: ActivationLike, q: number): Expectations {
  checkQ(q);
  const act = resolveActivation(actLike);
  const cf = act.closedMoments(q);
  if (cf) return cf;
  const { phi, dphi } = act;
  if (q === 0) {
    // Symmetric limit: averages the one-sided values where phi' jumps at 0 (SELU).
    const t = Number.MIN_VALUE;
    const p1 = phi(t);
    const p2 = phi(-t);
    const d1 = dphi(t);
    const d2 = dphi(-t);
    return {
      ephi: 0.5 * (p1 + p2),
      ephi2: 0.5 * (p1 * p1 + p2 * p2),
      edphi2: 0.5 * (d1 * d1 + d2 * d2),
      edphi4: 0.5 * (d1 ** 4 + d2 ** 4),
    };
  }
  // For odd phi, E phi = 0 and the other integrands are even: half the rule suffices.
  const odd = act.traits.odd;
  const { z, w } = nodesFor(act, q, odd);
  const sq = Math.sqrt(q);
  let e1 = 0;
  let e2 = 0;
  let d2 = 0;
  let d4 = 0;
  for (let i = 0; i < z.length; i++) {
    const wi = w[i]!;
    const h = sq * z[i]!;
    const p = phi(h);
    const d = dphi(h);
    const dd = d * d;
    e1 += wi * p;
    e2 += wi * p * p;
    d2 += wi * dd;
    d4 += wi * dd * dd;
  }
  return { ephi: odd ? 0 : e1, ephi2: e2, edphi2: d2, edphi4: d4 };
}

/** E phi^2 alone: the inner loop of every fixed-point solve, so it skips phi'. */
function meanPhi2(act: ActivationModel, q: number): number {
  const cf = act.closedMoments(q);
  if (cf) return cf.ephi2;
  if (q === 0) return expectations(act, 0).ephi2;
  const { phi } = act;
  const { z, w } = nodesFor(act, q, true);
  const sq = Math.sqrt(q);
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    const p = phi(sq * z[i]!);
    s += w[i]! * p * p;
  }
  return s;
}

/** E phi'^2 alone. */
function meanDphi2(act: ActivationModel, q: number): number {
  const cf = act.closedMoments(q);
  if (cf) return cf.edphi2;
  if (q === 0) return expectations(act, 0).edphi2;
  const { dphi } = act;
  const { z, w } = nodesFor(act, q, true);
  const sq = Math.sqrt(q);
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    const d = dphi(sq * z[i]!);
    s += w[i]! * d * d;
  }
  return s;
}

/**
 * The feedforward variance map q -> sw2 E[phi(sqrt(q) z)^2] + sb2.
 *
 * Validity: N -> infinity with Gaussian or orthogonal weights of variance sw2/N and N(0, sb2) biases;
 * the map describes one layer of the model of docs/THEORY.md section 1 with a = 0, c = 1.
 */
export function qMap(act: ActivationLike, sw2: number, sb2: number, q: number): number {
  checkQ(q);
  return sw2 * meanPhi2(resolveActivation(act), q) + sb2;
}

/**
 * chi_1 = sw2 E[phi'(sqrt(q) z)^2], the mean squared singular value gain of one layer at variance q.
 *
 * Validity: N -> infinity at pre-activation variance q (use q = q* for the asymptotic regime).
 */
export function chi1(act: ActivationLike, sw2: number, q: number): number {
  checkQ(q);
  return sw2 * meanDphi2(resolveActivation(act), q);
}

/**
 * Brent's root finder (inverse quadratic interpolation with bisection safeguard) on a bracket with
 * f(a), f(b) of opposite signs. Converges to full float64 precision.
 */
function brent(f: (x: number) => number, a: number, b: number, fa: number, fb: number, maxIter = 200): number {
  if (fa === 0) return a;
  if (fb === 0) return b;
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < maxIter; iter++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      // Keep the root between b and c.
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 1e-300;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let qq: number;
      if (a === c) {
        p = 2 * m * s; // secant
        qq = 1 - s;
      } else {
        const r1 = fa / fc;
        const r2 = fb / fc;
        p = s * (2 * m * r1 * (r1 - r2) - (b - a) * (r2 - 1));
        qq = (r1 - 1) * (r2 - 1) * (s - 1);
      }
      if (p > 0) qq = -qq;
      else p = -p;
      if (2 * p < Math.min(3 * m * qq - Math.abs(tol * qq), Math.abs(e * qq))) {
        e = d;
        d = p / qq;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  return b;
}

const near = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y));

/**
 * Fixed point of the variance map reached from q1 (docs/THEORY.md 5.4). The map is increasing, so the
 * iterates move monotonically; the first root of map(q) - q in that direction is bracketed on a
 * geometric grid (factor 2, or 10 once q > 1e3; a step to map(q) is taken when larger, since the
 * iterate cannot pass the root) and then refined by Brent to float64 precision. 'zero': the iterates decay to 0 (only if sb2 = 0 and phi(0) = 0). 'divergent':
 * they grow past 1e12. 'marginal': every q is fixed (linear sw2 = 1, ReLU sw2 = 2, both sb2 = 0);
 * returns q1.
 *
 * Validity: N -> infinity (mean field); exact up to float64 rounding for the fixed point of the map.
 * The approach to q* = 0 can be extremely slow (power law at criticality, slower for hard-tanh).
 */
export function fixedPoint(actLike: ActivationLike, sw2: number, sb2: number, q1: number = sw2 * 1 + sb2): FixedPoint {
  if (!(sw2 >= 0) || !(sb2 >= 0)) throw new RangeError(`need sw2 >= 0 and sb2 >= 0, got ${sw2}, ${sb2}`);
  const act = resolveActivation(actLike);
  // sw2 = 0 (a slider end): the map is the constant sb2, reached after one layer.
  if (sw2 === 0) return sb2 > 0 ? { kind: 'finite', q: sb2 } : { kind: 'zero' };
  // Positively homogeneous phi of degree 1 (linear, ReLU) has an affine map, q -> k q + sb2: solve exactly.
  if (act.traits.homogeneousDegree === 1) {
    const k = sw2 * meanPhi2(act, 1);
    if (near(k, 1)) return sb2 === 0 ? { kind: 'marginal', q: q1 } : { kind: 'divergent' };
    if (k > 1) return sb2 === 0 && q1 === 0 ? { kind: 'zero' } : { kind: 'divergent' };
    return sb2 === 0 ? { kind: 'zero' } : { kind: 'finite', q: sb2 / (1 - k) };
  }
  const zeroIsFixed = sb2 === 0 && act.traits.zeroAtZero;
  const g = (q: number) => qMap(act, sw2, sb2, q) - q;
  let q = q1;
  if (!(q > 0)) {
    const m0 = qMap(act, sw2, sb2, 0);
    if (m0 === 0) return { kind: 'zero' };
    q = m0; // map(0) <= q*, so ascending from here finds the first root
  }
  let gq = g(q);
  if (gq === 0) return { kind: 'finite', q };
  const noise = (x: number) => NOISE * x;
  if (gq > noise(q) || (!zeroIsFixed && gq > 0)) {
    // Ascend. For q < q*, q < map(q) <= q*: the iterate map(q) can never pass the first root, so it
    // is both a safe lower bracket end and a safe step when it outruns the geometric grid point 2q.
    for (let iter = 0; iter < 2000; iter++) {
      const lo = q + gq; // = map(q) <= q*
      if (lo === q) return { kind: 'finite', q };
      // Past 1e3 the grid coarsens to factor 10 (two roots within one decade that far out would
      // need a near-tangency of the map; the price is a short divergence test).
      const next = Math.max(q < 1e3 ? 2 * q : 10 * q, lo);
      if (!Number.isFinite(next) || next > Q_DIVERGE) return { kind: 'divergent' };
      const gn = g(next);
      if (!Number.isFinite(gn)) return { kind: 'divergent' };
      if (gn <= 0) {
        const glo = g(lo);
        if (glo <= 0) return { kind: 'finite', q: glo === 0 ? lo : brent(g, q, lo, gq, glo) };
        return { kind: 'finite', q: brent(g, lo, next, glo, gn) };
      }
      q = next;
      gq = gn;
    }
    return { kind: 'divergent' };
  }
  // Descend, mirror image: for q > q*, q* <= map(q) < q, so map(q) is a safe upper bracket end.
  for (let iter = 0; iter < 2000; iter++) {
    const hi = q + gq; // = map(q) >= q*
    const next = Math.min(0.5 * q, hi);
    if (zeroIsFixed && next < Q_ZERO) return { kind: 'zero' };
    if (!(next > 0)) return zeroIsFixed ? { kind: 'zero' } : { kind: 'finite', q };
    const gn = g(next);
    const rising = zeroIsFixed ? gn > noise(next) : gn >= 0;
    if (rising) {
      if (gn === 0) return { kind: 'finite', q: next };
      // q itself was inside the rounding band (only possible at the first step): it is the root.
      if (gq >= 0) return { kind: 'finite', q };
      if (hi < q) {
        const ghi = g(hi);
        if (ghi >= 0) return { kind: 'finite', q: ghi === 0 ? hi : brent(g, hi, q, ghi, gq) };
        return { kind: 'finite', q: brent(g, next, hi, gn, ghi) };
      }
      return { kind: 'finite', q: brent(g, next, q, gn, gq) };
    }
    q = next;
    gq = gn;
  }
  return zeroIsFixed ? { kind: 'zero' } : { kind: 'finite', q };
}

/** chi_1 at a fixed point: the q -> 0 limit for 'zero', NaN for 'divergent'. */
function chiAt(act: ActivationLike, sw2: number, fp: FixedPoint): number {
  switch (fp.kind) {
    case 'finite':
    case 'marginal':
      return chi1(act, sw2, fp.q);
    case 'zero':
      return chi1(act, sw2, 0);
    case 'divergent':
      return NaN;
  }
}

/**
 * The weight variance sw2 in (0, 10] at which chi_1(q*) = 1, the order-to-chaos boundary at bias
 * variance sb2, or null if chi_1(q*) - 1 does not change sign in that range. Scans sw2 in steps of
 * 0.05 for the first sign change, then refines by Brent. Where the fixed point diverges, chi_1 is
 * taken at q = 1e12 (its large-q limit for ReLU-like activations).
 *
 * Validity: N -> infinity, feedforward nets with q at its fixed point reached from q1 = sw2 + sb2.
 */
export function criticalSw2(act: ActivationLike, sb2: number): number | null {
  const F = (sw2: number) => {
    const fp = fixedPoint(act, sw2, sb2);
    const chi = fp.kind === 'divergent' ? chi1(act, sw2, Q_DIVERGE) : chiAt(act, sw2, fp);
    return chi - 1;
  };
  const steps = 200;
  let a = 10 / steps;
  let fa = F(a);
  if (fa === 0) return a;
  for (let j = 2; j <= steps; j++) {
    const b = (10 * j) / steps;
    const fb = F(b);
    if (fb === 0) return b;
    if (Number.isFinite(fa) && Number.isFinite(fb) && fa < 0 !== fb < 0) return brent(F, a, b, fa, fb);
    a = b;
    fa = fb;
  }
  return null;
}

/**
 * chi_1(q*) and the fixed point on a grid, for the order/chaos phase diagram. chi1 is row-major,
 * rows = sb2s, columns = sw2s; NaN where the fixed point diverges, the q -> 0 limit where it is
 * 'zero'. Each cell is fixedPoint(act, sw2, sb2) with its default q1.
 *
 * Validity: N -> infinity mean field, feedforward nets.
 */
export function orderChaosGrid(act: ActivationLike, sw2s: number[], sb2s: number[]): { chi1: Float64Array; fixed: FixedPoint[] } {
  const nw = sw2s.length;
  const out = new Float64Array(nw * sb2s.length);
  const fixed: FixedPoint[] = new Array<FixedPoint>(nw * sb2s.length);
  // Visit each row in increasing sw2: both the map and q1 = sw2 + sb2 increase with sw2, so by
  // comparison of the iterates, once a cell diverges every larger sw2 in its row diverges too.
  const order = sw2s.map((_, j) => j).sort((a, b) => sw2s[a]! - sw2s[b]!);
  sb2s.forEach((sb2, i) => {
    let diverged = false;
    for (const j of order) {
      const sw2 = sw2s[j]!;
      const fp: FixedPoint = diverged ? { kind: 'divergent' } : fixedPoint(act, sw2, sb2);
      if (fp.kind === 'divergent') diverged = true;
      fixed[i * nw + j] = fp;
      out[i * nw + j] = chiAt(act, sw2, fp);
    }
  });
  return { chi1: out, fixed };
}

/**
 * Top Lyapunov exponent at mean field, (1/2) log chi_1(q*), and with N given the 1/N-corrected
 * value (1/2) log chi_1 - (3 mu4/mu2^2 - 1)/(4N), mu_p = E[phi'(sqrt(q*) z)^p] (docs/THEORY.md 5.4).
 * null when the fixed point diverges.
 *
 * Validity: feedforward nets at q = q*, Gaussian W. The uncorrected value is exact as N -> infinity;
 * the corrected one is good to ~0.005 at N >= 64 and ~0.01 at N = 16 (exact for linear nets).
 */
export function topExponentMeanField(
  act: ActivationLike,
  sw2: number,
  sb2: number,
  N?: number,
): { lambda1: number; lambda1Corrected: number | null; q: number; chi1: number } | null {
  const fp = fixedPoint(act, sw2, sb2);
  if (fp.kind === 'divergent') return null;
  const q = fp.kind === 'zero' ? 0 : fp.q;
  const e = expectations(act, q);
  const chi = sw2 * e.edphi2;
  const lambda1 = 0.5 * Math.log(chi);
  let lambda1Corrected: number | null = null;
  if (N !== undefined && N > 0 && e.edphi2 > 0) {
    const kurt = e.edphi4 / (e.edphi2 * e.edphi2);
    lambda1Corrected = lambda1 - (3 * kurt - 1) / (4 * N);
  }
  return { lambda1, lambda1Corrected, q, chi1: chi };
}

/** Largest variance the trajectories carry on; beyond it the values are reported as NaN. */
const Q_OVERFLOW = 1e300;

/**
 * Mean-field trajectory of a residual net x_l = x_{l-1} + c phi(h_l) (docs/THEORY.md 5.7e) for layers
 * 1..depth: q_l = sw2 p_{l-1} + sb2, p_l = p_{l-1} + 2c m_{l-1} E phi + c^2 E phi^2,
 * m_l = m_{l-1} + c E phi, chi_l = sw2 E[phi'(sqrt(q_l) z)^2]; p0 = |x_0|^2/N, m0 = mean of x_0.
 * Entries after an overflow are NaN.
 *
 * Validity: N -> infinity, weights and biases fresh per layer; the cross term uses mean(x) E phi,
 * which neglects O(1/N) correlations between x_{l-1} and h_l.
 */
export function residualMeanField(
  act: ActivationLike,
  sw2: number,
  sb2: number,
  c: number,
  depth: number,
  p0 = 1,
  m0 = 0,
): { q: Float64Array; chi: Float64Array; p: Float64Array; m: Float64Array } {
  const q = new Float64Array(depth).fill(NaN);
  const chi = new Float64Array(depth).fill(NaN);
  const p = new Float64Array(depth).fill(NaN);
  const m = new Float64Array(depth).fill(NaN);
  let pPrev = p0;
  let mPrev = m0;
  for (let l = 0; l < depth; l++) {
    const ql = sw2 * pPrev + sb2;
    if (!(ql >= 0 && ql < Q_OVERFLOW)) break;
    const e = expectations(act, ql);
    const pl = pPrev + 2 * c * mPrev * e.ephi + c * c * e.ephi2;
    const ml = mPrev + c * e.ephi;
    q[l] = ql;
    chi[l] = sw2 * e.edphi2;
    if (!Number.isFinite(pl) || !Number.isFinite(ml)) break;
    p[l] = pl;
    m[l] = ml;
    pPrev = pl;
    mPrev = ml;
  }
  return { q, chi, p, m };
}

/**
 * Mean-field trajectory of a feedforward net for layers 1..depth: q_1 = sw2 q0input + sb2,
 * q_{l+1} = sw2 E[phi(sqrt(q_l) z)^2] + sb2, chi_l = sw2 E[phi'(sqrt(q_l) z)^2]; q0input = |x_0|^2/N.
 * Entries after an overflow are NaN.
 *
 * Validity: N -> infinity; describes the transient of q_l towards q* (geometric away from
 * criticality, power law at it), not fluctuations of order 1/sqrt(N).
 */
export function feedforwardMeanField(act: ActivationLike, sw2: number, sb2: number, depth: number, q0input = 1): { q: Float64Array; chi: Float64Array } {
  const q = new Float64Array(depth).fill(NaN);
  const chi = new Float64Array(depth).fill(NaN);
  let ql = sw2 * q0input + sb2;
  for (let l = 0; l < depth; l++) {
    if (!(ql >= 0 && ql < Q_OVERFLOW)) break;
    q[l] = ql;
    chi[l] = chi1(act, sw2, ql);
    ql = qMap(act, sw2, sb2, ql);
  }
  return { q, chi };
}
