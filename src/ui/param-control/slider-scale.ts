/**
 * Maps a numeric parameter onto the positions of a native range input. Integer knobs with a wide range
 * (width 2..1024, depth 1..100000, samples) get a "ladder" of values: every integer at the low end, then
 * steps of 1-2.5%, so that one arrow key press always changes the value (a plain log mapping rounds small
 * steps away: width 32 -> 32.2 -> 32) and dragging covers five decades. Floats use their table step.
 */
import type { NumberSpec } from '../../params/table';

export interface SliderScale {
  /** Number of positions minus one: the range input has min 0, max `positions`, step 1. */
  readonly positions: number;
  toPosition(value: number): number;
  fromPosition(position: number): number;
}

/** Above this many values, an integer knob gets a ladder rather than one position per integer. */
const MAX_LINEAR_POSITIONS = 1000;

/**
 * Every integer up to 100, then per decade d: steps of d/50 up to 2d, d/20 up to 5d, d/10 up to 10d. Each step
 * is 1-2.5% of the value, and round numbers (200, 500, 1000, 2000, ...) are rungs, so preset values land exactly.
 */
export function ladder(min: number, max: number): number[] {
  const values: number[] = [];
  const push = (v: number) => {
    if (v >= min && v <= max && v !== values[values.length - 1]) values.push(v);
  };
  for (let v = min; v < 100 && v <= max; v++) push(v);
  for (let d = 100; d <= max; d *= 10) {
    for (let v = d; v < 2 * d; v += d / 50) push(v);
    for (let v = 2 * d; v < 5 * d; v += d / 20) push(v);
    for (let v = 5 * d; v < 10 * d; v += d / 10) push(v);
  }
  push(max);
  return values;
}

function ladderScale(values: number[]): SliderScale {
  return {
    positions: values.length - 1,
    toPosition(value) {
      // The nearest rung (values are ascending): binary search for the first rung >= value.
      let lo = 0;
      let hi = values.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (values[mid]! < value) lo = mid + 1;
        else hi = mid;
      }
      if (lo > 0 && value - values[lo - 1]! < values[lo]! - value) return lo - 1;
      return lo;
    },
    fromPosition: (position) => values[Math.max(0, Math.min(values.length - 1, Math.round(position)))]!,
  };
}

/** The slider scale for `spec` with the current effective maximum (k ≤ width, burn-in < depth). */
export function sliderScale(spec: NumberSpec, max: number): SliderScale {
  const min = spec.min;
  const hi = Math.max(min, max);
  if (spec.kind === 'int') {
    if (spec.sliderScale === 'log' || hi - min > MAX_LINEAR_POSITIONS) return ladderScale(ladder(min, hi));
    return ladderScale(Array.from({ length: hi - min + 1 }, (_, i) => min + i));
  }
  const positions = Math.max(1, Math.round((hi - min) / spec.step));
  // Round to the step's decimals so that 0.1 + 0.2-style noise never reaches the URL.
  const decimals = Math.max(0, Math.ceil(-Math.log10(spec.step) - 1e-9));
  return {
    positions,
    toPosition: (value) => Math.max(0, Math.min(positions, Math.round((value - min) / spec.step))),
    fromPosition: (position) => Math.min(hi, Number((min + Math.round(position) * spec.step).toFixed(decimals))),
  };
}
