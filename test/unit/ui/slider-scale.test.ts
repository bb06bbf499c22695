import { describe, expect, it } from 'vitest';
import { ladder, sliderScale } from '../../../src/ui/param-control/slider-scale';
import { specFor } from '../../../src/params/table';

describe('slider scales', () => {
  it('integer ladders step by one at the low end and by about 2% above, covering the whole range', () => {
    const width = ladder(2, 1024);
    expect(width.slice(0, 5)).toEqual([2, 3, 4, 5, 6]);
    expect(width.at(-1)).toBe(1024);
    for (let i = 1; i < width.length; i++) {
      expect(width[i]! - width[i - 1]!).toBeGreaterThanOrEqual(1);
      expect(width[i]! / width[i - 1]!).toBeLessThanOrEqual(i < 60 ? 1.5 : 1.026);
    }
    const depth = ladder(1, 100000);
    expect(depth.length).toBeLessThan(600);
    // Round values are rungs, so preset depths and widths sit exactly on the slider.
    for (const v of [100, 200, 500, 1000, 2000, 5000, 10000, 100000]) expect(depth).toContain(v);
    expect(depth.at(-1)).toBe(100000);
  });

  it('one keyboard step (one position) always changes an integer value, in both directions', () => {
    for (const name of ['width', 'depth', 'samples', 'k'] as const) {
      const spec = specFor(name);
      const scale = sliderScale(spec, spec.max);
      for (const v of [spec.min, 7, 32, 100, 333, 1000, spec.max]) {
        if (v > spec.max) continue;
        const pos = scale.toPosition(v);
        if (pos < scale.positions) expect(scale.fromPosition(pos + 1)).toBeGreaterThan(scale.fromPosition(pos));
        if (pos > 0) expect(scale.fromPosition(pos - 1)).toBeLessThan(scale.fromPosition(pos));
      }
    }
  });

  it('maps values on the ladder exactly and others to the nearest rung', () => {
    const scale = sliderScale(specFor('depth'), 100000);
    for (const v of [1, 2, 40, 41, 100, 200, 250, 1000]) expect(scale.fromPosition(scale.toPosition(v))).toBe(v);
    const rungs = ladder(1, 100000);
    const off = rungs.findIndex((r, i) => i > 0 && r - rungs[i - 1]! > 2);
    const mid = rungs[off - 1]! + 0.4 * (rungs[off]! - rungs[off - 1]!); // closer to the lower rung
    expect(scale.fromPosition(scale.toPosition(mid))).toBe(rungs[off - 1]);
  });

  it('respects a dependent maximum (k <= width) and a burn-in ladder starting at 0', () => {
    const k = sliderScale(specFor('k'), 24);
    expect(k.fromPosition(k.positions)).toBe(24);
    const t = sliderScale(specFor('transient'), 99);
    expect(t.positions).toBe(99);
    expect(t.fromPosition(0)).toBe(0);
    expect(t.fromPosition(99)).toBe(99);
  });

  it('float sliders use the table step and never produce rounding noise', () => {
    const sw2 = sliderScale(specFor('sw2'), 10);
    expect(sw2.positions).toBe(1000);
    expect(sw2.fromPosition(176)).toBe(1.76);
    expect(sw2.fromPosition(30)).toBe(0.3);
    expect(sw2.toPosition(1.7609546)).toBe(176);
    expect(sw2.fromPosition(5000)).toBe(10);
    const sb2 = sliderScale(specFor('sb2'), 2);
    expect(sb2.fromPosition(50)).toBe(0.05);
  });
});
