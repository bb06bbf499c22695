import { css } from 'lit';

/**
 * Light and dark themes through custom properties (prefers-color-scheme unless theme= says otherwise), a
 * sidebar layout that becomes one column on phones, and a 2x2 plot grid sized by the space the element
 * actually has (container queries), so it also works inside a slide's iframe or a narrow column.
 */
export const explorerStyles = css`
  :host {
    --lx-bg: #ffffff;
    --lx-fg: #1a1a1a;
    --lx-muted: #555555;
    --lx-border: #8c8c8c;
    --lx-panel: #f4f5f7;
    --lx-input-bg: #ffffff;
    --lx-accent: #0072b2;
    --lx-focus: #d55e00;
    --lx-warn-bg: #fff4d6;
    --lx-error-bg: #fde2e1;
    --lx-info-bg: #e3f0fa;
    display: block;
    color: var(--lx-fg);
    background: var(--lx-bg);
    font-family:
      system-ui,
      -apple-system,
      'Segoe UI',
      'DejaVu Sans',
      sans-serif;
    font-size: 15px;
    line-height: 1.4;
    container-type: inline-size;
  }
  :host([data-dark]) {
    --lx-bg: #15171a;
    --lx-fg: #e8e8e8;
    --lx-muted: #a8adb3;
    --lx-border: #6b7075;
    --lx-panel: #1f2226;
    --lx-input-bg: #24282d;
    --lx-accent: #56b4e9;
    --lx-focus: #e69f00;
    --lx-warn-bg: #3d3214;
    --lx-error-bg: #4a1c1c;
    --lx-info-bg: #17324a;
    color-scheme: dark;
  }
  * {
    box-sizing: border-box;
  }
  .bar {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 1em;
    padding: 0.5em 1em;
    border-bottom: 1px solid var(--lx-border);
  }
  h1 {
    font-size: 1.2em;
    margin: 0;
  }
  h1 small {
    font-weight: normal;
    color: var(--lx-muted);
    font-size: 0.75em;
  }
  button,
  select {
    font: inherit;
    color: var(--lx-fg);
    background: var(--lx-input-bg);
    border: 1px solid var(--lx-border);
    border-radius: 4px;
    padding: 0.25em 0.6em;
    min-height: 2.2em;
    cursor: pointer;
  }
  :focus-visible {
    outline: 3px solid var(--lx-focus);
    outline-offset: 1px;
  }
  .layout {
    display: grid;
    grid-template-columns: minmax(260px, 320px) minmax(0, 1fr);
    gap: 1em;
    padding: 0.75em 1em;
  }
  .embed .layout {
    display: block;
    padding: 0.25em 0.5em;
  }
  .controls {
    min-width: 0;
    display: grid;
    gap: 0.75em;
    align-content: start;
  }
  fieldset {
    /* Fieldsets default to min-width: min-content, which let wide controls spill into the plots. */
    min-width: 0;
    border: 1px solid var(--lx-border);
    border-radius: 6px;
    padding: 0.4em 0.75em 0.6em;
    margin: 0;
    display: grid;
    gap: 0.55em;
    background: var(--lx-panel);
  }
  legend {
    font-weight: 700;
    padding: 0 0.3em;
  }
  .preset select {
    width: 100%;
  }
  .preset {
    display: grid;
    gap: 0.2em;
    font-weight: 600;
  }
  param-control.irrelevant {
    opacity: 0.55;
  }
  .embed-controls {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em 1.25em;
    margin-bottom: 0.4em;
  }
  .embed-controls param-control {
    flex: 1 1 14em;
  }
  main {
    min-width: 0;
    container-type: inline-size;
  }
  .status {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em 1em;
    font-size: 0.9em;
    color: var(--lx-muted);
    margin-bottom: 0.4em;
  }
  .status .backend {
    color: var(--lx-fg);
    font-weight: 600;
  }
  .status .why {
    font-weight: normal;
    color: var(--lx-muted);
  }
  .status .warning,
  .status .error {
    flex-basis: 100%;
    color: var(--lx-fg);
    padding: 0.2em 0.5em;
    border-radius: 4px;
    background: var(--lx-warn-bg);
  }
  .status .error {
    background: var(--lx-error-bg);
  }
  .stale {
    font-style: italic;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .notices {
    list-style: none;
    padding: 0;
    margin: 0 0 0.5em;
    display: grid;
    gap: 0.3em;
  }
  .notices li {
    display: flex;
    align-items: flex-start;
    justify-content: space-between;
    gap: 0.5em;
    padding: 0.3em 0.4em 0.3em 0.7em;
    border-radius: 4px;
    background: var(--lx-warn-bg);
    overflow-wrap: anywhere;
  }
  .notices li.info {
    background: var(--lx-info-bg);
  }
  .notices li.error {
    background: var(--lx-error-bg);
  }
  .notices button {
    min-height: 1.8em;
    padding: 0 0.5em;
  }
  .plots {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 1.25em 1.5em;
  }
  @container (min-width: 820px) {
    .plots:not(.count-1) {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    }
    /* Four small panels in one plot: it takes a whole row. */
    .plots plot-panel.signal {
      grid-column: 1 / -1;
    }
  }
  .tools {
    display: inline-flex;
    flex-wrap: wrap;
    gap: 0.4em;
    font-size: 0.85em;
  }
  .tools select {
    min-height: 1.9em;
    padding: 0.1em 0.3em;
  }
  .theory,
  .caption {
    font-size: 0.82em;
    color: var(--lx-muted);
    margin: 0.2em 0 0;
  }
  .theory summary {
    cursor: pointer;
  }
  .theory ul {
    padding-left: 1.2em;
    margin: 0.3em 0;
  }
  .theory li {
    margin-bottom: 0.25em;
  }
  .theory code {
    font-size: 0.95em;
    overflow-wrap: anywhere;
  }
  .theory .src {
    display: block;
    font-style: italic;
  }
  .hidden-theory {
    opacity: 0.8;
  }
  @media (max-width: 760px) {
    :host {
      font-size: 14px;
    }
    .layout {
      grid-template-columns: minmax(0, 1fr);
      padding: 0.5em;
    }
    /* On a phone the plots come first; the controls follow. */
    .controls {
      order: 2;
    }
    .bar {
      padding: 0.4em 0.5em;
    }
  }
  @media (min-width: 2400px) {
    :host {
      font-size: 20px;
    }
    .layout {
      grid-template-columns: minmax(360px, 440px) minmax(0, 1fr);
    }
  }
  /* A 4K projector at device pixel ratio 1: text readable from the back of a lecture hall. */
  @media (min-width: 3200px) {
    :host {
      font-size: 26px;
    }
    .layout {
      grid-template-columns: minmax(440px, 580px) minmax(0, 1fr);
    }
  }
`;
