import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { ApiError } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { sharedStyles } from './shared-styles';

const SOURCES: Record<string, string> = {
  ldap: 'your household directory (LDAP)',
  oidc: 'your identity provider',
  proxy: 'your reverse proxy',
};

/** Changing your own password: allowed for every role, viewers included. */
@customElement('kt-password-form')
export class KtPasswordForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 0.75rem;
        max-width: 28rem;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      p {
        margin: 0;
      }
      .done {
        color: var(--kt-ok);
        font-weight: 600;
      }
      .status:empty {
        margin-top: -0.75rem;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _busy = false;
  @state() private _done = '';
  @state() private _error = '';

  override render() {
    if (this._hub.account.source !== 'local') {
      return html`<section class="card" aria-labelledby="title">
        <h2 id="title">Your password</h2>
        <p>
          You sign in through ${SOURCES[this._hub.account.source]}: change your password there. Kidtime keeps
          no password for you.
        </p>
      </section>`;
    }
    return html`<form class="card" aria-labelledby="title" @submit=${this._submit}>
      <h2 id="title">Change your password</h2>
      <label class="field">
        Current password
        <input name="current" type="password" required autocomplete="current-password" />
      </label>
      <label class="field">
        New password
        <input name="new" type="password" required minlength="8" autocomplete="new-password" />
      </label>
      <label class="field">
        Repeat the new password
        <input name="repeat" type="password" required minlength="8" autocomplete="new-password" />
      </label>
      <p class="muted">At least 8 characters, and not containing your username.</p>
      <p class="status done" role="status">${this._done}</p>
      ${this._error ? html`<p role="alert">${this._error}</p>` : nothing}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this._busy}>Change password</button>
      </div>
    </form>`;
  }

  private async _submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const current = String(data.get('current') ?? '');
    const next = String(data.get('new') ?? '');
    this._done = '';
    this._error = '';
    if (next !== String(data.get('repeat') ?? '')) {
      this._error = 'The two new passwords are not the same.';
      return;
    }
    this._busy = true;
    try {
      await this._hub.session.changePassword(current, next);
      form.reset();
      this._done = 'Password changed; your other devices are signed out.';
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-password-form': KtPasswordForm;
  }
}
