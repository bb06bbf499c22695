/**
 * The library entry: importing this module defines <lyapunov-explorer> (and its parts) once. A slide deck
 * loads the built dist/lyapunov-explorer.js with a script tag and writes
 * <lyapunov-explorer depth="50" act="tanh"></lyapunov-explorer>.
 */
export { LyapunovExplorer } from './explorer/lyapunov-explorer';
export { ParamControl } from './param-control/param-control';
export { PlotPanel } from './plot-panel/plot-panel';
export type { SnapshotJson } from '../engine/snapshot-json';
