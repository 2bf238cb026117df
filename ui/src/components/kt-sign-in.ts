import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, type Session } from '../data/api';
import { oidcStartUrl } from '../data/oidc';
import { sharedStyles } from './shared-styles';

/**
 * Sign in, or on a new hub create the owner account (only possible from the hub's own machine: the hub
 * refuses it from anywhere else, and the message says so).
 */
@customElement('kt-sign-in')
export class KtSignIn extends LitElement {
  static override styles = [
    sharedStyles,
    css`
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
      .or {
        margin: 0;
        text-align: center;
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

  override render() {
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
          .value=${this.username}
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
    `;
  }

  /** Off to the identity provider; the hub brings the browser back to this screen. */
  private _provider(): void {
    location.assign(oidcStartUrl(location.hash));
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
