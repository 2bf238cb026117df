import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import type { ChildView, DeviceView, Member } from '@kidtime/protocol';
import { createChild, renameDevice, revokeDevice, updateChild } from '../data/api';
import { ChangeController } from '../data/change';
import { hubContext, type HubContext } from '../data/context';
import { ago } from '../data/format';
import { MODE_LABELS } from '../data/ssh';
import type { LoginView } from '../data/store';
import { sharedStyles } from './shared-styles';
import './kt-device-ssh';
import './kt-host-key-warning';

const TRANSPORTS: Record<string, string> = { ws: 'WebSocket', mqtt: 'MQTT', ssh: 'SSH' };
/** The select's value for "New child…"; child ids are UUIDs, so it cannot clash. */
const NEW_CHILD = 'new';

/** A PC was revoked: its row goes away, so the page says so. */
export class DeviceRevokedEvent extends Event {
  constructor(readonly deviceName: string) {
    super('kt-device-revoked', { bubbles: true, composed: true });
  }
}

/** The API's member shape: a child's member view carries more, which the hub's strict schema refuses. */
const memberOf = (m: { deviceId: string; login: string }): Member => ({
  deviceId: m.deviceId,
  login: m.login,
});

/**
 * One PC: its connection and versions, how it is reached (its SSH side in kt-device-ssh, and a warning when it
 * shows a new host key), rename, revoke (after an explicit confirmation), and which child each of its logins
 * belongs to. Changes go straight to the hub, then the whole household is read again.
 */
@customElement('kt-device-row')
export class KtDeviceRow extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        /* Fingerprints, addresses and the hub's messages hold long words: they break rather than widen the page. */
        overflow-wrap: anywhere;
      }
      article {
        display: grid;
        /* One column no wider than the card: long fingerprints and messages wrap instead of widening it. */
        grid-template-columns: minmax(0, 1fr);
        gap: 0.75rem;
        height: 100%;
        box-sizing: border-box;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
        flex: 1;
        overflow-wrap: anywhere;
      }
      h3 {
        margin: 0;
        font-size: 1rem;
      }
      p {
        margin: 0;
      }
      /* Kept in the page for screen readers, without taking a grid gap while empty. */
      .status:empty {
        margin-top: -0.75rem;
      }
      .badge {
        font-size: 0.9rem;
        font-weight: 600;
        white-space: nowrap;
      }
      .online {
        color: var(--kt-ok);
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr));
        gap: 0.4rem 1rem;
        margin: 0;
      }
      dt {
        font-size: 0.8rem;
        color: var(--kt-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      table {
        width: 100%;
        border-collapse: collapse;
      }
      th,
      td {
        padding: 0.25rem 0;
        text-align: left;
        vertical-align: middle;
      }
      thead th {
        font-size: 0.8rem;
        font-weight: normal;
        color: var(--kt-muted);
      }
      tbody th {
        padding-right: 0.5rem;
        overflow-wrap: anywhere;
      }
      td.child {
        width: 60%;
      }
      select {
        width: 100%;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: 0.5rem;
      }
      form .field {
        flex: 1 1 12rem;
      }
      .actions {
        justify-content: flex-end;
      }
    `,
  ];

  @property({ attribute: false }) device!: DeviceView;
  /** This PC's logins. */
  @property({ attribute: false }) logins: LoginView[] = [];
  /** The household's children (`children` is the DOM's own property). */
  @property({ attribute: false }) kids: ChildView[] = [];
  @property({ type: Boolean }) readOnly = false;
  @consume({ context: hubContext }) private _hub!: HubContext;
  private readonly _changes = new ChangeController(this, () => this._hub.store.load());
  @state() private _renaming = false;
  @state() private _confirmRevoke = false;
  /** The login key whose "New child…" name is being asked. */
  @state() private _newChildFor = '';
  @state() private _now = Date.now();
  private _clock: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    // "2 min ago" has to move on by itself.
    this._clock = setInterval(() => (this._now = Date.now()), 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this._clock);
  }

  override render() {
    const device = this.device;
    return html`<article class="card" aria-labelledby="name">
      <header>
        <h2 id="name">${device.name}</h2>
        <span class="badge ${device.online ? 'online' : 'muted'}">
          <span aria-hidden="true">${device.online ? '●' : '○'}</span> ${device.online ? 'Online' : 'Offline'}
        </span>
        ${
          this._renaming
            ? nothing
            : html`<button
                aria-label="Rename ${device.name}"
                ?disabled=${this.readOnly || this._changes.busy}
                @click=${this._startRename}
              >
                Rename
              </button>`
        }
      </header>
      ${this._renaming ? this._renameForm() : nothing}
      <kt-host-key-warning .device=${device} ?readOnly=${this.readOnly}></kt-host-key-warning>
      <dl>
        <div>
          <dt>Reached</dt>
          <dd>${MODE_LABELS[device.mode]}</dd>
        </div>
        <div>
          <dt>Connection</dt>
          <dd>${device.transport ? (TRANSPORTS[device.transport] ?? device.transport) : '—'}</dd>
        </div>
        <div>
          <dt>Last seen</dt>
          <dd>${this._lastSeen()}</dd>
        </div>
        <div>
          <dt>Agent</dt>
          <dd>${device.agentVersion ?? '—'}</dd>
        </div>
        <div>
          <dt>Timekpr-nExT</dt>
          <dd>${device.timekprVersion ?? '—'}</dd>
        </div>
        <div>
          <dt>Time zone</dt>
          <dd>${device.timezone ?? '—'}</dd>
        </div>
        ${
          device.hostname !== device.name
            ? html`<div>
                <dt>Hostname</dt>
                <dd>${device.hostname}</dd>
              </div>`
            : nothing
        }
      </dl>
      <kt-device-ssh .device=${device} .now=${this._now} ?readOnly=${this.readOnly}></kt-device-ssh>
      <h3>Children's logins</h3>
      ${
        this.logins.length === 0
          ? html`<p class="muted">
              ${device.online ? 'Timekpr-nExT manages no login on this PC yet.' : 'No logins reported yet.'}
            </p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">Login</th>
                  <th scope="col">Child</th>
                </tr>
              </thead>
              <tbody>
                ${this.logins.map((login) => this._login(login))}
              </tbody>
            </table>`
      }
      <p class="status" role="status">${this._changes.message}</p>
      ${this._changes.error ? html`<p role="alert">${this._changes.error}</p>` : nothing}
      ${
        this._confirmRevoke
          ? this._revokeConfirmation()
          : html`<div class="row actions">
              <button
                class="danger"
                aria-label="Revoke PC ${device.name}"
                ?disabled=${this.readOnly || this._changes.busy}
                @click=${this._askRevoke}
              >
                Revoke PC
              </button>
            </div>`
      }
    </article>`;
  }

  private _lastSeen() {
    const { lastSeen, online } = this.device;
    if (online) return 'now (connected)';
    if (!lastSeen) return 'never';
    const exact = new Date(lastSeen).toLocaleString();
    return html`<time datetime=${lastSeen} title=${exact}>${ago(lastSeen, this._now)}</time>`;
  }

  private _renameForm() {
    return html`<form @submit=${this._rename}>
      <label class="field">
        PC name
        <input name="name" required maxlength="100" autocomplete="off" .value=${this.device.name} />
      </label>
      <button class="primary" type="submit" ?disabled=${this._changes.busy}>Save</button>
      <button type="button" @click=${() => (this._renaming = false)}>Cancel</button>
    </form>`;
  }

  private _login(login: LoginView) {
    const current = this._newChildFor === login.key ? NEW_CHILD : (this._ownerOf(login)?.id ?? '');
    const children = [...this.kids].sort((a, b) => a.name.localeCompare(b.name));
    return html`<tr>
        <th scope="row">${login.login}</th>
        <td class="child">
          <select
            aria-label="Child for ${login.login}"
            ?disabled=${this.readOnly || this._changes.busy}
            @change=${(event: Event) => this._onSelect(login, (event.target as HTMLSelectElement).value)}
          >
            <option value="" .selected=${live(current === '')}>No child</option>
            ${children.map(
              (child) =>
                html`<option value=${child.id} .selected=${live(current === child.id)}>
                  ${child.name}
                </option>`,
            )}
            <option value=${NEW_CHILD} .selected=${live(current === NEW_CHILD)}>New child…</option>
          </select>
        </td>
      </tr>
      ${
        this._newChildFor === login.key
          ? html`<tr>
              <td colspan="2">${this._newChildForm(login)}</td>
            </tr>`
          : nothing
      }`;
  }

  private _newChildForm(login: LoginView) {
    return html`<form @submit=${(event: SubmitEvent) => this._createChild(event, login)}>
      <label class="field">
        Name of the new child
        <input name="name" required maxlength="100" autocomplete="off" />
      </label>
      <button class="primary" type="submit" ?disabled=${this._changes.busy}>Create child</button>
      <button type="button" @click=${() => (this._newChildFor = '')}>Cancel</button>
    </form>`;
  }

  private _revokeConfirmation() {
    const name = this.device.name;
    return html`<div class="confirm" role="group" aria-labelledby="revoke-question">
      <p id="revoke-question">
        <strong>Revoke ${name}?</strong>
        ${
          this.device.agentVersion === null && this.device.mode === 'ssh'
            ? 'Kidtime forgets its SSH login and host key; add it again before you can manage this PC from here.'
            : 'Its agent will be disconnected and must be enrolled again before you can manage this PC from here.'
        }
      </p>
      <div class="row actions">
        <button id="keep" @click=${() => (this._confirmRevoke = false)}>Cancel</button>
        <button class="destructive" ?disabled=${this._changes.busy} @click=${this._revoke}>Revoke</button>
      </div>
    </div>`;
  }

  private _onSelect(login: LoginView, value: string): void {
    if (value === NEW_CHILD) {
      this._newChildFor = login.key;
      return;
    }
    this._newChildFor = '';
    void this._changes.run(async () => {
      const target = this.kids.find((child) => child.id === value);
      await this._detach(login);
      if (target) {
        await updateChild(this._hub.session, target.id, {
          members: [...target.members.map(memberOf), memberOf(login)],
        });
      }
      return target
        ? `${login.login} now belongs to ${target.name}.`
        : `${login.login} belongs to no child now.`;
    });
  }

  private _createChild(event: SubmitEvent, login: LoginView): void {
    event.preventDefault();
    const name = String(new FormData(event.target as HTMLFormElement).get('name') ?? '').trim();
    if (!name) return;
    void this._changes.run(async () => {
      const owner = this._ownerOf(login);
      if (!owner) {
        await createChild(this._hub.session, name, [memberOf(login)]);
      } else {
        // Created empty first, so a refused name (e.g. taken) leaves the login where it was.
        const child = await createChild(this._hub.session, name);
        await this._detach(login);
        await updateChild(this._hub.session, child.id, { members: [memberOf(login)] });
      }
      this._newChildFor = '';
      return `${login.login} now belongs to ${name}.`;
    });
  }

  /** A login belongs to at most one child, and the hub refuses to give it to a second: take it away first. */
  private async _detach(login: LoginView): Promise<void> {
    const owner = this._ownerOf(login);
    if (!owner) return;
    await updateChild(this._hub.session, owner.id, {
      members: owner.members
        .filter((m) => !(m.deviceId === login.deviceId && m.login === login.login))
        .map(memberOf),
    });
  }

  private _ownerOf(login: LoginView): ChildView | undefined {
    return this.kids.find((child) =>
      child.members.some((m) => m.deviceId === login.deviceId && m.login === login.login),
    );
  }

  private async _startRename(): Promise<void> {
    this._renaming = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('input[name="name"]')?.select();
  }

  private _rename(event: SubmitEvent): void {
    event.preventDefault();
    const name = String(new FormData(event.target as HTMLFormElement).get('name') ?? '').trim();
    if (!name) return;
    void this._changes.run(async () => {
      await renameDevice(this._hub.session, this.device.id, name);
      this._renaming = false;
      return `Renamed to ${name}.`;
    });
  }

  private async _askRevoke(): Promise<void> {
    this._confirmRevoke = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('#keep')?.focus();
  }

  private _revoke(): void {
    void this._changes.run(async () => {
      await revokeDevice(this._hub.session, this.device.id);
      this._confirmRevoke = false;
      // Told before the household is read again: once this card is gone, its events reach no one.
      this.dispatchEvent(new DeviceRevokedEvent(this.device.name));
      return '';
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-device-row': KtDeviceRow;
  }
}
