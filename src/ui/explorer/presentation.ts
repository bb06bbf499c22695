/**
 * The presentation keys of a link (not part of the model): embed, plots, controls, theme, backend. Like the
 * model parameters, they are parsed without ever throwing, and every value that cannot be used is reported.
 */
import { PARAM_NAMES } from '../../params/table';
import type { Correction, Params } from '../../params/types';

export const PLOT_IDS = ['spectrum', 'density', 'convergence', 'phase', 'signal'] as const;
export type PlotId = (typeof PLOT_IDS)[number];

export const BACKENDS = ['auto', 'gpu', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

export interface Presentation {
  embed: boolean;
  plots: PlotId[];
  /** Which knobs are shown; null = all (the default layout). */
  controls: (keyof Params)[] | null;
  theme: 'auto' | 'light' | 'dark';
  backend: BackendChoice;
}

export const DEFAULT_PRESENTATION: Presentation = Object.freeze({
  embed: false,
  plots: [...PLOT_IDS],
  controls: null,
  theme: 'auto',
  backend: 'auto',
}) as Presentation;

/** Shown in notices: at most this many characters of a hostile value. */
const SHOW = 40;
const show = (text: string) => JSON.stringify(text.length > SHOW ? `${text.slice(0, SHOW)}…` : text);

function list<T extends string>(key: string, text: string, allowed: readonly T[], corrections: Correction[]): T[] {
  const out: T[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if ((allowed as readonly string[]).includes(item)) {
      if (!out.includes(item as T)) out.push(item as T);
    } else corrections.push({ key, given: text, used: '', reason: `${key}: unknown entry ${show(item)} ignored (known: ${allowed.join(', ')})` });
  }
  return out;
}

/** Read the presentation keys from any key/value source (URL query, element attributes). */
export function parsePresentation(get: (key: string) => string | null): { presentation: Presentation; corrections: Correction[] } {
  const corrections: Correction[] = [];
  const p: Presentation = { ...DEFAULT_PRESENTATION, plots: [...PLOT_IDS] };
  const embed = get('embed');
  if (embed !== null) {
    if (['1', 'true', ''].includes(embed)) p.embed = true;
    else if (!['0', 'false'].includes(embed))
      corrections.push({ key: 'embed', given: embed, used: '0', reason: `embed=${show(embed)} is not 0 or 1; showing the full page` });
  }
  const plots = get('plots');
  if (plots !== null) {
    const chosen = list('plots', plots, PLOT_IDS, corrections);
    if (chosen.length > 0) p.plots = chosen;
    else corrections.push({ key: 'plots', given: plots, used: PLOT_IDS.join(','), reason: 'plots= named no known plot; showing all' });
  }
  const controls = get('controls');
  if (controls !== null) p.controls = controls === 'none' || controls === '' ? [] : list('controls', controls, PARAM_NAMES, corrections);
  const theme = get('theme');
  if (theme !== null) {
    if (theme === 'light' || theme === 'dark' || theme === 'auto') p.theme = theme;
    else
      corrections.push({ key: 'theme', given: theme, used: 'auto', reason: `theme=${show(theme)} is not light, dark or auto; following the system setting` });
  }
  const backend = get('backend');
  if (backend !== null) {
    if ((BACKENDS as readonly string[]).includes(backend)) p.backend = backend as BackendChoice;
    else corrections.push({ key: 'backend', given: backend, used: 'auto', reason: `backend=${show(backend)} is not auto, gpu or cpu; using auto` });
  }
  return { presentation: p, corrections };
}

/** The presentation part of a link, only keys that differ from the default. */
export function serializePresentation(p: Presentation): string {
  const parts: string[] = [];
  if (p.embed) parts.push('embed=1');
  if (p.plots.join(',') !== PLOT_IDS.join(',')) parts.push(`plots=${p.plots.join(',')}`);
  if (p.controls !== null) parts.push(`controls=${p.controls.length === 0 ? 'none' : p.controls.join(',')}`);
  if (p.theme !== 'auto') parts.push(`theme=${p.theme}`);
  if (p.backend !== 'auto') parts.push(`backend=${p.backend}`);
  return parts.join('&');
}
