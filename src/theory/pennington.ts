/**
 * Density of squared singular values of the Jacobian of a deep feedforward net at N -> infinity
 * (Pennington, Schoenholz & Ganguli; THEORY.md 5.6). With identical layers at the fixed point q*:
 *   S_{JJ^T}(z) = [S_{WW^T}(z) S_{D^2}(z)]^L,   x z/(1+z) S_{JJ^T}(z) = 1,   rho(x) = -Im z / (pi x).
 * Per layer y = ((1+z)/(x z))^{1/L}; u = y z / ((1+z) S_W(z)); solve F(z) = psi_D(u) - z = 0, where
 * psi_D(u) = E[u d/(1 - u d)] with d = phi'(sqrt(q*) z)^2, by complex Newton, marching x downward.
 */
import type { Activation } from '../params/types';
import { activation } from '../engine/activations';
import { cadd, cdiv, cmul, cpow, cscale, csub, cx, type Complex } from './complex';
import { expectations, fixedPoint } from './meanfield';
import { piecewiseGaussianNodes } from './quadrature';

interface Model {
  /** Values of d = phi'^2 at the quadrature nodes, and their weights. */
  d: Float64Array;
  w: Float64Array;
  sw2: number;
  L: number;
  weights: 'gauss' | 'orth';
  /** First moment of x: (sw2 E d)^L. */
  m1: number;
  /** P(d != 0). */
  f: number;
}

function buildModel(act: Activation, sw2: number, sb2: number, weights: 'gauss' | 'orth', L: number): Model | null {
  let q: number;
  if (act === 'linear' || act === 'relu') q = 1;
  else {
    const fp = fixedPoint(act, sw2, sb2);
    if (fp.kind === 'finite' || fp.kind === 'marginal') q = fp.q;
    else if (fp.kind === 'zero') q = 0;
    else return null;
  }
  let d: Float64Array;
  let w: Float64Array;
  if (act === 'relu' || act === 'hardtanh') {
    // d is 0 or 1: two nodes carry the whole law.
    const f = expectations(act, q).edphi2;
    d = Float64Array.of(1, 0);
    w = Float64Array.of(f, 1 - f);
  } else if (act === 'linear') {
    d = Float64Array.of(1);
    w = Float64Array.of(1);
  } else {
    const { dphi } = activation(act);
    const nodes = piecewiseGaussianNodes(q, act === 'selu' ? [0] : []);
    d = nodes.h.map((h) => dphi(h) ** 2);
    w = nodes.w;
  }
  let ed = 0;
  let f = 0;
  for (let i = 0; i < d.length; i++) {
    ed += w[i]! * d[i]!;
    if (d[i]! !== 0) f += w[i]!;
  }
  return { d, w, sw2, L, weights, m1: (sw2 * ed) ** L, f };
}

function psiD(m: Model, u: Complex): Complex {
  let re = 0;
  let im = 0;
  for (let i = 0; i < m.d.length; i++) {
    const ud = cscale(u, m.d[i]!);
    const term = cdiv(ud, csub(cx(1), ud));
    re += m.w[i]! * term.re;
    im += m.w[i]! * term.im;
  }
  return { re, im };
}

function residual(m: Model, x: number, z: Complex): Complex {
  const onePlusZ = cadd(cx(1), z);
  const y = cpow(cdiv(onePlusZ, cscale(z, x)), 1 / m.L);
  // S_W(z) = 1/(sw2 (1+z)) (Gaussian) or 1/sw2 (orthogonal): u = y z / ((1+z) S_W(z)).
  const u = m.weights === 'gauss' ? cscale(cmul(y, z), m.sw2) : cdiv(cscale(cmul(y, z), m.sw2), onePlusZ);
  return csub(psiD(m, u), z);
}

/** Newton for F(z) = 0 from z0, kept in Im z <= 0 (reflected), with damped steps. */
function newton(m: Model, x: number, z0: Complex): Complex {
  let z = z0;
  for (let it = 0; it < 100; it++) {
    const f = residual(m, x, z);
    const h = 1e-7 * Math.max(1, Math.hypot(z.re, z.im));
    const df = cscale(csub(residual(m, x, cadd(z, cx(h))), f), 1 / h);
    let step = cdiv(f, df);
    const size = Math.hypot(step.re, step.im);
    const limit = 0.5 * Math.hypot(z.re, z.im);
    if (size > limit && limit > 0) step = cscale(step, limit / size);
    z = csub(z, step);
    if (z.im > 0) z = cx(z.re, -z.im);
    if (Math.hypot(step.re, step.im) < 1e-14 * Math.max(1e-300, Math.hypot(z.re, z.im))) break;
  }
  return z;
}

/** March x down geometrically from far above the spectrum to each target (descending), tracking z. */
function march(m: Model, targets: number[]): Complex[] {
  const out: Complex[] = [];
  let x = 1e3 * Math.max(m.m1, 1) * (m.L + 1);
  let z = cx(m.m1 / x, -1e-12);
  const stepsPerDecade = 60;
  for (const target of targets) {
    const steps = Math.max(1, Math.ceil(Math.log10(x / target) * stepsPerDecade));
    for (let s = 1; s <= steps; s++) {
      const xs = x * (target / x) ** (s / steps);
      z = newton(m, xs, z);
      // A real z (rho = 0, outside the support or in a gap) cannot re-enter the branch by itself.
      if (Math.abs(z.im) < 1e-14 * Math.max(1, Math.abs(z.re))) z = cx(z.re, -1e-3);
    }
    z = newton(m, target, z);
    out.push(z);
    x = target;
  }
  return out;
}

export interface JacobianDensity {
  /** Squared singular values (descending grid) and the continuous density rho(x). */
  x: Float64Array;
  rho: Float64Array;
  /** Mass at x = 0 (inactive units, Bernoulli d): 1 - f. */
  atomAtZero: number;
  /** Orthogonal W with Bernoulli d: mass max(0, 1 - L(1 - f)) at x = sw2^L. */
  atomAtTop: { x: number; mass: number } | null;
}

/**
 * The density on a geometric grid of `points` values of x from above the spectrum down to
 * 1e-12 m1 (or `xMin`). Returns null when the variance has no finite fixed point.
 *
 * Validity: N -> infinity with every layer at q* (use a burn-in or start at the fixed point); KS
 * distances 0.004-0.027 against N = 400-1000 simulations (THEORY.md 5.6). At finite N the atom at 0 is
 * larger (rank(J) = min_l K_l), and values below ~1e-16 sigma_max need the stable SVD.
 */
export function jacobianDensity(
  act: Activation,
  sw2: number,
  sb2: number,
  weights: 'gauss' | 'orth',
  L: number,
  opts: { points?: number; xMax?: number; xMin?: number } = {},
): JacobianDensity | null {
  const m = buildModel(act, sw2, sb2, weights, L);
  if (!m) return null;
  const points = opts.points ?? 300;
  const xMax = opts.xMax ?? 100 * m.m1 * (L + 1) ** 2;
  const xMin = opts.xMin ?? 1e-12 * m.m1;
  const targets = Array.from({ length: points }, (_, i) => xMax * (xMin / xMax) ** (i / (points - 1)));
  const zs = march(m, targets);
  const x = Float64Array.from(targets);
  const rho = Float64Array.from(zs, (z, i) => Math.max(0, -z.im / (Math.PI * targets[i]!)));
  const bernoulli = act === 'relu' || act === 'hardtanh';
  return {
    x,
    rho,
    atomAtZero: bernoulli ? 1 - m.f : 0,
    atomAtTop: bernoulli && weights === 'orth' ? { x: sw2 ** L, mass: Math.max(0, 1 - L * (1 - m.f)) } : null,
  };
}

/** rho at the given x values (any order), each reached by marching down from above the spectrum. */
export function jacobianDensityAt(act: Activation, sw2: number, sb2: number, weights: 'gauss' | 'orth', L: number, xs: readonly number[]): number[] | null {
  const m = buildModel(act, sw2, sb2, weights, L);
  if (!m) return null;
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
  const zs = march(m, order.map(([x]) => x));
  const out = new Array<number>(xs.length);
  order.forEach(([x, i], j) => (out[i] = Math.max(0, -zs[j]!.im / (Math.PI * x))));
  return out;
}
