/**
 * <param-control>: one knob of the parameter table. Numbers get a native range input (keyboard, screen
 * readers and touch for free) plus a number field for exact values; enums get a native select; the seed
 * gets a number field and a re-roll button.
 *
 * @event param-input - {name, value} while a slider is dragged (live preview; no URL write).
 * @event param-change - {name, value} when a value is committed: slider released, field changed, option chosen.
 *   Values from the number field are passed through unvalidated; the explorer corrects and reports them.
 * @csspart control - the wrapper.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ParamSpec } from '../../params/table';
import type { Params } from '../../params/types';
import { sliderScale, type SliderScale } from './slider-scale';
import { paramControlStyles } from './param-control.styles';

export interface ParamEventDetail {
  name: keyof Params;
  value: number | string;
}

@customElement('param-control')
export class ParamControl extends LitElement {
  static override styles = paramControlStyles;

  @property({ attribute: false }) spec!: ParamSpec;
  @property({ attribute: false }) value: number | string = 0;
  /** Effective maximum (k ≤ width, burn-in < depth). */
  @property({ type: Number }) max = Number.NaN;
  @property({ type: Boolean, reflect: true }) compact = false;

  private scale: SliderScale | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('spec') || changed.has('max')) && this.spec && this.spec.kind !== 'enum') {
      this.scale = this.spec.name === 'seed' ? null : sliderScale(this.spec, Number.isFinite(this.max) ? this.max : this.spec.max);
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // Set after the options exist: a property binding on <select> is applied before its children render.
    const select = this.renderRoot.querySelector('select');
    if (select && select.value !== String(this.value)) select.value = String(this.value);
  }

  private emit(type: 'param-input' | 'param-change', value: number | string): void {
    this.dispatchEvent(new CustomEvent<ParamEventDetail>(type, { detail: { name: this.spec.name, value }, bubbles: true, composed: true }));
  }

  private onRange(e: Event, type: 'param-input' | 'param-change'): void {
    const position = Number((e.target as HTMLInputElement).value);
    const value = this.scale!.fromPosition(position);
    this.value = value;
    this.emit(type, value);
  }

  private onNumber(e: Event): void {
    const text = (e.target as HTMLInputElement).value.trim();
    // An empty or unreadable field is handed on as text: the explorer reports it and keeps a valid value.
    const value = text === '' || !Number.isFinite(Number(text)) ? text : Number(text);
    this.emit('param-change', value);
  }

  private reroll(): void {
    const seed = crypto.getRandomValues(new Uint32Array(1))[0]!;
    this.value = seed;
    this.emit('param-change', seed);
  }

  override render() {
    const spec = this.spec;
    if (!spec) return nothing;
    const id = `c-${spec.name}`;
    const help = html`<span class="help" id="${id}-help">${spec.help}</span>`;
    if (spec.kind === 'enum') {
      return html`<div class="control" part="control" title=${spec.help}>
        <label for=${id}>${spec.label}</label>
        <select id=${id} aria-describedby="${id}-help" @change=${(e: Event) => this.emit('param-change', (e.target as HTMLSelectElement).value)}>
          ${spec.options.map((o) => html`<option value=${o.value} ?selected=${o.value === this.value}>${o.label}</option>`)}
        </select>
        ${help}
      </div>`;
    }
    const max = Number.isFinite(this.max) ? this.max : spec.max;
    const numberField = html`<input
      class="exact"
      id="${id}-n"
      type="number"
      inputmode=${spec.kind === 'int' ? 'numeric' : 'decimal'}
      aria-label="${spec.label}, exact value"
      min=${spec.min}
      max=${max}
      step=${spec.kind === 'int' ? 1 : 'any'}
      .value=${String(this.value)}
      @change=${this.onNumber}
    />`;
    if (!this.scale) {
      return html`<div class="control seed" part="control" title=${spec.help}>
        <label for="${id}-n">${spec.label}</label>
        <span class="row">
          ${numberField}
          <button type="button" @click=${this.reroll} aria-label="New random seed" title="New random seed">⟳ re-roll</button>
        </span>
        ${help}
      </div>`;
    }
    const position = this.scale.toPosition(Number(this.value));
    return html`<div class="control" part="control" title=${spec.help}>
      <label for=${id}>${spec.label}</label>
      <span class="row">
        <input
          id=${id}
          type="range"
          min="0"
          max=${this.scale.positions}
          step="1"
          .value=${String(position)}
          aria-valuetext="${String(this.value)}${spec.unit ? ` ${spec.unit}` : ''}"
          aria-describedby="${id}-help"
          @input=${(e: Event) => this.onRange(e, 'param-input')}
          @change=${(e: Event) => this.onRange(e, 'param-change')}
        />
        ${numberField}
      </span>
      ${help}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'param-control': ParamControl;
  }
}
