/**
 * The parameter table: the single source of truth for every knob's URL key, type, default, range, slider
 * behaviour, label and help text. The URL codec, the CLI flags, the custom-element attributes and the UI
 * controls are all generated from this table, so a knob added or re-ranged here changes everywhere at once.
 *
 * URL keys, ranges and defaults are a public contract: links that lecturers saved must keep opening to the
 * same network. Change them only together with a new URL version in `url.ts`.
 */
import { ACTIVATION_ENTRIES, activationEntry, ARCHITECTURE_ENTRIES, architectureEntry, ENSEMBLE_ENTRIES, ensembleEntry, modelConflict } from '../model/index';
import type { AlphaScaling, Params } from './types';
import type { EnumOption, NumberSpec, ParamSpec, ParamTable, SpecOf } from './spec-types';

export * from './spec-types';

const ASCALE_OPTIONS: readonly EnumOption<AlphaScaling>[] = [
  { value: 'const', label: 'α (constant)', aliases: ['constant', 'one', '1'] },
  { value: 'sqrtL', label: 'α/√L', aliases: ['sqrt(l)', 'sqrt', '√l', 'sqrtdepth'] },
  { value: 'L', label: 'α/L', aliases: ['depth'] },
  { value: 'power', label: 'α·l^−β (per layer)', aliases: ['powerlaw', 'pow', 'decay', 'schedule'] },
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
    name: 'inner',
    urlKey: 'inner',
    group: 'network',
    order: 9,
    owner: 'architecture',
    writtenWhenUsed: true,
    kind: 'int',
    default: 32,
    min: 1,
    max: 1024,
    step: 1,
    sliderScale: 'log',
    defaultFrom: 'width',
    label: 'Inner width m',
    help: 'Rows of W (and columns of V) in the full residual block. Below N it is a bottleneck: each update has rank at most m.',
    unit: 'neurons',
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
    name: 'beta',
    urlKey: 'beta',
    group: 'network',
    order: 8,
    owner: 'architecture',
    usedWhen: (p) => p.ascale === 'power',
    writtenWhenUsed: true,
    kind: 'float',
    default: 1,
    min: 0,
    max: 3,
    step: 0.05,
    sliderScale: 'linear',
    label: 'Decay β of c_l = α·l^−β',
    help: 'With the per-layer schedule, layer l adds α·l^−β times its update. For β > 1 the updates are summable and a very deep ResNet converges; for β > 1/2 it still does when the updates average to zero.',
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
    name: 'sv2',
    urlKey: 'sv2',
    group: 'weights',
    order: 5,
    owner: 'architecture',
    writtenWhenUsed: true,
    kind: 'float',
    default: 1,
    min: 0,
    max: 10,
    step: 0.01,
    sliderScale: 'linear',
    label: 'Output weight variance σv²',
    help: 'The full residual block maps back with V, whose entries have variance σv²/m.',
  },
  {
    name: 'sa2',
    urlKey: 'sa2',
    group: 'weights',
    order: 6,
    owner: 'architecture',
    writtenWhenUsed: true,
    kind: 'float',
    default: 0,
    min: 0,
    max: 2,
    step: 0.001,
    sliderScale: 'linear',
    label: 'Output bias variance σa²',
    help: 'Variance of the bias a added after V in the full residual block.',
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
    name: 'c0',
    urlKey: 'c0',
    group: 'measurement',
    order: 6,
    writtenWhenUsed: true,
    kind: 'float',
    default: 0.5,
    min: -1,
    max: 1,
    step: 0.01,
    sliderScale: 'linear',
    label: 'Second input cosine c₀',
    help: 'A second input of the same length makes this angle with the first (cosine c₀) and goes through the same network, to show how the network bends the geometry of inputs.',
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
export function isUsed(spec: ParamSpec, p: Params): boolean {
  if (spec.usedWhen !== undefined && !spec.usedWhen(p)) return false;
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

/** A newer knob with a dependent default (inner = width) that the model does not read: it sits at its table default. */
export function inertDependent(spec: ParamSpec, p: Params): boolean {
  return spec.kind !== 'enum' && spec.defaultFrom !== undefined && spec.writtenWhenUsed === true && !isUsed(spec, p);
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
  // inner defaults to the width, like k.
  inner: specFor('width').default,
  alpha: specFor('alpha').default,
  ascale: specFor('ascale').default,
  beta: specFor('beta').default,
  weights: specFor('weights').default,
  p: specFor('p').default,
  sv2: specFor('sv2').default,
  sa2: specFor('sa2').default,
  q0: specFor('q0').default,
  c0: specFor('c0').default,
  samples: specFor('samples').default,
  seed: specFor('seed').default,
  transient: specFor('transient').default,
});

/**
 * True when `p` is a complete, in-range Params: every numeric field finite and within its (dependent) range,
 * integer fields integral, enum fields one of the canonical values, a combination the model registry can
 * run, and unused dependent defaults at their default. Everything the codec returns passes this.
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
  const params = p as Params;
  if (modelConflict(params) !== null) return false;
  // Canonical: a newer knob with a dependent default (inner) that the model does not read sits at its table default.
  return PARAM_TABLE.every((s) => !inertDependent(s, params) || params[s.name] === s.default);
}
