import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { TrustedDeviceView } from '@kidtime/protocol';
import { ApiError, endTrustedPhone, listTrustedPhones } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { ago } from '../data/format';
import { actionListStyles, sharedStyles } from './shared-styles';

/** How long the app may be away before a phone with a quick PIN asks for it again. */
export const PIN_LOCK_AFTER_MS = 5 * 60_000;

/**
 * The quick PIN: trust the phone in your hand and open Kidtime on it with a short PIN instead of the
 * password. Lists the phones trusted so (an owner sees everyone's) to end a lost one.
 */
@customElement('kt-quick-pin-card')
export class KtQuickPinCard extends LitElement {
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
      form {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: minmax(0, 1fr);
      }
      .status:empty {
        display: none;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _phones: TrustedDeviceView[] | null = null;
  /** Setting a new PIN on a phone that has one. */
  @state() private _changing = false;
  @state() private _message = '';
  @state() private _error = '';
  @state() private _busy = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this._load();
  }

  override render() {
    const trust = this._hub.session.phoneTrust();
    return html`<section class="card" aria-labelledby="pin-card-title">
      <h2 id="pin-card-title">Quick PIN</h2>
      ${
        trust && !this._changing
          ? html`<p>
                This phone opens with
                ${trust.username === this._hub.account.username ? 'your' : `${trust.username}'s`} PIN: Kidtime
                asks for it each time the app is opened, and after ${PIN_LOCK_AFTER_MS / 60_000} minutes away.
              </p>
              <div class="row">
                <button ?disabled=${this._busy} @click=${() => (this._changing = true)}>
                  Change the PIN
                </button>
                <button
                  class="danger"
                  ?disabled=${this._busy}
                  @click=${() => this._run(() => this._hub.session.forgetPhone(), 'This phone no longer uses a PIN.')}
                >
                  Stop using a PIN here
                </button>
              </div>`
          : this._form(trust !== null)
      }
      ${this._phones && this._phones.length > 0 ? this._list(this._phones) : nothing}
      <p class="status" role="status">${this._message}</p>
      ${this._error ? html`<p role="alert">${this._error}</p>` : nothing}
    </section>`;
  }

  private _form(changing: boolean) {
    return html`<p class="muted">
        On a phone that is yours alone: open Kidtime with a short PIN instead of your password. A few wrong
        PINs and the phone needs the password again.
      </p>
      <form aria-label="Set a quick PIN" @submit=${this._trust}>
        <label class="field">
          New PIN (4 to 8 digits)
          <input
            name="pin"
            type="password"
            inputmode="numeric"
            pattern="[0-9]{4,8}"
            autocomplete="off"
            required
          />
        </label>
        <label class="field">
          The PIN again
          <input
            name="again"
            type="password"
            inputmode="numeric"
            pattern="[0-9]{4,8}"
            autocomplete="off"
            required
          />
        </label>
        <div class="row">
          <button class="primary" type="submit" ?disabled=${this._busy}>
            ${changing ? 'Save the new PIN' : 'Use a PIN on this phone'}
          </button>
          ${changing ? html`<button type="button" @click=${() => (this._changing = false)}>Cancel</button>` : nothing}
        </div>
      </form>`;
  }

  private _list(phones: TrustedDeviceView[]) {
    const now = Date.now();
    const mine = this._hub.account.username;
    return html`<ul aria-label="Phones with a quick PIN">
      ${phones.map(
        (p) =>
          html`<li>
            <p>
              <strong>${p.name}</strong
              >${p.current ? ' (this phone)' : ''}${p.username === mine ? '' : `, ${p.username}`}<br />
              <span class="muted"
                >${p.lastUsedAt ? `unlocked ${ago(p.lastUsedAt, now)}` : 'not unlocked yet'} · until
                ${new Date(p.expiresAt).toLocaleDateString()}${
                  p.failedAttempts > 0 ? ` · ${p.failedAttempts} wrong PIN(s)` : ''
                }</span
              >
            </p>
            <button
              class="danger"
              ?disabled=${this._busy}
              aria-label="End the PIN on ${p.name}${p.username === mine ? '' : ` (${p.username})`}"
              @click=${() =>
                this._run(async () => {
                  if (p.current) await this._hub.session.forgetPhone();
                  else await endTrustedPhone(this._hub.session, p.id);
                }, `The PIN on ${p.name} is ended; it needs the password again.`)}
            >
              End
            </button>
          </li>`,
      )}
    </ul>`;
  }

  private async _trust(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const pin = String(data.get('pin') ?? '');
    if (pin !== String(data.get('again') ?? '')) {
      this._error = 'The two PINs are not the same; type them again.';
      return;
    }
    await this._run(async () => {
      // A new PIN replaces the old trust: the old one is ended first, this session stays.
      await this._hub.session.forgetPhone();
      await this._hub.session.trustPhone(pin);
      this._changing = false;
      form.reset();
    }, 'Done: this phone now opens with your PIN.');
  }

  /** Runs a change, then reloads the list; says what happened or what went wrong. */
  private async _run(change: () => Promise<unknown>, done: string): Promise<void> {
    this._busy = true;
    this._error = '';
    this._message = '';
    try {
      await change();
      await this._load();
      this._message = done;
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._busy = false;
    }
  }

  private async _load(): Promise<void> {
    try {
      this._phones = await listTrustedPhones(this._hub.session);
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-quick-pin-card': KtQuickPinCard;
  }
}
