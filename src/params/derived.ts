/**
 * Small pure quantities derived from Params that the CPU engine, the GPU engine and the theory all need.
 * They live here, next to the table, so that every consumer computes them identically.
 */
import type { Params } from './types';

/**
 * Layer update x ← a·x + c·φ(W x + b).
 * Feedforward: a = 0, c = 1 (the layer replaces the signal).
 * Residual: a = 1, c = alpha / s with s = 1 (const), √depth (sqrtL) or depth (L), so that the total update
 * over a deep network stays bounded for the depth-scaled variants.
 */
export function residualCoefficients(p: Pick<Params, 'arch' | 'alpha' | 'ascale' | 'depth'>): { a: number; c: number } {
  if (p.arch === 'ff') return { a: 0, c: 1 };
  const s = p.ascale === 'const' ? 1 : p.ascale === 'sqrtL' ? Math.sqrt(p.depth) : p.depth;
  return { a: 1, c: p.alpha / s };
}

const TWO_32 = 4294967296;

/**
 * Threshold T for sparse weights: both engines draw a uniform uint32 u per weight and keep the weight iff
 * u < T, so the keep probability is T / 2^32 and the CPU and GPU masks agree bit for bit.
 *
 * T = min(2^32 − 1, floor(p · 2^32)) for p < 1. For p ≥ 1 it is exactly 2^32: that does not fit in a uint32,
 * but the comparison u < 2^32 is then true for every uint32 u, i.e. every weight is kept (a GPU engine that
 * must store T as u32 has to special-case p = 1 instead of wrapping 2^32 to 0). p ≤ 0 or NaN gives 0 (keep none);
 * the codec never produces those since p ≥ 0.01.
 */
export function sparseKeepThreshold(p: number): number {
  if (p >= 1) return TWO_32;
  if (!(p > 0)) return 0;
  return Math.min(TWO_32 - 1, Math.floor(p * TWO_32));
}
