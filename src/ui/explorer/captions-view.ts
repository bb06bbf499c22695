/** The theory caption under a plot: what is drawn (formula, validity, caveat, source) and what is hidden, and why. */
import { html, nothing, type TemplateResult } from 'lit';
import type { Params } from '../../params/types';
import { applicableTheories, THEORY_CATALOG } from '../../theory/catalog';

export function renderCaptions(p: Params, plot: 'spectrum' | 'density' | 'convergence' | 'signal'): TemplateResult {
  const applicable = applicableTheories(p);
  // The convergence plot's levels are the spectrum's exact or mean-field values.
  const source = plot === 'convergence' ? 'spectrum' : plot;
  const rows = THEORY_CATALOG.filter((t) => t.plot === source).map((t) => ({ t, a: applicable.find((x) => x.id === t.id)! }));
  const shown = rows.filter((r) => r.a.applies);
  const hidden = rows.filter((r) => !r.a.applies);
  return html`<details slot="caption" class="theory">
    <summary>Theory: ${shown.length > 0 ? shown.map((r) => r.t.title).join('; ') : 'none applies to these parameters'}</summary>
    <ul>
      ${shown.map(
        (r) =>
          html`<li>
            <b>${r.t.title}</b>: <code>${r.t.formula}</code>. Valid: ${r.t.validity}${r.a.reason ? html` <i>Caveat: ${r.a.reason}.</i>` : nothing}
            <span class="src">${r.t.source}; docs/THEORY.md ${r.t.docs}</span>
          </li>`,
      )}
      ${hidden.map((r) => html`<li class="hidden-theory">${r.t.title}: hidden, ${r.a.reason}.</li>`)}
    </ul>
  </details>`;
}
