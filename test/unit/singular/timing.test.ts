/**
 * Timing of leftMultiply and logSingularValues, printed only (no assertions; machines differ).
 * Skipped unless BENCH is set:  BENCH=1 npx vitest run test/unit/singular/timing
 */
import { describe, it } from 'vitest';
import { RowScaledTriangular } from '../../../src/engine/cpu/graded-product';
import { gaussian, randomUpper } from './helpers';

const DEPTH = 200;

describe.skipIf(!process.env.BENCH)('timing', () => {
  it.each([32, 64, 128, 256, 512])('N = %i', (n) => {
    const rnd = gaussian(n);
    // Benettin-like factors (diagonal decreasing with the index, as for ordered exponents), and a
    // reset every DEPTH layers so that T has a realistic log range (hundreds of nats).
    const factors = Array.from({ length: 16 }, () =>
      randomUpper(rnd, n, (i) => Math.exp(-2 * (i / n)) * (1 + 0.1 * rnd()), 1 / Math.sqrt(n)),
    );
    const acc = new RowScaledTriangular(n);
    const step = (l: number) => {
      if (l % DEPTH === 0) acc.reset();
      acc.leftMultiply(factors[l % 16]);
    };
    let l = 0;
    let t0 = performance.now();
    while (performance.now() - t0 < 300) step(l++); // JIT warm-up
    l = 0;
    acc.reset();
    t0 = performance.now();
    while (l < DEPTH || performance.now() - t0 < 1500) step(l++);
    const perCall = ((performance.now() - t0) * 1000) / l;
    acc.reset();
    for (let m = 0; m < DEPTH; m++) acc.leftMultiply(factors[m % 16]);
    const t1 = performance.now();
    const sv = acc.logSingularValues();
    const svMs = performance.now() - t1;
    console.log(
      `N=${n}: leftMultiply ${perCall.toFixed(1)} us/call (${((n * n * n) / 6 / perCall).toFixed(0)} M multiply-adds/s, ` +
        `${l} calls); logSingularValues after L=${DEPTH}: ${svMs.toFixed(1)} ms, log range ${(sv[0] - sv[n - 1]).toFixed(0)}`,
    );
  });
});
