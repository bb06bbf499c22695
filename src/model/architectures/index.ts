/** The architecture registry. */
import { feedforward } from './feedforward';
import { fullBlock } from './full-block';
import { residual } from './residual';
import type { ArchitectureEntry } from './types';

export const ARCHITECTURE_ENTRIES = [feedforward, residual, fullBlock] as const;

export type ArchitectureId = (typeof ARCHITECTURE_ENTRIES)[number]['id'];

export const ARCHITECTURE_IDS: readonly ArchitectureId[] = ARCHITECTURE_ENTRIES.map((e) => e.id);

const BY_ID: ReadonlyMap<string, ArchitectureEntry> = new Map(ARCHITECTURE_ENTRIES.map((e): [string, ArchitectureEntry] => [e.id, e]));

export function architectureEntry(id: ArchitectureId): ArchitectureEntry {
  const entry = BY_ID.get(id);
  if (entry === undefined) throw new Error(`unknown architecture ${String(id)}`);
  return entry;
}

export {
  deltaMethodLog,
  type ArchitectureEntry,
  type ArchitectureKnobs,
  type ArchitectureMeanField,
  type GpuLayerProgramId,
  type LayerMoments,
  type SignalState,
} from './types';
export { ALPHA_SCALINGS, residualStrength, scheduleVaries, type AlphaScaling, type ScheduleKnobs } from './schedule';
