/**
 * The parameter table: the single source of truth for every knob's URL key, type, default, range, slider
 * behaviour, label and help text. The URL codec, the CLI flags, the custom-element attributes and the UI
 * controls are all generated from this table, so a knob added or re-ranged here changes everywhere at once.
 *
 * URL keys, ranges and defaults are a public contract: links that lecturers saved must keep opening to the
 * same network. Change them only together with a new URL version in `url.ts`.
 */
import { ACTIVATION_ENTRIES, activationEntry, ARCHITECTURE_ENTRIES, architectureEntry, ENSEMBLE_ENTRIES, ensembleEntry } from '../model/index';
import type { AlphaScaling, Params } from './types';

/** Every Params field whose value is a number. */
export type NumericName = { [N in keyof Params]: Params[N] extends number ? N : never }[keyof Params];
/** Every Params field whose value is one of a fixed set of strings. */
export type EnumName = Exclude<keyof Params, NumericName>;

/** The control group a knob is shown in. */
export type ControlGroup = 'network' | 'weights' | 'measurement';

export const CONTROL_GROUPS: readonly { readonly id: ControlGroup; readonly title: string }[] = [
  { id: 'network', title: 'Network' },
  { id: 'weights', title: 'Weights and biases' },
  { id: 'measurement', title: 'Measurement' },
];

/**
 * Which registry kind reads a model-specific knob: it matters only when the current activation (its
 * shape knob), architecture or ensemble (their `knobs`) names it.
 */
export type KnobOwner = 'activation' | 'architecture' | 'ensemble';

interface SpecCommon<N extends keyof Params> {
  /** The Params field. */
  readonly name: N;
  /** The URL query key (and CLI flag, element attribute); equal to `name` by contract. */
  readonly urlKey: N;
  /** Short label for the UI; may use unicode such as "σw²". */
  readonly label: string;
  /** One or two sentences a student understands. */
  readonly help: string;
  readonly unit?: string;
  readonly group: ControlGroup;
  /** Position within its group (controls are listed by it; the table order is the URL order). */
  readonly order: number;
  readonly owner?: KnobOwner;
  /**
   * Written into links only where the model uses it or where it is not at its default: knobs added after
   * version-1 links were shared, so that every older link's canonical form stays the same.
   */
  readonly writtenWhenUsed?: boolean;
}

/**
 * An upper bound that depends on another parameter, e.g. k ≤ width. The effective maximum is
 * min(max, params[param] + offset); the static `max` stays the widest value the knob can ever take.
 */
export interface DependentMax {
  readonly param: 'width' | 'depth';
  readonly offset: number;
}

export interface NumberSpec<N extends NumericName = NumericName> extends SpecCommon<N> {
  readonly kind: 'int' | 'float';
  /** Default when the key is absent or unusable (but see `defaultFrom`). */
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** UI slider granularity only; the URL accepts any value in range. */
  readonly step: number;
  readonly sliderScale: 'linear' | 'log';
  readonly maxFrom?: DependentMax;
  /** When set, the default is the current value of that parameter instead of `default` (k = width). */
  readonly defaultFrom?: 'width';
}

export interface EnumOption<V> {
  readonly value: V;
  /** Short label for menus. */
  readonly label: string;
  /**
   * Other spellings users type (matched case-insensitively, ignoring '-', '_' and spaces). They are
   * accepted but reported, so that the user learns the canonical spelling that links will contain.
   */
  readonly aliases?: readonly string[];
}

export interface EnumSpec<N extends EnumName = EnumName> extends SpecCommon<N> {
  readonly kind: 'enum';
  readonly default: Params[N];
  readonly options: readonly EnumOption<Params[N]>[];
}

/** The spec type for one field: a NumberSpec for numeric fields, an EnumSpec for the others. */
export type SpecOf<N extends keyof Params> = N extends NumericName ? NumberSpec<N> : N extends EnumName ? EnumSpec<N> : never;

/** Discriminated union over every field's spec (narrow on `kind` or on `name`). */
export type ParamSpec = { [N in keyof Params]: SpecOf<N> }[keyof Params];

/** The table's type pins the display order and guarantees one entry per field at compile time. */
export type ParamTable = readonly [
  SpecOf<'width'>,
  SpecOf<'k'>,
  SpecOf<'depth'>,
  SpecOf<'sw2'>,
  SpecOf<'sb2'>,
  SpecOf<'act'>,
  SpecOf<'apow'>,
  SpecOf<'arch'>,
  SpecOf<'alpha'>,
  SpecOf<'ascale'>,
  SpecOf<'weights'>,
  SpecOf<'p'>,
  SpecOf<'q0'>,
  SpecOf<'samples'>,
  SpecOf<'seed'>,
  SpecOf<'transient'>,
];

const ASCALE_OPTIONS: readonly EnumOption<AlphaScaling>[] = [
  { value: 'const', label: 'α (constant)', aliases: ['constant', 'one', '1'] },
  { value: 'sqrtL', label: 'α/√L', aliases: ['sqrt(l)', 'sqrt', '√l', 'sqrtdepth'] },
  { value: 'L', label: 'α/L', aliases: ['depth'] },
];

/** Menu options from a registry: its ids, labels and aliases (src/model/). */
function options<V extends string>(
  entries: readonly { readonly id: V; readonly label: string; readonly aliases?: readonly string[] }[],
): readonly EnumOption<V>[] {
  return entries.map((e) => ({ value: e.id, label: e.label, ...(e.aliases ? { aliases: e.aliases } : {}) }));
}

export const PARAM_TABLE: ParamTable = [
  {
    name: 'width',
    urlKey: 'width',
    group: 'network',
    order: 2,
    kind: 'int',
    default: 32,
    min: 2,
    max: 1024,
    step: 1,
    sliderScale: 'log',
    label: 'Width N',
    help: 'Number of neurons in every layer. Wider networks make the spectrum smoother but cost about N³ per layer.',
    unit: 'neurons',
  },
  {
    name: 'k',
    urlKey: 'k',
    group: 'measurement',
    order: 1,
    kind: 'int',
    default: 32,
    min: 1,
    max: 1024,
    step: 1,
    sliderScale: 'log',
    maxFrom: { param: 'width', offset: 0 },
    defaultFrom: 'width',
    label: 'Exponents k',
    help: 'How many of the largest Lyapunov exponents to track (at most N). Tracking fewer is cheaper; by default all N are tracked.',
  },
  {
    name: 'depth',
    urlKey: 'depth',
    group: 'network',
    order: 1,
    kind: 'int',
    default: 100,
    min: 1,
    max: 100000,
    step: 1,
    sliderScale: 'log',
    label: 'Depth L',
    help: 'Number of layers the input passes through. Exponents are averages over layers, so deeper networks give sharper estimates.',
    unit: 'layers',
  },
  {
    name: 'sw2',
    urlKey: 'sw2',
    group: 'weights',
    order: 2,
    kind: 'float',
    default: 1.5,
    min: 0,
    max: 10,
    step: 0.01,
    sliderScale: 'linear',
    label: 'Weight variance σw²',
    help: 'Each weight is drawn with variance σw²/N. Small values make the network ordered (signals shrink), large values chaotic (nearby inputs separate).',
  },
  {
    name: 'sb2',
    urlKey: 'sb2',
    group: 'weights',
    order: 3,
    kind: 'float',
    default: 0,
    min: 0,
    max: 2,
    step: 0.001,
    sliderScale: 'linear',
    label: 'Bias variance σb²',
    help: 'Variance of each bias. Biases push neurons away from zero and move the boundary between order and chaos.',
  },
  {
    name: 'act',
    urlKey: 'act',
    group: 'network',
    order: 3,
    kind: 'enum',
    default: 'tanh',
    options: options(ACTIVATION_ENTRIES),
    label: 'Activation φ',
    help: 'The nonlinearity applied to every neuron. Its slope decides how strongly small perturbations are stretched or squeezed.',
  },
  {
    name: 'apow',
    urlKey: 'apow',
    group: 'network',
    order: 4,
    owner: 'activation',
    writtenWhenUsed: true,
    kind: 'float',
    default: 2,
    min: 0.6,
    max: 3,
    step: 0.05,
    sliderScale: 'linear',
    label: 'Power a of ReLUᵃ',
    help: 'The exponent of the power activation max(h, 0)ᵃ: a = 1 is ReLU, a = 2 squared ReLU. Below a = 3/4 its derivative is so peaked that finite networks deviate strongly from mean-field theory.',
  },
  {
    name: 'arch',
    urlKey: 'arch',
    group: 'network',
    order: 5,
    kind: 'enum',
    default: 'ff',
    options: options(ARCHITECTURE_ENTRIES),
    label: 'Architecture',
    help: 'Feedforward: each layer replaces the signal. Residual: each layer adds a scaled update to the signal, x ← x + c·φ(Wx + b).',
  },
  {
    name: 'alpha',
    urlKey: 'alpha',
    group: 'network',
    order: 6,
    owner: 'architecture',
    kind: 'float',
    default: 1,
    min: 0,
    max: 4,
    step: 0.01,
    sliderScale: 'linear',
    label: 'Residual strength α',
    help: 'Size of the residual update before depth scaling. Only used by residual networks.',
  },
  {
    name: 'ascale',
    urlKey: 'ascale',
    group: 'network',
    order: 7,
    owner: 'architecture',
    kind: 'enum',
    default: 'sqrtL',
    options: ASCALE_OPTIONS,
    label: 'α scaling',
    help: 'The residual update is α, α/√L or α/L. Dividing by a power of the depth keeps very deep residual networks stable.',
  },
  {
    name: 'weights',
    urlKey: 'weights',
    group: 'weights',
    order: 1,
    kind: 'enum',
    default: 'gauss',
    options: options(ENSEMBLE_ENTRIES),
    label: 'Weights',
    help: 'How weight matrices are drawn: independent Gaussians, random orthogonal matrices scaled by σw, or Gaussians where most entries are zero.',
  },
  {
    name: 'p',
    urlKey: 'p',
    group: 'weights',
    order: 4,
    owner: 'ensemble',
    kind: 'float',
    default: 0.5,
    min: 0.01,
    max: 1,
    step: 0.01,
    sliderScale: 'linear',
    label: 'Keep probability p',
    help: 'For sparse weights: the chance that a weight is nonzero. Kept weights are enlarged so the total variance stays σw².',
  },
  {
    name: 'q0',
    urlKey: 'q0',
    group: 'measurement',
    order: 5,
    kind: 'float',
    default: 1,
    min: 0,
    max: 100,
    step: 0.01,
    sliderScale: 'linear',
    label: 'Input variance q₀',
    help: 'Each input component is drawn with this variance. For saturating activations it decides how far into the flat part the first layers sit.',
  },
  {
    name: 'samples',
    urlKey: 'samples',
    group: 'measurement',
    order: 2,
    kind: 'int',
    default: 32,
    min: 1,
    max: 4096,
    step: 1,
    sliderScale: 'log',
    label: 'Samples',
    help: 'Number of independent random networks averaged. More samples give smaller error bars.',
    unit: 'networks',
  },
  {
    name: 'seed',
    urlKey: 'seed',
    group: 'measurement',
    order: 3,
    kind: 'int',
    default: 1,
    min: 0,
    max: 4294967295,
    step: 1,
    sliderScale: 'linear',
    label: 'Seed',
    help: 'Starting point of the random number stream. The same seed and settings always give the same networks, on every device.',
  },
  {
    name: 'transient',
    urlKey: 'transient',
    group: 'measurement',
    order: 4,
    kind: 'int',
    default: 0,
    min: 0,
    max: 99999,
    step: 1,
    sliderScale: 'linear',
    maxFrom: { param: 'depth', offset: -1 },
    label: 'Burn-in layers',
    help: 'The first layers are left out of the averages because the signal has not yet settled. Must be smaller than the depth.',
    unit: 'layers',
  },
];

/**
 * Whether the current model reads a knob: model-specific knobs (those with an owner) only when the current
 * activation, architecture or ensemble names them; every other knob always.
 */
export function isUsed(spec: ParamSpec, p: Pick<Params, 'act' | 'arch' | 'weights'>): boolean {
  switch (spec.owner) {
    case undefined:
      return true;
    case 'activation':
      return activationEntry(p.act).shapeKnob === spec.name;
    case 'architecture':
      return (architectureEntry(p.arch).knobs as readonly string[]).includes(spec.name);
    case 'ensemble':
      return (ensembleEntry(p.weights).knobs as readonly string[]).includes(spec.name);
  }
}

/** Field names in display order. */
export const PARAM_NAMES: readonly (keyof Params)[] = PARAM_TABLE.map((s) => s.name);

// A Map (not a plain object) so that keys such as "__proto__" or "toString" can never hit a prototype.
const BY_NAME: ReadonlyMap<string, ParamSpec> = new Map(PARAM_TABLE.map((s): [string, ParamSpec] => [s.urlKey, s]));

/** The spec for a field, typed by field: specFor('width').min is a number, specFor('act').options exists. */
export function specFor<N extends keyof Params>(name: N): SpecOf<N> {
  const spec = BY_NAME.get(name);
  // Unreachable for typed callers; thrown so that a JavaScript caller's typo fails loudly rather than later.
  if (spec === undefined) throw new Error(`unknown parameter ${String(name)}`);
  return spec as SpecOf<N>;
}

/** The spec for a URL key, or undefined for any other string (safe for hostile keys). */
export function specForKey(key: string): ParamSpec | undefined {
  return BY_NAME.get(key);
}

/**
 * The effective upper bound of a numeric knob given the other parameters (k ≤ width, transient ≤ depth − 1).
 * The dependency parameter must be resolved first; the table order guarantees that width precedes k and depth
 * precedes transient.
 */
export function effectiveMax(spec: NumberSpec, p: Pick<Params, 'width' | 'depth'>): number {
  return spec.maxFrom ? Math.min(spec.max, p[spec.maxFrom.param] + spec.maxFrom.offset) : spec.max;
}

export const DEFAULT_PARAMS: Params = Object.freeze({
  width: specFor('width').default,
  // k defaults to the width (see `defaultFrom`), which is the same number as the table default.
  k: specFor('width').default,
  depth: specFor('depth').default,
  sw2: specFor('sw2').default,
  sb2: specFor('sb2').default,
  act: specFor('act').default,
  apow: specFor('apow').default,
  arch: specFor('arch').default,
  alpha: specFor('alpha').default,
  ascale: specFor('ascale').default,
  weights: specFor('weights').default,
  p: specFor('p').default,
  q0: specFor('q0').default,
  samples: specFor('samples').default,
  seed: specFor('seed').default,
  transient: specFor('transient').default,
});

/**
 * True when `p` is a complete, in-range Params: every numeric field finite and within its (dependent) range,
 * integer fields integral, enum fields one of the canonical values. Everything the codec returns passes this.
 */
export function isValidParams(p: unknown): p is Params {
  if (typeof p !== 'object' || p === null) return false;
  const rec = p as Record<string, unknown>;
  const width = rec['width'];
  const depth = rec['depth'];
  if (typeof width !== 'number' || typeof depth !== 'number') return false;
  for (const spec of PARAM_TABLE) {
    if (!Object.hasOwn(rec, spec.name)) return false;
    const value = rec[spec.name];
    if (spec.kind === 'enum') {
      if (!spec.options.some((o) => o.value === value)) return false;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if (spec.kind === 'int' && !Number.isInteger(value)) return false;
      if (value < spec.min || value > effectiveMax(spec, { width, depth })) return false;
    }
  }
  return true;
}
