/**
 * Small pure quantities derived from Params that the CPU engine, the GPU engine and the theory all need.
 * Each formula lives in its model entry (src/model/); these are the Params-shaped doors to them.
 */
import { architectureEntry, sparseKeepThreshold } from '../model/index';
import type { Params } from './types';

/**
 * Layer update x <- a x + c phi(W x + b), from the architecture entry: feedforward a = 0, c = 1; residual
 * a = 1, c = alpha / s with s = 1 (const), sqrt(depth) (sqrtL) or depth (L).
 */
export function residualCoefficients(p: Pick<Params, 'arch' | 'alpha' | 'ascale' | 'depth'>): { a: number; c: number } {
  return architectureEntry(p.arch).coefficients(p);
}

export { sparseKeepThreshold };
