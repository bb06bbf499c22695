/**
 * The shapes theory hands to the plots: curves in a plot's coordinates and the phase map. They live here,
 * beside the code that computes them, and the plots (src/plots/types.ts) read them from here.
 */
import type { TheoryId } from '../catalog';

/** One theory curve in the plot's coordinates. */
export interface TheoryCurve {
  id: TheoryId;
  /** Legend text: what it is. */
  label: string;
  /** Legend tooltip / caption: where it is valid, caveats. */
  note: string;
  x: number[];
  /** null breaks the line (undefined or infinite values). */
  y: (number | null)[];
  /** 'line': a curve; 'points': one marker per x (finite-N exact results); 'vline': a vertical marker at x[0]. */
  style: 'line' | 'points' | 'vline';
}

/** Mean-field order/chaos map over (sw2, sb2). */
export interface PhasePlotData {
  /** Grid axes (ascending). */
  sw2: number[];
  sb2: number[];
  /** log chi_1 at [j * sw2.length + i] for sb2[j], sw2[i]; null where q diverges or is undefined. */
  logChi1: (number | null)[];
  /** The critical line chi_1 = 1: sw2 on the line for each sb2 (null where none in range). */
  critical: { sb2: number; sw2: number | null }[];
  /** The current parameters. */
  current: { sw2: number; sb2: number };
  /** Activation name for the title. */
  activation: string;
  /** Shown instead of an empty grid (e.g. while the map is being computed); a default otherwise. */
  message?: string;
}

/** Which plotted variable the density toggles select. */
export interface DensityVariableSpec {
  /** Singular values squared (s = 2) or not (s = 1). */
  squared: boolean;
  /** Divide by the depth L (per-layer units, comparable with the exponents). */
  perLayer: boolean;
}

/** Grid of the phase diagram. */
export interface PhaseGridOptions {
  /** [lo, hi] of sw2; default [0.5, 4], widened to hold the current point with 15% margin. */
  sw2Range?: [number, number];
  /** [lo, hi] of sb2; default [0, 0.5], widened likewise. */
  sb2Range?: [number, number];
  /** Cells: [along sw2, along sb2], or one number for sw2 with 3/4 of it along sb2. Default [32, 24]. */
  n?: number | [number, number];
}
