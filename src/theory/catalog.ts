/**
 * Which theory overlay applies to which parameters, with the words the UI shows: what each curve is,
 * where it is valid, where it comes from, and why it is hidden when it does not apply.
 */
import type { Params } from '../params/types';
import { residualCoefficients } from '../params/derived';
import { fixedPoint } from './meanfield';
import { hasResidualOutlier } from './residual';

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
  | 'residual-outlier';

export interface TheoryEntry {
  id: TheoryId;
  title: string;
  formula: string;
  validity: string;
  source: string;
  plot: 'spectrum' | 'density' | 'convergence';
}

export const THEORY_CATALOG: readonly TheoryEntry[] = [
  {
    id: 'newman',
    title: 'Exact Gaussian product (Newman)',
    formula: 'lambda_k = (1/2) log sw2 + (1/2)[psi((N-k+1)/2) + log(2/N)]',
    validity: 'Linear feedforward nets with Gaussian weights; exact for every N, unbiased at every depth.',
    source: 'Newman 1986; Isopi & Newman 1992',
    plot: 'spectrum',
  },
  {
    id: 'relu-exact',
    title: 'Exact ReLU spectrum',
    formula: 'lambda_k = (1/2)[log(2 sw2/N) + E(psi((K-k+1)/2) | K >= k)], K ~ Bin(N, 1/2)',
    validity: 'ReLU, zero bias, Gaussian weights, feedforward; exact at every N and depth, averaged over networks whose rank is at least k.',
    source: 'Derived for this project (theory sheet 5.2); cf. Hanin & Nica, arXiv:1812.05994',
    plot: 'spectrum',
  },
  {
    id: 'fuss-catalan',
    title: 'Fuss-Catalan density (products of Ginibre matrices)',
    formula: 'squared singular values of W_L...W_1 / sigma^L ~ Fuss-Catalan of order L',
    validity: 'Linear feedforward nets with Gaussian weights as N -> infinity at fixed depth; the smallest values deviate at finite N.',
    source: 'Penson & Zyczkowski, arXiv:1103.3453; Haagerup & Moller; Neuschel',
    plot: 'density',
  },
  {
    id: 'meanfield-top',
    title: 'Mean-field top exponent with 1/N correction',
    formula: 'lambda_1 ~= (1/2) log chi_1 - (3 mu4/mu2^2 - 1)/(4N)',
    validity: 'Feedforward nets at the mean-field fixed point q* (use a burn-in); good to about 0.005 at N >= 64 and 0.01 at N = 16.',
    source: 'Poole et al., arXiv:1606.05340; Schoenholz et al., arXiv:1611.01232; correction derived here (sheet 5.4)',
    plot: 'spectrum',
  },
  {
    id: 'free-spectrum',
    title: 'Free-probability spectrum (N -> infinity)',
    formula: 'lambda(t) = -(1/2) log S_{D^2}(t-1) S_{WW^T}(t-1)',
    validity: 'Feedforward nets at q*, N -> infinity; bias O(1/N), largest for the bottom 10% of exponents. Sparse weights only asymptotically.',
    source: 'Newman; Kargin; Tucci; Pennington, Schoenholz & Ganguli, arXiv:1711.04735',
    plot: 'spectrum',
  },
  {
    id: 'pennington',
    title: 'Jacobian singular-value density (free probability)',
    formula: 'x z/(1+z) S_{JJ^T}(z) = 1, rho(x) = -Im z/(pi x)',
    validity: 'Feedforward nets with every layer at q*, N -> infinity; atoms at 0 (and at sw2^L for orthogonal ReLU) are not part of rho.',
    source: 'Pennington, Schoenholz & Ganguli, arXiv:1711.04735 and arXiv:1802.09979',
    plot: 'density',
  },
  {
    id: 'residual-linear-top',
    title: 'Exact top exponent of linear residual nets',
    formula: 'lambda_1 = (1/2)[log(2 c^2 sw2/N) + sum_j Pois(j; N/(2 c^2 sw2)) psi(N/2 + j)]',
    validity: 'Linear residual nets with Gaussian weights; exact for every N, unbiased at every depth.',
    source: 'Derived for this project (sheet 5.7a); cf. Forrester & Zhang, arXiv:1805.05529',
    plot: 'spectrum',
  },
  {
    id: 'residual-small-c',
    title: 'Small residual coefficient expansion',
    formula: 'lambda_k ~= (c^2 chiBar/2)(1 - 2k/N)',
    validity: 'Residual nets with c << 1 (error 1e-4 at c = 0.1); fails at c = 0.5 and for non-odd activations (outlier).',
    source: 'Derived for this project (sheet 5.7b)',
    plot: 'spectrum',
  },
  {
    id: 'residual-linear-spectrum',
    title: 'Linear residual spectrum (N -> infinity)',
    formula: 'lambda(t) = -(1/2) log S_{A^T A}(t - 1), A = I + cW',
    validity: 'Linear residual nets with Gaussian weights, N -> infinity at fixed c; diverges at the bottom for c sqrt(sw2) >= 1.',
    source: 'Derived for this project (sheet 5.7c)',
    plot: 'spectrum',
  },
  {
    id: 'tarnowski',
    title: 'Universal ResNet density (Tarnowski et al.)',
    formula: 'S_{JJ^T}(z) = exp(-a(1 + 2z)), a = sum_l c_l^2 chi_l',
    validity: 'Residual nets with c = alpha/sqrt(L), N and L large; any activation through a alone; non-odd activations add an outlier.',
    source: 'Tarnowski et al., arXiv:1809.08848',
    plot: 'density',
  },
  {
    id: 'residual-outlier',
    title: 'Outlier singular value (non-odd activation)',
    formula: 'x_l develops a mean; sigma_1(J) >= |x_L|/|x_0| for zero-bias ReLU',
    validity: 'Residual nets with ReLU, GELU, SiLU, sigmoid or SELU: one singular value sits far above the bulk law, which no overlay covers.',
    source: 'Found for this project (sheet 5.7f)',
    plot: 'density',
  },
];

export interface Applicability {
  id: TheoryId;
  applies: boolean;
  /** Why not, or a caveat when it applies only asymptotically. */
  reason: string;
}

/** For each overlay, whether it applies to p, and why not (or with which caveat). */
export function applicableTheories(p: Params): Applicability[] {
  const ff = p.arch === 'ff';
  const { c } = residualCoefficients(p);
  const linear = p.act === 'linear';
  const gauss = p.weights === 'gauss';
  const fp = ff && !linear && p.act !== 'relu' ? fixedPoint(p.act, p.sw2, p.sb2) : null;
  const finiteQ = fp === null || fp.kind !== 'divergent';
  const why = (ok: boolean, reason: string, caveat = ''): Omit<Applicability, 'id'> => (ok ? { applies: true, reason: caveat } : { applies: false, reason });
  const table: Record<TheoryId, Omit<Applicability, 'id'>> = {
    newman: why(ff && linear && gauss, 'needs a linear feedforward net with Gaussian weights'),
    'relu-exact': why(ff && p.act === 'relu' && gauss && p.sb2 === 0, 'needs ReLU, zero bias, Gaussian weights, feedforward'),
    'fuss-catalan': why(ff && linear && gauss && p.k === p.width, 'needs a linear feedforward net with Gaussian weights and k = N', 'N -> infinity; the smallest values deviate at finite N'),
    'meanfield-top': why(
      ff && finiteQ,
      ff ? 'the mean-field variance diverges (no fixed point)' : 'feedforward nets only',
      [
        p.transient === 0 ? 'assumes q at its fixed point: add a burn-in (transient)' : '',
        // The 1/N term comes from |D W u|^2 = (sw2/N) sum phi'^2 g^2 with Gaussian g (sheet 5.4).
        gauss ? '' : 'the 1/N correction was derived for Gaussian W; for this ensemble only the N -> infinity value (1/2) log chi_1 is backed',
      ]
        .filter(Boolean)
        .join('; '),
    ),
    'free-spectrum': why(ff && finiteQ, ff ? 'the mean-field variance diverges (no fixed point)' : 'feedforward nets only', p.weights === 'sparse' ? 'sparse weights: Gaussian result, valid only as N -> infinity' : 'N -> infinity; bottom exponents deviate at finite N'),
    pennington: why(
      ff && finiteQ && p.k === p.width,
      !ff ? 'feedforward nets only' : p.k !== p.width ? 'singular values need k = N' : 'the mean-field variance diverges (no fixed point)',
      p.weights === 'sparse' ? 'sparse weights: Gaussian result, valid only as N -> infinity; every layer at q*' : 'N -> infinity, every layer at q*',
    ),
    'residual-linear-top': why(!ff && linear && gauss, 'needs a linear residual net with Gaussian weights'),
    'residual-small-c': why(!ff && c <= 0.2 && !hasResidualOutlier(p), ff ? 'residual nets only' : c > 0.2 ? `c = ${c.toPrecision(3)} is not small (needs c <= 0.2)` : 'non-odd activation: the mean drift breaks the expansion'),
    'residual-linear-spectrum': why(!ff && linear && gauss, 'needs a linear residual net with Gaussian weights', 'N -> infinity at fixed c'),
    tarnowski: why(!ff && p.ascale === 'sqrtL' && p.k === p.width, ff ? 'residual nets only' : p.k !== p.width ? 'singular values need k = N' : 'needs alpha scaled by 1/sqrt(L)', 'N and L large'),
    'residual-outlier': why(hasResidualOutlier(p), 'only residual nets with a non-odd activation have it'),
  };
  return THEORY_CATALOG.map((e) => ({ id: e.id, ...table[e.id] }));
}
