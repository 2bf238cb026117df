import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { ApiTokenCreated, ApiTokenScope, ApiTokenView, SessionView } from '@kidtime/protocol';
import {
  ApiError,
  createApiToken,
  listApiTokens,
  listSessions,
  revokeApiToken,
  signOutOthers,
  signOutSession,
} from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { ago } from '../data/format';
import { copyText } from './copy';
import { actionListStyles, sharedStyles } from './shared-styles';

const SCOPES: Array<{ scope: ApiTokenScope; label: string; allowed: ReadonlyArray<string> }> = [
  { scope: 'read', label: 'Read: look only (dashboards)', allowed: ['owner', 'parent', 'viewer'] },
  { scope: 'control', label: 'Control: also change time and schedules', allowed: ['owner', 'parent'] },
  { scope: 'admin', label: 'Admin: also what only owners do', allowed: ['owner'] },
];

const METHOD_NAMES: Record<string, string> = {
  local: 'password',
  ldap: 'directory',
  oidc: 'identity provider',
  proxy: 'reverse proxy',
  pin: 'quick PIN',
};

/**
 * Where you are signed in (sign a lost phone out), and API tokens for Home Assistant and scripts. Every role
 * has both; a token never does more than its account may.
 */
@customElement('kt-sign-ins-card')
export class KtSignInsCard extends LitElement {
  static override styles = [
    sharedStyles,
    actionListStyles,
    css`
      :host {
        display: block;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      h2:not(:first-child) {
        margin-top: 1rem;
      }
      h3 {
        margin: 0.5rem 0 0;
        font-size: 1rem;
      }
      form {
        display: grid;
        gap: 0.75rem;
      }
      .new {
        display: grid;
        gap: 0.5rem;
        padding: 0.75rem;
        border: 2px solid var(--kt-accent);
        border-radius: 0.75rem;
      }
      code {
        font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
        overflow-wrap: anywhere;
        user-select: all;
        -webkit-user-select: all;
      }
      form,
      .field {
        grid-template-columns: minmax(0, 1fr);
      }
      select {
        width: 100%;
        min-width: 0;
      }
      .status:empty {
        display: none;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _sessions: SessionView[] | null = null;
  @state() private _tokens: ApiTokenView[] | null = null;
  @state() private _created: ApiTokenCreated | null = null;
  @state() private _message = '';
  @state() private _error = '';
  @state() private _busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this._load();
  }

  override render() {
    return html`<section class="card" aria-labelledby="sign-ins-title">
      <h2 id="sign-ins-title">Where you are signed in</h2>
      ${this._sessions === null ? html`<p class="muted">Loading…</p>` : this._sessionList(this._sessions)}
      <h2 id="tokens-title">API tokens</h2>
      <p class="muted">
        For Home Assistant's REST commands, scripts and automations. A token acts as you, within its scope; it
        cannot make tokens, change passwords or manage accounts.
      </p>
      ${this._created ? this._newToken(this._created) : nothing}
      ${this._tokens === null ? nothing : this._tokenList(this._tokens)} ${this._tokenForm()}
      <p class="status" role="status">${this._message}</p>
      ${this._error ? html`<p role="alert">${this._error}</p>` : nothing}
    </section>`;
  }

  private _sessionList(sessions: SessionView[]) {
    const now = Date.now();
    const others = sessions.filter((s) => !s.current).length;
    return html`<ul aria-label="Signed-in devices">
        ${sessions.map(
          (s) =>
            html`<li>
              <p>
                <strong>${s.client ?? 'Unknown browser'}</strong>${s.current ? ' (this device)' : ''}<br />
                <span class="muted"
                  >${METHOD_NAMES[s.method] ?? s.method}, from ${s.address ?? 'unknown address'}, active
                  ${ago(s.lastUsedAt, now)}</span
                >
              </p>
              ${
                s.current
                  ? nothing
                  : html`<button
                      class="danger"
                      ?disabled=${this._busy}
                      aria-label="Sign out ${s.client ?? 'this device'}"
                      @click=${() => this._run(() => signOutSession(this._hub.session, s.id), 'Signed out.')}
                    >
                      Sign out
                    </button>`
              }
            </li>`,
        )}
      </ul>
      ${
        others > 0
          ? html`<div class="row">
              <button
                class="danger"
                ?disabled=${this._busy}
                @click=${() =>
                  this._run(
                    async () => `${await signOutOthers(this._hub.session)} device(s) signed out.`,
                    '',
                  )}
              >
                Sign out all other devices
              </button>
            </div>`
          : nothing
      }`;
  }

  private _tokenList(tokens: ApiTokenView[]) {
    if (tokens.length === 0) return html`<p class="muted">No API tokens yet.</p>`;
    const now = Date.now();
    const mine = this._hub.account.username;
    return html`<ul aria-label="API tokens">
      ${tokens.map(
        (t) =>
          html`<li>
            <p>
              <strong>${t.name}</strong>
              <span class="muted">(${t.scope}${t.username === mine ? '' : `, ${t.username}`})</span><br />
              <span class="muted"
                ><code>${t.prefix}</code> ·
                ${t.lastUsedAt ? `used ${ago(t.lastUsedAt, now)} from ${t.lastUsedFrom ?? '?'}` : 'never used'}
                ${t.expiresAt ? html` · expires ${new Date(t.expiresAt).toLocaleDateString()}` : nothing}</span
              >
            </p>
            <button
              class="danger"
              ?disabled=${this._busy}
              aria-label="Revoke ${t.name}"
              @click=${() => this._run(() => revokeApiToken(this._hub.session, t.id), `"${t.name}" revoked.`)}
            >
              Revoke
            </button>
          </li>`,
      )}
    </ul>`;
  }

  private _tokenForm() {
    const role = this._hub.account.role;
    return html`<form aria-labelledby="new-token-title" @submit=${this._create}>
      <h3 id="new-token-title">New token</h3>
      <label class="field">
        Name
        <input name="name" required maxlength="100" placeholder="Home Assistant" autocomplete="off" />
      </label>
      <label class="field">
        Scope
        <select name="scope">
          ${SCOPES.filter((s) => s.allowed.includes(role)).map(
            (s) => html`<option value=${s.scope}>${s.label}</option>`,
          )}
        </select>
      </label>
      <label class="field">
        Expires after (days, empty: never)
        <input name="days" type="number" min="1" max="3650" inputmode="numeric" />
      </label>
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this._busy}>Create token</button>
      </div>
    </form>`;
  }

  private _newToken(created: ApiTokenCreated) {
    return html`<div class="new" role="group" aria-label="New token">
      <p><strong>Copy the token "${created.name}" now:</strong> it is shown only this once.</p>
      <code id="new-token" data-testid="new-token">${created.token}</code>
      <div class="row">
        <button
          @click=${async () => {
            const how = await copyText(created.token, this.renderRoot.querySelector('#new-token'));
            this._message = how === 'copied' ? 'Token copied.' : 'Token selected: copy it by hand.';
          }}
        >
          Copy
        </button>
        <button
          @click=${() => {
            this._created = null;
            void this._load();
          }}
        >
          Done
        </button>
      </div>
    </div>`;
  }

  private async _create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const days = String(data.get('days') ?? '').trim();
    await this._run(async () => {
      this._created = await createApiToken(this._hub.session, {
        name: String(data.get('name') ?? ''),
        scope: String(data.get('scope')) as ApiTokenScope,
        expiresInDays: days ? Number(days) : null,
      });
      form.reset();
    }, '');
  }

  /** Runs a change, then reloads both lists; says what happened or what went wrong. */
  private async _run(change: () => Promise<unknown>, done: string): Promise<void> {
    this._busy = true;
    this._error = '';
    this._message = '';
    try {
      const said = await change();
      this._message = typeof said === 'string' ? said : done;
      await this._load();
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }

  private async _load(): Promise<void> {
    try {
      [this._sessions, this._tokens] = await Promise.all([
        listSessions(this._hub.session),
        listApiTokens(this._hub.session),
      ]);
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-sign-ins-card': KtSignInsCard;
  }
}
