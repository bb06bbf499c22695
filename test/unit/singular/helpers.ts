/** Shared helpers for the graded-product tests: a seeded generator, factors, an independent SVD, fixtures. */
import { readFileSync } from 'node:fs';

import { mulberry32 } from '../params/prng';

/** A small deterministic uniform generator, independent of the engine's random stream. */
export const uniform = mulberry32;

export function gaussian(seed: number): () => number {
  const u = uniform(seed);
  return () => {
    const u1 = u() || 1e-300;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u());
  };
}

/**
 * Random upper-triangular factor. The lower part is filled with NaN, which would poison the result if
 * the implementation ever read it ("lower part ignored").
 */
export function randomUpper(rnd: () => number, n: number, diag: (i: number) => number = () => 1, offScale = 1): Float64Array {
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) r[i * n + j] = NaN;
    const d = diag(i);
    r[i * n + i] = d * (rnd() < 0.5 ? -1 : 1);
    for (let j = i + 1; j < n; j++) r[i * n + j] = offScale * rnd();
  }
  return r;
}

/** Full row-major factor from the fixture's upper-triangle list, NaN below the diagonal. */
export function unpackUpper(n: number, upper: readonly number[]): Float64Array {
  const r = new Float64Array(n * n).fill(NaN);
  let t = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) r[i * n + j] = upper[t++];
  return r;
}

/** C = A B for n x n row-major matrices, treating NaN below the diagonal of A and B as zero. */
export function mulUpper(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = i; k < n; k++) {
      const aik = a[i * n + k];
      for (let j = k; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  return out;
}

/**
 * log singular values of an explicit n x n matrix, descending, by textbook one-sided Jacobi on the
 * COLUMNS (Hestenes, two-by-two symmetric Schur rotations) with no scaling tricks: an independent
 * reference for well-conditioned matrices.
 */
export function referenceLogSv(m: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(m); // column j is a[i * n + j]
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < n; i++) {
          const x = a[i * n + p];
          const y = a[i * n + q];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0) continue;
        const rel = Math.abs(gamma) / Math.sqrt(alpha * beta);
        off = Math.max(off, rel);
        if (rel < 1e-16) continue;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < n; i++) {
          const x = a[i * n + p];
          const y = a[i * n + q];
          a[i * n + p] = c * x - s * y;
          a[i * n + q] = s * x + c * y;
        }
      }
    if (off < 1e-16) break;
  }
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i * n + j] * a[i * n + j];
    out[j] = 0.5 * Math.log(s);
  }
  return out.sort().reverse();
}

export interface FixtureCase {
  name: string;
  note: string;
  n: number;
  layers: number;
  /** Upper triangles of R_1 .. R_L, row-major. */
  r: number[][];
  rank: number;
  /** The finite log singular values, descending, from mpmath. */
  logSv: number[];
  logRange: number;
  dps: number;
}

export function loadFixture(name: string): FixtureCase[] {
  const url = new URL(`../../fixtures/${name}`, import.meta.url);
  const data = JSON.parse(readFileSync(url, 'utf8')) as { cases: FixtureCase[] };
  return data.cases;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function hasNaN(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) return true;
  return false;
}
