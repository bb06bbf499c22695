import { describe, expect, it } from 'vitest';
import { fillGaussian, fillUint32, philox4x32_10, STREAM_TAG, uniform24 } from '../../src/engine/rng';

const hex = (s: string) => s.split(/\s+/).map((w) => parseInt(w, 16));

describe('Philox4x32-10', () => {
  // Random123 tests/kat_vectors, the three "philox4x32 10" lines: ctr[4] key[2] -> result[4].
  const kat = [
    '00000000 00000000 00000000 00000000 00000000 00000000 6627e8d5 e169c58d bc57ac4c 9b00dbd8',
    'ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 408f276d 41c83b0e a20bc7c6 6d5451fd',
    '243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 d16cfe09 94fdcceb 5001e420 24126ea1',
  ];
  it.each(kat)('matches the published known-answer vector %s', (line) => {
    const v = hex(line);
    const out = new Uint32Array(4);
    philox4x32_10(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, out);
    expect(Array.from(out)).toEqual(v.slice(6, 10));
  });
});

describe('stream layout', () => {
  const address = { seed: 7, sample: 3, layer: 12, tag: STREAM_TAG.weights };

  it('gives the same values for any sub-range', () => {
    const whole = new Float64Array(37);
    fillGaussian(whole, 0, 0, 37, address);
    for (const [first, count] of [
      [0, 1],
      [1, 2],
      [3, 9],
      [5, 32],
      [36, 1],
    ] as const) {
      const part = new Float64Array(count);
      fillGaussian(part, 0, first, count, address);
      expect(Array.from(part)).toEqual(Array.from(whole.subarray(first, first + count)));
    }
  });

  it('follows the documented Box-Muller formula from the raw Philox block', () => {
    const z = new Float64Array(8);
    fillGaussian(z, 0, 0, 8, address, 1);
    const raw = new Uint32Array(8);
    fillUint32(raw, 0, 8, address);
    for (const b of [0, 4]) {
      const r01 = Math.sqrt(-2 * Math.log(uniform24(raw[b]!)));
      const t01 = 2 * Math.PI * uniform24(raw[b + 1]!);
      const r23 = Math.sqrt(-2 * Math.log(uniform24(raw[b + 2]!)));
      const t23 = 2 * Math.PI * uniform24(raw[b + 3]!);
      expect([z[b], z[b + 1], z[b + 2], z[b + 3]]).toEqual([r01 * Math.cos(t01), r01 * Math.sin(t01), r23 * Math.cos(t23), r23 * Math.sin(t23)]);
    }
  });

  it('uses key = (seed, sample), counter = (element/4, layer, tag, 0)', () => {
    const raw = new Uint32Array(4);
    fillUint32(raw, 4, 4, address); // block 1
    const out = new Uint32Array(4);
    philox4x32_10(1, 12, STREAM_TAG.weights, 0, 7, 3, out);
    expect(Array.from(raw)).toEqual(Array.from(out));
  });

  it('separates seeds, samples, layers and tags', () => {
    const ref = new Float64Array(16);
    fillGaussian(ref, 0, 0, 16, address);
    for (const other of [
      { ...address, seed: 8 },
      { ...address, sample: 4 },
      { ...address, layer: 13 },
      { ...address, tag: STREAM_TAG.bias },
    ]) {
      const z = new Float64Array(16);
      fillGaussian(z, 0, 0, 16, other);
      expect(Array.from(z)).not.toEqual(Array.from(ref));
    }
  });

  it('draws standard Gaussians: moments over 400k draws', () => {
    const n = 400_000;
    const z = new Float64Array(n);
    fillGaussian(z, 0, 0, n, { seed: 1, sample: 0, layer: 1, tag: STREAM_TAG.weights });
    let m1 = 0,
      m2 = 0,
      m4 = 0,
      maxAbs = 0;
    for (const v of z) {
      m1 += v;
      m2 += v * v;
      m4 += v * v * v * v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    m1 /= n;
    m2 /= n;
    m4 /= n;
    // Standard errors: 1/sqrt(n) = 1.6e-3 for the mean, sqrt(2/n) = 2.2e-3 for the variance,
    // sqrt(96/n) = 0.015 for the fourth moment. 5 SE bounds; a variance-2 or shifted stream fails.
    expect(Math.abs(m1)).toBeLessThan(8e-3);
    expect(Math.abs(m2 - 1)).toBeLessThan(0.011);
    expect(Math.abs(m4 - 3)).toBeLessThan(0.08);
    expect(maxAbs).toBeLessThanOrEqual(Math.sqrt(48 * Math.LN2) + 1e-12);
    // Uniformity of the lanes: each lane has the right variance (a lane mix-up would show here).
    for (let lane = 0; lane < 4; lane++) {
      let s = 0;
      for (let i = lane; i < n; i += 4) s += z[i]! * z[i]!;
      expect(Math.abs(s / (n / 4) - 1)).toBeLessThan(0.022);
    }
  });

  it('uniform24 lies strictly inside (0, 1) and is float32-exact', () => {
    for (const x of [0, 1, 255, 256, 0x7fffffff, 0xffffffff]) {
      const u = uniform24(x);
      expect(u).toBeGreaterThan(0);
      expect(u).toBeLessThan(1);
      expect(Math.fround(u)).toBe(u);
    }
  });
});
