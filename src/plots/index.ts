/** Pure D3 drawing functions over plain data (src/plots/types.ts), and their exports. */
export { drawSpectrum } from './spectrum';
export { drawDensity, histogramDensity } from './density';
export { drawConvergence } from './convergence';
export { drawPhase, phaseColor } from './phase';
export { LIGHT_PALETTE, DARK_PALETTE, paletteFor, contrastRatio } from './palette';
export * from './export';
export type * from './types';
