/**
 * The weight-ensemble registry. The order is the GPU's ensemble index (the `ensemble` word of the Layer
 * uniform), so a new ensemble goes at the end.
 */
import { gauss } from './gauss';
import { orth } from './orth';
import { sparse } from './sparse';
import type { EnsembleEntry } from './types';

export const ENSEMBLE_ENTRIES = [gauss, orth, sparse] as const;

export type EnsembleId = (typeof ENSEMBLE_ENTRIES)[number]['id'];

export const ENSEMBLE_IDS: readonly EnsembleId[] = ENSEMBLE_ENTRIES.map((e) => e.id);

const BY_ID: ReadonlyMap<string, EnsembleEntry> = new Map(ENSEMBLE_ENTRIES.map((e): [string, EnsembleEntry] => [e.id, e]));

export function ensembleEntry(id: EnsembleId): EnsembleEntry {
  const entry = BY_ID.get(id);
  if (entry === undefined) throw new Error(`unknown weight ensemble ${String(id)}`);
  return entry;
}

export function ensembleIndex(id: EnsembleId): number {
  return ENSEMBLE_IDS.indexOf(id);
}

/** `fn draw_weights(P: Layer, b: u32, key: vec2<u32>) -> vec4<f32>` for every ensemble, dispatched on P.ensemble. */
export function ensembleWgsl(): string {
  return [
    'fn draw_weights(P: Layer, b: u32, key: vec2<u32>, tags: vec2<u32>, scale: f32) -> vec4<f32> {',
    '  switch P.ensemble {',
    ...ENSEMBLE_ENTRIES.map((e, i) => `    case ${i}u: { // ${e.id}\n    ${e.gpu.draw}\n    }`),
    '    default: { return vec4<f32>(0.0); }',
    '  }',
    '}',
  ].join('\n');
}

export { sparseKeepThreshold } from './sparse';
export type { EnsembleEntry, EnsembleTraits, WeightKnobs, WeightStream } from './types';
