/**
 * Fuss-Catalan law of order s: the N -> infinity density of squared singular values of a product of
 * s Ginibre matrices W_s...W_1 / sigma^s (docs/THEORY.md 5.3), from the Haagerup-Moller / Neuschel
 * parametrization, 0 < phi < pi/(s+1):
 *   x(phi)   = sin^{s+1}((s+1)phi) / (sin(phi) sin^s(s phi))          (decreasing in phi)
 *   rho(phi) = sin^2(phi) sin^{s-1}(s phi) / (pi sin^s((s+1)phi))
 * Everything is evaluated in log space and in terms of eps = pi/(s+1) - phi, because x ~ eps^{s+1}
 * underflows and sin((s+1)phi) = sin((s+1) eps) loses its relative accuracy near the hard edge x -> 0.
 */

/** A density curve rho(x), sorted by increasing x; logX/logRho carry values beyond float range. */
export interface DensityCurve {
  x: Float64Array;
  rho: Float64Array;
  logX?: Float64Array;
  logRho?: Float64Array;
}

const LOG_PI = Math.log(Math.PI);

function checkOrder(s: number): void {
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError(`Fuss-Catalan order must be > 0, got ${s}`);
}

/**
 * log x and log rho at phi, with eps = pi/(s+1) - phi. The caller passes the smaller of the two
 * exactly (the other one, >= pi/(2(s+1)), may carry the rounding of the subtraction); the sines are
 * written in terms of the small one, so that both edges keep full relative accuracy.
 */
function logPoint(s: number, phi: number, eps: number): { logX: number; logRho: number } {
  let sinPhi: number;
  let sinS: number;
  let sinS1: number;
  if (phi <= eps) {
    sinPhi = Math.sin(phi);
    sinS = Math.sin(s * phi);
    sinS1 = Math.sin((s + 1) * phi);
  } else {
    sinPhi = Math.sin(phi);
    // s phi = pi - pi/(s+1) - s eps and (s+1) phi = pi - (s+1) eps: no cancellation near pi.
    sinS = Math.sin(Math.PI / (s + 1) + s * eps);
    sinS1 = Math.sin((s + 1) * eps);
  }
  const lsPhi = Math.log(sinPhi);
  const lsS = Math.log(sinS);
  const lsS1 = Math.log(sinS1);
  return {
    logX: (s + 1) * lsS1 - lsPhi - s * lsS,
    logRho: 2 * lsPhi + (s - 1) * lsS - LOG_PI - s * lsS1,
  };
}

const fromPhi = (s: number, phi: number) => logPoint(s, phi, Math.PI / (s + 1) - phi);
const fromEps = (s: number, eps: number) => logPoint(s, Math.PI / (s + 1) - eps, eps);

/**
 * Upper edge of the support, (s+1)^{s+1}/s^s (4, 6.75, 9.48148... for s = 1, 2, 3).
 *
 * Validity: N -> infinity, product of s square Gaussian matrices normalized by sigma^s.
 */
export function fussCatalanEdge(s: number): number {
  checkOrder(s);
  return Math.exp((s + 1) * Math.log(s + 1) - s * Math.log(s));
}

/**
 * Point of the parametrized curve at angle phi in (0, pi/(s+1)): x, rho(x) and their logs.
 *
 * Validity: N -> infinity; any phi strictly inside the interval (the ends are the edges).
 */
export function fussCatalanParam(s: number, phi: number): { x: number; rho: number; logX: number; logRho: number } {
  checkOrder(s);
  const { logX, logRho } = fromPhi(s, phi);
  return { x: Math.exp(logX), rho: Math.exp(logRho), logX, logRho };
}

/**
 * The density as a curve sorted by increasing x: half the points uniform in phi (resolving the
 * square-root upper edge), half log-spaced in eps = pi/(s+1) - phi from 1e-6 pi/(s+1) (so that x,
 * which behaves like eps^{s+1}, is roughly log-spaced near the hard edge 0, where rho ~ x^{-s/(s+1)}),
 * plus the upper-edge point (edge, 0). Returns logX/logRho too; x underflows for large s.
 *
 * Validity: N -> infinity for any fixed s (= depth L); at finite N the smallest singular values
 * deviate (hard edge).
 */
export function fussCatalanCurve(s: number, points = 400): { x: Float64Array; rho: Float64Array; logX: Float64Array; logRho: Float64Array } {
  checkOrder(s);
  const phiMax = Math.PI / (s + 1);
  const nLog = Math.floor(points / 2);
  const nLin = Math.max(2, points - nLog);
  // Each point remembers which of phi, eps it was generated from exactly.
  const pts: { eps: number; p: { logX: number; logRho: number } }[] = [];
  for (let i = 1; i < nLin; i++) {
    const phi = (phiMax * i) / nLin;
    pts.push({ eps: phiMax - phi, p: fromPhi(s, phi) });
  }
  const d0 = Math.log(1e-6);
  const d1 = Math.log(0.5);
  for (let j = 0; j < nLog; j++) {
    const eps = phiMax * Math.exp(d0 + ((d1 - d0) * j) / Math.max(1, nLog - 1));
    pts.push({ eps, p: fromEps(s, eps) });
  }
  pts.sort((a, b) => a.eps - b.eps); // increasing eps = increasing x
  const n = pts.length + 1;
  const x = new Float64Array(n);
  const rho = new Float64Array(n);
  const logX = new Float64Array(n);
  const logRho = new Float64Array(n);
  pts.forEach(({ p }, i) => {
    logX[i] = p.logX;
    logRho[i] = p.logRho;
    x[i] = Math.exp(p.logX);
    rho[i] = Math.exp(p.logRho);
  });
  const edge = fussCatalanEdge(s);
  x[n - 1] = edge;
  logX[n - 1] = Math.log(edge);
  rho[n - 1] = 0;
  logRho[n - 1] = -Infinity;
  return { x, rho, logX, logRho };
}

/**
 * rho(x) for the Fuss-Catalan law of order s, by bisection on the angle (x(phi) is monotone);
 * 0 outside (0, edge).
 *
 * Validity: N -> infinity, product of s Ginibre matrices; relative accuracy ~1e-14 for x in
 * (1e-300, edge).
 */
export function fussCatalanDensityAt(s: number, x: number): number {
  checkOrder(s);
  if (!(x > 0) || !(x < fussCatalanEdge(s))) return 0;
  const target = Math.log(x);
  const half = 0.5 * (Math.PI / (s + 1));
  // Bisect on whichever of eps (hard edge side) or phi (upper edge side) is the small variable.
  const lowSide = fromEps(s, half).logX > target;
  const at = (u: number) => (lowSide ? fromEps(s, u) : fromPhi(s, u));
  let lo = 0;
  let hi = half;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    // x increases with eps and decreases with phi.
    if (at(mid).logX < target === lowSide) lo = mid;
    else hi = mid;
  }
  return Math.exp(at(0.5 * (lo + hi)).logRho);
}

/**
 * n-th moment binom((s+1)n, n)/(s n + 1) (Fuss-Catalan numbers: 1, 3, 12, 55 for s = 2).
 *
 * Validity: N -> infinity; integer n >= 0, any s > 0 (generalized binomial for non-integer s).
 */
export function fussCatalanMoment(s: number, n: number): number {
  let b = 1;
  // binom(sn + n, n) = prod_{i=1}^{n} (sn + i)/i
  for (let i = 1; i <= n; i++) b *= (s * n + i) / i;
  const m = b / (s * n + 1);
  return Number.isInteger(s) && m < 2 ** 52 ? Math.round(m) : m;
}

/**
 * Marchenko-Pastur density of the squared singular values of a square N x N matrix with entry
 * variance sigma2/N: sqrt((4 sigma2 - x) x)/(2 pi sigma2 x) on (0, 4 sigma2); equals FC(s = 1)
 * for sigma2 = 1.
 *
 * Validity: N -> infinity, square (aspect ratio 1) Gaussian or other i.i.d. entries.
 */
export function marchenkoPastur(x: number, sigma2: number): number {
  if (!(x > 0) || !(x < 4 * sigma2)) return 0;
  return Math.sqrt((4 * sigma2 - x) * x) / (2 * Math.PI * sigma2 * x);
}

/**
 * Converts a density rho(x) of squared singular values into the density of y = (1/2) log x,
 * p(y) = 2 x rho(x); with L, of y/L (per-layer units), density L p. Uses logX/logRho when present,
 * so points with x beyond float range survive. Output sorted by increasing y.
 *
 * Validity: any density curve with x > 0 (points with x <= 0 are dropped); exact change of variables.
 */
export function logSingularValueDensity(curve: DensityCurve, L = 1): { y: Float64Array; p: Float64Array } {
  const ys: number[] = [];
  const ps: number[] = [];
  for (let i = 0; i < curve.x.length; i++) {
    const lx = curve.logX ? curve.logX[i]! : Math.log(curve.x[i]!);
    const lr = curve.logRho ? curve.logRho[i]! : Math.log(curve.rho[i]!);
    if (!Number.isFinite(lx)) continue;
    ys.push((0.5 * lx) / L);
    ps.push(L * 2 * Math.exp(lx + lr));
  }
  const order = ys.map((_, i) => i).sort((a, b) => ys[a]! - ys[b]!);
  return { y: Float64Array.from(order, (i) => ys[i]!), p: Float64Array.from(order, (i) => ps[i]!) };
}
