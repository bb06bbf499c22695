/**
 * The types of the parameter table (table.ts): what a knob's spec says about its URL key, range, default,
 * slider, label, help, control group, and which part of the model reads it.
 */
import type { Params } from './types';

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
   * Added after version-1 links were shared: written into links only where it is not at its default or
   * (for a model-specific knob) where the model reads it, so that every older link's canonical form stays
   * the same.
   */
  readonly writtenWhenUsed?: boolean;
  /** A further condition for a model-specific knob to matter (beta only with ascale=power). */
  readonly usedWhen?: (p: Params) => boolean;
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
  SpecOf<'inner'>,
  SpecOf<'alpha'>,
  SpecOf<'ascale'>,
  SpecOf<'beta'>,
  SpecOf<'weights'>,
  SpecOf<'p'>,
  SpecOf<'sv2'>,
  SpecOf<'sa2'>,
  SpecOf<'q0'>,
  SpecOf<'c0'>,
  SpecOf<'samples'>,
  SpecOf<'seed'>,
  SpecOf<'transient'>,
];
