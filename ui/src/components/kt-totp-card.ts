import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import type { TotpSetup, TotpStatus } from '@kidtime/protocol';
import {
  ApiError,
  disableTotp,
  enableTotp,
  renewRecoveryCodes,
  requireTotp,
  setUpTotp,
  totpStatus,
} from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { saveFile } from '../data/save-file';
import { copyText } from './copy';
import { sharedStyles } from './shared-styles';

const PROVIDERS: Record<string, string> = {
  ldap: 'your household directory (LDAP)',
  oidc: 'your identity provider',
  proxy: 'your sign-in proxy',
};

/**
 * Two-step sign-in with an authenticator app: set it up (password → QR code → a first code → recovery codes,
 * shown once), see it, turn it off. The owner also decides here whether everyone with a password must have
 * it. Fires `totp-changed` once it is turned on (after the recovery codes were put away) or off.
 */
@customElement('kt-totp-card')
export class KtTotpCard extends LitElement {
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
      form {
        display: grid;
        gap: 0.75rem;
        max-width: 28rem;
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
      ol {
        margin: 0;
        padding-left: 1.25rem;
        display: grid;
        gap: 0.3rem;
      }
      .qr {
        width: min(100%, 14rem);
        height: auto;
        aspect-ratio: 1;
        background: #fff;
        border-radius: 0.5rem;
      }
      code {
        font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
        overflow-wrap: anywhere;
        user-select: all;
        -webkit-user-select: all;
      }
      .on {
        color: var(--kt-ok);
        font-weight: 600;
      }
      .done {
        color: var(--kt-ok);
        font-weight: 600;
      }
      .status:empty {
        display: none;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  /** The household requires it and this account has none yet: the card says why it comes first. */
  @property({ type: Boolean }) required = false;
  @state() private _status: TotpStatus | null = null;
  @state() private _setup: TotpSetup | null = null;
  /** Recovery codes just made: shown once. */
  @state() private _codes: string[] | null = null;
  @state() private _turningOff = false;
  /** The requirement switch as the owner just set it, while the hub is asked. */
  @state() private _requiring: boolean | null = null;
  @state() private _busy = false;
  @state() private _error = '';
  @state() private _done = '';

  private get _local(): boolean {
    return this._hub.account.source === 'local';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this._load();
  }

  override render() {
    return html`<section class="card" aria-labelledby="totp-title">
      <h2 id="totp-title">Two-step sign-in</h2>
      ${this._body()}
      <p class="status done" role="status">${this._done}</p>
      ${this._error ? html`<p role="alert">${this._error}</p>` : nothing}
      ${this._hub.account.role === 'owner' && this._status ? this._requirement(this._status) : nothing}
    </section>`;
  }

  private _body() {
    if (!this._local) {
      return html`<p>
        You sign in through ${PROVIDERS[this._hub.account.source] ?? 'another service'}: set up a second
        factor there. Kidtime keeps no password for you.
      </p>`;
    }
    const status = this._status;
    if (!status) return html`<p class="muted">Loading…</p>`;
    if (this._codes) return this._recoveryCodes(this._codes);
    if (this._setup) return this._scan(this._setup);
    if (status.enabled) return this._enabled(status);
    return html`
      ${
        this.required
          ? html`<p>
              <strong>Your household requires two-step sign-in.</strong> Set it up to use Kidtime: after your
              password, you will enter a code from an app on your phone, so a password someone saw is not
              enough.
            </p>`
          : html`<p>
              After your password, Kidtime also asks for a code from an authenticator app on your phone
              (Aegis, Google Authenticator, 1Password, …): a password someone saw is then not enough.
            </p>`
      }
      <form @submit=${this._startSetup} aria-label="Set up two-step sign-in">
        <label class="field">
          Your password
          <input name="password" type="password" required autocomplete="current-password" />
        </label>
        <div class="row">
          <button class="primary" type="submit" ?disabled=${this._busy}>Set up</button>
        </div>
      </form>
    `;
  }

  private _scan(setup: TotpSetup) {
    const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qrSvg)}`;
    return html`<ol>
        <li>In your authenticator app, add an account and scan this QR code.</li>
        <li>Or type this key by hand: <code id="totp-secret">${setup.secretGrouped}</code></li>
        <li>Enter the 6-digit code the app then shows.</li>
      </ol>
      <img class="qr" src=${qr} alt="QR code for your authenticator app" width="224" height="224" />
      <form @submit=${this._enable} aria-label="Turn on two-step sign-in">
        <label class="field">
          Code from the app
          <input
            name="code"
            required
            inputmode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9]{3} ?[0-9]{3}"
            maxlength="7"
          />
        </label>
        <div class="row">
          <button class="primary" type="submit" ?disabled=${this._busy}>Turn on</button>
          <button type="button" @click=${() => (this._setup = null)}>Cancel</button>
        </div>
      </form>`;
  }

  private _recoveryCodes(codes: string[]) {
    const text = codes.join('\n');
    return html`<h3>Save your recovery codes</h3>
      <p>
        If your phone is lost, each of these codes lets you sign in once instead of a code from the app. They
        are shown only now: copy them or download them and keep them somewhere safe (not on the phone).
      </p>
      <pre id="recovery-codes" data-testid="recovery-codes">${text}</pre>
      <div class="row">
        <button @click=${() => this._copy(text)}>Copy</button>
        <button
          @click=${() => saveFile(new Blob([`Kidtime recovery codes for ${this._hub.account.username}\n\n${text}\n`], { type: 'text/plain' }), 'kidtime-recovery-codes.txt')}
        >
          Download
        </button>
        <button class="primary" @click=${this._saved}>I have saved them</button>
      </div>`;
  }

  private _enabled(status: TotpStatus) {
    const since = status.enabledAt ? new Date(status.enabledAt).toLocaleDateString() : '';
    return html`<p class="on">On${since ? html` <span class="muted">since ${since}</span>` : nothing}</p>
      <p>
        Signing in asks for a code from your authenticator app. ${status.recoveryCodesLeft} recovery
        code${status.recoveryCodesLeft === 1 ? '' : 's'} left.
      </p>
      <form @submit=${this._renew} aria-label="New recovery codes">
        <label class="field">
          Code from the app
          <input name="code" required inputmode="numeric" autocomplete="one-time-code" maxlength="7" />
        </label>
        <div class="row">
          <button type="submit" ?disabled=${this._busy}>New recovery codes</button>
        </div>
      </form>
      ${
        this._turningOff
          ? html`<form class="confirm" @submit=${this._disable} aria-label="Turn off two-step sign-in">
              <p><strong>Turn off two-step sign-in?</strong> Your password alone will sign you in again.</p>
              <label class="field">
                Your password
                <input name="password" type="password" required autocomplete="current-password" />
              </label>
              <label class="field">
                Code from the app, or a recovery code
                <input
                  name="code"
                  required
                  autocomplete="one-time-code"
                  autocapitalize="none"
                  maxlength="11"
                />
              </label>
              <div class="row">
                <button type="button" @click=${() => (this._turningOff = false)}>Cancel</button>
                <button class="destructive" type="submit" ?disabled=${this._busy}>Turn off</button>
              </div>
            </form>`
          : html`<div class="row">
              <button class="danger" @click=${() => (this._turningOff = true)}>Turn off…</button>
            </div>`
      }`;
  }

  private _requirement(status: TotpStatus) {
    return html`<label class="check">
        <input
          type="checkbox"
          .checked=${live(this._requiring ?? status.required)}
          ?disabled=${this._busy}
          @change=${(event: Event) => this._require((event.target as HTMLInputElement).checked)}
        />
        Require two-step sign-in for everyone with a password
      </label>
      <p class="muted">
        Anyone without it is asked to set it up before they can use Kidtime. Turn yours on first. People who
        sign in through a directory, an identity provider or a proxy are not affected.
      </p>`;
  }

  private async _load(): Promise<void> {
    try {
      this._status = await totpStatus(this._hub.session);
    } catch (error) {
      this._fail(error);
    }
  }

  private _startSetup(event: SubmitEvent): void {
    const password = this._field(event, 'password');
    void this._run(async () => {
      this._setup = await setUpTotp(this._hub.session, password);
      return '';
    });
  }

  private _enable(event: SubmitEvent): void {
    const code = this._field(event, 'code');
    void this._run(async () => {
      const { recoveryCodes } = await enableTotp(this._hub.session, code);
      this._setup = null;
      this._codes = recoveryCodes;
      await this._load();
      return 'Two-step sign-in is on; your other devices are signed out.';
    });
  }

  private _renew(event: SubmitEvent): void {
    const code = this._field(event, 'code');
    void this._run(async () => {
      this._codes = (await renewRecoveryCodes(this._hub.session, code)).recoveryCodes;
      return 'New recovery codes made; the old ones no longer work.';
    });
  }

  private _disable(event: SubmitEvent): void {
    const password = this._field(event, 'password');
    const code = this._field(event, 'code');
    void this._run(async () => {
      await disableTotp(this._hub.session, password, code);
      this._turningOff = false;
      await this._load();
      this.dispatchEvent(new Event('totp-changed', { bubbles: true, composed: true }));
      return 'Two-step sign-in is off; your other devices are signed out.';
    });
  }

  private _require(required: boolean): void {
    this._requiring = required;
    void this._run(async () => {
      this._status = await requireTotp(this._hub.session, required);
      return required
        ? 'Everyone with a password now needs two-step sign-in.'
        : 'Two-step sign-in is no longer required.';
    }).finally(() => (this._requiring = null));
  }

  private _saved(): void {
    this._codes = null;
    this._done = '';
    void this._load();
    this.dispatchEvent(new Event('totp-changed', { bubbles: true, composed: true }));
  }

  private async _copy(text: string): Promise<void> {
    const how = await copyText(text, this.renderRoot.querySelector('#recovery-codes'));
    this._done = how === 'copied' ? 'Copied.' : 'Selected: copy them now.';
  }

  private _field(event: SubmitEvent, name: string): string {
    event.preventDefault();
    return String(new FormData(event.target as HTMLFormElement).get(name) ?? '');
  }

  private async _run(change: () => Promise<string>): Promise<void> {
    this._busy = true;
    this._error = '';
    this._done = '';
    try {
      this._done = await change();
    } catch (error) {
      this._fail(error);
    } finally {
      this._busy = false;
    }
  }

  private _fail(error: unknown): void {
    this._error = error instanceof ApiError ? error.message : String(error);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-totp-card': KtTotpCard;
  }
}
