import { css } from 'lit';

/** Colours follow the system's light or dark mode; controls are at least 44 px tall for fingers. */
export const sharedStyles = css`
  :host {
    --kt-bg: #f6f7f9;
    --kt-card: #ffffff;
    --kt-text: #1b1f24;
    --kt-muted: #57606a;
    --kt-accent: #0b57d0;
    --kt-accent-text: #ffffff;
    --kt-danger: #b3261e;
    --kt-ok: #146c2e;
    --kt-border: #d0d7de;
    color: var(--kt-text);
    font-family: system-ui, sans-serif;
    line-height: 1.45;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --kt-bg: #0d1117;
      --kt-card: #161b22;
      --kt-text: #e6edf3;
      --kt-muted: #9da7b3;
      --kt-accent: #8ab4f8;
      --kt-accent-text: #0d1117;
      --kt-danger: #ffb4ab;
      --kt-ok: #7ee2a8;
      --kt-border: #30363d;
    }
  }
  button {
    min-height: 44px;
    min-width: 44px;
    padding: 0 0.9rem;
    border-radius: 0.6rem;
    border: 1px solid var(--kt-border);
    background: var(--kt-card);
    color: var(--kt-text);
    font: inherit;
    font-weight: 600;
    cursor: pointer;
  }
  button.primary {
    background: var(--kt-accent);
    border-color: var(--kt-accent);
    color: var(--kt-accent-text);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible {
    outline: 3px solid var(--kt-accent);
    outline-offset: 2px;
  }
  .muted {
    color: var(--kt-muted);
  }
  [role='alert'] {
    color: var(--kt-danger);
  }
`;
