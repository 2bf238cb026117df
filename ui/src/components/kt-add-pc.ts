import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { EnrollmentCreated } from '@kidtime/protocol';
import { ApiError, createEnrollment } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { type SshForm, createSshDevice, createSshDeviceRequest, newSshForm } from '../data/ssh';
import { WatchController } from '../data/watch';
import { copyText } from './copy';
import { sharedStyles } from './shared-styles';
import type { SshFormSubmitEvent } from './kt-ssh-form';
import './kt-ssh-form';

/** With the agent (a one-time code and one command), or without one: the hub logs in over SSH. */
type Way = 'agent' | 'ssh';

/** "14:32", or "1:02:05" for codes valid longer than an hour. */
function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * "Add a PC", in one of two ways. With the agent: a one-time code and the one command that installs the agent
 * with it; the new PC then shows up through the store's live updates, and when it does, the code is put away
 * and the panel says which PC came. Without an agent: the SSH form; the hub connects before it adds the PC,
 * and its reason for refusing is shown next to the form, which keeps what was typed.
 */
@customElement('kt-add-pc')
export class KtAddPc extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .panel {
        display: grid;
        gap: 0.75rem;
        margin-top: 0.75rem;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      p {
        margin: 0;
      }
      ol {
        margin: 0;
        padding-left: 1.3rem;
        display: grid;
        gap: 0.3rem;
      }
      .code {
        font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
        font-size: 1.1rem;
        letter-spacing: 0.05em;
      }
      .expires {
        font-variant-numeric: tabular-nums;
      }
      .connected {
        color: var(--kt-ok);
        font-weight: 600;
      }
      .connected:not(:empty) {
        margin-top: 0.5rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: 0.5rem;
      }
      form .field {
        flex: 1 1 14rem;
      }
      fieldset {
        border: 0;
        margin: 0;
        padding: 0;
        min-width: 0;
      }
      legend {
        font-weight: 600;
        padding: 0;
      }
      .way {
        align-items: start;
        padding-top: 0.6rem;
      }
      .way input {
        flex: none;
        margin: 0;
      }
      .way span {
        display: grid;
      }
      .way small {
        font-size: 0.9rem;
        color: var(--kt-muted);
      }
    `,
  ];

  /** Viewers see the button, disabled; the page says why. */
  @property({ type: Boolean }) disabled = false;
  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _open = false;
  @state() private _way: Way = 'agent';
  /** What the SSH form starts from: a fresh one after each added PC, so no secret outlives it. */
  @state() private _sshForm: SshForm = newSshForm();
  @state() private _enrollment: EnrollmentCreated | null = null;
  @state() private _now = Date.now();
  @state() private _busy = false;
  @state() private _error = '';
  @state() private _copied = '';
  /** "Kitchen PC is connected", once the PC enrolled with the code shows up. */
  @state() private _connected = '';
  @query('pre') private _command?: HTMLElement;
  /** The PCs there were when the code was made: any other one is the PC that used it. */
  private _known = new Set<string>();
  private _tick: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    new WatchController(this, () => this._hub?.store);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._stopTicking();
  }

  protected override willUpdate(): void {
    if (!this._enrollment) return;
    const arrived = [...this._hub.store.devices.values()].find((device) => !this._known.has(device.id));
    if (arrived) {
      this._connected = `${arrived.name} is connected.`;
      this._enrollment = null;
      this._open = false;
      this._stopTicking();
    }
  }

  override render() {
    return html`
      <button
        class="primary"
        aria-expanded=${this._open}
        aria-controls=${this._open ? 'add-pc' : nothing}
        ?disabled=${this.disabled}
        @click=${this._toggle}
      >
        Add a PC
      </button>
      <p class="connected" role="status">${this._connected}</p>
      ${this._open ? html`<section id="add-pc" class="card panel" aria-labelledby="add-title">${this._panel()}</section>` : nothing}
    `;
  }

  private _panel() {
    const enrollment = this._enrollment;
    if (!enrollment)
      return html`<h2 id="add-title">Add a PC</h2>
        ${this._ways()}
        ${
          this._way === 'ssh'
            ? html`<p>
                  For a PC with nothing but Timekpr-nExT and SSH: the hub logs in to it over SSH, as a user
                  that may run timekpra and nothing else, to read and change the children's time.
                </p>
                <kt-ssh-form
                  named
                  submitLabel="Connect and add"
                  .initial=${this._sshForm}
                  ?busy=${this._busy}
                  .error=${this._error}
                  @kt-ssh-submit=${this._addSsh}
                  @kt-ssh-cancel=${this._toggle}
                ></kt-ssh-form>`
            : html`<p>
                  You get one command to run on the child's PC. It installs the Kidtime agent, which connects
                  the PC to this hub. The PC needs Timekpr-nExT installed.
                </p>
                <form @submit=${this._create}>
                  <label class="field">
                    PC name (optional)
                    <input
                      name="deviceName"
                      maxlength="100"
                      autocomplete="off"
                      placeholder="e.g. Kitchen PC"
                    />
                  </label>
                  <button class="primary" type="submit" ?disabled=${this._busy}>Get the command</button>
                  <button type="button" @click=${this._toggle}>Cancel</button>
                </form>
                ${this._error ? html`<p role="alert">${this._error}</p>` : nothing}`
        }`;
    const left = Date.parse(enrollment.expiresAt) - this._now;
    const expired = left <= 0;
    return html`<h2 id="add-title">Add a PC</h2>
      <ol>
        <li>On the child's PC, open a terminal.</li>
        <li>Run this command as root (or as a user who can use sudo):</li>
      </ol>
      <pre aria-label="Install command" data-testid="install-command">${enrollment.installCommand}</pre>
      <div class="row">
        <button class="primary" ?disabled=${expired} @click=${this._copy}>Copy command</button>
        <span role="status">${this._copied}</span>
      </div>
      <p>
        Code <span class="code" data-testid="enrollment-code">${enrollment.code}</span> ·
        ${
          expired
            ? html`<strong role="alert">This code has expired.</strong>`
            : html`<span class="expires">expires in ${countdown(left)}</span>`
        }
      </p>
      <p class="muted">
        The PC appears on this page by itself once the command has finished; you can keep this page open.
      </p>
      <div class="row">
        ${expired ? html`<button class="primary" @click=${this._renew}>New code</button>` : nothing}
        <button @click=${this._toggle}>Close</button>
      </div>
      ${this._error ? html`<p role="alert">${this._error}</p>` : nothing}`;
  }

  private _ways() {
    const way = (value: Way, title: string, detail: string) =>
      html`<label class="check way">
        <input
          type="radio"
          name="way"
          value=${value}
          .checked=${this._way === value}
          ?disabled=${this._busy}
          @change=${() => {
            this._way = value;
            this._error = '';
          }}
        />
        <span>${title}<small>${detail}</small></span>
      </label>`;
    return html`<fieldset>
      <legend>How will Kidtime reach it?</legend>
      ${way('agent', 'With the Kidtime agent', 'Recommended: the PC connects to the hub by itself, and changes reach it at once.')}
      ${way('ssh', 'Without an agent (SSH)', 'Nothing to install but a small guard script.')}
    </fieldset>`;
  }

  private _toggle(): void {
    this._open = !this._open;
    this._connected = '';
    this._error = '';
    if (!this._open) {
      this._enrollment = null;
      this._stopTicking();
    }
  }

  private _create(event: SubmitEvent): void {
    event.preventDefault();
    const deviceName = String(new FormData(event.target as HTMLFormElement).get('deviceName') ?? '').trim();
    void this._request(deviceName ? { deviceName } : {});
  }

  private async _addSsh(event: SshFormSubmitEvent): Promise<void> {
    this._busy = true;
    this._error = '';
    try {
      const device = await createSshDevice(this._hub.session, createSshDeviceRequest(event.form));
      await this._hub.store.load();
      this._connected = `${device.name} is added: Kidtime reaches it over SSH.`;
      this._open = false;
      this._sshForm = newSshForm();
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }

  private _renew(): void {
    void this._request({});
  }

  private async _request(request: { deviceName?: string }): Promise<void> {
    this._busy = true;
    this._error = '';
    this._copied = '';
    try {
      const enrollment = await createEnrollment(this._hub.session, request);
      this._known = new Set(this._hub.store.devices.keys());
      this._enrollment = enrollment;
      this._now = Date.now();
      this._stopTicking();
      this._tick = setInterval(() => {
        this._now = Date.now();
        if (this._enrollment && Date.parse(this._enrollment.expiresAt) <= this._now) this._stopTicking();
      }, 1000);
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }

  private async _copy(): Promise<void> {
    const text = this._enrollment?.installCommand;
    if (!text) return;
    this._copied =
      (await copyText(text, this._command)) === 'copied'
        ? 'Copied.'
        : 'The command is selected: copy it with Ctrl+C, or long-press and Copy.';
  }

  private _stopTicking(): void {
    clearInterval(this._tick);
    this._tick = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-add-pc': KtAddPc;
  }
}
