/**
 * Theory curves in the coordinates of the plots (src/plots/types.ts), one file per plot, each drawing only
 * the overlays the catalogue (../catalog.ts) says apply. Pure and total: any valid Params gives curves
 * without throwing; a value that is undefined or infinite is null (a gap), never NaN; a theory function
 * that throws or fails its own consistency check draws nothing rather than something wrong.
 */
export { convergenceLevels } from './convergence';
export { densityOverlays } from './density';
export { phasePlotData } from './phase';
export { residualLinearTop } from './shared';
export { signalOverlays, SIGNAL_PANELS, type SignalPanel, type SignalTheory } from './signal';
export { spectrumOverlays } from './spectrum';
export type { DensityVariableSpec, PhaseGridOptions, PhasePlotData, TheoryCurve } from './types';
