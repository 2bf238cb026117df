import { LitElement, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, type Session } from '../data/api';
import type { UsePasswordDetail } from './kt-pin-unlock';
import './kt-pin-unlock';
import { sharedStyles, signInFormStyles } from './shared-styles';

/**
 * Sign in, or on a new hub create the owner account (only possible from the hub's own machine: the hub
 * refuses it from anywhere else, and the message says so). On a phone trusted for the quick PIN, the PIN
 * comes first, with the password form a tap away.
 */
@customElement('kt-sign-in')
export class KtSignIn extends LitElement {
  static override styles = [sharedStyles, signInFormStyles];

  @property({ attribute: false }) session!: Session;
  /** `setup` creates the first (owner) account. */
  @property() mode: 'login' | 'setup' = 'login';
  /** Why the parent is asked to sign in (the session ended while they were using the app). */
  @property() note = '';
  /** Filled in when the same parent signs in again. */
  @property() username = '';
  @state() private _error = '';
  @state() private _busy = false;
  /** The parent chose the password over the PIN, or the hub ended the phone's trust (and why). */
  @state() private _password: string | null = null;

  override render() {
    if (this.mode === 'login' && this._password === null && this.session.phoneTrust()) {
      return html`<kt-pin-unlock
        .session=${this.session}
        .note=${this.note}
        @kt-use-password=${(e: CustomEvent<UsePasswordDetail>) => {
          this._password = e.detail.note;
          this.username ||= e.detail.username;
        }}
      ></kt-pin-unlock>`;
    }
    const setup = this.mode === 'setup';
    return html`
      <form @submit=${this._submit} aria-labelledby="title">
        <h2 id="title">${setup ? 'Create the owner account' : 'Sign in'}</h2>
        ${
          setup
            ? html`<p class="muted">This hub has no account yet. The owner manages the other parents.</p>`
            : null
        }
        ${this.note ? html`<p role="status">${this.note}</p>` : null}
        ${this._password ? html`<p role="status">${this._password}</p>` : null}
        <label>
          Username
          <input
            name="username"
            autocomplete="username"
            required
            autocapitalize="none"
            .value=${this.username || (this.session.phoneTrust()?.username ?? '')}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            required
            minlength=${setup ? 8 : 1}
            autocomplete=${setup ? 'new-password' : 'current-password'}
          />
        </label>
        ${this._error ? html`<p role="alert">${this._error}</p>` : null}
        <button class="primary" type="submit" ?disabled=${this._busy}>
          ${setup ? 'Create account' : 'Sign in'}
        </button>
      </form>
    `;
  }

  private async _submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    this._busy = true;
    this._error = '';
    try {
      if (this.mode === 'setup') await this.session.setup(username, password);
      else await this.session.login(username, password);
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-sign-in': KtSignIn;
  }
}
