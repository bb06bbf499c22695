/**
 * The activation registry. The order is the GPU's activation index (the `act` word of the Layer
 * uniform), so a new activation goes at the end; everything else (the params menu, aliases, the WGSL
 * phi/phi' dispatch, mean-field theory, the engines' rank rules) reads the entries.
 */
import { erf } from './erf';
import { gelu } from './gelu';
import { hardtanh } from './hardtanh';
import { linear } from './linear';
import { relu } from './relu';
import { relupow } from './relupow';
import { selu } from './selu';
import { sigmoid } from './sigmoid';
import { silu } from './silu';
import { tanh } from './tanh';
import type { ActivationEntry, ActivationModel, ShapeKnob } from './types';

export const ACTIVATION_ENTRIES = [linear, tanh, relu, hardtanh, erf, sigmoid, gelu, silu, selu, relupow] as const;

export type ActivationId = (typeof ACTIVATION_ENTRIES)[number]['id'];

export const ACTIVATION_IDS: readonly ActivationId[] = ACTIVATION_ENTRIES.map((e) => e.id);

const BY_ID: ReadonlyMap<string, ActivationEntry> = new Map(ACTIVATION_ENTRIES.map((e): [string, ActivationEntry] => [e.id, e]));

export function activationEntry(id: ActivationId): ActivationEntry {
  const entry = BY_ID.get(id);
  // Unreachable for typed callers; a JavaScript caller's typo fails loudly here rather than later.
  if (entry === undefined) throw new Error(`unknown activation ${String(id)}`);
  return entry;
}

/** The GPU's index of an activation (its position in the registry). */
export function activationIndex(id: ActivationId): number {
  return ACTIVATION_IDS.indexOf(id);
}

/** The values of the shape knobs (the Params fields activations read). */
export type ActivationShapes = Readonly<Record<ShapeKnob, number>>;

/** Default shapes, for callers that name an activation without its knobs (theory tests, the phase map). */
export const DEFAULT_SHAPES: ActivationShapes = { apow: 2 };

/** The activation of a parameter set: its entry at the value of its shape knob. */
export function activationOf(p: { readonly act: ActivationId } & Partial<ActivationShapes>): ActivationModel {
  const entry = activationEntry(p.act);
  return entry.at(entry.shapeKnob ? (p[entry.shapeKnob] ?? DEFAULT_SHAPES[entry.shapeKnob]) : 0);
}

/** An activation given by id (at the default shape) or already resolved. */
export type ActivationLike = ActivationId | ActivationModel;

export function resolveActivation(a: ActivationLike): ActivationModel {
  return typeof a === 'string' ? activationOf({ act: a }) : a;
}

/**
 * The WGSL of phi and phi' for every registered activation, dispatched on the registry index:
 * `fn phi(act: u32, theta: f32, h: f32) -> f32` and `fn dphi(...)`, theta being the shape value.
 */
export function activationWgsl(): string {
  const dispatch = (name: 'phi' | 'dphi') =>
    [
      `fn ${name}(act: u32, theta: f32, h: f32) -> f32 {`,
      '  switch act {',
      ...ACTIVATION_ENTRIES.map((e, i) => `    case ${i}u: { // ${e.id}\n    ${e.wgsl[name]}\n    }`),
      '    default: { return h; }',
      '  }',
      '}',
    ].join('\n');
  return `${dispatch('phi')}\n\n${dispatch('dphi')}\n`;
}

export {
  correlation,
  type ActivationEntry,
  type ActivationModel,
  type ActivationTraits,
  type GaussianMoments,
  type QuadratureHints,
  type ShapeKnob,
} from './types';
