import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { HaLoginCreated, HomeAssistantStatus } from '@kidtime/protocol';
import { createHaLogin, homeAssistantStatus, removeHaLogin } from '../data/api';
import { ChangeController } from '../data/change';
import { hubContext, type HubContext } from '../data/context';
import { brokerParts } from '../data/home-assistant';
import { copyText } from './copy';
import { sharedStyles } from './shared-styles';

const when = (iso: string) =>
  html`<time datetime=${iso}
    >${new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</time
  >`;

/**
 * Home Assistant on the Account page: whether MQTT and discovery are on and whether Home Assistant has its
 * login at the hub's broker. The owner creates, replaces or removes that login; its password is shown once,
 * with what to type where in Home Assistant.
 */
@customElement('kt-home-assistant-card')
export class KtHomeAssistantCard extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      section {
        display: grid;
        gap: 0.75rem;
      }
      h2,
      h3 {
        margin: 0;
        font-size: 1.15rem;
      }
      h3 {
        font-size: 1rem;
      }
      p {
        margin: 0;
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
        overflow-wrap: anywhere;
      }
      ol {
        margin: 0;
        padding-left: 1.3rem;
        display: grid;
        gap: 0.3rem;
      }
      .new {
        display: grid;
        gap: 0.75rem;
        padding: 0.75rem;
        border: 2px solid var(--kt-accent);
        border-radius: 0.75rem;
      }
      .secrets {
        display: grid;
        gap: 0.5rem;
      }
      .secret {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        align-items: center;
        gap: 0.5rem;
      }
      .secret .label {
        grid-column: 1 / -1;
        font-weight: 600;
        font-size: 0.9rem;
      }
      code {
        font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
        overflow-wrap: anywhere;
      }
      .secret code {
        padding: 0.5rem 0.6rem;
        border-radius: 0.5rem;
        border: 1px solid var(--kt-border);
        background: var(--kt-bg);
        user-select: all;
        -webkit-user-select: all;
      }
      .status:empty {
        display: none;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  private readonly _changes = new ChangeController(this, () => this._load());
  @state() private _status: HomeAssistantStatus | null = null;
  /** The login just made, with its password: shown until the owner closes it, never again. */
  @state() private _created: HaLoginCreated | null = null;
  @state() private _confirming: 'replace' | 'remove' | null = null;
  @state() private _copied = '';

  private get _owner(): boolean {
    return this._hub.account.role === 'owner';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this._load();
  }

  override render() {
    const status = this._status;
    return html`<section class="card" aria-labelledby="ha-title">
      <h2 id="ha-title">Home Assistant</h2>
      ${
        status === null
          ? this._changes.error
            ? nothing
            : html`<p class="muted" role="status">Loading…</p>`
          : this._body(status)
      }
      <p class="status" role="status">${this._changes.message}</p>
      ${this._changes.error ? html`<p role="alert">${this._changes.error}</p>` : nothing}
    </section>`;
  }

  private _body(status: HomeAssistantStatus) {
    return html`
      <dl>
        <div>
          <dt>MQTT:</dt>
          <dd>${this._mqttText(status)}</dd>
        </div>
        <div>
          <dt>Discovery:</dt>
          <dd>
            ${
              status.discovery
                ? `on: children and PCs appear in Home Assistant by themselves (prefix ${status.discoveryPrefix}).`
                : 'off.'
            }
          </dd>
        </div>
        <div>
          <dt>Home Assistant's login:</dt>
          <dd>${this._loginText(status)}</dd>
        </div>
      </dl>
      ${status.loginUnavailable ? html`<p>${status.loginUnavailable}</p>` : nothing}
      ${this._created ? this._newLogin(this._created) : nothing}
      ${this._owner ? this._ownerControls(status) : this._notOwner(status)}
    `;
  }

  private _mqttText(status: HomeAssistantStatus): string {
    switch (status.mqtt) {
      case 'embedded':
        return `the hub's own broker${status.broker ? `, at ${status.broker.url}` : ''}.`;
      case 'external':
        return `an external broker (MQTT_URL)${status.broker ? `, at ${status.broker.url}` : ''}.`;
      case 'off':
        return 'off.';
    }
  }

  private _loginText(status: HomeAssistantStatus) {
    const login = status.login;
    if (!login) return status.mqtt === 'embedded' ? 'none yet.' : 'none.';
    return html`<code>${login.username}</code>, made ${when(login.createdAt)};
      ${login.lastLoginAt ? html`last connected ${when(login.lastLoginAt)}.` : 'not connected yet.'}`;
  }

  private _notOwner(status: HomeAssistantStatus) {
    if (status.mqtt !== 'embedded') return nothing;
    return html`<p class="muted">The owner makes Home Assistant's login.</p>`;
  }

  private _ownerControls(status: HomeAssistantStatus) {
    const busy = this._changes.busy;
    const embedded = status.mqtt === 'embedded';
    if (!status.login) {
      if (!embedded) return nothing;
      return html`${this._oneBroker()}
        <div class="row">
          <button class="primary" ?disabled=${busy} @click=${this._create}>
            Create Home Assistant's login
          </button>
        </div>`;
    }
    return html`${embedded && !this._created ? this._oneBroker() : nothing}
      <div class="row">
        ${
          embedded
            ? html`<button
                class="danger"
                aria-expanded=${this._confirming === 'replace'}
                ?disabled=${busy}
                @click=${() => this._toggle('replace')}
              >
                Replace password
              </button>`
            : nothing
        }
        <button
          class="danger"
          aria-label="Remove Home Assistant's login"
          aria-expanded=${this._confirming === 'remove'}
          ?disabled=${busy}
          @click=${() => this._toggle('remove')}
        >
          Remove
        </button>
      </div>
      ${this._confirming === 'replace' ? this._confirmReplace() : nothing}
      ${this._confirming === 'remove' ? this._confirmRemove() : nothing}`;
  }

  private _oneBroker() {
    return html`<p class="muted">
      Home Assistant's MQTT integration connects to one broker. If your Home Assistant already uses one (such
      as the Mosquitto add-on), keep it and point the hub at that broker with <code>MQTT_URL</code> instead:
      see "An external broker" in the README.
    </p>`;
  }

  private _confirmReplace() {
    return html`<div class="confirm" role="group" aria-label="Replace Home Assistant's password?">
      <p>
        <strong>Replace Home Assistant's password?</strong> Home Assistant is disconnected at once, and stays
        disconnected until you enter the new password in its MQTT integration.
      </p>
      <div class="row">
        <button @click=${() => this._toggle(null)}>Cancel</button>
        <button class="destructive" ?disabled=${this._changes.busy} @click=${this._create}>Replace</button>
      </div>
    </div>`;
  }

  private _confirmRemove() {
    return html`<div class="confirm" role="group" aria-label="Remove Home Assistant's login?">
      <p>
        <strong>Remove Home Assistant's login?</strong> Home Assistant is disconnected at once, and the
        children and PCs become unavailable there.
      </p>
      <div class="row">
        <button @click=${() => this._toggle(null)}>Cancel</button>
        <button class="destructive" ?disabled=${this._changes.busy} @click=${this._remove}>Remove</button>
      </div>
    </div>`;
  }

  private _newLogin(created: HaLoginCreated) {
    const { host, port } = brokerParts(created.broker.url);
    const secret = (id: string, label: string, value: string) =>
      html`<div class="secret">
        <span class="label">${label}</span>
        <code id=${id} data-testid="ha-${id}">${value}</code>
        <button aria-label="Copy ${label.toLowerCase()}" @click=${() => this._copy(id, label, value)}>
          Copy
        </button>
      </div>`;
    return html`<div class="new" role="region" aria-labelledby="ha-new-title">
      <h3 id="ha-new-title">Home Assistant's login</h3>
      <p><strong>Copy the password now: it is not shown again.</strong></p>
      <div class="secrets">
        ${secret('host', 'Broker', host)} ${secret('port', 'Port', port)}
        ${secret('username', 'Username', created.username)}
        ${secret('password', 'Password', created.password)}
      </div>
      <span role="status">${this._copied}</span>
      <ol>
        <li>In Home Assistant, open Settings → Devices &amp; services → Add integration, and pick MQTT.</li>
        <li>
          Enter the broker <code>${host}</code>, port <code>${port}</code>, the username and the password
          above.
        </li>
        <li>Submit: the children and PCs then appear in Home Assistant by themselves.</li>
      </ol>
      ${this._oneBroker()}
      <div class="row">
        <button @click=${() => (this._created = null)}>Done</button>
      </div>
    </div>`;
  }

  private _toggle(which: 'replace' | 'remove' | null): void {
    this._confirming = this._confirming === which ? null : which;
  }

  private _create(): void {
    const replacing = this._status?.login !== null;
    void this._changes.run(async () => {
      this._created = null;
      this._copied = '';
      this._created = await createHaLogin(this._hub.session);
      this._confirming = null;
      return replacing
        ? "Home Assistant's password is replaced: enter the new one in its MQTT integration."
        : "Home Assistant's login is ready.";
    });
  }

  private _remove(): void {
    void this._changes.run(async () => {
      await removeHaLogin(this._hub.session);
      this._created = null;
      this._confirming = null;
      return "Home Assistant's login is removed; it was disconnected.";
    });
  }

  private async _load(): Promise<void> {
    try {
      this._status = await homeAssistantStatus(this._hub.session);
    } catch (error) {
      this._changes.fail(error);
    }
  }

  private async _copy(id: string, label: string, value: string): Promise<void> {
    this._copied =
      (await copyText(value, this.renderRoot.querySelector(`#${id}`))) === 'copied'
        ? `${label} copied.`
        : `${label} is selected: copy it with Ctrl+C, or long-press and Copy.`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-home-assistant-card': KtHomeAssistantCard;
  }
}
