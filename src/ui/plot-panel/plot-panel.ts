/**
 * <plot-panel>: a titled frame around one SVG plot. It measures its own width (ResizeObserver), calls the
 * pure draw function with that size and the palette, and offers the exports: PNG and SVG of exactly what
 * is drawn, CSV and JSON of the data behind it.
 *
 * @slot tools - controls shown in the header (e.g. the density plot's variable toggles).
 * @slot caption - text under the plot (what the theory curves are, why one is hidden).
 * @csspart svg - the plot's <svg>.
 */
import { LitElement, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Palette, PlotSize } from '../../plots/types';
import { downloadBlob, svgMarkup, svgToPngBlob } from '../../plots/export';
import { plotPanelStyles } from './plot-panel.styles';

export type DrawFunction = (svg: SVGSVGElement, size: PlotSize, palette: Palette) => void;

export interface PlotExport {
  csv: () => string;
  json: () => unknown;
}

/** Height/width ratio of a plot, and the limits that keep phones and projectors readable. */
const ASPECT = 0.62;
const MIN_HEIGHT = 200;
const MAX_HEIGHT = 720;

export function plotSize(width: number, fontScale = 1): PlotSize {
  const w = Math.max(240, Math.round(width));
  const height = Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, w * ASPECT)));
  // Text grows with the plot so a 4K projector or a slide iframe stays legible; 12 px on a phone.
  const fontSize = Math.round(Math.min(24, Math.max(12, w / 48)) * fontScale);
  return { width: w, height, fontSize };
}

@customElement('plot-panel')
export class PlotPanel extends LitElement {
  static override styles = plotPanelStyles;

  @property() heading = '';
  /** File name stem for exports, e.g. "lyapunov-spectrum". */
  @property() name = 'plot';
  @property({ attribute: false }) draw: DrawFunction | null = null;
  @property({ attribute: false }) palette: Palette | null = null;
  @property({ attribute: false }) exportData: PlotExport | null = null;
  @property({ type: Number, attribute: 'font-scale' }) fontScale = 1;

  @state() private width = 0;
  @query('svg') private svg!: SVGSVGElement;
  private observer: ResizeObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (typeof ResizeObserver !== 'undefined') {
      this.observer = new ResizeObserver((entries) => {
        const w = entries[0]?.contentRect.width ?? 0;
        // Ignore sub-pixel jitter so a resize does not redraw in a loop.
        if (Math.abs(w - this.width) >= 1) this.width = w;
      });
      this.observer.observe(this);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
    this.observer = null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.redraw();
  }

  /** Draw now with the current data (the explorer calls it when new data arrive). */
  redraw(): void {
    if (!this.draw || !this.palette || !this.svg) return;
    const width = this.width > 0 ? this.width : this.getBoundingClientRect().width || 600;
    this.draw(this.svg, plotSize(width, this.fontScale), this.palette);
  }

  private async save(kind: 'png' | 'svg' | 'csv' | 'json'): Promise<void> {
    try {
      if (kind === 'svg') downloadBlob(new Blob([svgMarkup(this.svg)], { type: 'image/svg+xml' }), `${this.name}.svg`);
      else if (kind === 'png') downloadBlob(await svgToPngBlob(this.svg, 2), `${this.name}.png`);
      else if (kind === 'csv' && this.exportData) downloadBlob(new Blob([this.exportData.csv()], { type: 'text/csv' }), `${this.name}.csv`);
      else if (kind === 'json' && this.exportData)
        downloadBlob(new Blob([JSON.stringify(this.exportData.json(), null, 1)], { type: 'application/json' }), `${this.name}.json`);
    } catch (e) {
      this.dispatchEvent(
        new CustomEvent('plot-error', { detail: `Export failed: ${e instanceof Error ? e.message : String(e)}`, bubbles: true, composed: true }),
      );
    }
  }

  override render() {
    const label = this.heading;
    return html`<section aria-label=${label}>
      <header>
        <h2>${label}</h2>
        <slot name="tools"></slot>
        <span class="exports" role="group" aria-label="Export ${label}">
          ${(['png', 'svg', 'csv', 'json'] as const).map(
            (k) =>
              html`<button
                type="button"
                @click=${() => void this.save(k)}
                title="Download ${label} as ${k.toUpperCase()}"
                aria-label="Download ${label} as ${k.toUpperCase()}"
              >
                ${k.toUpperCase()}
              </button>`,
          )}
        </span>
      </header>
      <svg part="svg"></svg>
      <slot name="caption"></slot>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'plot-panel': PlotPanel;
  }
}
