/**
 * The explorer's state, apart from its rendering: the committed parameters and the live preview of a
 * dragged slider, the presentation keys, the notices (corrections, presets, information), and the
 * rules that turn a user's action into a run and a link. Plain TypeScript, no Lit: the element renders
 * what this holds and forwards events to it; unit tests drive it directly.
 */
import { PRESETS } from '../../params/presets';
import { parseQuery, serializeParams, validateParams, type ParseResult } from '../../params/url';
import type { Correction, Params } from '../../params/types';
import { DEFAULT_PRESENTATION, serializePresentation, type Presentation } from './presentation';
import { inertDependent, PARAM_TABLE, type NumericName } from '../../params/table';

/** Knobs whose default is the width (k, inner). */
const WIDTH_FOLLOWERS: readonly NumericName[] = PARAM_TABLE.flatMap((s) => (s.kind !== 'enum' && s.defaultFrom === 'width' ? [s.name] : []));

export interface Notice {
  id: number;
  text: string;
  kind: 'correction' | 'warning' | 'error' | 'info';
}

/** One knob's new value, as a control reports it. */
export interface KnobValue {
  name: keyof Params;
  value: number | string;
}

export interface ExplorerHost {
  /** Start a run of these parameters (aborting the one in flight). */
  run(params: Params): void;
  /** The parameters of the run in flight or last finished, and whether its results are on screen. */
  current(): { params: Params | null; showing: boolean };
  /**
   * Parameters were committed; `link` is the new link's '?query' when the change is the user's (url-state
   * rewrites the address then), null when the state was loaded from a link or attributes.
   */
  committed(link: string | null): void;
  /** Something changed: render. */
  changed(): void;
}

/** While a slider is dragged, restart the live preview run at most this often. */
export const PREVIEW_INTERVAL_MS = 120;

export class ExplorerState {
  /** Committed parameters: what the link says and what the last committed run used. */
  committed: Params = validateParams({}).params;
  /** Parameters shown while a slider is dragged (null when nothing is). */
  preview: Params | null = null;
  presentation: Presentation = { ...DEFAULT_PRESENTATION };
  notices: Notice[] = [];
  /** Corrections of the input last loaded (they travel with every snapshot's JSON). */
  corrections: Correction[] = [];
  private noticeId = 0;
  private previewTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ExplorerHost,
    private readonly previewIntervalMs = PREVIEW_INTERVAL_MS,
  ) {}

  /** What the plots and controls show: the preview while dragging, else the committed parameters. */
  get shown(): Params {
    return this.preview ?? this.committed;
  }

  /** A new state from a link or the element's attributes: its presentation, its corrections, and a run. */
  load(parsed: ParseResult, presentation: { presentation: Presentation; corrections: Correction[] }): void {
    this.presentation = presentation.presentation;
    this.setCorrections([...parsed.corrections, ...presentation.corrections]);
    this.commit(parsed.params, false);
  }

  /** The shareable link (path plus query) of the committed state. */
  link(pathname: string): string {
    const pres = serializePresentation(this.presentation);
    return `${pathname}?${serializeParams(this.committed)}${pres ? `&${pres}` : ''}`;
  }

  /** A slider moves: preview the value live, restarting the run at most every previewIntervalMs. */
  input(knob: KnobValue): void {
    this.preview = this.withValue(this.shown, knob).params;
    this.host.changed();
    if (this.previewTimer !== undefined) return;
    this.host.run(this.preview);
    this.previewTimer = setTimeout(() => {
      this.previewTimer = undefined;
      const latest = this.preview;
      if (latest && this.host.current().params !== latest) this.host.run(latest);
    }, this.previewIntervalMs);
  }

  /** A control is released or a value typed: commit it, and say what was corrected of it. */
  change(knob: KnobValue): void {
    const { params, corrections } = this.withValue(this.shown, knob);
    const own = corrections.filter((c) => c.key === knob.name || c.key === 'k' || c.key === 'transient');
    for (const c of own) this.notify(`Corrected: ${c.reason}`, 'correction');
    this.commit(params, true);
  }

  applyPreset(id: string): void {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) return;
    this.commit(parseQuery(preset.query).params, true);
    this.notify(`${preset.label}: ${preset.description}`, 'info');
  }

  /** A point picked on the phase diagram, rounded to the sliders' steps. */
  pick(sw2: number, sb2: number): void {
    const round = (v: number, step: number) => Math.round(v / step) * step;
    this.commit(validateParams({ ...this.committed, sw2: Number(round(sw2, 0.01).toFixed(2)), sb2: Number(round(sb2, 0.001).toFixed(3)) }).params, true);
  }

  notify(text: string, kind: Notice['kind']): void {
    if (this.notices.some((n) => n.text === text)) return;
    this.notices = [...this.notices, { id: ++this.noticeId, text, kind }];
    this.host.changed();
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.host.changed();
  }

  dispose(): void {
    clearTimeout(this.previewTimer);
    this.previewTimer = undefined;
  }

  private setCorrections(corrections: Correction[]): void {
    this.corrections = corrections;
    const kept = this.notices.filter((n) => n.kind !== 'correction');
    this.notices = [...corrections.map((c): Notice => ({ id: ++this.noticeId, kind: 'correction', text: `Corrected: ${c.reason}` })), ...kept];
  }

  private withValue(base: Params, knob: KnobValue): ParseResult {
    const raw: Record<string, unknown> = { ...base, [knob.name]: knob.value };
    // Lowering the width below k, or the depth below the burn-in, clamps the dependent knob; a k (or an
    // inner width) that followed the width keeps following it.
    if (knob.name === 'width') for (const name of WIDTH_FOLLOWERS) if (base[name] === base.width) raw[name] = knob.value;
    // A knob the old model did not read (inner under arch=ff) starts at its default when the new one reads it.
    for (const spec of PARAM_TABLE) if (inertDependent(spec, base)) delete raw[spec.name];
    return validateParams(raw as Partial<Params>);
  }

  private commit(params: Params, writeLink: boolean): void {
    this.committed = params;
    this.preview = null;
    clearTimeout(this.previewTimer);
    this.previewTimer = undefined;
    this.host.committed(writeLink ? this.link('') : null);
    this.host.changed();
    // The live preview may already be running exactly these parameters, with its results on screen: keep it.
    const { params: running, showing } = this.host.current();
    if (running && showing && serializeParams(running) === serializeParams(params)) return;
    this.host.run(params);
  }
}
