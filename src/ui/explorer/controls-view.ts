/**
 * The parameter controls, drawn from the params table: one <param-control> per knob, grouped by the
 * table's `group` and ordered by its `order`, dimmed where the current model does not read the knob
 * (isUsed: a residual strength for a feedforward net, a keep probability for dense weights).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { CONTROL_GROUPS, effectiveMax, isUsed, PARAM_TABLE, type ParamSpec } from '../../params/table';
import { PRESETS } from '../../params/presets';
import type { Params } from '../../params/types';
import type { Presentation } from './presentation';

export interface ControlHandlers {
  input(e: Event): void;
  change(e: Event): void;
  preset(id: string): void;
}

function control(spec: ParamSpec, p: Params, compact: boolean): TemplateResult {
  const max = spec.kind === 'enum' ? Number.NaN : effectiveMax(spec, p);
  return html`<param-control
    .spec=${spec}
    .value=${p[spec.name]}
    .max=${max}
    class=${isUsed(spec, p) ? '' : 'irrelevant'}
    ?compact=${compact}
  ></param-control>`;
}

/** The knobs a presentation shows, in group and display order. */
export function visibleSpecs(presentation: Presentation): ParamSpec[] {
  const allowed = presentation.controls ?? (presentation.embed ? [] : PARAM_TABLE.map((s) => s.name));
  return PARAM_TABLE.filter((s) => allowed.includes(s.name));
}

export function renderControls(p: Params, presentation: Presentation, on: ControlHandlers): TemplateResult {
  const specs = visibleSpecs(presentation);
  if (presentation.embed) {
    if (specs.length === 0) return html``;
    return html`<div class="embed-controls" @param-input=${on.input} @param-change=${on.change}>${specs.map((s) => control(s, p, true))}</div>`;
  }
  return html`<aside class="controls" aria-label="Parameters" @param-input=${on.input} @param-change=${on.change}>
    <label class="preset">
      <span>Preset</span>
      <select @change=${(e: Event) => on.preset((e.target as HTMLSelectElement).value)} .value=${''}>
        <option value="">Choose a preset…</option>
        ${PRESETS.map((pr) => html`<option value=${pr.id} title=${pr.description}>${pr.label}</option>`)}
      </select>
    </label>
    ${CONTROL_GROUPS.map((g) => {
      const inGroup = specs.filter((s) => s.group === g.id).sort((a, b) => a.order - b.order);
      return inGroup.length === 0
        ? nothing
        : html`<fieldset>
            <legend>${g.title}</legend>
            ${inGroup.map((s) => control(s, p, false))}
          </fieldset>`;
    })}
  </aside>`;
}
