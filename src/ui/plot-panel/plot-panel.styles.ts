import { css } from 'lit';

export const plotPanelStyles = css`
  :host {
    display: block;
    min-width: 0;
  }
  section {
    display: grid;
    gap: 0.25em;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4em 0.75em;
  }
  h2 {
    font-size: 1em;
    margin: 0;
    flex: 1 1 auto;
  }
  .exports {
    display: inline-flex;
    gap: 0.25em;
  }
  button {
    font: inherit;
    font-size: 0.75em;
    color: var(--lx-fg, inherit);
    background: var(--lx-input-bg, transparent);
    border: 1px solid var(--lx-border, #8a8a8a);
    border-radius: 4px;
    padding: 0.15em 0.45em;
    min-height: 1.9em;
    cursor: pointer;
  }
  :host([compact]) .exports {
    display: none;
  }
  :focus-visible {
    outline: 3px solid var(--lx-focus, #e69f00);
    outline-offset: 1px;
  }
  svg {
    display: block;
    width: 100%;
    height: auto;
  }
`;
