/**
 * The model room: one entry per activation, weight ensemble and architecture, each in one place
 * (src/model/activations/, ensembles/, architectures/). This folder imports nothing but src/math.
 *
 * `modelOf` resolves a parameter set to its three entries: what the engines compute with and what the
 * theory reads its traits from.
 */
import { activationOf, type ActivationId, type ActivationModel, type ActivationShapes } from './activations/index';
import { architectureEntry, scheduleVaries, type ArchitectureEntry, type ArchitectureId, type ArchitectureKnobs } from './architectures/index';
import { ensembleEntry, type EnsembleEntry, type EnsembleId, type WeightKnobs } from './ensembles/index';

/** The Params fields the model reads. */
export type ModelKnobs = { readonly act: ActivationId; readonly weights: EnsembleId; readonly arch: ArchitectureId } & ActivationShapes &
  WeightKnobs &
  ArchitectureKnobs;

export interface Model {
  readonly activation: ActivationModel;
  readonly ensemble: EnsembleEntry;
  readonly architecture: ArchitectureEntry;
  /** x_l = a x_{l-1} + c_l (...): a, and c = c_1 (the same at every layer unless `varyingC`). */
  readonly a: number;
  readonly c: number;
  /** c_l changes with the layer (ascale=power): results that assume one c do not apply. */
  readonly varyingC: boolean;
  /** c_l at layer l = 1..L. */
  cAt(layer: number): number;
  /** m, the rows of W_l. */
  readonly inner: number;
}

export function modelOf(p: ModelKnobs): Model {
  const architecture = architectureEntry(p.arch);
  const { a, c } = architecture.coefficients(p, 1);
  const varyingC = architecture.residual && scheduleVaries(p);
  return {
    activation: activationOf(p),
    ensemble: ensembleEntry(p.weights),
    architecture,
    a,
    c,
    varyingC,
    cAt: varyingC ? (layer) => architecture.coefficients(p, layer).c : () => c,
    inner: architecture.innerWidth(p),
  };
}

/** A parameter the model cannot use with the others, the value to use instead and why. */
export interface ModelConflict {
  readonly key: 'weights';
  readonly used: EnsembleId;
  readonly reason: string;
}

/** What the registry cannot combine (the URL codec corrects it and lists the correction). */
export function modelConflict(p: Pick<ModelKnobs, 'arch' | 'weights'>): ModelConflict | null {
  const architecture = architectureEntry(p.arch);
  const ensemble = ensembleEntry(p.weights);
  if (architecture.outputMatrix && !ensemble.traits.rectangular) {
    return {
      key: 'weights',
      used: 'gauss',
      reason: `weights=${ensemble.id} (${ensemble.label}) is square only, and arch=${architecture.id} has non-square W and V; using gauss`,
    };
  }
  return null;
}

export * from './activations/index';
export * from './ensembles/index';
export * from './architectures/index';
export { STREAM_TAG, type StreamName, type StreamTag } from './stream';
