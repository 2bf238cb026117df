import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import type { DeviceMode, DeviceView } from '@kidtime/protocol';
import { ApiError } from '../data/api';
import { ChangeController } from '../data/change';
import { hubContext, type HubContext } from '../data/context';
import { ago } from '../data/format';
import {
  AUTH_LABELS,
  DEFAULT_PORT,
  DEFAULT_TIMEKPRA,
  MODE_LABELS,
  type SshForm,
  addSshFallbackRequest,
  canRemoveSsh,
  checkSsh,
  checkText,
  modeChoices,
  newSshForm,
  removeSshRequest,
  sshFormOf,
  sshPatch,
  sshStatus,
  updateDevice,
} from '../data/ssh';
import { sharedStyles } from './shared-styles';
import type { SshFormSubmitEvent } from './kt-ssh-form';
import './kt-ssh-form';

/**
 * A PC's SSH side on its card: where and as whom the hub logs in, the host key it trusts, whether the last
 * connection worked (and why not, in the hub's words), and — for owners and parents — how the PC is reached,
 * a connection check, changing the settings (secrets left blank stay), and removing SSH after a confirmation.
 * An enrolled PC without SSH offers it as a fallback for while its agent is offline.
 */
@customElement('kt-device-ssh')
export class KtDeviceSsh extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      section {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.75rem;
      }
      h3 {
        margin: 0;
        font-size: 1rem;
      }
      p {
        margin: 0;
      }
      dl {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr));
        gap: 0.4rem 1rem;
        margin: 0;
      }
      dl .wide {
        grid-column: 1 / -1;
      }
      dt {
        font-size: 0.8rem;
        color: var(--kt-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      code {
        overflow-wrap: anywhere;
      }
      .ok {
        color: var(--kt-ok);
      }
      .problem {
        color: var(--kt-danger);
      }
      select {
        width: 100%;
      }
      .actions {
        justify-content: flex-end;
      }
    `,
  ];

  @property({ attribute: false }) device!: DeviceView;
  @property({ type: Boolean }) readOnly = false;
  /** The card's clock, for "2 min ago". */
  @property({ type: Number }) now = Date.now();
  @consume({ context: hubContext }) private _hub!: HubContext;
  private readonly _changes = new ChangeController(this, () => this._hub.store.load());
  /** What the open form started from; null while it is closed. */
  @state() private _form: SshForm | null = null;
  @state() private _confirmRemove = false;
  @state() private _checking = false;
  @state() private _check: { ok: boolean; text: string } | null = null;

  override render() {
    const ssh = this.device.ssh;
    return html`<section aria-labelledby="ssh-title">
      <h3 id="ssh-title">SSH</h3>
      ${ssh ? this._settings() : this._none()}
      ${this._form ? nothing : html`<p class="status" role="status">${this._changes.message}</p>`}
      ${this._changes.error && !this._form ? html`<p role="alert">${this._changes.error}</p>` : nothing}
      ${this._form ? this._editor() : this._confirmRemove ? this._removeConfirmation() : this._actions()}
    </section>`;
  }

  private _none() {
    return html`<p class="muted">
      Not set up: Kidtime reaches this PC only through its agent. With SSH as a fallback, changes still reach
      it while the agent is offline.
    </p>`;
  }

  private _settings() {
    const device = this.device;
    const ssh = device.ssh!;
    const status = sshStatus(ssh);
    const choices = modeChoices(device);
    return html`<dl>
        <div>
          <dt>Address</dt>
          <dd>${ssh.host}${ssh.port === DEFAULT_PORT ? '' : `:${ssh.port}`}</dd>
        </div>
        <div>
          <dt>SSH user</dt>
          <dd>${ssh.username} (${AUTH_LABELS[ssh.auth]})</dd>
        </div>
        <div class="wide">
          <dt>Trusted host key</dt>
          <dd data-testid="host-key">
            ${
              ssh.hostKey
                ? html`<code>${ssh.hostKey.fingerprint}</code>
                    <span class="muted">(${ssh.hostKey.algorithm})</span>`
                : 'None yet: Kidtime trusts the key the PC shows the first time.'
            }
          </dd>
        </div>
        <div class="wide">
          <dt>Status</dt>
          <dd class=${status.ok ? 'ok' : 'problem'} data-testid="ssh-status">
            <span aria-hidden="true">${status.ok ? '✓' : '✕'}</span> ${status.text}
          </dd>
        </div>
        <div>
          <dt>Last contact</dt>
          <dd>
            ${
              ssh.lastContactAt
                ? html`<time
                    datetime=${ssh.lastContactAt}
                    title=${new Date(ssh.lastContactAt).toLocaleString()}
                    >${ago(ssh.lastContactAt, this.now)}</time
                  >`
                : 'never'
            }
          </dd>
        </div>
        ${
          ssh.timezone
            ? html`<div>
                <dt>PC's time zone</dt>
                <dd>${ssh.timezone}</dd>
              </div>`
            : nothing
        }
        ${
          ssh.timekpraPath !== DEFAULT_TIMEKPRA
            ? html`<div class="wide">
                <dt>timekpra</dt>
                <dd><code>${ssh.timekpraPath}</code></dd>
              </div>`
            : nothing
        }
      </dl>
      ${
        choices.length > 1
          ? html`<label class="field">
              How Kidtime reaches it
              <select
                ?disabled=${this.readOnly || this._changes.busy}
                @change=${(event: Event) => this._setMode((event.target as HTMLSelectElement).value as DeviceMode)}
              >
                ${choices.map(
                  (mode) =>
                    html`<option value=${mode} .selected=${live(mode === device.mode)}>
                      ${MODE_LABELS[mode]}
                    </option>`,
                )}
              </select>
            </label>`
          : nothing
      }
      ${
        this._check
          ? html`<p class=${this._check.ok ? 'ok' : 'problem'} role="status" data-testid="ssh-check">
              <span aria-hidden="true">${this._check.ok ? '✓' : '✕'}</span> ${this._check.text}
            </p>`
          : html`<p role="status">${this._checking ? 'Connecting…' : ''}</p>`
      }`;
  }

  private _actions() {
    const device = this.device;
    const disabled = this.readOnly || this._changes.busy;
    if (!device.ssh)
      return html`<div class="row actions">
        <button ?disabled=${disabled} @click=${this._openFallback}>Add SSH fallback</button>
      </div>`;
    return html`<div class="row actions">
      <button
        aria-label=${this._checking ? nothing : `Check connection to ${device.name}`}
        ?disabled=${disabled || this._checking}
        @click=${this._runCheck}
      >
        ${this._checking ? 'Checking…' : 'Check connection'}
      </button>
      <button ?disabled=${disabled} @click=${this._openEdit}>Edit SSH settings</button>
      ${
        canRemoveSsh(device)
          ? html`<button class="danger" ?disabled=${disabled} @click=${this._askRemove}>Remove SSH</button>`
          : nothing
      }
    </div>`;
  }

  private _editor() {
    const saved = this.device.ssh;
    return html`<kt-ssh-form
      .initial=${this._form}
      .saved=${saved}
      submitLabel=${saved ? 'Connect and save' : 'Connect and add SSH'}
      ?busy=${this._changes.busy}
      .error=${this._changes.error}
      @kt-ssh-submit=${this._save}
      @kt-ssh-cancel=${this._closeForm}
    ></kt-ssh-form>`;
  }

  private _removeConfirmation() {
    const name = this.device.name;
    return html`<div class="confirm" role="group" aria-labelledby="remove-ssh-question">
      <p id="remove-ssh-question">
        <strong>Remove SSH from ${name}?</strong> Kidtime forgets its SSH login and host key, and reaches the
        PC only through its agent.
      </p>
      <div class="row actions">
        <button id="keep-ssh" @click=${() => (this._confirmRemove = false)}>Cancel</button>
        <button class="destructive" ?disabled=${this._changes.busy} @click=${this._remove}>Remove SSH</button>
      </div>
    </div>`;
  }

  private readonly _openEdit = () => {
    if (!this.device.ssh) return;
    this._check = null;
    this._form = sshFormOf(this.device.ssh);
  };

  private readonly _openFallback = () => {
    // The agent has told the hub the PC's time zone: the likeliest one for SSH too.
    this._form = newSshForm(this.device.timezone ?? undefined);
  };

  private readonly _closeForm = () => {
    this._form = null;
    this._changes.error = '';
  };

  private _save(event: SshFormSubmitEvent): void {
    const saved = this.device.ssh;
    const name = this.device.name;
    if (saved) {
      const patch = sshPatch(saved, event.form);
      if (!patch) {
        this._form = null;
        this._changes.message = 'Nothing changed.';
        return;
      }
      void this._changes.run(async () => {
        await updateDevice(this._hub.session, this.device.id, { ssh: patch });
        this._form = null;
        return `SSH settings of ${name} saved: the PC answered.`;
      });
      return;
    }
    void this._changes.run(async () => {
      await updateDevice(this._hub.session, this.device.id, addSshFallbackRequest(event.form));
      this._form = null;
      return `SSH is set up: Kidtime uses it while the agent of ${name} is offline.`;
    });
  }

  private _setMode(mode: DeviceMode): void {
    if (mode === this.device.mode) return;
    void this._changes.run(async () => {
      await updateDevice(this._hub.session, this.device.id, { mode });
      const label = MODE_LABELS[mode];
      return `${this.device.name} is now reached ${label.charAt(0).toLowerCase()}${label.slice(1)}.`;
    });
  }

  private async _runCheck(): Promise<void> {
    this._checking = true;
    this._check = null;
    try {
      const result = await checkSsh(this._hub.session, this.device.id);
      this._check = { ok: result.ok, text: checkText(result) };
    } catch (error) {
      this._check = { ok: false, text: error instanceof ApiError ? error.message : String(error) };
    } finally {
      this._checking = false;
    }
  }

  private async _askRemove(): Promise<void> {
    this._confirmRemove = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('#keep-ssh')?.focus();
  }

  private _remove(): void {
    void this._changes.run(async () => {
      await updateDevice(this._hub.session, this.device.id, removeSshRequest(this.device));
      this._confirmRemove = false;
      return `SSH is removed: Kidtime reaches ${this.device.name} only through its agent.`;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-device-ssh': KtDeviceSsh;
  }
}
