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
    --kt-accent-soft: #e8f0fe;
    --kt-danger: #b3261e;
    --kt-ok: #146c2e;
    --kt-border: #d0d7de;
    --kt-border-strong: #6e7781;
    --kt-link: #0b57d0;
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
      --kt-accent-soft: #1f2a3d;
      --kt-danger: #ffb4ab;
      --kt-ok: #7ee2a8;
      --kt-border: #30363d;
      --kt-border-strong: #8b949e;
      --kt-link: #8ab4f8;
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
  button.danger {
    color: var(--kt-danger);
  }
  /* The button that does the irreversible thing, and the box that asks first. */
  button.destructive {
    background: var(--kt-danger);
    border-color: var(--kt-danger);
    color: var(--kt-card);
  }
  .confirm {
    display: grid;
    gap: 0.5rem;
    padding: 0.75rem;
    border: 2px solid var(--kt-danger);
    border-radius: 0.75rem;
  }
  input,
  select,
  textarea {
    min-height: 44px;
    box-sizing: border-box;
    padding: 0 0.75rem;
    border-radius: 0.5rem;
    border: 1px solid var(--kt-border-strong);
    background: var(--kt-bg);
    color: var(--kt-text);
    font: inherit;
  }
  input[type='checkbox'],
  input[type='radio'] {
    min-height: 0;
    width: 1.4rem;
    height: 1.4rem;
    accent-color: var(--kt-accent);
  }
  a {
    color: var(--kt-link);
  }
  /* A label above its control; "check" puts a checkbox before its text. */
  .field {
    display: grid;
    gap: 0.3rem;
    font-weight: 600;
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.6rem;
    min-height: 44px;
  }
  /* A command to copy onto a PC: one tap selects all of it. */
  pre {
    margin: 0;
    padding: 0.75rem;
    border-radius: 0.5rem;
    border: 1px solid var(--kt-border);
    background: var(--kt-bg);
    font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
    font-size: 0.9rem;
    white-space: pre-wrap;
    word-break: break-all;
    user-select: all;
    -webkit-user-select: all;
  }
  /* Folded text (help, advanced fields): the whole line opens it, and says which way it is. */
  summary {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 44px;
    font-weight: 600;
    cursor: pointer;
    list-style: none;
  }
  summary::-webkit-details-marker {
    display: none;
  }
  summary::before {
    content: '▸';
  }
  details[open] > summary::before {
    content: '▾';
  }
  .card {
    background: var(--kt-card);
    border: 1px solid var(--kt-border);
    border-radius: 1rem;
    padding: 1rem;
  }
  .page-title {
    font-size: 1.4rem;
    margin: 0 0 1rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  button:focus-visible,
  a:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
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

/** A list of things with an action each (signed-in devices, tokens, trusted phones): text left, button right. */
export const actionListStyles = css`
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  li {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto;
    align-items: center;
    gap: 0.5rem;
    padding: 0.5rem 0;
    border-bottom: 1px solid var(--kt-border);
  }
  li p {
    margin: 0;
    overflow-wrap: anywhere;
  }
`;

/** The card a sign-in form sits in, alone on the page: the password form and the quick PIN. */
export const signInFormStyles = css`
  form {
    display: grid;
    gap: 0.9rem;
    max-width: 24rem;
    margin: 0 auto;
    padding: 1.25rem;
    background: var(--kt-card);
    border: 1px solid var(--kt-border);
    border-radius: 1rem;
  }
  label {
    display: grid;
    gap: 0.3rem;
    font-weight: 600;
  }
  input {
    box-sizing: border-box;
    width: 100%;
    min-width: 0;
    min-height: 44px;
    padding: 0 0.75rem;
    border-radius: 0.5rem;
    border: 1px solid var(--kt-border);
    background: var(--kt-bg);
    color: var(--kt-text);
    font: inherit;
  }
  h2 {
    margin: 0;
  }
`;
