/**
 * Small pure quantities derived from Params that the CPU engine, the GPU engine and the theory all need.
 * Each formula lives in its model entry (src/model/); these are the Params-shaped doors to them.
 */
import { architectureEntry, sparseKeepThreshold } from '../model/index';
import type { Params } from './types';

/**
 * Layer update x <- a x + c phi(W x + b), from the architecture entry: feedforward a = 0, c = 1; residual
 * a = 1, c = alpha / s with s = 1 (const), sqrt(depth) (sqrtL) or depth (L), or c_l = alpha l^-beta (power).
 */
export function residualCoefficients(
  p: Pick<Params, 'arch' | 'alpha' | 'ascale' | 'depth'> & Partial<Pick<Params, 'beta' | 'width' | 'inner' | 'sv2' | 'sa2'>>,
  layer = 1,
): { a: number; c: number } {
  const { beta = 1, width = 32, inner = width, sv2 = 1, sa2 = 0 } = p;
  return architectureEntry(p.arch).coefficients({ ...p, beta, width, inner, sv2, sa2 }, layer);
}

export { sparseKeepThreshold };
