/** Pure D3 drawing functions over plain data (src/plots/types.ts), and their exports. */
export { drawSpectrum } from './spectrum';
export { drawDensity, histogramDensity, zerosNote } from './density';
export { drawConvergence } from './convergence';
export { drawSignal } from './signal';
export { drawPhase, phaseColor, LOG_CHI_CLAMP } from './phase';
export { LIGHT_PALETTE, DARK_PALETTE, paletteFor, contrastRatio, relativeLuminance } from './palette';
export * from './export';
export type * from './types';
