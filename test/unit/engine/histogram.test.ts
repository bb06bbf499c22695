import { describe, expect, it } from 'vitest';
import { histogram } from '../../../src/engine/aggregate';

describe('histogram of pooled log singular values', () => {
  it('bins finite values, counts -Infinity as zeros, and keeps every value', () => {
    const values = Float64Array.from([...Array.from({ length: 400 }, (_, i) => -1 + (2 * i) / 399), -Infinity, -Infinity]);
    const h = histogram(values);
    expect(h.total).toBe(402);
    expect(h.zeros).toBe(2);
    expect(h.counts.length).toBe(20); // ceil(sqrt(400))
    expect(h.edges.length).toBe(21);
    expect(h.edges[0]).toBe(-1);
    expect(h.edges[20]).toBe(1);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(400);
    // Uniform input: every bin holds 20 values (the maximum lands in the last bin, not past it).
    for (const c of h.counts) expect(c).toBe(20);
  });

  it('places values in the right bins', () => {
    const h = histogram(Float64Array.from([0, 0.05, 0.15, 1, ...Array(96).fill(0.5)]));
    expect(h.counts.length).toBe(10);
    expect(h.counts[0]).toBe(2);
    expect(h.counts[1]).toBe(1);
    expect(h.counts[5]).toBe(96);
    expect(h.counts[9]).toBe(1);
  });

  it('handles all-equal, all-zero and empty input without zero-width bins', () => {
    const same = histogram(Float64Array.from([2, 2, 2]));
    expect(same.counts).toEqual([3]);
    expect(same.edges[1]! - same.edges[0]!).toBeGreaterThan(0);
    expect(histogram(Float64Array.from([-Infinity, -Infinity]))).toEqual({ edges: [], counts: [], zeros: 2, total: 2 });
    expect(histogram(new Float64Array(0))).toEqual({ edges: [], counts: [], zeros: 0, total: 0 });
  });
});
