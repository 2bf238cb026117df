import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { UsageDayView } from '@kidtime/protocol';
import { ApiError, listUsage, usageCsv, type UsageFilter } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { duration } from '../data/format';
import { href } from '../data/router';
import { saveFile } from '../data/save-file';
import { buildSeries, lastDays, type UsageSeries, type UsageSubject } from '../data/usage-series';
import { WatchController } from '../data/watch';
import { sharedStyles } from './shared-styles';
import './kt-usage-chart';

const PERIODS = [7, 30] as const;
type Period = (typeof PERIODS)[number];

/** Live usage arrives every few seconds while a child plays: read again once it settles. */
const RELOAD_AFTER_MS = 2_000;

/** Time used per day, per child, over the last week or month, with the records as a CSV file. */
@customElement('kt-usage-page')
export class KtUsagePage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
        margin-bottom: 0.5rem;
      }
      .toggle {
        display: inline-flex;
        border: 1px solid var(--kt-border-strong);
        border-radius: 0.6rem;
        overflow: hidden;
      }
      .toggle button {
        border: 0;
        border-radius: 0;
      }
      .toggle button[aria-pressed='true'] {
        background: var(--kt-accent);
        color: var(--kt-accent-text);
      }
      .cards {
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 30rem), 1fr));
      }
      h2 {
        margin: 0 0 0.25rem;
        font-size: 1.15rem;
      }
      .figures {
        margin: 0 0 0.75rem;
      }
      .figures strong {
        font-variant-numeric: tabular-nums;
      }
      .legend {
        margin: 0;
        font-size: 0.85rem;
      }
      .legend span {
        color: var(--kt-danger);
      }
      .empty {
        border-style: dashed;
      }
      .idle {
        margin: 1rem 0 0;
      }
      .status {
        min-height: 1.5rem;
        margin: 0 0 0.5rem;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _period: Period = 7;
  @state() private _rows: UsageDayView[] | null = null;
  /** The days the rows cover, oldest first: the chart's x axis. */
  @state() private _days: string[] = [];
  @state() private _loading = false;
  @state() private _error = '';
  @state() private _csvError = '';
  @state() private _downloading = false;
  /** Answers to older requests (the parent toggled quickly) are dropped. */
  private _request = 0;
  private _reload: ReturnType<typeof setTimeout> | undefined;
  private _unsubscribe: (() => void) | null = null;

  constructor() {
    super();
    new WatchController(this, () => this._hub?.store);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._unsubscribe = this._hub.live.subscribe((event) => {
      if (event !== 'usage') return;
      clearTimeout(this._reload);
      this._reload = setTimeout(() => void this._load(), RELOAD_AFTER_MS);
    });
    void this._load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._unsubscribe?.();
    this._unsubscribe = null;
    clearTimeout(this._reload);
  }

  override render() {
    return html`
      <h1 class="page-title">Usage</h1>
      <div class="bar">
        <div class="toggle" role="group" aria-label="Period">
          ${PERIODS.map(
            (period) =>
              html`<button
                aria-pressed=${this._period === period ? 'true' : 'false'}
                @click=${() => this._choose(period)}
              >
                ${period} days
              </button>`,
          )}
        </div>
        <button @click=${this._downloadCsv} ?disabled=${this._downloading || this._rows === null}>
          ${this._downloading ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      </div>
      ${this._csvError ? html`<p role="alert">${this._csvError}</p>` : nothing}
      <p class="status muted" role="status">${this._loading && this._rows ? 'Updating…' : ''}</p>
      ${this._body()}
    `;
  }

  private _body() {
    const { store } = this._hub;
    if (this._error)
      return html`<div class="card">
        <p role="alert">${this._error}</p>
        <button @click=${() => void this._load()}>Try again</button>
      </div>`;
    if (this._rows === null || !store.loaded) return html`<p class="muted" role="status">Loading usage…</p>`;
    const series = this._series(this._rows);
    if (!series.some((s) => s.totalSeconds > 0)) return this._empty();
    const today = this._days[this._days.length - 1] ?? '';
    // A PC reports every login timekpr manages; charts of nothing for logins no child has are noise.
    const charted = series.filter((s) => s.subject.childId || s.totalSeconds > 0);
    const idle = series.filter((s) => !charted.includes(s));
    return html`<div class="cards">${charted.map((s) => this._card(s, today))}</div>
      ${
        idle.length > 0
          ? html`<p class="muted idle">
              Not used in the last ${this._period} days (no child yet):
              ${idle.map((s) => s.subject.name).join(', ')}.
            </p>`
          : nothing
      }`;
  }

  private _card(series: UsageSeries, today: string) {
    const id = `usage-${series.subject.id.replace(/[^a-zA-Z0-9-]/g, '-')}`;
    return html`<section class="card" aria-labelledby=${id}>
      <h2 id=${id}>${series.subject.name}</h2>
      <p class="figures">
        Total <strong>${duration(series.totalSeconds)}</strong> ·
        <strong>${duration(series.averageSeconds)}</strong> a day on average
        ${series.totalSeconds === 0 ? html`<br /><span class="muted">Nothing used in this period.</span>` : nothing}
      </p>
      <kt-usage-chart .series=${series} today=${today}></kt-usage-chart>
      ${
        series.ranOutDays > 0
          ? html`<p class="legend">
              <span aria-hidden="true">●</span> Time ran out on ${series.ranOutDays}
              ${series.ranOutDays === 1 ? 'day' : 'days'}
            </p>`
          : nothing
      }
    </section>`;
  }

  private _empty() {
    const { store } = this._hub;
    if (store.devices.size === 0)
      return html`<div class="card empty">
        <h2>No PCs yet</h2>
        <p>Usage appears here once a child uses a PC that has the Kidtime agent.</p>
        <a href=${href({ page: 'devices' })}>Add a PC</a>
      </div>`;
    return html`<div class="card empty">
      <h2>No usage in the last ${this._period} days</h2>
      <p>
        Records appear once a child signs in on a PC with the Kidtime agent: each PC reports the time used
        while the child is logged in, and again when the PC comes back online.
      </p>
      ${this._period === 7 ? html`<p class="muted">Older use shows under “30 days”.</p>` : nothing}
    </div>`;
  }

  /** Children first (by name), then the logins no child has yet, each one chart. */
  private _series(rows: UsageDayView[]): UsageSeries[] {
    const { store } = this._hub;
    const subjects: UsageSubject[] = [
      ...[...store.children]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((child) => ({ id: child.id, name: child.name, childId: child.id, key: null })),
      ...store.unassigned().map((login) => ({
        id: login.key,
        name: `${login.login} on ${store.devices.get(login.deviceId)?.name ?? 'a PC'}`,
        childId: null,
        key: login.key,
      })),
    ];
    return buildSeries(rows, this._days, subjects);
  }

  /** The days on screen, so the file holds what the parent sees. */
  private _filter(): UsageFilter {
    const days = this._days.length > 0 ? this._days : lastDays(new Date(), this._period);
    return { from: days[0], to: days[days.length - 1] };
  }

  private _choose(period: Period): void {
    if (period === this._period) return;
    this._period = period;
    void this._load();
  }

  private async _load(): Promise<void> {
    const request = ++this._request;
    const period = this._period;
    const days = lastDays(new Date(), period);
    this._loading = true;
    try {
      const rows = await listUsage(this._hub.session, { from: days[0], to: days[days.length - 1] });
      if (request !== this._request) return;
      this._rows = rows;
      this._days = days;
      this._error = '';
    } catch (error) {
      if (request !== this._request) return;
      this._error = error instanceof ApiError ? error.message : String(error);
    } finally {
      if (request === this._request) this._loading = false;
    }
  }

  private async _downloadCsv(): Promise<void> {
    const filter = this._filter();
    this._downloading = true;
    this._csvError = '';
    try {
      const blob = await usageCsv(this._hub.session, filter);
      saveFile(blob, `kidtime-usage-${filter.from}-to-${filter.to}.csv`);
    } catch (error) {
      this._csvError = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._downloading = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-usage-page': KtUsagePage;
  }
}
