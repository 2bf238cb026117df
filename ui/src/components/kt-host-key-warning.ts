import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { DeviceView } from '@kidtime/protocol';
import { ChangeController } from '../data/change';
import { hubContext, type HubContext } from '../data/context';
import { HOST_KEY_COMMAND, trustHostKey } from '../data/ssh';
import { sharedStyles } from './shared-styles';

const when = (iso: string) =>
  html`<time datetime=${iso}
    >${new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</time
  >`;

/**
 * The PC answered over SSH with another host key than the one Kidtime trusts, so the hub no longer logs in.
 * Said calmly, with both fingerprints and how to read the real one on the PC; the parent may trust the new
 * key (the PC was reinstalled) after a confirmation, which sends exactly the key shown here.
 */
@customElement('kt-host-key-warning')
export class KtHostKeyWarning extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .warning {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.6rem;
        padding: 0.75rem;
        border: 2px solid var(--kt-danger);
        border-radius: 0.75rem;
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
        gap: 0.4rem;
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
      code {
        overflow-wrap: anywhere;
      }
      .status:empty {
        display: none;
      }
      .actions {
        justify-content: flex-end;
      }
    `,
  ];

  @property({ attribute: false }) device!: DeviceView;
  @property({ type: Boolean }) readOnly = false;
  @consume({ context: hubContext }) private _hub!: HubContext;
  private readonly _changes = new ChangeController(this, () => this._hub.store.load());
  @state() private _confirm = false;

  override render() {
    const offered = this.device.ssh?.offeredHostKey;
    // The status stays after the warning is gone: that is where "now trusted" is said.
    return html`${offered ? this._warning() : nothing}
      <p class="status" role="status">${this._changes.message}</p>`;
  }

  private _warning() {
    const ssh = this.device.ssh!;
    const offered = ssh.offeredHostKey!;
    return html`<section class="warning" aria-labelledby="host-key-title">
      <h3 id="host-key-title"><span aria-hidden="true">⚠</span> ${this.device.name} shows a new host key</h3>
      <p>
        The PC answered with a different host key than the one Kidtime trusts. If the PC was reinstalled, this
        is expected; otherwise someone may be pretending to be it. Until you decide, Kidtime does not log in
        to it over SSH.
      </p>
      <dl>
        <div>
          <dt>Trusted key</dt>
          <dd data-testid="trusted-key">
            ${
              ssh.hostKey
                ? html`<code>${ssh.hostKey.fingerprint}</code> (${ssh.hostKey.algorithm}), since
                    ${when(ssh.hostKey.pinnedAt)}`
                : 'none'
            }
          </dd>
        </div>
        <div>
          <dt>Key the PC shows now</dt>
          <dd data-testid="offered-key">
            <code>${offered.fingerprint}</code> (${offered.algorithm}), seen ${when(offered.seenAt)}
          </dd>
        </div>
      </dl>
      <p class="muted">
        To be sure, read the key on the PC itself: <code>${HOST_KEY_COMMAND}</code>
        prints its fingerprint.
      </p>
      ${this._changes.error ? html`<p role="alert">${this._changes.error}</p>` : nothing}
      ${
        this._confirm
          ? html`<div class="confirm" role="group" aria-labelledby="trust-question">
              <p id="trust-question">
                <strong>Trust the new key of ${this.device.name}?</strong> Kidtime then logs in to the PC that
                shows <code>${offered.fingerprint}</code>, and refuses the old key. Do this only if you know
                the PC was reinstalled or got new SSH keys.
              </p>
              <div class="row actions">
                <button id="keep-key" @click=${() => (this._confirm = false)}>Cancel</button>
                <button class="destructive" ?disabled=${this._changes.busy} @click=${this._trust}>
                  Trust the new key
                </button>
              </div>
            </div>`
          : html`<div class="row actions">
              <button ?disabled=${this.readOnly || this._changes.busy} @click=${this._ask}>
                Trust the new key…
              </button>
            </div>`
      }
    </section>`;
  }

  private async _ask(): Promise<void> {
    this._confirm = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('#keep-key')?.focus();
  }

  private _trust(): void {
    const offered = this.device.ssh?.offeredHostKey;
    if (!offered) return;
    const name = this.device.name;
    void this._changes.run(async () => {
      // Exactly the key the parent was shown: if the PC changed it again meanwhile, the hub refuses (409).
      await trustHostKey(this._hub.session, this.device.id, offered.fingerprint);
      this._confirm = false;
      return `Kidtime now trusts the new host key of ${name}.`;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-host-key-warning': KtHostKeyWarning;
  }
}
