/** Statistics over samples shared by the snapshot's blocks (docs/THEORY.md section 7). */
import type { IndexStats } from './types';

/** Mean/SE/count per index of `rows` (each of length len), skipping non-finite entries. */
export function indexStats(rows: ArrayLike<number>[], len: number): IndexStats {
  const mean: (number | null)[] = [];
  const sem: (number | null)[] = [];
  const count: number[] = [];
  for (let i = 0; i < len; i++) {
    // Welford's update: stable for the long, nearly constant columns we average here.
    let n = 0;
    let m = 0;
    let m2 = 0;
    for (const row of rows) {
      const v = row[i]!;
      if (!Number.isFinite(v)) continue;
      n++;
      const delta = v - m;
      m += delta / n;
      m2 += delta * (v - m);
    }
    count.push(n);
    mean.push(n > 0 ? m : null);
    sem.push(n > 1 ? Math.sqrt(m2 / (n - 1) / n) : null);
  }
  return { mean, sem, count };
}
