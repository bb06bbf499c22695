/**
 * The plain data every plot draws. Plots are pure D3 functions over these shapes (no engine, no Lit):
 * the UI builds them from a Snapshot plus the theory overlays, export reuses them for CSV/JSON, and
 * tests construct them by hand.
 */
import type { PhasePlotData, TheoryCurve } from '../theory/overlays/types';

export type { PhasePlotData, TheoryCurve };

/** Colours are explicit (not CSS variables) so that an exported SVG/PNG looks like the screen. */
export interface Palette {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  /** The measured data (line, band, bars). */
  data: string;
  dataBand: string;
  /** Theory overlays, in catalogue order; colour-blind safe (Okabe-Ito). */
  theory: string[];
  /** Phase diagram: ordered (chi_1 < 1) and chaotic (chi_1 > 1) ends of the diverging scale. */
  ordered: string;
  chaotic: string;
  accent: string;
}

export interface PlotSize {
  width: number;
  height: number;
  /** Base font size in px; larger on projectors (embed mode scales it). */
  fontSize: number;
}

/** Lyapunov spectrum: lambda_i against i/k. */
export interface SpectrumPlotData {
  /** Number of exponents tracked. */
  k: number;
  /** Per-layer exponents, index i = 0..k-1; null = no finite value in any sample (-Infinity). */
  mean: (number | null)[];
  /** Standard error; null when fewer than two finite samples. */
  sem: (number | null)[];
  /** Samples in which index i was finite. */
  count: number[];
  /** Samples included. */
  samples: number;
  /** Layers measured so far (0 = nothing yet: draw an empty plot with a "waiting" message). */
  layers: number;
  theory: TheoryCurve[];
  /**
   * (1/L) log sigma_i(J) from the SVD of J at the run's depth, descending, mean and SE over samples (null
   * entries: -Infinity or too few samples); null when not computed (k < N or the density plot is off).
   */
  singular: { mean: (number | null)[]; sem: (number | null)[] } | null;
  /** A caveat on the QR estimator for these parameters, drawn on the plot; null for none. */
  note: string | null;
}

/** Histogram of log singular values of J, in the variable chosen by the toggles. */
export interface DensityPlotData {
  /** When not null, there is nothing to plot and this sentence says why (e.g. k < N). */
  unavailable: string | null;
  /** Bin edges (length counts.length + 1) in the plotted variable. */
  edges: number[];
  /** Counts of finite values per bin. */
  counts: number[];
  /** Number of exactly zero singular values (log = -Infinity): stated on the plot, never dropped silently. */
  zeros: number;
  /** All values, zeros included. */
  total: number;
  /** Axis label of the plotted variable, e.g. "(1/L) log σ" or "log σ²". */
  xLabel: string;
  theory: TheoryCurve[];
  /** Marked values (e.g. the mean top singular value of a residual net with a non-odd activation). */
  markers: { x: number; label: string }[];
}

/** Running estimates against layer. */
export interface ConvergencePlotData {
  layer: number[];
  top: (number | null)[];
  bottom: (number | null)[];
  mean: (number | null)[];
  /** Final-value theory levels drawn as horizontal lines, e.g. the exact lambda_1. */
  levels: { y: number; label: string }[];
}

/** Event-free plots return nothing; the phase diagram takes a pick callback. */
export type PickHandler = (sw2: number, sb2: number) => void;

/** Signal propagation against layer: four panels (q, c, dist, grad) with mean, SE and theory curves. */
export interface SignalPlotData {
  /** Recorded layers (0 = the inputs). */
  layers: number[];
  panels: {
    key: 'q' | 'c' | 'dist' | 'grad';
    /** Y axis label. */
    label: string;
    mean: (number | null)[];
    sem: (number | null)[];
    /** Use a log y axis where every value is positive. */
    logY: boolean;
    theory: TheoryCurve[];
  }[];
  /** 'loglog': log layer axis (power laws straight); 'linlog': linear layer axis (exponentials straight). */
  scale: 'loglog' | 'linlog';
  samples: number;
  /** Statements drawn as text (the convergence condition of a decaying schedule). */
  notes: string[];
  /** Shown while there is no data. */
  waiting: string;
}
