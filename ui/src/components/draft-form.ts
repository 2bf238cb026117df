import { css, html, nothing } from 'lit';
import type { CommandView } from '@kidtime/protocol';
import type { SaveOutcome } from '../data/save-outcome';
import './kt-save-status';

/** The layout both settings editors share: a card of fieldsets with a line of actions at the end. */
export const draftStyles = css`
  :host {
    display: block;
  }
  section {
    display: grid;
    gap: 1rem;
  }
  h3 {
    margin: 0;
    font-size: 1.15rem;
  }
  p {
    margin: 0;
  }
  form {
    display: grid;
    gap: 1rem;
  }
  fieldset {
    border: 0;
    border-top: 1px solid var(--kt-border);
    margin: 0;
    padding: 0.75rem 0 0;
    display: grid;
    gap: 0.6rem;
    min-width: 0;
  }
  legend {
    font-weight: 700;
    font-size: 1.05rem;
    padding: 0 0.4rem 0 0;
  }
  .hint {
    font-size: 0.9rem;
  }
  .check input {
    flex: none;
  }
  .note {
    padding: 0.6rem 0.75rem;
    border-radius: 0.6rem;
    background: var(--kt-accent-soft);
  }
  .actions {
    display: grid;
    gap: 0.4rem;
    padding-top: 0.75rem;
    border-top: 1px solid var(--kt-border);
  }
  .buttons {
    display: flex;
    align-items: center;
    gap: 0.5rem;
  }
  .buttons .dirty {
    flex: 1;
    font-size: 0.9rem;
  }
`;

export interface DraftActions {
  /** The Save button's text, e.g. "Save schedule". */
  save: string;
  dirty: boolean;
  stale: boolean;
  readOnly: boolean;
  outcome: SaveOutcome;
  waiting: CommandView | undefined;
  deviceName: string;
  reset: () => void;
}

/**
 * The end of a settings form: whether there is anything to save, Reset and Save (a submit button, so that it
 * stays in the editor's own form), and what became of the last save. A viewer gets the reason instead.
 */
export function draftActions(a: DraftActions) {
  return html`<div class="actions">
    ${
      a.readOnly
        ? html`<p class="muted">You can look but not change anything (viewer account).</p>`
        : html`<div class="buttons">
            <span class="dirty muted">${a.dirty ? 'Unsaved changes' : 'No changes'}</span>
            <button type="button" ?disabled=${!a.dirty && !a.stale} @click=${a.reset}>Reset</button>
            <button class="primary" type="submit" ?disabled=${!a.dirty || a.outcome.kind === 'sending'}>
              ${a.save}
            </button>
          </div>`
    }
    <kt-save-status .outcome=${a.outcome} .pending=${a.waiting} .deviceName=${a.deviceName}></kt-save-status>
  </div>`;
}

/** Said above the form when the PC's settings changed while the parent had unsaved edits. */
export function staleNote(stale: boolean, what: string) {
  return stale
    ? html`<p class="note">
        The ${what} on the PC changed while you were editing. Save sends only your edits; Reset shows the PC's
        settings instead.
      </p>`
    : nothing;
}
