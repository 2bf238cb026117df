import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, type Session } from '../data/api';
import type { UsePasswordDetail } from './kt-pin-unlock';
import './kt-pin-unlock';
import { noteOidcStarted, oidcStartUrl } from '../data/oidc';
import { sharedStyles, signInFormStyles } from './shared-styles';

/**
 * Sign in, or on a new hub create the owner account (only possible from the hub's own machine: the hub
 * refuses it from anywhere else, and the message says so). On a phone trusted for the quick PIN, the PIN
 * comes first, with the password form a tap away.
 */
@customElement('kt-sign-in')
export class KtSignIn extends LitElement {
  static override styles = [
    sharedStyles,
    signInFormStyles,
    css`
      p {
        margin: 0;
      }
      .or {
        margin: 0;
        text-align: center;
      }
      button.link {
        justify-self: start;
        min-height: 44px;
        padding: 0;
        border: 0;
        background: none;
        color: var(--kt-link);
        text-decoration: underline;
        font: inherit;
      }
    `,
  ];

  @property({ attribute: false }) session!: Session;
  /** `setup` creates the first (owner) account. */
  @property() mode: 'login' | 'setup' = 'login';
  /** Why the parent is asked to sign in (the session ended while they were using the app). */
  @property() note = '';
  /** Filled in when the same parent signs in again. */
  @property() username = '';
  /** The identity provider's button, when the hub offers one. */
  @property({ attribute: false }) oidc: { label: string } | null = null;
  /** Whether the username and password form is offered (local accounts or LDAP). */
  @property({ type: Boolean }) passwordForm = true;
  /** Why the last sign-in at the identity provider did not work (the hub says). */
  @property() problem = '';
  @state() private _error = '';
  @state() private _busy = false;
  /** The parent chose the password over the PIN, or the hub ended the phone's trust (and why). */
  @state() private _password: string | null = null;
  /** The hub asked for the second step: a code from the authenticator app, or a recovery code. */
  @state() private _askCode = false;
  @state() private _recovery = false;
  /** What the hub said when it asked for the code: a next step, not an error. */
  @state() private _asked = '';

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
    const password = setup || this.passwordForm;
    const provider = !setup && this.oidc;
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
        ${this.problem ? html`<p role="alert">${this.problem}</p>` : null}
        ${
          provider
            ? html`<button type="button" class=${password ? '' : 'primary'} @click=${this._provider}>
                  ${provider.label}
                </button>
                ${password ? html`<p class="or muted">or with your Kidtime password</p>` : null}`
            : null
        }
        ${password ? this._passwordFields(setup) : null}
      </form>
    `;
  }

  private _passwordFields(setup: boolean) {
    return html`
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
      ${this._askCode ? this._codeField() : null}
      ${this._asked && !this._error ? html`<p role="status">${this._asked}</p>` : null}
      ${this._error ? html`<p role="alert">${this._error}</p>` : null}
      <button class="primary" type="submit" ?disabled=${this._busy}>
        ${setup ? 'Create account' : 'Sign in'}
      </button>
    `;
  }

  /** Off to the identity provider; the hub brings the browser back to this screen. */
  private _provider(): void {
    noteOidcStarted();
    location.assign(oidcStartUrl(location.hash));
  }

  private _codeField() {
    const recovery = this._recovery;
    return html`<label>
        ${recovery ? 'Recovery code' : 'Code from your authenticator app'}
        <input
          name="code"
          required
          autocomplete="one-time-code"
          autocapitalize="none"
          spellcheck="false"
          inputmode=${recovery ? 'text' : 'numeric'}
          maxlength=${recovery ? 11 : 7}
          placeholder=${recovery ? 'abcde-fgh23' : '123456'}
        />
      </label>
      <p class="muted">
        ${
          recovery
            ? 'One of the recovery codes you saved when you turned on two-step sign-in; each works once.'
            : 'Open the authenticator app on your phone and enter the 6 digits it shows for Kidtime.'
        }
      </p>
      <button class="link" type="button" @click=${this._toggleRecovery}>
        ${recovery ? 'Use the code from the app' : 'Lost your phone? Use a recovery code'}
      </button>`;
  }

  private async _toggleRecovery(): Promise<void> {
    this._recovery = !this._recovery;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('input[name="code"]')?.focus();
  }

  private async _submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const code = String(form.get('code') ?? '').trim() || undefined;
    this._busy = true;
    this._error = '';
    try {
      if (this.mode === 'setup') await this.session.setup(username, password);
      else await this.session.login(username, password, code);
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
      if (error instanceof ApiError && error.secondFactor === 'totp' && !this._askCode) {
        this._asked = error.message;
        this._error = '';
        this._askCode = true;
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLInputElement>('input[name="code"]')?.focus();
      }
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
