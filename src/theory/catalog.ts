/**
 * The theory overlays as objects: what each curve is, its formula and source, the section of
 * docs/THEORY.md that states and checks it, and where it applies, as a list of conditions on the
 * model's traits (src/model/) rather than on names. An overlay applies when all its conditions hold;
 * otherwise the first one that fails says why it is hidden. Caveats qualify a curve that is drawn.
 */
import { modelOf, type ActivationModel, type ArchitectureEntry, type EnsembleEntry } from '../model/index';
import type { Params } from '../params/types';
import { fixedPoint, type FixedPoint } from './meanfield';

export type TheoryId =
  | 'newman'
  | 'relu-exact'
  | 'fuss-catalan'
  | 'meanfield-top'
  | 'free-spectrum'
  | 'pennington'
  | 'residual-linear-top'
  | 'residual-small-c'
  | 'residual-linear-spectrum'
  | 'tarnowski'
  | 'residual-outlier'
  | 'signal-meanfield'
  | 'residual-power-law'
  | 'power-schedule';

/** Everything the conditions read: the parameters, the model entries and derived quantities. */
export interface TheoryContext {
  readonly p: Params;
  readonly act: ActivationModel;
  readonly ensemble: EnsembleEntry;
  readonly arch: ArchitectureEntry;
  /** Residual coefficient c of x_l = a x_{l-1} + c phi(h_l) (c_1 when it varies). */
  readonly c: number;
  /** c_l changes with l (ascale=power). */
  readonly varyingC: boolean;
  /** The feedforward mean-field fixed point reached from q_1 = sw2 + sb2 (computed once, on demand); null if it cannot be (sw2 < 0). */
  fixedPoint(): FixedPoint | null;
}

export function theoryContext(p: Params): TheoryContext {
  const model = modelOf(p);
  let fp: FixedPoint | null | undefined;
  return {
    p,
    act: model.activation,
    ensemble: model.ensemble,
    arch: model.architecture,
    c: model.c,
    varyingC: model.varyingC,
    fixedPoint: () => {
      if (fp === undefined) {
        try {
          fp = fixedPoint(model.activation, p.sw2, p.sb2);
        } catch {
          fp = null;
        }
      }
      return fp;
    },
  };
}

/** One validity condition: a predicate on the context and the sentence shown when it fails. */
export interface Condition {
  /** Short name, used by tests to find an example on each side. */
  readonly name: string;
  holds(ctx: TheoryContext): boolean;
  unmet(ctx: TheoryContext): string;
}

const condition = (name: string, holds: (ctx: TheoryContext) => boolean, unmet: string | ((ctx: TheoryContext) => string)): Condition => ({
  name,
  holds,
  unmet: typeof unmet === 'string' ? () => unmet : unmet,
});

/** Largest c for which the O(c^2) residual expansions are drawn (error ~1e-4 at c = 0.1, 0.02 at c = 0.5). */
export const SMALL_C = 0.2;
/** Tarnowski's law: the per-layer coefficient must be small (verified to c = 0.2 with a up to 4)... */
export const TARNOWSKI_MAX_C = 0.25;
/** ...and the depth must carry a total c^2 L of order one; below it (c != 0) J is within a few percent of I. */
export const TARNOWSKI_MIN_C2L = 0.05;

const C = {
  feedforward: condition('feedforward', (x) => !x.arch.residual, 'feedforward nets only'),
  residual: condition('residual', (x) => x.arch.residual, 'residual nets only'),
  singleMatrix: condition(
    'singleMatrix',
    (x) => !x.arch.outputMatrix,
    (x) => `derived for the block x + c phi(W x + b); ${x.arch.label} blocks (V phi(W x + b) + a) are covered by the signal plot's mean-field curves`,
  ),
  constantC: condition('constantC', (x) => !x.varyingC, 'assumes the same c in every layer (ascale=power varies it)'),
  linear: condition('linear', (x) => x.act.traits.identity, 'needs a linear activation'),
  gaussian: condition('gaussian', (x) => x.ensemble.traits.gaussianEntries, 'needs i.i.d. Gaussian weights'),
  relu: condition(
    'relu',
    (x) => x.act.traits.binaryDerivative && x.act.traits.homogeneousDegree === 1,
    "needs ReLU (phi'^2 in {0, 1} and phi positively homogeneous)",
  ),
  zeroBias: condition('zeroBias', (x) => x.p.sb2 === 0, 'needs zero bias'),
  fullFrame: condition('fullFrame', (x) => x.p.k === x.p.width, 'singular values need k = N'),
  finiteFixedPoint: condition(
    'finiteFixedPoint',
    // With a degree-1 homogeneous phi (linear, ReLU) the law of phi'^2 does not depend on q, so a diverging variance does not matter.
    (x) => x.act.traits.homogeneousDegree === 1 || (x.fixedPoint()?.kind ?? 'divergent') !== 'divergent',
    'the mean-field variance diverges (no fixed point)',
  ),
  smallC: condition(
    'smallC',
    (x) => x.c <= SMALL_C,
    (x) => `c = ${x.c.toPrecision(3)} is not small (needs c <= ${SMALL_C})`,
  ),
  odd: condition('odd', (x) => x.act.traits.odd, 'non-odd activation: the mean drift breaks the expansion'),
  saturating: condition(
    'saturating',
    (x) => x.act.traits.odd && x.act.traits.saturates,
    (x) => `${x.act.label} does not saturate to +-phi(infinity): derived for odd bounded activations (tanh, erf, hard tanh)`,
  ),
  accumulated: condition(
    'accumulated',
    (x) => x.c * x.c * x.p.depth >= POWER_LAW_MIN_C2L * Math.max(x.p.q0, 1e-12),
    (x) =>
      `c^2 L = ${(x.c * x.c * x.p.depth).toPrecision(2)} is below ${POWER_LAW_MIN_C2L} q0: the residual updates never dominate the input, so the signal does not reach its large-l regime`,
  ),
  powerSchedule: condition('powerSchedule', (x) => x.varyingC, 'only for the decaying schedule c_l = alpha l^-beta (ascale=power, beta > 0)'),
  nonOdd: condition('nonOdd', (x) => !x.act.traits.odd, 'only residual nets with a non-odd activation have it'),
  tarnowskiC: condition(
    'tarnowskiC',
    (x) => x.c <= TARNOWSKI_MAX_C,
    (x) => `c = ${x.c.toPrecision(3)} per layer is not small (needs c <= ${TARNOWSKI_MAX_C}, e.g. alpha scaled by 1/sqrt(L))`,
  ),
  tarnowskiDepth: condition(
    'tarnowskiDepth',
    // c = 0 is the law's exact a = 0 end: J = I, every singular value 1.
    (x) => x.c === 0 || x.c * x.c * x.p.depth >= TARNOWSKI_MIN_C2L,
    (x) =>
      `c^2 L = ${(x.c * x.c * x.p.depth).toPrecision(2)} is below ${TARNOWSKI_MIN_C2L}: J is within a few percent of the identity (needs c of order 1/sqrt(L))`,
  ),
} as const;

/** The large-l power laws are drawn once the accumulated update c^2 L is this many times the input's q0. */
export const POWER_LAW_MIN_C2L = 10;

/** Degree of positive homogeneity of phi, or NaN where phi is not homogeneous. */
const degree = (x: TheoryContext) => x.act.traits.homogeneousDegree ?? NaN;

/** The caveat of the N -> infinity laws, naming an ensemble that approaches them only asymptotically. */
const asymptotic = (x: TheoryContext, rest: string) =>
  x.ensemble.traits.asymptoticOnly ? `${x.ensemble.label} weights: Gaussian result, valid only as N -> infinity${rest ? `; ${rest}` : ''}` : '';

export interface TheoryEntry {
  readonly id: TheoryId;
  readonly title: string;
  readonly formula: string;
  readonly validity: string;
  readonly source: string;
  /** Where docs/THEORY.md states it, with its check. */
  readonly docs: string;
  readonly plot: 'spectrum' | 'density' | 'convergence' | 'signal';
  /** All must hold for the overlay to apply; the first that fails is the reason it is hidden. */
  readonly conditions: readonly Condition[];
  /** A qualification of a curve that is drawn ('' for none). */
  caveat?(ctx: TheoryContext): string;
}

export const THEORY_CATALOG: readonly TheoryEntry[] = [
  {
    id: 'newman',
    title: 'Exact Gaussian product (Newman)',
    formula: 'lambda_k = (1/2) log sw2 + (1/2)[psi((N-k+1)/2) + log(2/N)]',
    validity: 'Linear feedforward nets with Gaussian weights; exact for every N, unbiased at every depth.',
    source: 'Newman 1986; Isopi & Newman 1992',
    docs: '5.1',
    plot: 'spectrum',
    conditions: [C.feedforward, C.linear, C.gaussian],
  },
  {
    id: 'relu-exact',
    title: 'Exact ReLU spectrum',
    formula: 'lambda_k = (1/2)[log(2 sw2/N) + E(psi((K-k+1)/2) | K >= k)], K ~ Bin(N, 1/2)',
    validity: 'ReLU, zero bias, Gaussian weights, feedforward; exact at every N and depth, averaged over networks whose rank is at least k.',
    source: 'Derived for this project (docs/THEORY.md 5.2); cf. Hanin & Nica, arXiv:1812.05994',
    docs: '5.2',
    plot: 'spectrum',
    conditions: [C.feedforward, C.relu, C.gaussian, C.zeroBias],
  },
  {
    id: 'fuss-catalan',
    title: 'Fuss-Catalan density (products of Ginibre matrices)',
    formula: 'squared singular values of W_L...W_1 / sigma^L ~ Fuss-Catalan of order L',
    validity: 'Linear feedforward nets with Gaussian weights as N -> infinity at fixed depth; the smallest values deviate at finite N.',
    source: 'Penson & Zyczkowski, arXiv:1103.3453; Haagerup & Moller; Neuschel',
    docs: '5.3',
    plot: 'density',
    conditions: [C.feedforward, C.linear, C.gaussian, C.fullFrame],
    caveat: () => 'N -> infinity; the smallest values deviate at finite N',
  },
  {
    id: 'meanfield-top',
    title: 'Mean-field top exponent with 1/N correction',
    formula: 'lambda_1 ~= (1/2) log chi_1 - (3 mu4/mu2^2 - 1)/(4N)',
    validity: 'Feedforward nets at the mean-field fixed point q* (use a burn-in); good to about 0.005 at N >= 64 and 0.01 at N = 16.',
    source: 'Poole et al., arXiv:1606.05340; Schoenholz et al., arXiv:1611.01232; correction derived here (docs/THEORY.md 5.4)',
    docs: '5.4',
    plot: 'spectrum',
    conditions: [C.feedforward, C.finiteFixedPoint],
    caveat: (x) =>
      [
        x.p.transient === 0 ? 'assumes q at its fixed point: add a burn-in (transient)' : '',
        // The 1/N term comes from |D W u|^2 = (sw2/N) sum phi'^2 g^2 with Gaussian g (docs/THEORY.md 5.4).
        x.ensemble.traits.gaussianEntries
          ? ''
          : 'the 1/N correction was derived for Gaussian W; for this ensemble only the N -> infinity value (1/2) log chi_1 is backed',
      ]
        .filter(Boolean)
        .join('; '),
  },
  {
    id: 'free-spectrum',
    title: 'Free-probability spectrum (N -> infinity)',
    formula: 'lambda(t) = -(1/2) log S_{D^2}(t-1) S_{WW^T}(t-1)',
    validity: 'Feedforward nets at q*, N -> infinity; bias O(1/N), largest for the bottom 10% of exponents. Sparse weights only asymptotically.',
    source: 'Newman; Kargin; Tucci; Pennington, Schoenholz & Ganguli, arXiv:1711.04735',
    docs: '5.5',
    plot: 'spectrum',
    conditions: [C.feedforward, C.finiteFixedPoint],
    caveat: (x) => asymptotic(x, '') || 'N -> infinity; bottom exponents deviate at finite N',
  },
  {
    id: 'pennington',
    title: 'Jacobian singular-value density (free probability)',
    formula: 'x z/(1+z) S_{JJ^T}(z) = 1, rho(x) = -Im z/(pi x)',
    validity: 'Feedforward nets with every layer at q*, N -> infinity; atoms at 0 (and at sw2^L for orthogonal ReLU) are not part of rho.',
    source: 'Pennington, Schoenholz & Ganguli, arXiv:1711.04735 and arXiv:1802.09979',
    docs: '5.6',
    plot: 'density',
    conditions: [C.feedforward, C.fullFrame, C.finiteFixedPoint],
    caveat: (x) => asymptotic(x, 'every layer at q*') || 'N -> infinity, every layer at q*',
  },
  {
    id: 'residual-linear-top',
    title: 'Exact top exponent of linear residual nets',
    formula: 'lambda_1 = (1/2)[log(2 c^2 sw2/N) + sum_j Pois(j; N/(2 c^2 sw2)) psi(N/2 + j)]',
    validity: 'Linear residual nets with Gaussian weights; exact for every N, unbiased at every depth.',
    source: 'Derived for this project (docs/THEORY.md 5.7a); cf. Forrester & Zhang, arXiv:1805.05529',
    docs: '5.7a',
    plot: 'spectrum',
    conditions: [C.residual, C.singleMatrix, C.constantC, C.linear, C.gaussian],
  },
  {
    id: 'residual-small-c',
    title: 'Small residual coefficient expansion',
    formula: 'lambda_k ~= (c^2 chiBar/2)(1 - 2k/N)',
    validity: 'Residual nets with c << 1 (error 1e-4 at c = 0.1); fails at c = 0.5 and for non-odd activations (outlier).',
    source: 'Derived for this project (docs/THEORY.md 5.7b)',
    docs: '5.7b',
    plot: 'spectrum',
    conditions: [C.residual, C.singleMatrix, C.constantC, C.smallC, C.odd],
  },
  {
    id: 'residual-linear-spectrum',
    title: 'Linear residual spectrum (N -> infinity)',
    formula: 'lambda(t) = -(1/2) log S_{A^T A}(t - 1), A = I + cW',
    validity: 'Linear residual nets with Gaussian weights, N -> infinity at fixed c; diverges at the bottom for c sqrt(sw2) >= 1.',
    source: 'Derived for this project (docs/THEORY.md 5.7c)',
    docs: '5.7c',
    plot: 'spectrum',
    conditions: [C.residual, C.singleMatrix, C.constantC, C.linear, C.gaussian],
    caveat: () => 'N -> infinity at fixed c',
  },
  {
    id: 'tarnowski',
    title: 'Universal ResNet density (Tarnowski et al.)',
    formula: 'S_{JJ^T}(z) = exp(-a(1 + 2z)), a = sum_l c_l^2 chi_l',
    validity: `Residual nets with a small per-layer coefficient c <= ${TARNOWSKI_MAX_C} and c^2 L >= ${TARNOWSKI_MIN_C2L} (c of order 1/sqrt(L), however it is set), N and L large; any activation through a alone; non-odd activations add an outlier.`,
    source: 'Tarnowski et al., arXiv:1809.08848',
    docs: '5.7d',
    plot: 'density',
    conditions: [C.residual, C.singleMatrix, C.constantC, C.fullFrame, C.tarnowskiC, C.tarnowskiDepth],
    caveat: () => 'N and L large',
  },
  {
    id: 'residual-outlier',
    title: 'Outlier singular value (non-odd activation)',
    formula: 'x_l develops a mean; sigma_1(J) >= |x_L|/|x_0| for zero-bias ReLU',
    validity:
      'Residual nets with a non-odd activation (ReLU, GELU, SiLU, sigmoid, SELU, ReLU^a): one singular value sits far above the bulk law, which no overlay covers.',
    source: 'Found for this project (docs/THEORY.md 5.7f)',
    docs: '5.7f',
    plot: 'density',
    conditions: [C.residual, C.singleMatrix, C.nonOdd],
  },
  {
    id: 'signal-meanfield',
    title: 'Mean-field signal propagation',
    formula: 'q_l = sw2 p_{l-1} + sb2; p_l, p12_l from the architecture map; E log|J_l u| by the delta method',
    validity:
      'Every architecture and activation as N -> infinity, with the 1/N terms of the gradient for Gaussian weights (exact per layer for linear Gaussian nets). The mean per-network cosine has an O(1/N) ratio bias.',
    source:
      'Poole et al., arXiv:1606.05340; Schoenholz et al., arXiv:1611.01232; Yang & Schoenholz, arXiv:1712.08969; full block and gradient terms derived here',
    docs: '5.15',
    plot: 'signal',
    conditions: [],
    caveat: (x) =>
      [
        asymptotic(x, ''),
        degree(x) <= 0.75 && !x.arch.residual ? `${x.act.label} (homogeneous of degree <= 3/4): small nets contract although chi_1 > 1 (only qualitative)` : '',
        degree(x) > 1 && x.arch.residual && !x.arch.outputMatrix
          ? `residual ${x.act.label} (degree > 1): fluctuations of |x| are amplified, mean field underestimates q and gradSq`
          : '',
      ]
        .filter(Boolean)
        .join('; '),
  },
  {
    id: 'residual-power-law',
    title: 'Power laws of residual nets (large l)',
    formula: 'q_l ~ c^2 A^2 l, 1 - ... c_l ~ l^(2/pi - 1), log gradSq_l ~ 2 c^2 sv2 sw2 I sqrt(l) / sqrt(2 pi sw2 K)',
    validity:
      'Residual nets (res, or full blocks with sa2 = 0 for the cosine) with one c and an odd saturating activation, once the accumulated update c^2 L dominates the input; polynomial where feedforward nets are exponential.',
    source: 'Derived for this project (docs/THEORY.md 5.15); in kind: Yang & Schoenholz, arXiv:1712.08969',
    docs: '5.15',
    plot: 'signal',
    conditions: [C.residual, C.constantC, C.saturating, C.accumulated],
    caveat: () => 'asymptotes: slopes exact, the cosine anchored to the mean-field curve at the last layer',
  },
  {
    id: 'power-schedule',
    title: 'Convergence of c_l = alpha l^-beta',
    formula: 'sum c_l < infinity (beta > 1): converges; martingale increments: sum c_l^2 < infinity (beta > 1/2) suffices',
    validity: 'Residual nets with the decaying schedule: which condition applies depends on whether the increments have zero conditional mean.',
    source: 'Derived for this project (docs/THEORY.md 5.11)',
    docs: '5.11',
    plot: 'signal',
    conditions: [C.residual, C.powerSchedule],
  },
];

export interface Applicability {
  id: TheoryId;
  applies: boolean;
  /** Why not, or a caveat when it applies only asymptotically. */
  reason: string;
}

/** Whether one overlay applies in a context, and why not (or with which caveat). */
export function applicability(entry: TheoryEntry, ctx: TheoryContext): Applicability {
  const failed = entry.conditions.find((c) => !c.holds(ctx));
  if (failed) return { id: entry.id, applies: false, reason: failed.unmet(ctx) };
  return { id: entry.id, applies: true, reason: entry.caveat?.(ctx) ?? '' };
}

/** For each overlay, whether it applies to p, and why not (or with which caveat). */
export function applicableTheories(p: Params): Applicability[] {
  const ctx = theoryContext(p);
  return THEORY_CATALOG.map((e) => applicability(e, ctx));
}

/** The catalogue entry of an overlay. */
export function theoryEntry(id: TheoryId): TheoryEntry {
  return THEORY_CATALOG.find((t) => t.id === id)!;
}
