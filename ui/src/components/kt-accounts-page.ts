import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import type { AccountView, Role } from '@kidtime/protocol';
import { changeRole, createAccount, disableTotpFor, listAccounts, removeAccount } from '../data/api';
import { ChangeController } from '../data/change';
import { hubContext, type HubContext } from '../data/context';
import { sharedStyles } from './shared-styles';
import './kt-home-assistant-card';
import './kt-password-form';
import './kt-quick-pin-card';
import './kt-sign-ins-card';
import './kt-totp-card';

const ROLES: ReadonlyArray<{ role: Role; label: string; description: string }> = [
  { role: 'owner', label: 'Owner', description: 'Everything, including who has an account.' },
  { role: 'parent', label: 'Parent', description: 'Changes time, schedules, PCs and children.' },
  { role: 'viewer', label: 'Viewer', description: 'Sees everything, changes nothing.' },
];

const roleLabel = (role: Role): string => ROLES.find((r) => r.role === role)?.label ?? role;

/** Who is signed in and their password; for the owner, the household's accounts too. */
@customElement('kt-accounts-page')
export class KtAccountsPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 1rem;
        align-content: start;
      }
      .page-title {
        margin: 0;
      }
      section {
        display: grid;
        gap: 0.75rem;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      p {
        margin: 0;
      }
      /* minmax(0, …): a long word or a wide control wraps or shrinks instead of widening the phone's page. */
      .stack {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 1rem;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 1rem;
        align-items: start;
      }
      @media (min-width: 60rem) {
        .layout {
          grid-template-columns: minmax(0, 2fr) minmax(0, 1fr);
        }
      }
      table {
        width: 100%;
        border-collapse: collapse;
      }
      th,
      td {
        padding: 0.35rem 0.5rem 0.35rem 0;
        text-align: left;
        vertical-align: middle;
      }
      thead th {
        font-size: 0.8rem;
        font-weight: normal;
        color: var(--kt-muted);
      }
      tbody th {
        overflow-wrap: anywhere;
      }
      tbody tr {
        border-top: 1px solid var(--kt-border);
      }
      td.end {
        padding-right: 0;
        text-align: right;
      }
      dl {
        margin: 0;
        display: grid;
        gap: 0.3rem;
      }
      dt {
        font-weight: 600;
        display: inline;
      }
      dd {
        display: inline;
        margin: 0;
      }
      form.add {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 12rem), 1fr));
        align-items: end;
      }
      .status:empty {
        margin-top: -0.75rem;
      }
      .two-step {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0 0.5rem;
        font-weight: normal;
        font-size: 0.9rem;
      }
      button.link {
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

  @consume({ context: hubContext }) private _hub!: HubContext;
  private readonly _changes = new ChangeController(this, () => this._load());
  @state() private _accounts: AccountView[] | null = null;
  @state() private _removing = '';

  private get _owner(): boolean {
    return this._hub.account.role === 'owner';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this._owner) void this._load();
  }

  override render() {
    const me = this._hub.account;
    return html`
      <h1 class="page-title">Account</h1>
      <div class="layout">
        <div class="stack">
          <section class="card" aria-labelledby="me">
            <h2 id="me">You</h2>
            <p>Signed in as <strong>${me.username}</strong>, with the ${me.role} role.</p>
            <p class="muted">${ROLES.find((r) => r.role === me.role)?.description}</p>
            ${
              me.role === 'viewer'
                ? html`<p class="muted">
                    You can look but not change anything (viewer account). You can change your own password.
                  </p>`
                : nothing
            }
            ${this._owner ? nothing : html`<p class="muted">The owner manages the accounts of this household.</p>`}
          </section>
          ${this._owner ? this._accountsSection() : nothing}
          <kt-home-assistant-card></kt-home-assistant-card>
        </div>
        <div class="stack">
          <kt-password-form></kt-password-form>
          <kt-totp-card></kt-totp-card>
          <kt-quick-pin-card></kt-quick-pin-card>
          <kt-sign-ins-card></kt-sign-ins-card>
        </div>
      </div>
    `;
  }

  private _accountsSection() {
    const accounts = this._accounts;
    return html`<section class="card" aria-labelledby="people">
      <h2 id="people">People</h2>
      <dl>
        ${ROLES.map(
          (r) =>
            html`<div>
              <dt>${r.label}:</dt>
              <dd>${r.description}</dd>
            </div>`,
        )}
      </dl>
      ${
        accounts === null
          ? this._changes.error
            ? nothing
            : html`<p class="muted" role="status">Loading…</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col"><span class="visually-hidden">Remove</span></th>
                </tr>
              </thead>
              <tbody>
                ${accounts.map((account) => this._account(account))}
              </tbody>
            </table>`
      }
      <p class="status" role="status">${this._changes.message}</p>
      ${this._changes.error ? html`<p role="alert">${this._changes.error}</p>` : nothing}
      <h2 id="add">Add a person</h2>
      <form class="add" aria-labelledby="add" @submit=${this._create}>
        <label class="field">
          Username
          <input name="username" required maxlength="64" autocomplete="off" autocapitalize="none" />
        </label>
        <label class="field">
          Password
          <input name="password" type="password" required minlength="8" autocomplete="new-password" />
        </label>
        <label class="field">
          Role
          <select name="role">
            ${ROLES.map((r) => html`<option value=${r.role} ?selected=${r.role === 'parent'}>${r.label}</option>`)}
          </select>
        </label>
        <button class="primary" type="submit" ?disabled=${this._changes.busy}>Add person</button>
      </form>
    </section>`;
  }

  private _account(account: AccountView) {
    const self = account.id === this._hub.account.id;
    return html`<tr>
        <th scope="row">
          ${account.username}${self ? html` <span class="muted">(you)</span>` : nothing}
          ${
            account.totp
              ? html`<div class="two-step">
                  <span class="muted">Two-step sign-in on</span>
                  ${
                    self
                      ? nothing
                      : html`<button
                          class="link"
                          aria-label="Turn off two-step sign-in for ${account.username}"
                          ?disabled=${this._changes.busy}
                          @click=${() => this._disableTotp(account)}
                        >
                          Turn off (lost phone)
                        </button>`
                  }
                </div>`
              : nothing
          }
        </th>
        <td>
          <select
            aria-label="Role of ${account.username}"
            ?disabled=${this._changes.busy}
            @change=${(event: Event) =>
              this._changeRole(account, (event.target as HTMLSelectElement).value as Role)}
          >
            ${ROLES.map(
              (r) =>
                html`<option value=${r.role} .selected=${live(r.role === account.role)}>${r.label}</option>`,
            )}
          </select>
        </td>
        <td class="end">
          <button
            class="danger"
            aria-label="Remove ${account.username}"
            aria-expanded=${this._removing === account.id}
            ?disabled=${this._changes.busy}
            @click=${() => (this._removing = this._removing === account.id ? '' : account.id)}
          >
            Remove
          </button>
        </td>
      </tr>
      ${
        this._removing === account.id
          ? html`<tr>
              <td colspan="3">
                <div class="confirm" role="group" aria-label="Remove ${account.username}?">
                  <p>
                    <strong>Remove ${account.username}?</strong> They are signed out everywhere and can no
                    longer sign in.
                  </p>
                  <div class="row">
                    <button @click=${() => (this._removing = '')}>Cancel</button>
                    <button
                      class="destructive"
                      ?disabled=${this._changes.busy}
                      @click=${() => this._remove(account)}
                    >
                      Remove
                    </button>
                  </div>
                </div>
              </td>
            </tr>`
          : nothing
      }`;
  }

  private async _load(): Promise<void> {
    try {
      this._accounts = await listAccounts(this._hub.session);
    } catch (error) {
      this._changes.fail(error);
    }
  }

  private _changeRole(account: AccountView, role: Role): void {
    void this._changes.run(async () => {
      await changeRole(this._hub.session, account.id, role);
      // An owner who stepped down sees the app as their new role: start it again.
      if (account.id === this._hub.account.id && role !== 'owner') location.reload();
      return `${account.username} is now ${roleLabel(role).toLowerCase()}.`;
    });
  }

  /** A parent lost their phone (and recovery codes): they sign in with the password alone, then set it up again. */
  private _disableTotp(account: AccountView): void {
    void this._changes.run(async () => {
      await disableTotpFor(this._hub.session, account.id);
      return `Two-step sign-in is off for ${account.username}; they are signed out and can sign in with their password.`;
    });
  }

  private _remove(account: AccountView): void {
    void this._changes.run(async () => {
      await removeAccount(this._hub.session, account.id);
      this._removing = '';
      return `${account.username} removed.`;
    });
  }

  private _create(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const role = String(data.get('role') ?? 'parent') as Role;
    void this._changes.run(async () => {
      const account = await createAccount(this._hub.session, { username, password, role });
      form.reset();
      return `${account.username} can sign in now, as ${roleLabel(account.role).toLowerCase()}.`;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-accounts-page': KtAccountsPage;
  }
}
