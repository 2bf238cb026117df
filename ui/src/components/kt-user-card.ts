import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CommandView, DeviceView, ManagedUserView } from '@kidtime/protocol';
import type { TimeChange } from '../data/api';
import { duration } from '../data/format';
import { sharedStyles } from './shared-styles';

/** Asks the dashboard to change this login's time. */
export class TimeChangeEvent extends Event {
  constructor(
    readonly deviceId: string,
    readonly login: string,
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

/** One child's login on one PC: time left and used today, whether the PC is on, and the quick actions. */
@customElement('kt-user-card')
export class KtUserCard extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      article {
        background: var(--kt-card);
        border: 1px solid var(--kt-border);
        border-radius: 1rem;
        padding: 1rem;
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
      .left {
        font-size: 2rem;
        font-weight: 700;
        margin: 0;
      }
      .actions {
        display: grid;
        grid-template-columns: repeat(4, 1fr);
        gap: 0.5rem;
      }
      .lock {
        width: 100%;
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
    `,
  ];

  @property({ attribute: false }) device!: DeviceView;
  @property({ attribute: false }) user!: ManagedUserView;
  /** The child this login belongs to, when a parent has said so. */
  @property() childName: string | null = null;
  /** The latest command for this login that has not finished. */
  @property({ attribute: false }) pending: CommandView | null = null;
  /** The outcome of the last change made here, in words. */
  @property() message = '';
  @property({ type: Boolean }) readOnly = false;

  override render() {
    const state = this.user.state;
    const name = this.childName ?? this.user.login;
    return html`
      <article aria-labelledby="name">
        <header>
          <h2 id="name">${name}</h2>
          <span class="badge ${this.device.online ? 'online' : 'muted'}">
            ${this.device.name} · ${this.device.online ? 'online' : 'offline'}
          </span>
        </header>
        ${
          state
            ? html`<p class="left" data-testid="time-left">${duration(state.timeLeftToday)} left</p>
                <p class="muted status">
                  Used today ${duration(state.timeSpentToday)}${state.active ? ' · using the PC now' : ''}
                </p>`
            : html`<p class="muted">${this.user.error ?? 'No reading from this PC yet.'}</p>`
        }
        ${
          this.pending
            ? html`<p class="status" role="status">
                ${
                  this.pending.status === 'queued'
                    ? `Waiting for ${this.device.name}: applies when it comes back online (until ${new Date(this.pending.expiresAt).toLocaleTimeString()}).`
                    : 'Sent, waiting for the PC to confirm…'
                }
              </p>`
            : null
        }
        ${this.message ? html`<p class="status" role="status">${this.message}</p>` : null}
        ${
          this.readOnly
            ? html`<p class="muted status">You can look but not change anything (viewer account).</p>`
            : html`<div class="actions">
                  ${QUICK.map(
                    (q) =>
                      html`<button aria-label="${q.name} for ${name}" @click=${() => this._change(q.change)}>
                        ${q.label}
                      </button>`,
                  )}
                </div>
                <button class="lock" @click=${() => this._change({ op: 'lock' })}>Lock now</button>`
        }
      </article>
    `;
  }

  private _change(change: TimeChange): void {
    this.dispatchEvent(new TimeChangeEvent(this.device.id, this.user.login, change));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-user-card': KtUserCard;
  }
}
