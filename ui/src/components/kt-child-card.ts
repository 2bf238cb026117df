import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CommandView, DeviceView } from '@kidtime/protocol';
import type { TimeChange } from '../data/api';
import { duration } from '../data/format';
import { onlineText } from '../data/ssh';
import type { LoginView } from '../data/store';
import { sharedStyles } from './shared-styles';

/** Asks the dashboard to change the time of everything this card stands for. */
export class TimeChangeEvent extends Event {
  constructor(
    readonly cardId: string,
    readonly change: TimeChange,
  ) {
    super('kt-time-change', { bubbles: true, composed: true });
  }
}

const QUICK: ReadonlyArray<{ label: string; change: TimeChange; name: string }> = [
  { label: '+15', change: { op: 'add', seconds: 900 }, name: 'Add 15 minutes' },
  { label: '+30', change: { op: 'add', seconds: 1800 }, name: 'Add 30 minutes' },
  { label: '+60', change: { op: 'add', seconds: 3600 }, name: 'Add 60 minutes' },
  { label: '−15', change: { op: 'subtract', seconds: 900 }, name: 'Take 15 minutes away' },
];

/** How long "Lock now" waits for the second tap. */
const CONFIRM_MS = 4_000;

/**
 * One child (or one login no child has yet): time left today, time used, which PC is in use, and the
 * quick actions. With several PCs each has its own line, since each PC keeps its own timekpr budget.
 */
@customElement('kt-child-card')
export class KtChildCard extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      article {
        display: grid;
        gap: 0.6rem;
      }
      header {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 0.5rem;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      h2 a {
        color: inherit;
      }
      .left {
        font-size: 2rem;
        font-weight: 700;
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      .pcs {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      .pcs li {
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
      }
      .actions {
        display: grid;
        grid-template-columns: repeat(4, 1fr);
        gap: 0.5rem;
      }
      .more {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0.5rem;
      }
      .badge {
        font-size: 0.85rem;
        white-space: nowrap;
      }
      .online {
        color: var(--kt-ok);
      }
      .status {
        margin: 0;
        font-size: 0.95rem;
      }
      form {
        display: flex;
        gap: 0.5rem;
        align-items: end;
      }
      form .field {
        flex: 1;
      }
    `,
  ];

  /** The child's id, or the login's key for a login no child has. */
  @property() cardId = '';
  @property() name = '';
  /** Where the card's title leads (the child's page). */
  @property() link = '';
  @property({ attribute: false }) logins: LoginView[] = [];
  @property({ attribute: false }) devices = new Map<string, DeviceView>();
  /** Unfinished commands by login key, oldest first. */
  @property({ attribute: false }) pending = new Map<string, readonly CommandView[]>();
  /** The outcome of the last change made here, in words. */
  @property() message = '';
  @property({ type: Boolean }) readOnly = false;
  @state() private _setting = false;
  @state() private _lockArmed = false;
  private _disarm: ReturnType<typeof setTimeout> | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._disarm);
  }

  override render() {
    const main = this._mainLogin();
    const state = main?.state;
    const pending = this.logins.flatMap((login) =>
      (this.pending.get(login.key) ?? []).map((command) => ({
        command,
        device: this.devices.get(login.deviceId),
      })),
    );
    return html`
      <article class="card" aria-labelledby="name">
        <header>
          <h2 id="name">${this.link ? html`<a href=${this.link}>${this.name}</a>` : this.name}</h2>
          ${this.logins.length === 1 && main ? this._deviceBadge(main) : nothing}
        </header>
        ${
          !main
            ? html`<p class="muted status">No PC reports this child yet. Assign a login on the PCs page.</p>`
            : state
              ? html`<p class="left" data-testid="time-left">${duration(state.timeLeftToday)} left</p>
                  <p class="muted status">
                    Used today
                    ${duration(state.timeSpentToday)}${
                      state.active ? html` · <strong>using ${this._deviceName(main)} now</strong>` : nothing
                    }
                  </p>`
              : html`<p class="muted status">${main.error ?? 'No reading from this PC yet.'}</p>`
        }
        ${this.logins.length > 1 ? this._perPc() : nothing}
        ${pending.map(
          ({ command, device }) =>
            html`<p class="status" role="status">
              ${
                command.status === 'queued'
                  ? `Waiting for ${device?.name ?? 'the PC'}: applies when it comes back online (until ${new Date(command.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}).`
                  : `Sent to ${device?.name ?? 'the PC'}, waiting for it to confirm…`
              }
            </p>`,
        )}
        ${this.message ? html`<p class="status" role="status">${this.message}</p>` : nothing}
        ${this.readOnly ? this._readOnlyNote() : main ? this._actions() : nothing}
      </article>
    `;
  }

  private _actions() {
    return html`<div class="actions">
        ${QUICK.map(
          (q) =>
            html`<button aria-label="${q.name} for ${this.name}" @click=${() => this._change(q.change)}>
              ${q.label}
            </button>`,
        )}
      </div>
      <div class="more">
        <button aria-expanded=${this._setting} @click=${() => (this._setting = !this._setting)}>
          Set exactly…
        </button>
        <button
          class=${this._lockArmed ? 'destructive' : ''}
          aria-label=${this._lockArmed ? `Tap again to lock ${this.name} out` : `Lock now: ${this.name}`}
          @click=${this._lock}
        >
          ${this._lockArmed ? 'Tap again to lock' : 'Lock now'}
        </button>
      </div>
      ${
        this._setting
          ? html`<form @submit=${this._setExactly}>
              <label class="field">
                Minutes left today
                <input
                  name="minutes"
                  type="number"
                  inputmode="numeric"
                  min="0"
                  max="1440"
                  step="1"
                  required
                />
              </label>
              <button class="primary" type="submit">Set</button>
            </form>`
          : nothing
      }`;
  }

  private _readOnlyNote() {
    return html`<p class="muted status">You can look but not change anything (viewer account).</p>`;
  }

  private _perPc() {
    return html`<ul class="pcs" aria-label="PCs">
      ${this.logins.map(
        (login) =>
          html`<li>
            <span>${this._deviceBadge(login)}</span>
            <span>${login.state ? `${duration(login.state.timeLeftToday)} left` : '—'}</span>
          </li>`,
      )}
    </ul>`;
  }

  private _deviceBadge(login: LoginView) {
    const device = this.devices.get(login.deviceId);
    const online = device?.online ?? false;
    return html`<span class="badge ${online ? 'online' : 'muted'}">
      ${this._deviceName(login)} · ${onlineText(device)}
    </span>`;
  }

  private _deviceName(login: LoginView): string {
    return this.devices.get(login.deviceId)?.name ?? 'a PC';
  }

  /** The login in use now, or else the first one. */
  private _mainLogin(): LoginView | undefined {
    return this.logins.find((login) => login.state?.active) ?? this.logins[0];
  }

  private _lock(): void {
    if (!this._lockArmed) {
      this._lockArmed = true;
      this._disarm = setTimeout(() => (this._lockArmed = false), CONFIRM_MS);
      return;
    }
    clearTimeout(this._disarm);
    this._lockArmed = false;
    this._change({ op: 'lock' });
  }

  private _setExactly(event: SubmitEvent): void {
    event.preventDefault();
    const minutes = Number(new FormData(event.target as HTMLFormElement).get('minutes'));
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1440) return;
    this._setting = false;
    this._change({ op: 'set', seconds: minutes * 60 });
  }

  private _change(change: TimeChange): void {
    this.dispatchEvent(new TimeChangeEvent(this.cardId, change));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-child-card': KtChildCard;
  }
}
