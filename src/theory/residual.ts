/**
 * Residual networks, J_l = I + c D_l W_l (docs/THEORY.md 5.7). c is the effective residual coefficient,
 * alpha divided by 1, sqrt(L) or L (params/derived.ts residualCoefficients).
 */
import { activationOf, architectureEntry, resolveActivation, type ActivationLike } from '../model/index';
import type { Params } from '../params/types';
import { digamma, lgamma } from '../math/gamma';
import { cadd, cdiv, clog, cscale, csub, cx, type Complex } from './complex';
import { residualMeanField } from './meanfield';
import { gaussLegendre } from './quadrature';

/**
 * (a) Exact top exponent of a linear residual net with Gaussian W, any N:
 *   lambda_1 = (1/2) [log(2 c^2 sw2 / N) + sum_j Pois(j; mu) psi(N/2 + j)],  mu = N / (2 c^2 sw2),
 * because |(I + cW)u|^2 is (c^2 sw2/N) times a noncentral chi-square with N degrees of freedom.
 *
 * Validity: exact for every N and unbiased at every depth; linear activation, Gaussian weights,
 * zero bias. Derived for this project (docs/THEORY.md 5.7a).
 */
export function linearResidualTopExponent(N: number, c: number, sw2: number): number {
  const v = c * c * sw2;
  if (v === 0) return 0; // J = I
  const mu = N / (2 * v);
  // Poisson weights in log space over mu +- 40 sqrt(mu) + 50 (the mass outside is below 1e-300).
  const spread = 40 * Math.sqrt(mu) + 50;
  const lo = Math.max(0, Math.floor(mu - spread));
  const hi = Math.ceil(mu + spread);
  let sum = 0;
  let mass = 0;
  for (let j = lo; j <= hi; j++) {
    const w = Math.exp(-mu + j * Math.log(mu) - lgamma(j + 1));
    sum += w * digamma(N / 2 + j);
    mass += w;
  }
  return 0.5 * (Math.log((2 * v) / N) + sum / mass);
}

/**
 * linearResidualTopExponent, with its Poisson-digamma sum (40 sqrt(mu) terms, mu = N/(2 c^2 sw2)) replaced
 * for mu > 2e5 (c^2 sw2 < N/4e5, where the sum would take milliseconds to seconds) by its expansion in
 * v = c^2 sw2: with Y = |(I + cW)u|^2 - 1, E log(1 + Y) = v (1 - 2/N) - v^2 (1/2 - 3/N + 4/N^2) + O(v^3),
 * from the moments of Y up to c^4 (odd orders vanish); the O(v^3) rest is below 2e-8 there.
 */
export function residualLinearTop(N: number, c: number, sw2: number): number {
  const v = c * c * sw2;
  if (v > 0 && N / (2 * v) > 2e5) return 0.5 * (v * (1 - 2 / N) - v * v * (0.5 - 3 / N + 4 / (N * N)));
  return linearResidualTopExponent(N, c, sw2);
}

/**
 * (b) Small-c expansion for any activation, finite N:
 *   lambda_i ~= (c^2 chiBar / 2) (1 - 2i/N),  i = 1..k,   chiBar = mean over layers of chi_l.
 *
 * Validity: O(c^2), so c << 1 (error 8e-5 at c = 0.1; fails at c = 0.5 and for ReLU, whose
 * non-zero mean drives an outlier, 5.7f). Derived for this project (docs/THEORY.md 5.7b).
 */
export function smallCSpectrum(N: number, k: number, c: number, chiBar: number): Float64Array {
  const out = new Float64Array(k);
  for (let i = 1; i <= k; i++) out[i - 1] = ((c * c * chiBar) / 2) * (1 - (2 * i) / N);
  return out;
}

/**
 * chiBar = mean of chi_l = sw2 E[phi'(sqrt(q_l) z)^2] over layers transient+1..depth of the residual
 * mean-field trajectory (5.7e) started from p0 = q0 (input variance), m0 = 0. NaN if it overflows.
 *
 * Validity: the N -> infinity mean field of residual nets; as input to (b) it only matters at O(c^2).
 */
export function chiBarFromMeanField(act: ActivationLike, sw2: number, sb2: number, c: number, depth: number, transient = 0, q0 = 1): number {
  const { chi } = residualMeanField(act, sw2, sb2, c, depth, q0, 0);
  let s = 0;
  for (let l = transient; l < depth; l++) s += chi[l]!;
  return s / (depth - transient);
}

/**
 * (c) Linear residual net at N -> infinity, fixed c, all exponents: lambda(t) = -(1/2) log S(t - 1) for
 * A^T A = c^2 |r + C|^2 (r = 1/c, C circular of variance sw2). The sheet's route is: find w < 0 with
 * w G(w) = t, where the Cauchy transform G of |r + C|^2 solves
 *   sw2^2 w G^3 - 2 sw2 w G^2 + (w - r^2 + sw2) G - 1 = 0,
 * then S(t - 1) = t/((t - 1) w)/c^2. Substituting w = t/G turns the cubic into a quadratic for G at
 * given t,
 *   t sw2^2 G^2 + (sw2 - r^2 - 2 t sw2) G + (t - 1) = 0,
 * whose roots have product (t - 1)/(t sw2^2) < 0: exactly one is negative, and G(w) < 0 for w < 0, so
 * that root is G and no bracketing or root selection is needed. Then S(t - 1) = G/((t - 1) c^2), i.e.
 *   lambda(t) = (1/2) log(c^2 K),   K = (1 - t)/(-G) = (sqrt(B^2 + 4 t sw2^2 (1 - t)) - B)/2,
 * with B = sw2 - r^2 - 2 t sw2 (evaluated without cancellation for B > 0). This form is also the limit
 * at the endpoints: lambda(1) = (1/2) log(1 + c^2 sw2) = (1/2) log E[A^T A] (the top exponent), and
 * lambda(0) = (1/2) log(1 - c^2 sw2) for c^2 sw2 < 1, -Infinity otherwise.
 * t is the fraction of exponents below.
 *
 * Validity: N -> infinity with linear activation and Gaussian W; the finite-N bias is about 5e-3
 * (N = 64-256, c = 0.5). At c sqrt(sw2) >= 1 the bottom exponents diverge (like (1/2) log t, or
 * (1/4) log t exactly at 1) and finite-N values differ by 0.3 or more. Derived for this project
 * (docs/THEORY.md 5.7c).
 */
export function linearResidualSpectrum(c: number, sw2: number, ts: readonly number[]): number[] {
  if (c === 0 || sw2 === 0) return ts.map(() => 0);
  const c2 = c * c;
  const r2 = 1 / c2;
  return ts.map((t) => {
    if (!(t >= 0 && t <= 1)) return NaN;
    const b = sw2 - r2 - 2 * t * sw2;
    const fourAC = 4 * t * sw2 * sw2 * (1 - t); // -4 A C >= 0
    const disc = Math.sqrt(b * b + fourAC);
    // (disc - b)/2 cancels for b > 0; there it equals 2 A (1 - t)/(b + disc) = fourAC / (2 (b + disc)).
    const k = b <= 0 ? 0.5 * (disc - b) : fourAC / (2 * (b + disc));
    return k > 0 ? 0.5 * Math.log(c2 * k) : -Infinity;
  });
}

/**
 * (d) Tarnowski et al.'s universal ResNet law: with N -> infinity then L -> infinity and
 * a = sum_l c_l^2 chi_l fixed, S_{JJ^T}(z) = exp(-a (1 + 2z)) (free multiplicative Brownian motion).
 * a from the residual mean-field trajectory (5.7e): a = c^2 sum_l chi_l.
 *
 * Validity: c^2 = O(1/L) (ascale = sqrtL), large N and L; the only activation dependence is a.
 * Finite L biases the first moment to (1 + a/L)^L. Non-odd activations add an outlier (5.7f).
 */
export function tarnowskiParameter(act: ActivationLike, sw2: number, sb2: number, c: number, depth: number, q0 = 1): number {
  const { chi } = residualMeanField(act, sw2, sb2, c, depth, q0, 0);
  let s = 0;
  for (let l = 0; l < depth; l++) s += chi[l]!;
  return c * c * s;
}

/**
 * Tarnowski's a for a constant chi: with c = alpha0/sqrt(L) every layer adds c^2 chi, so a = alpha0^2 chi.
 *
 * Validity: as tarnowskiParameter, for nets whose chi_l does not drift with depth (linear nets, or any
 * activation while q_l stays put); otherwise use tarnowskiParameter.
 */
export function tarnowskiParameterFromChi(alpha0: number, chi: number): number {
  return alpha0 * alpha0 * chi;
}

/**
 * Support [x-, x+] of the Tarnowski density of squared singular values, at z = (-1 -+ sqrt(1 + 2/a))/2
 * where dx/dz = 0.
 *
 * Validity: a > 0; the N -> infinity, then L -> infinity law (docs/THEORY.md 5.7d). At finite N and L the
 * extreme singular values straddle these edges.
 */
export function tarnowskiEdges(a: number): [number, number] {
  const root = Math.sqrt(1 + 2 / a);
  const edge = (z: number) => ((1 + z) / z) * Math.exp(a * (1 + 2 * z));
  return [edge((-1 - root) / 2), edge((-1 + root) / 2)];
}

/**
 * z(x) with Im z < 0 solving log((1+z)/z) + a(1+2z) = log x, by Newton continued from the upper edge
 * along a geometric path of x (each step starts from the previous z, so the branch is kept).
 */
function tarnowskiZ(a: number, x: number, steps = 64): Complex {
  const [, xPlus] = tarnowskiEdges(a);
  const zPlus = (-1 + Math.sqrt(1 + 2 / a)) / 2;
  const g2 = 1 / (zPlus * zPlus) - 1 / ((1 + zPlus) * (1 + zPlus));
  const logTop = Math.log(xPlus);
  const logX = Math.log(x);
  // Start just inside the edge from the quadratic expansion log x - log x+ = g''(z+) d^2 / 2.
  const startLog = logTop + Math.max(-1e-3, (logX - logTop) / steps);
  let z = cx(zPlus, -Math.sqrt((2 * (logTop - startLog)) / g2));
  for (let s = 0; s <= steps; s++) {
    const target = s === 0 ? startLog : startLog + ((logX - startLog) * s) / steps;
    for (let it = 0; it < 50; it++) {
      const f = csub(cadd(clog(cdiv(cadd(z, cx(1)), z)), cscale(cadd(cx(1), cscale(z, 2)), a)), cx(target));
      const fp = cadd(csub(cdiv(cx(1), cadd(z, cx(1))), cdiv(cx(1), z)), cx(2 * a));
      const step = cdiv(f, fp);
      z = csub(z, step);
      if (z.im > 0) z = cx(z.re, -z.im);
      if (Math.hypot(step.re, step.im) < 1e-15 * Math.max(1, Math.hypot(z.re, z.im))) break;
    }
  }
  return z;
}

/**
 * Density rho(x) = -Im z / (pi x) of the Tarnowski law of squared singular values of J; 0 outside the
 * support.
 *
 * Validity: residual nets with c_l^2 = O(1/L) (alpha scaled by 1/sqrt(L)) as N -> infinity and then
 * L -> infinity; KS 0.004-0.009 at N = 400, L = 100. Non-odd activations add an outlier it omits (5.7f).
 */
export function tarnowskiDensityAt(a: number, x: number): number {
  const [lo, hi] = tarnowskiEdges(a);
  if (!(x > lo && x < hi)) return 0;
  const z = tarnowskiZ(a, x);
  return Math.max(0, -z.im / (Math.PI * x));
}

/**
 * The density on `points` nodes, ascending, at log x(theta) = log x- + (log x+ - log x-)(1 - cos theta)/2
 * with theta at Gauss-Legendre points of (0, pi): spread evenly over the decades (the support spans
 * 6 decades at a = 4) and dense at both square-root edges. `weight` integrates smooth functions against
 * rho: sum_i weight_i g(x_i) ~= integral g rho dx (m0..m3 to ~1e-15 already at 100 points).
 *
 * Validity: as tarnowskiDensityAt.
 */
export function tarnowskiDensity(a: number, points = 400): { x: Float64Array; rho: Float64Array; weight: Float64Array } {
  const [lo, hi] = tarnowskiEdges(a);
  const yLo = Math.log(lo);
  const span = Math.log(hi) - yLo;
  const gl = gaussLegendre(points);
  const x = new Float64Array(points);
  const rho = new Float64Array(points);
  const weight = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    const theta = (Math.PI / 2) * (gl.x[i]! + 1);
    x[i] = Math.exp(yLo + (span * (1 - Math.cos(theta))) / 2);
    rho[i] = tarnowskiDensityAt(a, x[i]!);
    // dx = x dy, dy = (span/2) sin(theta) dtheta, dtheta = (pi/2) dGL
    weight[i] = (Math.PI / 2) * gl.w[i]! * (span / 2) * Math.sin(theta) * x[i]! * rho[i]!;
  }
  return { x, rho, weight };
}

/**
 * First three moments of the Tarnowski law: e^a, e^{2a}(1 + 2a), e^{3a}(1 + 6a + 6a^2).
 *
 * Validity: as tarnowskiDensityAt; at finite L the first moment is (1 + a/L)^L rather than e^a.
 */
export function tarnowskiMoments(a: number): [number, number, number] {
  return [Math.exp(a), Math.exp(2 * a) * (1 + 2 * a), Math.exp(3 * a) * (1 + 6 * a + 6 * a * a)];
}

/**
 * (f) Residual nets with a non-odd activation (ReLU, GELU, SiLU, sigmoid, SELU, ReLU^a) grow a mean component
 * in x_l, which shows as one singular value far above the bulk law (d). Neither Tarnowski's law nor
 * chi covers it: the UI marks it. Found for this project (docs/THEORY.md 5.7f).
 */
export function hasResidualOutlier(p: Pick<Params, 'act' | 'arch'> & Partial<Pick<Params, 'apow'>>): boolean {
  return architectureEntry(p.arch).residual && !activationOf(p).traits.odd;
}

/**
 * Mean-field estimate of log(|x_L| / |x_0|) (5.7e), a lower bound for the outlier's log sigma_1 in
 * zero-bias ReLU nets (J x_0 = x_L there). NaN if the trajectory overflows.
 *
 * Validity: residual nets at N -> infinity (mean field); 2.2e4 for |x_L|^2/|x_0|^2 matched N = 400.
 */
export function residualOutlierLogGain(act: ActivationLike, sw2: number, sb2: number, c: number, depth: number, q0 = 1): number {
  const { p } = residualMeanField(act, sw2, sb2, c, depth, q0, 0);
  return 0.5 * Math.log(p[depth - 1]! / q0);
}

/**
 * (f) Everything the UI needs to mark the outlier: whether one is expected (non-odd activation), the
 * mean-field log(|x_L|/|x_0|) = (1/2) log(p_L/p_0) of 5.7e, and that gain per layer (to set beside the
 * Lyapunov exponents). For a zero-bias ReLU net log sigma_1(J) >= log(|x_L|/|x_0|) exactly.
 *
 * Validity: residual nets (the caller checks arch); a mean-field estimate (N -> infinity) that
 * matched 2.2e4 for |x_L|^2/|x_0|^2 at N = 400, L = 100, c = 0.1, sw2 = 2 (docs/THEORY.md 5.7f).
 */
export function residualOutlierExpected(
  act: ActivationLike,
  sw2: number,
  sb2: number,
  c: number,
  depth: number,
  q0 = 1,
): { expected: boolean; logGain: number; perLayer: number } {
  const logGain = residualOutlierLogGain(act, sw2, sb2, c, depth, q0);
  return { expected: !resolveActivation(act).traits.odd, logGain, perLayer: logGain / depth };
}

/**
 * The QR estimator's caveat for depth-scaled residual nets (alpha/sqrt(L), alpha/L, or c_l = alpha l^-beta with
 * beta > 1/2): sum_l c_l^2 stays bounded as L grows, so J stays O(1) and its exponents per layer are O(1/L).
 * The QR sums (1/L) sum log|R_ii| then estimate the Lyapunov exponents of an infinite product at this fixed c
 * (the small-c expansion of 5.7(b) describes them: they agree to 1e-5), whose neighbours differ by about
 * c^2 chi/N, comparable to their error bars, so they come out of order; and they are not the singular
 * values of this finite J, whose (1/L) log sigma_i(J) spread far wider. Measured at N = 32, L = 200, tanh,
 * alpha/sqrt(L), 64 networks: 8 order inversions within 1-2 SE, and a spread lambda_1 - lambda_N of 0.0022
 * against 0.0090 for (1/L) log sigma_i(J). null where the QR exponents are the quantity to read.
 */
export function depthScaledQrNote(p: Pick<Params, 'arch' | 'ascale' | 'beta' | 'alpha'>): string | null {
  if (!architectureEntry(p.arch).residual || p.alpha === 0) return null;
  const bounded = p.ascale === 'sqrtL' || p.ascale === 'L' || (p.ascale === 'power' && p.beta > 0.5);
  if (!bounded) return null;
  return 'Depth-scaled ResNet: J stays O(1). The QR exponents (1/L) Σ log|Rᵢᵢ| are those of a product with this fixed c, in QR order (neighbours within their error bars), and much narrower than the spread of this J. At finite depth read (1/L) log σᵢ(J).';
}
