/**
 * The model room: one entry per activation, weight ensemble and architecture, each in one place
 * (src/model/activations/, ensembles/, architectures/). This folder imports nothing but src/math.
 *
 * `modelOf` resolves a parameter set to its three entries: what the engines compute with and what the
 * theory reads its traits from.
 */
import { activationOf, type ActivationId, type ActivationModel, type ActivationShapes } from './activations/index';
import { architectureEntry, type ArchitectureEntry, type ArchitectureId, type ArchitectureKnobs } from './architectures/index';
import { ensembleEntry, type EnsembleEntry, type EnsembleId, type WeightKnobs } from './ensembles/index';

/** The Params fields the model reads. */
export type ModelKnobs = { readonly act: ActivationId; readonly weights: EnsembleId; readonly arch: ArchitectureId } & ActivationShapes &
  WeightKnobs &
  ArchitectureKnobs;

export interface Model {
  readonly activation: ActivationModel;
  readonly ensemble: EnsembleEntry;
  readonly architecture: ArchitectureEntry;
  /** x_l = a x_{l-1} + c phi(h_l). */
  readonly a: number;
  readonly c: number;
}

export function modelOf(p: ModelKnobs): Model {
  const architecture = architectureEntry(p.arch);
  const { a, c } = architecture.coefficients(p);
  return { activation: activationOf(p), ensemble: ensembleEntry(p.weights), architecture, a, c };
}

export * from './activations/index';
export * from './ensembles/index';
export * from './architectures/index';
export { STREAM_TAG, type StreamName, type StreamTag } from './stream';
