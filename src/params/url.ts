/**
 * The URL codec: turns user input (a shared link's query, CLI flags, element attributes) into a valid Params,
 * and Params back into a query string.
 *
 * Parsing never throws and never rejects: a lecturer's old link, a mistyped value or a hostile string all open
 * to *some* valid network, and every change made on the way is reported as a Correction so that the UI and CLI
 * can tell the user exactly what was read differently. The table in `table.ts` supplies keys, ranges and
 * defaults, so nothing here is specific to one knob except the dependent bounds the table declares.
 */
import { DEFAULT_PARAMS, effectiveMax, inertDependent, isUsed, PARAM_TABLE, specForKey, type EnumSpec, type NumberSpec, type ParamSpec } from './table';
import type { Correction, Params } from './types';
import { modelConflict } from '../model/index';

/** Version of the link format. Bump it (and keep reading version 1) if a key's meaning ever changes. */
export const URL_VERSION = 1;
export const VERSION_KEY = 'v';

/** Keys the app uses for presentation rather than for the model; they are not reported as unknown. */
export const PRESENTATION_KEYS: readonly string[] = [VERSION_KEY, 'embed', 'plots', 'controls', 'theme', 'backend'];
const PRESENTATION = new Set(PRESENTATION_KEYS);

export interface ParseResult {
  params: Params;
  corrections: Correction[];
}

/** What the caller gave for one parameter: text from a URL/CLI, or an arbitrary value from JavaScript. */
type Raw = { readonly text: string } | { readonly value: unknown };

// ---------------------------------------------------------------------------------------------------------
// Public entry points

/** Parse a URL query string (with or without a leading '?') or URLSearchParams. Never throws. */
export function parseQuery(query: string | URLSearchParams): ParseResult {
  let search: URLSearchParams;
  try {
    // URLSearchParams drops one leading '?' itself; it tolerates malformed '%' escapes by keeping them literally.
    search = typeof query === 'string' ? new URLSearchParams(query) : query;
  } catch {
    // Not reachable for strings in any engine we know of, but "never throws" is the contract, so guard it.
    return resolveAll(new Map(), [correction('?', null, '', 'the link could not be read; using the defaults')]);
  }
  return parseEntries(search);
}

/**
 * Parse key/value pairs in order (a URL's entries, or CLI flags `--width 32` as ['width', '32']).
 * A later pair overrides an earlier one with the same key. Never throws.
 */
export function parseEntries(entries: Iterable<readonly [string, string]>): ParseResult {
  const corrections: Correction[] = [];
  const raw = new Map<string, Raw>();
  const counts = new Map<string, number>();
  let version: string | null = null;
  try {
    for (const [k, t] of entries) {
      // The types say strings, but JavaScript callers may pass anything; coerce rather than throw later.
      const key = typeof k === 'string' ? k : describe(k);
      const text = typeof t === 'string' ? t : describe(t);
      if (key === VERSION_KEY) {
        version = text;
      } else if (specForKey(key) !== undefined) {
        raw.set(key, { text });
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } else if (!PRESENTATION.has(key)) {
        corrections.push(unknownKey(key, text));
      }
    }
  } catch {
    // Only a caller-supplied iterator can throw here; keep what was read so far.
    corrections.push(correction('?', null, '', 'the parameter list could not be read completely; the rest was ignored'));
  }
  if (version !== null && parseNumberText(version) !== URL_VERSION) {
    corrections.push(correction(VERSION_KEY, version, String(URL_VERSION), `unknown link version v=${show(version)}, read as version ${URL_VERSION}`));
  }
  return resolveAll(raw, corrections, counts);
}

/**
 * Validate Params built in code (custom-element attributes, postMessage, tests). Absent or undefined fields get
 * their defaults silently; anything else that is not a valid value is corrected exactly as in a URL. Strings are
 * accepted for numeric fields and read like URL values, since HTML attributes are strings. Never throws.
 */
export function validateParams(p: Partial<Params>): ParseResult {
  const corrections: Correction[] = [];
  const raw = new Map<string, Raw>();
  let keys: string[] = [];
  try {
    keys = typeof p === 'object' && p !== null ? Object.keys(p) : [];
  } catch {
    // A Proxy can throw from ownKeys; treat it as empty input.
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = (p as Record<string, unknown>)[key];
    } catch {
      // A throwing getter is treated like a value that cannot be used.
      value = Symbol('unreadable');
    }
    if (value === undefined) continue;
    if (specForKey(key) !== undefined) raw.set(key, { value });
    else if (!PRESENTATION.has(key)) corrections.push(unknownKey(key, describe(value)));
  }
  return resolveAll(raw, corrections);
}

/**
 * The query string (without '?') for `p`: `v=1` first, then every key in table order. Numbers are written with
 * String(x), the shortest text that reads back to the identical double. With `omitDefaults`, keys at their
 * default are left out (k when it equals the width), giving short links that open to exactly the same Params.
 * Knobs marked `writtenWhenUsed` (added after version-1 links were shared) are left out at their default
 * when the model does not read them (or, if no model entry owns them, always), so older links keep their
 * canonical form.
 */
export function serializeParams(p: Params, opts: { omitDefaults?: boolean } = {}): string {
  const parts = [`${VERSION_KEY}=${URL_VERSION}`];
  for (const spec of PARAM_TABLE) {
    const value = p[spec.name];
    const def = spec.kind !== 'enum' && spec.defaultFrom !== undefined ? p[spec.defaultFrom] : spec.default;
    const newer = spec.writtenWhenUsed === true && (spec.owner === undefined || !isUsed(spec, p));
    if ((opts.omitDefaults === true || newer) && value === def) continue;
    if (inertDependent(spec, p)) continue;
    // encodeURIComponent matters only for '+' in exponents like 1e+21, which a query would read as a space.
    parts.push(`${spec.urlKey}=${encodeURIComponent(String(value))}`);
  }
  return parts.join('&');
}

// ---------------------------------------------------------------------------------------------------------
// Resolution (shared by all entry points)

function resolveAll(raw: ReadonlyMap<string, Raw>, corrections: Correction[], counts?: ReadonlyMap<string, number>): ParseResult {
  // Start from the defaults and overwrite in table order, which resolves width before k and depth before
  // transient, so the dependent bounds are always taken from already-corrected values.
  const params: Params = { ...DEFAULT_PARAMS };
  for (const spec of PARAM_TABLE) {
    const given = raw.get(spec.urlKey);
    const outcome = spec.kind === 'enum' ? resolveEnum(spec, given) : resolveNumber(spec, given, params);
    setParam(params, spec, outcome.value);
    const times = counts?.get(spec.urlKey) ?? 0;
    if (times > 1) {
      // Reported because a repeated key usually means a link was edited by appending; the user should know
      // which of the values was taken.
      const text = rawText(given) ?? '';
      const reason = `${spec.urlKey} was given ${times} times; the last one (${spec.urlKey}=${show(text)}) is used`;
      corrections.push(correction(spec.urlKey, text, String(outcome.value), reason));
    }
    if (outcome.reason !== undefined) {
      corrections.push(correction(spec.urlKey, rawText(given), String(outcome.value), outcome.reason));
    }
  }
  // Combinations the model registry cannot run (square-only weights in the full block's m x N W).
  const conflict = modelConflict(params);
  if (conflict !== null) {
    const given = params[conflict.key];
    params[conflict.key] = conflict.used;
    corrections.push(correction(conflict.key, given, conflict.used, conflict.reason));
  }
  // A newer knob that defaults to another (inner = width) sits at its table default while the model does
  // not read it: Params stay canonical, and a link never carries it. (Switching to a model that reads it
  // starts it at the width: see the explorer's state.)
  for (const spec of PARAM_TABLE) {
    if (inertDependent(spec, params)) setParam(params, spec, spec.default as number);
  }
  return { params, corrections };
}

interface Outcome<V> {
  value: V;
  /** Present when the value used differs from what was given. */
  reason?: string;
}

// The value was produced by resolving `spec` itself, so it has the field's type; the write needs one
// assertion because TypeScript cannot correlate a union-typed spec with the matching field of Params.
function setParam(params: Params, spec: ParamSpec, value: Params[keyof Params]): void {
  (params as Record<keyof Params, Params[keyof Params]>)[spec.name] = value;
}

function resolveNumber(spec: NumberSpec, given: Raw | undefined, resolved: Params): Outcome<number> {
  const key = spec.urlKey;
  const def = spec.defaultFrom !== undefined ? resolved[spec.defaultFrom] : spec.default;
  const defText = spec.defaultFrom !== undefined ? `${def} (the ${spec.defaultFrom})` : String(def);
  if (given === undefined) return { value: def };

  let x: number;
  let shown: string;
  if ('text' in given) {
    const text = given.text.trim();
    if (text === '') return { value: def, reason: `${key} is empty; using the default ${defText}` };
    x = parseNumberText(text);
    if (Number.isNaN(x)) return { value: def, reason: `${key}=${quote(text)} is not a number; using the default ${defText}` };
    shown = show(text);
  } else {
    const v = given.value;
    if (typeof v === 'string') return resolveNumber(spec, { text: v }, resolved);
    if (typeof v !== 'number' || Number.isNaN(v)) {
      return { value: def, reason: `${key}=${quote(describe(v))} is not a number; using the default ${defText}` };
    }
    x = v;
    shown = String(v);
  }
  // -0 would survive every range check but print as "0"; normalise it so that serialize/parse is exact.
  if (x === 0) x = 0;

  const hi = effectiveMax(spec, resolved);
  if (x < spec.min) return { value: spec.min, reason: `${key}=${shown} is below the minimum ${spec.min}; using ${spec.min}` };
  if (x > hi) {
    if (spec.maxFrom !== undefined && hi < spec.max) {
      const dep = spec.maxFrom.param;
      const rel = spec.maxFrom.offset === 0 ? `exceeds ${dep}=${resolved[dep]}` : `must be less than ${dep}=${resolved[dep]}`;
      return { value: hi, reason: `${key}=${shown} ${rel}; using ${hi}` };
    }
    return { value: hi, reason: `${key}=${shown} is above the maximum ${hi}; using ${hi}` };
  }
  if (spec.kind === 'int' && !Number.isInteger(x)) {
    // Bounds are integers, so rounding an in-range value stays in range.
    const r = Math.round(x);
    return { value: r, reason: `${key}=${shown} is not a whole number; rounded to ${r}` };
  }
  return { value: x };
}

function resolveEnum<N extends EnumSpec>(spec: N, given: Raw | undefined): Outcome<N['default']> {
  const key = spec.urlKey;
  if (given === undefined) return { value: spec.default };
  const v = 'text' in given ? given.text : given.value;
  const list = spec.options.map((o) => o.value).join(', ');
  if (typeof v !== 'string') {
    return { value: spec.default, reason: `${key}=${quote(describe(v))} is not one of ${list}; using the default ${spec.default}` };
  }
  const text = v.trim();
  if (text === '') return { value: spec.default, reason: `${key} is empty; using the default ${spec.default}` };
  const exact = spec.options.find((o) => o.value === text);
  if (exact !== undefined) return { value: exact.value };
  const norm = normaliseWord(text);
  const match = spec.options.find((o) => normaliseWord(o.value) === norm || (o.aliases ?? []).some((a) => normaliseWord(a) === norm));
  if (match !== undefined) {
    return { value: match.value, reason: `${key}=${quote(text)} is read as ${match.value} (the canonical spelling); using ${match.value}` };
  }
  return { value: spec.default, reason: `${key}=${quote(text)} is not one of ${list}; using the default ${spec.default}` };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/**
 * Plain decimal or exponent notation only: no hex, no "Infinity", no "1,5", no "1_000". Each branch consumes
 * distinct characters, so a 100k-character value is matched in linear time (no catastrophic backtracking).
 */
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a text denotes (possibly ±Infinity for 1e400), or NaN when the text is not a number. */
function parseNumberText(text: string): number {
  const t = text.trim();
  return NUMBER_RE.test(t) ? Number(t) : NaN;
}

/** Case, '-', '_' and whitespace are not significant when matching enum spellings (hard-tanh = HardTanh). */
function normaliseWord(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

const MAX_SHOWN = 40;

/** A value as it appears inside a reason: cut to a readable length (a 100k-character value must not flood the UI). */
function show(s: string): string {
  if (s.length <= MAX_SHOWN) return s;
  let cut = s.slice(0, MAX_SHOWN);
  // Do not leave half of a surrogate pair at the cut.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Quoted form for texts that are not numbers; JSON escaping makes control characters and quotes visible. */
function quote(s: string): string {
  return JSON.stringify(show(s));
}

/** String form of an arbitrary JavaScript value that cannot throw (Symbols, objects with throwing toString). */
function describe(v: unknown): string {
  try {
    return typeof v === 'symbol' ? v.toString() : String(v);
  } catch {
    return typeof v;
  }
}

function rawText(given: Raw | undefined): string | null {
  if (given === undefined) return null;
  return 'text' in given ? given.text : describe(given.value);
}

function unknownKey(key: string, given: string): Correction {
  // Keys are case-sensitive (they are a public contract), but a hint turns "Width=64" into a quick fix.
  const lower = key.toLowerCase();
  const hint = lower !== key && specForKey(lower) !== undefined ? ` (did you mean ${lower}?)` : '';
  return correction(key, given, '', `unknown parameter ${quote(key)}, ignored${hint}`);
}

function correction(key: string, given: string | null, used: string, reason: string): Correction {
  return { key, given, used, reason };
}
