import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { consume } from '@lit/context';
import type { UsageDayView } from '@kidtime/protocol';
import { ApiError, listUsage } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { duration } from '../data/format';
import type { LoginView } from '../data/store';
import { sharedStyles } from './shared-styles';

const pad = (n: number) => String(n).padStart(2, '0');
/** `YYYY-MM-DD` of this device's calendar, close enough to the PC's for a week's overview. */
const isoDay = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

function lastDays(count: number): Date[] {
  const today = new Date();
  return Array.from(
    { length: count },
    (_, i) => new Date(today.getFullYear(), today.getMonth(), today.getDate() - (count - 1 - i)),
  );
}

/**
 * One login at a glance: today (time left, used, PlayTime) and the week (this week and month as timekpr
 * counts them, and the last seven days from the hub's usage records, today's taken live from the state).
 */
@customElement('kt-week-summary')
export class KtWeekSummary extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .card {
        display: grid;
        gap: 1rem;
      }
      @media (min-width: 48rem) {
        .card {
          grid-template-columns: 1fr 1.4fr;
          gap: 2rem;
        }
      }
      h3 {
        margin: 0 0 0.3rem;
        font-size: 1rem;
      }
      p {
        margin: 0;
      }
      .big {
        font-size: 2rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
        line-height: 1.2;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.2rem 1rem;
        margin: 0 0 0.75rem;
      }
      dt {
        color: var(--kt-muted);
      }
      dd {
        margin: 0;
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      li {
        display: grid;
        grid-template-columns: 4.5rem 1fr 6rem;
        align-items: center;
        gap: 0.5rem;
        font-size: 0.9rem;
        font-variant-numeric: tabular-nums;
      }
      li.today {
        font-weight: 700;
      }
      .track {
        height: 0.75rem;
        border-radius: 0.4rem;
        background: var(--kt-bg);
        border: 1px solid var(--kt-border);
        overflow: hidden;
      }
      .fill {
        display: block;
        height: 100%;
        background: var(--kt-accent);
      }
      .value {
        text-align: right;
      }
      .playtime {
        margin-top: 0.4rem;
      }
    `,
  ];

  @property({ attribute: false }) login: LoginView | null = null;
  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _usage: UsageDayView[] | null = null;
  @state() private _error = '';
  private _loadedKey = '';

  protected override willUpdate(): void {
    if (this.login && this.login.key !== this._loadedKey) {
      this._loadedKey = this.login.key;
      void this._load(this.login);
    }
  }

  override render() {
    const state = this.login?.state;
    if (!state)
      return html`<div class="card">
        <p class="muted">${this.login?.error ?? 'No reading from this PC yet.'}</p>
      </div>`;
    const { playtime } = state;
    return html`<div class="card">
      <div>
        <h3>Today</h3>
        <p class="big">${duration(state.timeLeftToday)} left</p>
        <p class="muted">
          Used ${duration(state.timeSpentToday)}${state.active ? ' · using the PC now' : ''}
        </p>
        ${
          playtime.enabled
            ? html`<p class="playtime">
                PlayTime: ${playtime.leftToday === null ? '—' : `${duration(playtime.leftToday)} left`} · used
                ${duration(playtime.spentToday ?? 0)}
              </p>`
            : nothing
        }
      </div>
      <div>
        <h3>This week</h3>
        <dl>
          <dt>This week</dt>
          <dd>
            ${duration(state.timeSpentWeek)}${state.limitPerWeek < 7 * 86_400 ? ` of ${duration(state.limitPerWeek)}` : ''}
          </dd>
          <dt>This month</dt>
          <dd>
            ${duration(state.timeSpentMonth)}${state.limitPerMonth < 31 * 86_400 ? ` of ${duration(state.limitPerMonth)}` : ''}
          </dd>
        </dl>
        ${this._days(state.timeSpentToday)}
      </div>
    </div>`;
  }

  private _days(spentToday: number) {
    if (this._error) return html`<p role="alert">${this._error}</p>`;
    if (!this._usage) return html`<p class="muted">Loading the last 7 days…</p>`;
    const byDay = new Map(this._usage.map((u) => [u.day, u.spentSeconds]));
    const today = isoDay(new Date());
    const days = lastDays(7).map((date) => {
      const day = isoDay(date);
      return { date, day, seconds: day === today ? spentToday : (byDay.get(day) ?? 0) };
    });
    const most = Math.max(3600, ...days.map((d) => d.seconds));
    return html`<ol aria-label="Time used, last 7 days">
      ${days.map(
        ({ date, day, seconds }) =>
          html`<li class=${day === today ? 'today' : ''}>
            <span>${date.toLocaleDateString([], { weekday: 'short', day: 'numeric' })}</span>
            <span class="track" aria-hidden="true">
              <span
                class="fill"
                style=${styleMap({ width: `${Math.round((seconds / most) * 100)}%` })}
              ></span>
            </span>
            <span class="value">${duration(seconds)}</span>
          </li>`,
      )}
    </ol>`;
  }

  private async _load(login: LoginView): Promise<void> {
    const days = lastDays(7);
    try {
      const usage = await listUsage(this._hub.session, {
        deviceId: login.deviceId,
        login: login.login,
        from: isoDay(days[0]!),
        to: isoDay(days[days.length - 1]!),
      });
      if (login.key === this._loadedKey) {
        this._usage = usage;
        this._error = '';
      }
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-week-summary': KtWeekSummary;
  }
}
