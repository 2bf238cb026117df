import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, type Session } from '../data/api';
import { sharedStyles, signInFormStyles } from './shared-styles';

export interface UsePasswordDetail {
  /** Why, when the hub ended the phone's trust. */
  note: string;
  username: string;
}

/**
 * The quick PIN on a trusted phone: one field, big and numeric, for the parent whose phone it is. Wrong PINs
 * say how many tries are left; when the hub ends the trust the parent is sent to the password form.
 */
@customElement('kt-pin-unlock')
export class KtPinUnlock extends LitElement {
  static override styles = [
    sharedStyles,
    signInFormStyles,
    css`
      input {
        min-height: 52px;
        font-size: 1.5rem;
        letter-spacing: 0.4em;
        text-align: center;
      }
      .link {
        justify-self: center;
        background: none;
        border: none;
        color: var(--kt-accent);
        text-decoration: underline;
      }
    `,
  ];

  @property({ attribute: false }) session!: Session;
  @property() note = '';
  @state() private _error = '';
  @state() private _busy = false;

  /** Whose phone it is, kept for the password form after the trust is gone. */
  private _username = '';

  override render() {
    const trust = this.session.phoneTrust();
    if (trust) this._username = trust.username;
    return html`
      <form @submit=${this._submit} aria-labelledby="pin-title">
        <h2 id="pin-title">Unlock Kidtime</h2>
        <p class="muted">${trust ? `${trust.username} on ${trust.name}` : ''}</p>
        ${this.note ? html`<p role="status">${this.note}</p>` : nothing}
        <label>
          PIN
          <input
            name="pin"
            type="password"
            inputmode="numeric"
            autocomplete="off"
            pattern="[0-9]*"
            maxlength="8"
            required
            autofocus
          />
        </label>
        ${this._error ? html`<p role="alert">${this._error}</p>` : nothing}
        <button class="primary" type="submit" ?disabled=${this._busy}>Unlock</button>
        <button class="link" type="button" @click=${() => this._usePassword()}>
          Sign in with a password instead
        </button>
      </form>
    `;
  }

  private async _submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const pin = String(new FormData(form).get('pin') ?? '');
    this._busy = true;
    this._error = '';
    try {
      await this.session.unlock(pin);
    } catch (error) {
      const message = error instanceof ApiError ? error.message : String(error);
      if (error instanceof ApiError && error.details.trust === 'gone') {
        this._usePassword(message);
        return;
      }
      this._error = message;
      form.reset();
    } finally {
      this._busy = false;
    }
  }

  /** To the password form, with the name of the phone's parent filled in and why, if the hub said. */
  private _usePassword(note = ''): void {
    const detail: UsePasswordDetail = { note, username: this._username };
    this.dispatchEvent(new CustomEvent('kt-use-password', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-pin-unlock': KtPinUnlock;
  }
}
