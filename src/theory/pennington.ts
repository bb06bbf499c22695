/**
 * Density of squared singular values of the Jacobian of a deep feedforward net at N -> infinity
 * (Pennington, Schoenholz & Ganguli; docs/THEORY.md 5.6). With identical layers at the fixed point q*:
 *   S_{JJ^T}(z) = [S_{WW^T}(z) S_{D^2}(z)]^L,   x z/(1+z) S_{JJ^T}(z) = 1,   rho(x) = -Im z / (pi x).
 * Per layer y = ((1+z)/(x z))^{1/L}; u = y z / ((1+z) S_W(z)); solve F(z) = psi_D(u) - z = 0, where
 * psi_D(u) = E[u d/(1 - u d)] with d = phi'(sqrt(q*) z)^2, by complex Newton, marching x downward.
 * Bernoulli d (ReLU, hard-tanh) takes the same route with psi_D(u) = f u/(1 - u): the sheet reports that
 * continuing the roots of the equivalent polynomial jumps branches for hard-tanh, Newton does not.
 */
import { resolveActivation, type ActivationLike, type ActivationModel } from '../model/index';
import { cx, type Complex } from './complex';
import { layerVariance, type FreeLaw } from './free-probability';
import { expectations } from './meanfield';
import { piecewiseGaussianNodes } from './quadrature';

interface Model {
  /** Distinct values of d = phi'^2 at the quadrature nodes, and their weights. */
  d: Float64Array;
  w: Float64Array;
  sw2: number;
  L: number;
  law: FreeLaw;
  /** First moment of x: (sw2 E d)^L. */
  m1: number;
  /** P(d != 0). */
  f: number;
  /** d takes a single value (linear nets, or q* = 0): every layer is a multiple of W. */
  constantD: number | null;
  /** Orthogonal W, Bernoulli d: the atom max(0, 1 - L(1 - f)) at x0 = sw2^L, the top of the support. */
  topAtom: { x0: number; mass: number } | null;
}

function buildModel(act: ActivationModel, sw2: number, sb2: number, law: FreeLaw, L: number): Model | null {
  const q = layerVariance(act, sw2, sb2);
  if (q === null) return null;
  let d: Float64Array;
  let w: Float64Array;
  if (act.traits.binaryDerivative) {
    // d is 0 or 1: two nodes carry the whole law.
    const f = expectations(act, q).edphi2;
    d = Float64Array.of(1, 0);
    w = Float64Array.of(f, 1 - f);
  } else if (act.traits.identity) {
    d = Float64Array.of(1);
    w = Float64Array.of(1);
  } else {
    // For odd phi, d = phi'^2 is even in h, so the half rule with doubled weights is exact and halves
    // the cost of every psi_D evaluation. Where phi' jumps (SELU at 0) the rule needs that break.
    const { dphi } = act;
    const nodes = piecewiseGaussianNodes(q, act.quadrature.breaks, Infinity, act.traits.odd);
    d = nodes.h.map((h) => dphi(h) ** 2);
    w = nodes.w;
  }
  let ed = 0;
  let f = 0;
  let dMin = Infinity;
  let dMax = -Infinity;
  for (let i = 0; i < d.length; i++) {
    ed += w[i]! * d[i]!;
    if (d[i]! !== 0) f += w[i]!;
    if (w[i]! > 0) {
      dMin = Math.min(dMin, d[i]!);
      dMax = Math.max(dMax, d[i]!);
    }
  }
  const topAtom = act.traits.binaryDerivative && law === 'haar' ? { x0: sw2 ** L, mass: Math.max(0, 1 - L * (1 - f)) } : null;
  return { d, w, sw2, L, law, m1: (sw2 * ed) ** L, f, constantD: dMin === dMax ? dMax : null, topAtom };
}

/**
 * F(z) = psi_D(u(z)) - z and F'(z), with the derivative in closed form (one pass over the nodes):
 *   Gaussian W:   u = sw2 y z,          du/dz = sw2 y (1 - 1/(L (1+z)))
 *   orthogonal W: u = sw2 y z / (1+z),  du/dz = u (1 - 1/L) / (z (1+z))
 * from d log y/dz = -1/(L z (1+z)), and psi_D'(u) = E[d/(1 - u d)^2].
 */
function residualAndSlope(m: Model, x: number, z: Complex): { f: Complex; df: Complex } {
  const zr = z.re;
  const zi = z.im;
  const pr = 1 + zr; // 1 + z
  // w = (1+z)/(x z) = (1+z) conj(z) / (x |z|^2)
  const n2 = zr * zr + zi * zi;
  const wr = (pr * zr + zi * zi) / (x * n2);
  const wi = (zi * zr - pr * zi) / (x * n2);
  // Principal L-th root, continuous for Im z < 0 where (1+z)/z lies in the upper half-plane.
  const logMod = Math.log(Math.hypot(wr, wi)) / m.L;
  const arg = Math.atan2(wi, wr) / m.L;
  const mag = Math.exp(logMod);
  const yr = mag * Math.cos(arg);
  const yi = mag * Math.sin(arg);
  // y z
  const yzr = yr * zr - yi * zi;
  const yzi = yr * zi + yi * zr;
  let ur: number;
  let ui: number;
  let dur: number;
  let dui: number;
  if (m.law === 'ginibre') {
    ur = m.sw2 * yzr;
    ui = m.sw2 * yzi;
    // 1 - 1/(L (1+z)) = 1 - conj(1+z)/(L |1+z|^2)
    const p2 = pr * pr + zi * zi;
    const gr = 1 - pr / (m.L * p2);
    const gi = zi / (m.L * p2);
    dur = m.sw2 * (yr * gr - yi * gi);
    dui = m.sw2 * (yr * gi + yi * gr);
  } else {
    // u = sw2 y z / (1+z)
    const p2 = pr * pr + zi * zi;
    ur = (m.sw2 * (yzr * pr + yzi * zi)) / p2;
    ui = (m.sw2 * (yzi * pr - yzr * zi)) / p2;
    // (1 - 1/L) / (z (1+z)), z (1+z) = (zr pr - zi^2) + i (zi pr + zr zi)
    const qr = zr * pr - zi * zi;
    const qi = zi * pr + zr * zi;
    const q2 = qr * qr + qi * qi;
    const k = 1 - 1 / m.L;
    const hr = (k * qr) / q2;
    const hi = (-k * qi) / q2;
    dur = ur * hr - ui * hi;
    dui = ur * hi + ui * hr;
  }
  let psr = 0;
  let psi = 0;
  let dpr = 0;
  let dpi = 0;
  const { d, w } = m;
  for (let i = 0; i < d.length; i++) {
    const di = d[i]!;
    const wi2 = w[i]!;
    if (wi2 === 0) continue;
    // inv = 1/(1 - u d)
    const ar = 1 - ur * di;
    const ai = -ui * di;
    const a2 = ar * ar + ai * ai;
    const ir = ar / a2;
    const ii = -ai / a2;
    // u d / (1 - u d) = (u d) inv
    const tr = di * (ur * ir - ui * ii);
    const ti = di * (ur * ii + ui * ir);
    psr += wi2 * tr;
    psi += wi2 * ti;
    // d inv^2
    dpr += wi2 * di * (ir * ir - ii * ii);
    dpi += wi2 * di * (2 * ir * ii);
  }
  return {
    f: { re: psr - zr, im: psi - zi },
    df: { re: dpr * dur - dpi * dui - 1, im: dpr * dui + dpi * dur },
  };
}

/**
 * Newton for F(z) = 0 from z0, kept in Im z <= 0 (reflected), with steps capped at |z|/2. `ok` is false
 * when it ran out of iterations, which the continuation answers with a shorter step.
 */
function newton(m: Model, x: number, z0: Complex): { z: Complex; ok: boolean } {
  let z = z0;
  let prevStep = Infinity;
  for (let it = 0; it < 60; it++) {
    const { f, df } = residualAndSlope(m, x, z);
    const den = df.re * df.re + df.im * df.im;
    if (!(den > 0)) return { z, ok: false };
    let sr = (f.re * df.re + f.im * df.im) / den;
    let si = (f.im * df.re - f.re * df.im) / den;
    const size = Math.hypot(sr, si);
    const limit = 0.5 * Math.hypot(z.re, z.im);
    if (size > limit && limit > 0) {
      sr *= limit / size;
      si *= limit / size;
    }
    z = { re: z.re - sr, im: z.im - si };
    if (z.im > 0) z = { re: z.re, im: -z.im };
    const stepSize = Math.hypot(sr, si);
    const scale = Math.max(1e-300, Math.hypot(z.re, z.im));
    if (stepSize < 1e-14 * scale) return { z, ok: true };
    // Rounding noise in psi_D and the L-th root can hold the steps at ~1e-13 |z| and above (large L):
    // steps that are small and no longer shrinking quadratically mean converged to working accuracy.
    if (stepSize < 1e-10 * scale && stepSize > 0.1 * prevStep) return { z, ok: true };
    prevStep = stepSize;
  }
  return { z, ok: false };
}

/** Longest continuation step in log x: 10^(1/60), ~3.9% in x. */
const H_MAX = Math.LN10 / 60;
/** Shortest: 2^-14 of that (~2e-6 relative), used only at edges and other steep features. */
const H_MIN = H_MAX / 16384;
/** Largest change of x rho (the density in log x, whose integral is the mass) accepted per step. */
const MAX_JUMP = 0.01;

/** Relative distance below the top atom x0 at which the march starts when there is one. */
const BELOW_ATOM = 1e-4;

/**
 * Where every march starts. Normally far above the top edge, where z ~ m1/x is real and tiny. With an
 * atom of mass mu at x0 = sw2^L (orthogonal W, Bernoulli d), x0 is also the top of the support
 * (||J||^2 <= sw2^L), and z = x G - 1 runs through a pole there (G ~ mu/(x - x0)), which no continuation
 * crosses: start just below x0 instead, seeded with the pole term z ~ -mu x/(x0 - x) and a small
 * imaginary part, and count everything above as rho = 0.
 */
function start(m: Model): Walker {
  let x: number;
  let seed: Complex;
  if (m.topAtom && m.topAtom.mass > 0) {
    x = m.topAtom.x0 * (1 - BELOW_ATOM);
    const pole = (-m.topAtom.mass * x) / (m.topAtom.x0 - x);
    seed = cx(pole, 0.1 * pole);
  } else {
    x = 1e3 * Math.max(m.m1, 1) * (m.L + 1);
    seed = cx(m.m1 / x, -1e-12);
  }
  const z = newton(m, x, seed).z;
  return { x, z, xr: x * rhoOf(z, x), h: H_MAX };
}

const rhoOf = (z: Complex, x: number) => Math.max(0, -z.im / (Math.PI * x));

/** Continuation state: the solution z at x, x rho(x), and the next step length in log x. */
interface Walker {
  x: number;
  z: Complex;
  xr: number;
  h: number;
}

/**
 * One accepted continuation step from w.x down towards `limit` (never past it). A real z (rho = 0:
 * outside the support or in a gap) cannot leave the axis by itself, so it is re-seeded with
 * Im z = -1e-3. The step is halved while Newton fails or x rho jumps by more than MAX_JUMP (edges,
 * narrow bumps), and regrows after smooth steps.
 */
function advance(m: Model, w: Walker, limit: number): Walker {
  const seed = Math.abs(w.z.im) < 1e-14 * Math.max(1, Math.abs(w.z.re)) ? cx(w.z.re, -1e-3) : w.z;
  let h = w.h;
  for (;;) {
    const toLimit = Math.log(w.x / limit);
    const last = h >= toLimit;
    const x = last ? limit : w.x * Math.exp(-h);
    const { z, ok } = newton(m, x, seed);
    const xr = x * rhoOf(z, x);
    const jump = Math.abs(xr - w.xr);
    if ((!ok || jump > MAX_JUMP) && Math.min(h, toLimit) > H_MIN) {
      h = 0.5 * Math.min(h, toLimit);
      continue;
    }
    return { x, z, xr, h: jump < MAX_JUMP / 4 ? Math.min(H_MAX, 2 * h) : h };
  }
}

/** March x down from above the spectrum to each target (descending), returning z there. */
function march(m: Model, targets: readonly number[]): Complex[] {
  const out: Complex[] = [];
  let w = start(m);
  for (const target of targets) {
    // Above the start: only possible above an atom that tops the support, where rho = 0.
    if (target >= w.x) {
      out.push(cx(0));
      continue;
    }
    for (let steps = 0; w.x > target && steps < MAX_STEPS; steps++) w = advance(m, w, target);
    out.push(w.z);
  }
  return out;
}

/** Continuous mass still expected below the range: the tail estimate must fall below this. */
const TAIL_MASS = 1e-5;
/**
 * Most steps one walk may take. Steps shrink to H_MIN where Newton struggles (deep orthogonal nets in the
 * ordered phase: erf, sw2 = 0.3, L = 40 needed ~1e8 of them to reach the floor), so without a cap the walk
 * could run for hours; with it the walk stops and reports the mass it did not reach as tail mass.
 */
const MAX_STEPS = 40000;

/**
 * Solve along the adaptive descending walk and keep every solution: from xMax (default: just above the
 * top edge) down to xMin (default: where the continuous mass left below is < TAIL_MASS, or 1e-280 m1).
 * Below a hard edge rho ~ x^{-beta} with beta <= L/(L+1), so the mass below x is at most (L+1) x rho(x);
 * a soft lower edge makes it 0. The lower end is only accepted once half the continuous mass lies above
 * it, so that the rising flank under the top edge (where x rho is small too) does not end the walk.
 * Steps are capped so that at least minCount points land in the range.
 */
function trace(
  m: Model,
  continuousMass: number,
  xMaxOpt: number | undefined,
  xMinOpt: number | undefined,
  minCount: number,
  deadline = Infinity,
): { x: number[]; rho: number[]; tail: number } {
  const floor = 1e-280 * Math.max(1, m.m1);
  let w = start(m);
  // Continue (unrecorded) down to an explicit top.
  for (let steps = 0; xMaxOpt !== undefined && w.x > xMaxOpt && steps < MAX_STEPS; steps++) w = advance(m, w, xMaxOpt);
  const bottom = Math.max(xMinOpt ?? floor, floor);
  const hCap = xMinOpt !== undefined && xMaxOpt !== undefined ? Math.min(H_MAX, Math.log(xMaxOpt / xMinOpt) / minCount) : H_MAX;
  const xs: number[] = [w.x];
  const rhos: number[] = [rhoOf(w.z, w.x)];
  let mass = 0;
  // Index of the first point inside the support; Newton leaves |Im z| ~ 1e-12 on the real axis, hence
  // a threshold rather than rho > 0.
  const inside = (xr: number) => (m.L + 1) * xr > 1e-9;
  let first = xMaxOpt !== undefined || inside(w.xr) ? 0 : -1;
  let steps = 0;
  let cut = false;
  while (w.x > bottom) {
    if (++steps > MAX_STEPS || (steps % 256 === 0 && performance.now() >= deadline)) {
      cut = true;
      break;
    }
    const prev = w;
    w = advance(m, { ...w, h: Math.min(w.h, hCap) }, bottom);
    mass += 0.5 * Math.log(prev.x / w.x) * (w.xr + prev.xr);
    xs.push(w.x);
    rhos.push(w.xr / w.x);
    if (first < 0 && inside(w.xr)) first = xs.length - 1;
    if (xMinOpt === undefined && first >= 0 && mass > 0.5 * continuousMass && (m.L + 1) * w.xr < TAIL_MASS) break;
  }
  // Keep one point of zero density above the top edge (or the atom topping the support).
  const lead = first <= 0 ? 0 : first - 1;
  // Below the last point: the hard-edge bound, or, when the step cap ended the walk early, the mass missed.
  const tail = cut ? Math.max((m.L + 1) * w.xr, continuousMass - mass) : (m.L + 1) * w.xr;
  const out = { x: xs.slice(lead), rho: rhos.slice(lead), tail };
  if (out.x.length < minCount && (xMaxOpt === undefined || xMinOpt === undefined) && out.x.length > 1) {
    // A narrow support: walk the range again, finer.
    return trace(m, continuousMass, out.x[0]!, out.x[out.x.length - 1]!, minCount, deadline);
  }
  return out;
}

/**
 * `points` indices of the walk for plotting and integration: half evenly spaced in log x, half at equal
 * steps of the cumulative mass (so that narrow bumps, such as the one under the top atom of orthogonal
 * hard-tanh nets, get points although the walk may span 100+ decades), both ends always; remaining
 * gaps are split until there are `points` of them.
 */
function selectIndices(x: readonly number[], rho: readonly number[], points: number): number[] {
  const n = x.length;
  if (n <= points) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>([0, n - 1]);
  const half = Math.max(1, Math.floor(points / 2));
  const lx0 = Math.log(x[0]!);
  const span = lx0 - Math.log(x[n - 1]!);
  let i = 0;
  for (let k = 1; k < half; k++) {
    const target = lx0 - (k * span) / half;
    while (i < n - 1 && Math.log(x[i]!) > target) i++;
    chosen.add(i);
  }
  const cum = [0];
  for (let j = 1; j < n; j++) cum.push(cum[j - 1]! + 0.5 * Math.log(x[j - 1]! / x[j]!) * (x[j]! * rho[j]! + x[j - 1]! * rho[j - 1]!));
  const total = cum[n - 1]!;
  if (total > 0) {
    i = 0;
    for (let k = 1; k < points - half; k++) {
      const target = (k * total) / (points - half);
      while (i < n - 1 && cum[i]! < target) i++;
      chosen.add(i);
    }
  }
  const sorted = [...chosen].sort((p, q) => p - q);
  while (sorted.length < points) {
    let widest = 0;
    for (let j = 1; j < sorted.length - 1; j++) if (sorted[j + 1]! - sorted[j]! > sorted[widest + 1]! - sorted[widest]!) widest = j;
    if (sorted[widest + 1]! - sorted[widest]! < 2) break;
    sorted.splice(widest + 1, 0, (sorted[widest]! + sorted[widest + 1]!) >> 1);
  }
  return sorted;
}

export interface JacobianDensity {
  /** Squared singular values (descending grid) and the continuous density rho(x). */
  x: Float64Array;
  rho: Float64Array;
  /** Mass at x = 0 (inactive units, Bernoulli d): 1 - f. */
  atomAtZero: number;
  /**
   * Orthogonal W with Bernoulli d: mass max(0, 1 - L(1 - f)) at x = sw2^L. Orthogonal W with a constant
   * d (linear nets, or q* = 0): all the mass, at (sw2 d)^L. Null otherwise.
   */
  atomAtTop: { x: number; mass: number } | null;
  /**
   * Estimated continuous mass below the last grid point, (L+1) x rho(x) there (a bound below a hard
   * edge): ~1e-5 by default, more where the hard edge reaches below 1e-280 m1 (Gaussian W with
   * L >~ 50), or whatever an explicit xMin leaves out.
   */
  tailMass: number;
}

function atoms(m: Model, act: ActivationModel): { atomAtZero: number; atomAtTop: { x: number; mass: number } | null } {
  const bernoulli = act.traits.binaryDerivative;
  if (m.law === 'haar' && m.constantD !== null && m.constantD > 0) {
    // J = (sw2 d)^{L/2} times a product of orthogonal matrices: every singular value is the same.
    return { atomAtZero: 0, atomAtTop: { x: (m.sw2 * m.constantD) ** m.L, mass: 1 } };
  }
  return { atomAtZero: bernoulli ? 1 - m.f : 0, atomAtTop: m.topAtom ? { x: m.topAtom.x0, mass: m.topAtom.mass } : null };
}

/**
 * The density at `points` values of x, descending (not a geometric grid): picked from an adaptive walk
 * (steps of at most 4% in x, refined at edges and steep bumps), half evenly in log x and half at equal
 * steps of mass, so a trapezoid in log x integrates it (to ~2e-3 at 300 points, ~3e-4 at 1500).
 * By default the walk runs from just above the top edge down to where less than 1e-5 of the continuous
 * mass lies below (which can be 1e-100 and less: rho ~ x^{-L/(L+1)} at the hard edge of Gaussian W);
 * `xMax` and `xMin` override. Returns null when the variance has no finite fixed point.
 *
 * Validity: N -> infinity with every layer at q* (use a burn-in or start at the fixed point); KS
 * distances 0.004-0.027 against N = 400-1000 simulations (docs/THEORY.md 5.6). At finite N the atom at 0 is
 * larger (rank(J) = min_l K_l), and values below ~1e-16 sigma_max need the stable SVD.
 */
export function jacobianDensity(
  actLike: ActivationLike,
  sw2: number,
  sb2: number,
  law: FreeLaw,
  L: number,
  opts: { points?: number; xMax?: number; xMin?: number; budgetMs?: number } = {},
): JacobianDensity | null {
  const act = resolveActivation(actLike);
  const m = buildModel(act, sw2, sb2, law, L);
  if (!m) return null;
  const points = opts.points ?? 300;
  const at = atoms(m, act);
  if (at.atomAtTop?.mass === 1) {
    // A pure atom: no continuous part to solve for.
    const top = at.atomAtTop.x;
    const xMax = opts.xMax ?? 10 * top;
    const xMin = opts.xMin ?? 0.1 * top;
    const x = Float64Array.from({ length: points }, (_, i) => xMax * (xMin / xMax) ** (i / Math.max(1, points - 1)));
    return { x, rho: new Float64Array(points), ...at, tailMass: 0 };
  }
  // A time budget (for live previews) ends the walk early; the mass it did not reach is reported in tailMass.
  const deadline = opts.budgetMs === undefined ? Infinity : performance.now() + opts.budgetMs;
  const walk = trace(m, 1 - at.atomAtZero - (at.atomAtTop?.mass ?? 0), opts.xMax, opts.xMin, 2 * points, deadline);
  const idx = selectIndices(walk.x, walk.rho, points);
  return { x: Float64Array.from(idx, (i) => walk.x[i]!), rho: Float64Array.from(idx, (i) => walk.rho[i]!), ...at, tailMass: walk.tail };
}

/**
 * rho at the given x values (any order), each reached by marching down from above the spectrum; atoms
 * are not included (see jacobianDensity). Null when the variance has no finite fixed point.
 *
 * Validity: as jacobianDensity.
 */
export function jacobianDensityAt(actLike: ActivationLike, sw2: number, sb2: number, law: FreeLaw, L: number, xs: readonly number[]): number[] | null {
  const act = resolveActivation(actLike);
  const m = buildModel(act, sw2, sb2, law, L);
  if (!m) return null;
  if (atoms(m, act).atomAtTop?.mass === 1) return xs.map(() => 0);
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
  const zs = march(
    m,
    order.map(([x]) => x),
  );
  const out = new Array<number>(xs.length);
  order.forEach(([x, i], j) => (out[i] = rhoOf(zs[j]!, x)));
  return out;
}
