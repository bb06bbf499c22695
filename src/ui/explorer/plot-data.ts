/**
 * Turns a snapshot and the parameters into the plain data each plot draws (src/plots/types.ts). Pure and
 * synchronous: the explorer calls it on every snapshot, the exports reuse it, and tests feed it by hand.
 */
import type { Params } from '../../params/types';
import type { Snapshot } from '../../engine/types';
import type { ConvergencePlotData, DensityPlotData, SignalPlotData, SpectrumPlotData, TheoryCurve } from '../../plots/types';
import { SIGNAL_PANELS, type SignalTheory } from '../../theory/overlays';
import { depthScaledQrNote, hasResidualOutlier } from '../../theory/residual';

export interface DensityVariable {
  /** Plot log σ² instead of log σ. */
  squared: boolean;
  /** Divide by the depth: (1/L) log σ, comparable across depths. */
  perLayer: boolean;
}

/** The factor from the snapshot's pooled variable (1/L) log σ to the plotted one. */
export function densityFactor(v: DensityVariable, depth: number): number {
  return (v.squared ? 2 : 1) * (v.perLayer ? 1 : depth);
}

export function densityLabel(v: DensityVariable): string {
  const s = v.squared ? 'σ²' : 'σ';
  return v.perLayer ? `(1/L) log ${s}` : `log ${s}`;
}

export function spectrumData(snap: Snapshot | null, params: Params, theory: TheoryCurve[]): SpectrumPlotData {
  const note = depthScaledQrNote(params);
  if (!snap) return { k: params.k, mean: [], sem: [], count: [], samples: 0, layers: 0, theory, singular: null, note };
  const { mean, sem, count } = snap.exponents;
  // Per layer, as the exponents: log sigma_i(J) / L at the snapshot's depth (complete samples only).
  const L = snap.params.depth;
  const perLayer = (v: number | null) => (v !== null && Number.isFinite(v) ? v / L : null);
  const sv = snap.logSingularValues;
  const singular = sv ? { mean: sv.mean.map(perLayer), sem: sv.sem.map(perLayer) } : null;
  return { k: mean.length, mean, sem, count, samples: snap.samples, layers: snap.layers, theory, singular, note };
}

export function densityData(snap: Snapshot | null, params: Params, v: DensityVariable, theory: TheoryCurve[]): DensityPlotData {
  const xLabel = densityLabel(v);
  const empty = { edges: [], counts: [], zeros: 0, total: 0, xLabel, theory: [], markers: [] };
  if (params.k !== params.width) {
    return { ...empty, unavailable: `The singular values of J need all N directions: k = ${params.k} < N = ${params.width}. Set k = N to see them.` };
  }
  if (!snap || !snap.histogram) {
    const why = snap?.logSingularValuesNote ?? 'Waiting for the first finished sample…';
    return { ...empty, unavailable: why };
  }
  const f = densityFactor(v, params.depth);
  const h = snap.histogram;
  const markers: { x: number; label: string }[] = [];
  const top = snap.logSingularValues?.mean[0];
  if (hasResidualOutlier(params) && top !== null && top !== undefined) {
    markers.push({ x: (top / params.depth) * f, label: 'mean top singular value: outlier of a non-odd activation (not covered by the bulk law)' });
  }
  return { unavailable: null, edges: h.edges.map((e) => e * f), counts: h.counts, zeros: h.zeros, total: h.total, xLabel, theory, markers };
}

export function convergenceData(snap: Snapshot | null, levels: { y: number; label: string }[]): ConvergencePlotData {
  if (!snap) return { layer: [], top: [], bottom: [], mean: [], levels };
  const c = snap.convergence;
  return { layer: c.layer, top: c.top, bottom: c.bottom, mean: c.mean, levels };
}

/** The signal plot's panels: axis label and whether the quantity is positive (log y axis). */
const SIGNAL_AXES = {
  q: { label: 'q = |xₗ|²/N', logY: true },
  c: { label: 'cos(xₗ, x′ₗ)', logY: false },
  dist: { label: '|xₗ − x′ₗ|²/N', logY: true },
  grad: { label: 'log |Jₗ⋯J₁u|', logY: false },
} as const;

export type SignalScale = SignalPlotData['scale'];

export function signalData(snap: Snapshot | null, theory: SignalTheory | undefined, scale: SignalScale): SignalPlotData {
  const f = snap?.forward ?? null;
  const waiting = snap && !f ? 'This engine did not record the forward block.' : 'Waiting for the first finished sample…';
  const panels = SIGNAL_PANELS.map((key) => ({
    key,
    label: SIGNAL_AXES[key].label,
    logY: SIGNAL_AXES[key].logY,
    mean: f ? f[key].mean : [],
    sem: f ? f[key].sem : [],
    theory: theory?.curves[key] ?? [],
  }));
  return { layers: f ? f.layers : [], panels, scale, samples: snap?.samples ?? 0, notes: theory?.notes.map((n) => n.text) ?? [], waiting };
}
