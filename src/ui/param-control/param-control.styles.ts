import { css } from 'lit';

export const paramControlStyles = css`
  :host {
    display: block;
    font: inherit;
    color: inherit;
  }
  select {
    width: 100%;
  }
  .control {
    min-width: 0;
    display: grid;
    gap: 0.15em;
  }
  label {
    font-weight: 600;
    font-size: 0.92em;
  }
  .row {
    display: flex;
    align-items: center;
    gap: 0.5em;
  }
  input[type='range'] {
    flex: 1 1 auto;
    min-width: 4em;
    width: 100%;
    accent-color: var(--lx-accent, #0072b2);
    margin: 0;
    height: 1.6em;
  }
  input.exact {
    width: 6.5em;
    flex: 0 0 auto;
  }
  .seed input.exact {
    width: 9em;
  }
  input.exact,
  select,
  button {
    font: inherit;
    font-size: 0.92em;
    color: var(--lx-fg, inherit);
    background: var(--lx-input-bg, transparent);
    border: 1px solid var(--lx-border, #8a8a8a);
    border-radius: 4px;
    padding: 0.2em 0.35em;
    min-height: 2em;
  }
  button {
    cursor: pointer;
  }
  :focus-visible {
    outline: 3px solid var(--lx-focus, #e69f00);
    outline-offset: 1px;
  }
  .help {
    /* Read by screen readers through aria-describedby; shown as a tooltip, and inline where room allows. */
    font-size: 0.8em;
    color: var(--lx-muted, #666);
    display: none;
  }
  :host([show-help]) .help {
    display: block;
  }
`;
