/**
 * <lyapunov-explorer>: the whole tool as one custom element.
 *
 * Attributes are the URL keys (width, depth, sw2, act, ...; embed, plots, controls, theme, backend). With the
 * boolean attribute `url-state`, the page's query string is the state instead: it is read on connection and
 * rewritten (history.replaceState) on every committed change.
 *
 * @property snapshot - read-only: the latest results in the CLI's JSON shape (null before the first one).
 * @property params - read-only: the committed parameters.
 * @event snapshot - after each progressive snapshot; detail is the same object as `snapshot`. Bubbles, composed.
 * @event done - when a run has finished; detail is the final snapshot. Bubbles, composed.
 * @csspart status - the status line.
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { activationOf, architectureEntry } from '../../model/index';
import { PARAM_NAMES } from '../../params/table';
import { parseEntries, parseQuery, serializeParams } from '../../params/url';
import type { Params } from '../../params/types';
import type { Engine, Snapshot } from '../../engine/types';
import { snapshotJson, type SnapshotJson } from '../../engine/snapshot-json';
import { drawConvergence, drawDensity, drawPhase, drawSignal, drawSpectrum, paletteFor } from '../../plots/index';
import { convergenceColumns, densityColumns, phaseColumns, signalColumns, spectrumColumns, toCsv } from '../../plots/export';
import type { Palette, PhasePlotData } from '../../plots/types';
import { convergenceLevels } from '../../theory/overlays';
import { TheoryClient } from './theory-client';
import '../param-control/param-control';
import '../plot-panel/plot-panel';
import type { ParamEventDetail } from '../param-control/param-control';
import type { DrawFunction, PlotExport } from '../plot-panel/plot-panel';
import { RunController } from './run-controller';
import { chooseEngine } from './engine-choice';
import { parsePresentation, type PlotId } from './presentation';
import { convergenceData, densityData, signalData, spectrumData, type DensityVariable, type SignalScale } from './plot-data';
import { explorerStyles } from './lyapunov-explorer.styles';
import { ExplorerState } from './explorer-state';
import { renderControls } from './controls-view';
import { renderCaptions } from './captions-view';

const PRESENTATION_ATTRIBUTES = ['embed', 'plots', 'controls', 'theme', 'backend'];
/** Time between progressive snapshots from the engine; the run controller shows at most one per frame. */
const SNAPSHOT_INTERVAL_MS = 100;

const PLOT_TITLES: Record<PlotId, string> = {
  spectrum: 'Lyapunov spectrum',
  density: 'Singular values of J',
  convergence: 'Convergence with depth',
  phase: 'Order–chaos phase diagram (mean field)',
  signal: 'Signal propagation with depth',
};

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

@customElement('lyapunov-explorer')
export class LyapunovExplorer extends LitElement {
  static override styles = explorerStyles;

  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, ...PARAM_NAMES, ...PRESENTATION_ATTRIBUTES];
  }

  /** Parameters, presentation and notices, with the rules for user actions (explorer-state.ts). */
  private readonly model = new ExplorerState({
    run: (params) => this.startRun(params),
    current: () => ({ params: this.runs.current, showing: this.snap !== null && this.snap.params === this.runs.current }),
    committed: (link) => {
      // For the interactivity benchmark: time from here to the first plot with data of this run.
      performance.mark('lx-commit');
      this.awaitingFirstPlot = true;
      if (link !== null && this.hasAttribute('url-state')) history.replaceState(history.state, '', `${location.pathname}${link}`);
    },
    changed: () => this.requestUpdate(),
  });
  @state() private snap: Snapshot | null = null;
  @state() private densityVariable: DensityVariable = { squared: false, perLayer: true };
  @state() private signalScale: SignalScale = 'loglog';
  @state() private runError: string | null = null;
  @state() private dark = false;
  @state() private copied = false;

  private lastJson: SnapshotJson | null = null;
  private currentEngine: Engine | null = null;
  private engineBackend: string | null = null;
  private runs = new RunController(() => this.engine(), {
    snapshot: (snap) => this.onSnapshot(snap),
    error: (message) => {
      this.runError = message;
    },
  });
  /** Theory overlays come from a worker; an answer re-renders the plots. */
  private theory: TheoryClient | null = null;
  private attributeSync = false;
  private connected = false;
  private media: MediaQueryList | null = null;
  private readonly onMedia = () => {
    this.dark = this.isDark();
  };

  /** The latest results in the CLI's JSON shape. */
  get snapshot(): SnapshotJson | null {
    return this.lastJson;
  }

  /** The committed parameters. */
  get params(): Params {
    return { ...this.model.committed };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.connected = true;
    this.media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
    this.media?.addEventListener('change', this.onMedia);
    this.theory ??= new TheoryClient(() => this.requestUpdate());
    this.readState();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.connected = false;
    this.media?.removeEventListener('change', this.onMedia);
    this.model.dispose();
    this.runs.stop();
    this.theory?.dispose();
    this.theory = null;
    // A removed element must not keep workers or a GPU device alive.
    this.currentEngine?.dispose();
    this.currentEngine = null;
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (old === value || !this.connected || this.hasAttribute('url-state')) return;
    // Several attributes often change together (a slide sets depth and act): read them once.
    if (this.attributeSync) return;
    this.attributeSync = true;
    queueMicrotask(() => {
      this.attributeSync = false;
      this.readState();
    });
  }

  /** Read the state from the URL (url-state) or the attributes, report corrections, and start the run. */
  private readState(): void {
    let get: (key: string) => string | null;
    let parsed;
    if (this.hasAttribute('url-state')) {
      const query = new URLSearchParams(location.search);
      get = (key) => query.get(key);
      parsed = parseQuery(query);
    } else {
      get = (key) => this.getAttribute(key);
      const entries = PARAM_NAMES.filter((n) => this.hasAttribute(n)).map((n): [string, string] => [n, this.getAttribute(n)!]);
      parsed = parseEntries(entries);
    }
    this.model.load(parsed, parsePresentation(get));
    this.dark = this.isDark();
  }

  private isDark(): boolean {
    const theme = this.model.presentation.theme;
    return theme === 'dark' || (theme === 'auto' && (this.media?.matches ?? false));
  }

  private engine(): Promise<Engine> {
    const backend = this.model.presentation.backend;
    if (!this.currentEngine || this.engineBackend !== backend) {
      this.currentEngine?.dispose();
      this.engineBackend = backend;
      this.currentEngine = chooseEngine(backend);
    }
    return Promise.resolve(this.currentEngine);
  }

  /** Run options for params: singular values only when the density or spectrum plot is shown and k = N. */
  private runOptions(p: Params) {
    // The spectrum plot draws (1/L) log sigma_i(J) beside the QR exponents, the density plot their histogram.
    const plots = this.model.presentation.plots;
    return { snapshotIntervalMs: SNAPSHOT_INTERVAL_MS, singularValues: p.k === p.width && (plots.includes('density') || plots.includes('spectrum')) };
  }

  private startRun(params: Params): void {
    this.runError = null;
    this.runs.start(params, this.runOptions(params));
  }

  private onSnapshot(snap: Snapshot): void {
    this.snap = snap;
    this.lastJson = snapshotJson(snap, this.model.corrections);
    const detail = this.lastJson;
    this.dispatchEvent(new CustomEvent('snapshot', { detail, bubbles: true, composed: true }));
    if (snap.done) this.dispatchEvent(new CustomEvent('done', { detail, bubbles: true, composed: true }));
  }

  /** The shareable link of the committed state. */
  link(): string {
    return this.model.link(location.pathname);
  }

  private readonly onParamInput = (e: Event): void => this.model.input((e as CustomEvent<ParamEventDetail>).detail);
  private readonly onParamChange = (e: Event): void => this.model.change((e as CustomEvent<ParamEventDetail>).detail);
  private readonly onPhasePick = (sw2: number, sb2: number): void => this.model.pick(sw2, sb2);

  private async copyLink(): Promise<void> {
    const url = new URL(this.link(), location.href).href;
    try {
      await navigator.clipboard.writeText(url);
      this.copied = true;
      setTimeout(() => (this.copied = false), 1500);
    } catch {
      // No clipboard permission (e.g. inside an iframe): show the link so it can be copied by hand.
      this.model.notify(`Link: ${url}`, 'info');
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Plot data, memoised so that a plot redraws only when its own inputs change

  private memo = new Map<string, { key: string; value: unknown }>();
  private cached<T>(slot: string, key: string, compute: () => T): T {
    const hit = this.memo.get(slot);
    if (hit && hit.key === key) return hit.value as T;
    const value = compute();
    this.memo.set(slot, { key, value });
    return value;
  }

  private palette(): Palette {
    return paletteFor(this.dark);
  }

  private spectrumPlot(p: Params, key: string): { draw: DrawFunction; data: PlotExport } {
    const snap = this.snap;
    const theory = this.theory?.spectrum(p, key);
    return this.cached(`spectrum`, `${key}|${this.snapKey()}|${theory !== undefined}`, () => {
      const data = spectrumData(snap, p, theory ?? []);
      return {
        draw: (svg, size, palette) => drawSpectrum(svg, data, size, palette),
        data: { csv: () => toCsv(spectrumColumns(data)), json: () => ({ params: p, plot: data }) },
      };
    });
  }

  private densityPlot(p: Params, key: string): { draw: DrawFunction; data: PlotExport } {
    const snap = this.snap;
    const v = this.densityVariable;
    const vKey = `${v.squared}|${v.perLayer}`;
    const h = snap?.histogram;
    const finite = h && h.total > 0 ? 1 - h.zeros / h.total : 1;
    const theory = p.k === p.width ? this.theory?.density(p, key, v, finite) : [];
    return this.cached('density', `${key}|${vKey}|${this.snapKey()}|${theory !== undefined}`, () => {
      const data = densityData(snap, p, v, theory ?? []);
      return {
        draw: (svg, size, palette) => drawDensity(svg, data, size, palette),
        data: { csv: () => toCsv(densityColumns(data)), json: () => ({ params: p, variable: v, plot: data }) },
      };
    });
  }

  private convergencePlot(p: Params, key: string): { draw: DrawFunction; data: PlotExport } {
    const snap = this.snap;
    return this.cached('convergence', `${key}|${this.snapKey()}`, () => {
      const levels = this.cached('convergence-theory', key, () => convergenceLevels(p));
      const data = convergenceData(snap, levels);
      return {
        draw: (svg, size, palette) => drawConvergence(svg, data, size, palette),
        data: { csv: () => toCsv(convergenceColumns(data)), json: () => ({ params: p, plot: data }) },
      };
    });
  }

  private signalPlot(p: Params, key: string): { draw: DrawFunction; data: PlotExport } {
    const snap = this.snap;
    const theory = this.theory?.signal(p, key);
    const scale = this.signalScale;
    return this.cached('signal', `${key}|${scale}|${this.snapKey()}|${theory !== undefined}`, () => {
      const data = signalData(snap, theory, scale);
      return {
        draw: (svg, size, palette) => drawSignal(svg, data, size, palette),
        data: { csv: () => toCsv(signalColumns(data)), json: () => ({ params: p, gradientDirection: snap?.forward?.u ?? null, plot: data }) },
      };
    });
  }

  private phasePlot(p: Params): { draw: DrawFunction; data: PlotExport } {
    const grid = this.theory?.phase(p);
    const act = activationOf(p);
    return this.cached('phase', `${act.key}|${p.sw2}|${p.sb2}|${grid !== undefined}`, () => {
      // undefined: the theory worker is still computing the map; null: it could not be computed.
      const message = grid === undefined ? 'Computing the mean-field map…' : 'The mean-field map could not be computed for this activation.';
      const empty: PhasePlotData = { sw2: [], sb2: [], logChi1: [], critical: [], current: { sw2: p.sw2, sb2: p.sb2 }, activation: act.label, message };
      const data: PhasePlotData = grid ? { ...grid, current: { sw2: p.sw2, sb2: p.sb2 } } : empty;
      return {
        draw: (svg, size, palette) => drawPhase(svg, data, size, palette, this.onPhasePick),
        data: { csv: () => toCsv(phaseColumns(data)), json: () => ({ activation: act.key, plot: data }) },
      };
    });
  }

  private snapCounter = 0;
  private lastSnap: Snapshot | null = null;
  private snapKey(): number {
    if (this.snap !== this.lastSnap) {
      this.lastSnap = this.snap;
      this.snapCounter++;
    }
    return this.snapCounter;
  }

  // ---------------------------------------------------------------------------------------------------
  // Rendering

  private awaitingFirstPlot = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('dark' as keyof LyapunovExplorer)) this.toggleAttribute('data-dark', this.dark);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const s = this.snap;
    if (this.awaitingFirstPlot && s && s.params === this.runs.current && s.params === this.model.committed && s.layers > 0) {
      this.awaitingFirstPlot = false;
      const panels = [...this.renderRoot.querySelectorAll('plot-panel')];
      void Promise.all(panels.map((panel) => panel.updateComplete)).then(() => performance.mark('lx-first-plot'));
    }
  }

  private renderStatus(p: Params): TemplateResult {
    const s = this.snap;
    const backend = s ? s.backend : 'starting…';
    const parts: string[] = [];
    if (s) {
      parts.push(`${s.layers} of ${s.params.depth} layers × ${s.samples} of ${s.params.samples} samples`);
      // The burn-in is part of what the exponents mean: always stated (docs/THEORY.md section 2).
      parts.push(s.params.transient > 0 ? `burn-in ${s.params.transient} layers` : 'no burn-in');
      if (s.throughput > 0) parts.push(`${numberFormat.format(s.throughput)} layer-samples/s`);
      parts.push(s.done ? `done in ${(s.elapsedMs / 1000).toFixed(2)} s` : 'running…');
    }
    const stale = this.model.preview !== null || (s !== null && s.params !== this.runs.current);
    return html`<div class="status" part="status" role="status" aria-live="polite">
      <span class="backend">${backend}</span>
      <span>${parts.join(' · ')}</span>
      ${stale ? html`<span class="stale">updating…</span>` : nothing} ${this.runError ? html`<span class="error">Run failed: ${this.runError}</span>` : nothing}
      ${s?.warnings.map((w) => html`<span class="warning">${w}</span>`)}
      <span class="sr-only">${activationOf(p).label} ${architectureEntry(p.arch).label} network, width ${p.width}, depth ${p.depth}</span>
    </div>`;
  }

  private renderSignalTools(): TemplateResult {
    const scale = this.signalScale;
    return html`<span slot="tools" class="tools">
      <label
        >Layer axis
        <select @change=${(e: Event) => (this.signalScale = (e.target as HTMLSelectElement).value as SignalScale)}>
          <option value="loglog" ?selected=${scale === 'loglog'}>log (power laws straight)</option>
          <option value="linlog" ?selected=${scale === 'linlog'}>linear (exponentials straight)</option>
        </select>
      </label>
    </span>`;
  }

  private renderDensityTools(): TemplateResult {
    const v = this.densityVariable;
    return html`<span slot="tools" class="tools">
      <label
        >Variable
        <select @change=${(e: Event) => (this.densityVariable = { ...v, squared: (e.target as HTMLSelectElement).value === 'sq' })}>
          <option value="sv" ?selected=${!v.squared}>log σ</option>
          <option value="sq" ?selected=${v.squared}>log σ²</option>
        </select>
      </label>
      <label
        >Scale
        <select @change=${(e: Event) => (this.densityVariable = { ...v, perLayer: (e.target as HTMLSelectElement).value === 'layer' })}>
          <option value="layer" ?selected=${v.perLayer}>per layer (1/L)</option>
          <option value="depth" ?selected=${!v.perLayer}>whole depth</option>
        </select>
      </label>
    </span>`;
  }

  override render() {
    const p = this.model.shown;
    const key = serializeParams(p);
    const pres = this.model.presentation;
    const palette = this.palette();
    const fontScale = pres.embed ? 1.15 : 1;
    const panels = pres.plots.map((id) => {
      if (id === 'phase') {
        const plot = this.phasePlot(p);
        return html`<plot-panel
          class="phase"
          heading=${PLOT_TITLES.phase}
          name="phase-diagram"
          .draw=${plot.draw}
          .palette=${palette}
          .exportData=${plot.data}
          font-scale=${fontScale}
          ?compact=${pres.embed}
        >
          <p slot="caption" class="caption">
            log χ₁ for ${activationOf(p).label} at the mean-field fixed point q* of a feedforward net; the line is χ₁ = 1 (edge of chaos). Click or tap to set
            σw² and σb².${architectureEntry(p.arch).residual ? ' (Residual nets have no such transition; the map shows their feedforward branch.)' : ''}
          </p>
        </plot-panel>`;
      }
      const plot =
        id === 'spectrum'
          ? this.spectrumPlot(p, key)
          : id === 'density'
            ? this.densityPlot(p, key)
            : id === 'signal'
              ? this.signalPlot(p, key)
              : this.convergencePlot(p, key);
      return html`<plot-panel
        class=${id}
        heading=${PLOT_TITLES[id]}
        name=${`lyapunov-${id}`}
        .draw=${plot.draw}
        .palette=${palette}
        .exportData=${plot.data}
        font-scale=${fontScale}
        ?compact=${pres.embed}
      >
        ${id === 'density' ? this.renderDensityTools() : id === 'signal' ? this.renderSignalTools() : nothing} ${pres.embed ? nothing : renderCaptions(p, id)}
      </plot-panel>`;
    });
    const notices = this.model.notices.length
      ? html`<ul class="notices" aria-label="Notices">
          ${this.model.notices.map(
            (n) =>
              html`<li class=${n.kind}>
                <span>${n.text}</span><button type="button" aria-label="Dismiss notice" title="Dismiss" @click=${() => this.model.dismiss(n.id)}>×</button>
              </li>`,
          )}
        </ul>`
      : nothing;
    return html`<div class="root ${pres.embed ? 'embed' : 'full'}">
      ${
        pres.embed
          ? nothing
          : html`<header class="bar">
              <h1>Lyapunov explorer <small>gradients in deep random networks</small></h1>
              <button type="button" class="copy" @click=${() => void this.copyLink()}>${this.copied ? 'Copied ✓' : 'Copy link'}</button>
            </header>`
      }
      <div class="layout">
        ${renderControls(p, pres, { input: this.onParamInput, change: this.onParamChange, preset: (id) => this.model.applyPreset(id) })}
        <main>
          ${this.renderStatus(p)} ${notices}
          <div class="plots count-${pres.plots.length}">${panels}</div>
        </main>
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lyapunov-explorer': LyapunovExplorer;
  }
}
