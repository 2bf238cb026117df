import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { AccountView, AuditEntryView } from '@kidtime/protocol';
import { ApiError, auditCsv, listAccounts, listAudit, type AuditFilter } from '../data/api';
import {
  ACTIONS,
  CHANNELS,
  channelLabel,
  dayRange,
  describeAudit,
  type AuditNames,
} from '../data/audit-text';
import { hubContext, type HubContext } from '../data/context';
import { saveFile } from '../data/save-file';
import { loginKey } from '../data/store';
import { dayDate, localDay } from '../data/usage-series';
import { WatchController } from '../data/watch';
import { sharedStyles } from './shared-styles';

const PAGE = 50;
/** The hub's largest page: the CSV export holds at most this many of the newest matching entries. */
const CSV_LIMIT = 1000;

/** What the parent filters by; empty means any. Days are the browser's local `YYYY-MM-DD`. */
interface ActivityFilter {
  deviceId: string;
  login: string;
  actorId: string;
  action: string;
  channel: string;
  fromDay: string;
  toDay: string;
}

const NO_FILTER: ActivityFilter = {
  deviceId: '',
  login: '',
  actorId: '',
  action: '',
  channel: '',
  fromDay: '',
  toDay: '',
};

/** The audit log: who changed what, when, through which channel, and how it ended; filtered, paged, exported. */
@customElement('kt-activity-page')
export class KtActivityPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
        margin-bottom: 1rem;
      }
      details {
        margin-bottom: 1rem;
      }
      summary {
        display: flex;
        align-items: center;
        min-height: 44px;
        cursor: pointer;
        font-weight: 600;
      }
      summary:focus-visible {
        outline: 3px solid var(--kt-accent);
        outline-offset: 2px;
      }
      .filters {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 9rem), 1fr));
        margin-top: 0.5rem;
      }
      .filters select,
      .filters input {
        width: 100%;
        min-width: 0;
        /* Two columns on a phone: room for the text rather than the padding. */
        padding: 0 0.4rem;
      }
      .status {
        min-height: 1.5rem;
        margin: 0 0 0.5rem;
      }
      h2 {
        font-size: 1rem;
        margin: 1rem 0 0.5rem;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        padding: 0.6rem 0.8rem;
        border-left: 4px solid transparent;
      }
      li:focus-visible {
        outline: 3px solid var(--kt-accent);
      }
      li.problem {
        border-left-color: var(--kt-danger);
      }
      li p {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .outcome {
        font-weight: 600;
      }
      .problem .outcome,
      .problem .message {
        color: var(--kt-danger);
      }
      .meta {
        font-size: 0.85rem;
      }
      .more {
        margin-top: 1rem;
        display: grid;
        justify-items: center;
        gap: 0.5rem;
      }
      .empty {
        border-style: dashed;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _filter: ActivityFilter = NO_FILTER;
  @state() private _entries: AuditEntryView[] | null = null;
  /** The last page was full: there may be older entries. */
  @state() private _more = false;
  @state() private _loading = false;
  @state() private _loadingMore = false;
  @state() private _error = '';
  @state() private _moreError = '';
  @state() private _csvError = '';
  @state() private _downloading = false;
  /** Every account (owners only may list them); for others, the people seen in the log so far. */
  @state() private _accounts: AccountView[] | null = null;
  @state() private _seenActors = new Map<string, string>();
  private _request = 0;
  private readonly _wide = window.matchMedia('(min-width: 48rem)').matches;

  constructor() {
    super();
    new WatchController(this, () => this._hub?.store);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this._load();
    if (this._hub.account.role === 'owner') void this._loadAccounts();
  }

  override render() {
    const active = this._activeFilters();
    return html`
      <h1 class="page-title">Activity</h1>
      <div class="bar">
        <p class="muted" style="margin: 0">Who changed what, and how it ended.</p>
        <button @click=${this._downloadCsv} ?disabled=${this._downloading}>
          ${this._downloading ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      </div>
      ${this._csvError ? html`<p role="alert">${this._csvError}</p>` : nothing}
      <details class="card" ?open=${this._wide}>
        <summary>Filters${active > 0 ? ` (${active} on)` : ''}</summary>
        ${this._filters()}
      </details>
      <p class="status muted" role="status">${this._summary()}</p>
      ${this._body()}
    `;
  }

  private _filters() {
    const { store } = this._hub;
    const f = this._filter;
    const devices = [...store.devices.values()].sort((a, b) => a.name.localeCompare(b.name));
    const rangeProblem = f.fromDay && f.toDay && f.fromDay > f.toDay;
    return html`<div class="filters" @change=${this._onChange}>
        <label class="field">
          PC
          <select name="deviceId">
            <option value="">All PCs</option>
            ${devices.map((d) => html`<option value=${d.id} ?selected=${f.deviceId === d.id}>${d.name}</option>`)}
          </select>
        </label>
        <label class="field">
          Child or login
          <select name="login">
            <option value="">Everyone</option>
            ${this._loginGroups().map(
              (group) =>
                html`<optgroup label=${group.label}>
                  ${group.logins.map(
                    (login) =>
                      html`<option value=${login.value} ?selected=${f.login === login.value}>
                        ${login.label}
                      </option>`,
                  )}
                </optgroup>`,
            )}
          </select>
        </label>
        <label class="field">
          Who
          <select name="actorId">
            <option value="">Anyone</option>
            ${this._actors().map(
              (actor) =>
                html`<option value=${actor.id} ?selected=${f.actorId === actor.id}>${actor.name}</option>`,
            )}
          </select>
        </label>
        <label class="field">
          What
          <select name="action">
            <option value="">Everything</option>
            ${ACTIONS.map(
              (a) => html`<option value=${a.value} ?selected=${f.action === a.value}>${a.label}</option>`,
            )}
          </select>
        </label>
        <label class="field">
          Channel
          <select name="channel">
            <option value="">Any channel</option>
            ${CHANNELS.map(
              (c) => html`<option value=${c.value} ?selected=${f.channel === c.value}>${c.label}</option>`,
            )}
          </select>
        </label>
        <label class="field">
          From
          <input type="date" name="fromDay" .value=${f.fromDay} max=${f.toDay || nothing} />
        </label>
        <label class="field">
          To
          <input type="date" name="toDay" .value=${f.toDay} min=${f.fromDay || nothing} />
        </label>
      </div>
      ${rangeProblem ? html`<p role="alert">“From” is after “To”: nothing can match.</p>` : nothing}
      ${
        this._activeFilters() > 0
          ? html`<p><button @click=${() => this._apply(NO_FILTER)}>Clear filters</button></p>`
          : nothing
      }`;
  }

  private _body() {
    if (this._error)
      return html`<div class="card">
        <p role="alert">${this._error}</p>
        <button @click=${() => void this._load()}>Try again</button>
      </div>`;
    const entries = this._entries;
    if (entries === null) return html`<p class="muted">Loading the activity…</p>`;
    if (entries.length === 0)
      return this._activeFilters() > 0
        ? html`<div class="card empty">
            <h2>Nothing matches these filters</h2>
            <button @click=${() => this._apply(NO_FILTER)}>Clear filters</button>
          </div>`
        : html`<div class="card empty">
            <h2>Nothing recorded yet</h2>
            <p>
              Every change a parent makes (time, schedules, children, PCs, accounts), each PC's answer, and
              every refused sign-in is listed here.
            </p>
          </div>`;
    const names = this._names();
    const today = localDay(new Date());
    const yesterday = localDay(new Date(Date.now() - 86_400_000));
    const groups: Array<{ day: string; entries: AuditEntryView[] }> = [];
    for (const entry of entries) {
      const day = localDay(new Date(entry.at));
      const last = groups[groups.length - 1];
      if (last?.day === day) last.entries.push(entry);
      else groups.push({ day, entries: [entry] });
    }
    return html`${groups.map(
        (group) =>
          html`<section aria-labelledby="day-${group.day}">
            <h2 id="day-${group.day}">
              ${
                group.day === today
                  ? 'Today'
                  : group.day === yesterday
                    ? 'Yesterday'
                    : dayDate(group.day).toLocaleDateString(undefined, {
                        weekday: 'long',
                        day: 'numeric',
                        month: 'long',
                      })
              }
            </h2>
            <ol>
              ${group.entries.map((entry) => this._entry(entry, names))}
            </ol>
          </section>`,
      )}
      <div class="more">
        ${this._moreError ? html`<p role="alert">${this._moreError}</p>` : nothing}
        ${
          this._more
            ? html`<button @click=${this._loadMore} ?disabled=${this._loadingMore}>
                ${this._loadingMore ? 'Loading…' : 'Load more'}
              </button>`
            : html`<p class="muted">
                That is everything${this._activeFilters() > 0 ? ' that matches' : ''}.
              </p>`
        }
      </div>`;
  }

  private _entry(entry: AuditEntryView, names: AuditNames) {
    const text = describeAudit(entry, names);
    const at = new Date(entry.at);
    return html`<li class="card ${text.problem ? 'problem' : ''}" data-id=${entry.id} tabindex="-1">
      <p>
        ${text.sentence}${
          text.outcome
            ? html` —
                <span class="outcome"
                  >${text.problem ? html`<span aria-hidden="true">⚠ </span>` : nothing}${text.outcome}</span
                >`
            : nothing
        }
      </p>
      ${entry.message ? html`<p class="message ${text.problem ? '' : 'muted'}">${entry.message}</p>` : nothing}
      <p class="meta muted">
        <time datetime=${entry.at}>${at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>
        · ${channelLabel(entry.channel)}
      </p>
    </li>`;
  }

  private _summary(): string {
    if (this._loading && this._entries) return 'Updating…';
    if (!this._entries || this._entries.length === 0) return '';
    const count = this._entries.length;
    return `${count} ${count === 1 ? 'entry' : 'entries'} shown${this._more ? ', newest first; more below' : ''}.`;
  }

  private _names(): AuditNames {
    const { store } = this._hub;
    return {
      device: (id) => store.devices.get(id)?.name,
      childOfLogin: (deviceId, login) =>
        deviceId ? store.childOf(loginKey(deviceId, login))?.name : undefined,
      child: (id) => store.children.find((child) => child.id === id)?.name,
    };
  }

  /** A group per child with their login names (the hub filters by login name), then the logins no child has. */
  private _loginGroups(): Array<{ label: string; logins: Array<{ value: string; label: string }> }> {
    const { store } = this._hub;
    const options = (logins: Array<{ login: string; deviceId: string }>) => {
      const pcs = new Map<string, string[]>();
      for (const l of logins)
        pcs.set(l.login, [...(pcs.get(l.login) ?? []), store.devices.get(l.deviceId)?.name ?? 'a PC']);
      return [...pcs].map(([login, names]) => ({ value: login, label: `${login} (${names.join(', ')})` }));
    };
    const groups = [...store.children]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((child) => ({ label: child.name, logins: options(child.members) }))
      .filter((group) => group.logins.length > 0);
    const unassigned = options(store.unassigned());
    return unassigned.length > 0 ? [...groups, { label: 'Not a child’s yet', logins: unassigned }] : groups;
  }

  private _actors(): Array<{ id: string; name: string }> {
    const listed = (this._accounts ?? []).map((a) => ({ id: a.id, name: a.username }));
    const known = new Set(listed.map((a) => a.id));
    const seen = [...this._seenActors]
      .filter(([id]) => !known.has(id))
      .map(([id, name]) => ({ id, name }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return [...listed, ...seen];
  }

  private _activeFilters(): number {
    return Object.values(this._filter).filter(Boolean).length;
  }

  private _onChange(event: Event): void {
    const control = event.target as HTMLSelectElement | HTMLInputElement;
    if (!(control.name in NO_FILTER)) return;
    this._apply({ ...this._filter, [control.name]: control.value });
  }

  private _apply(filter: ActivityFilter): void {
    this._filter = filter;
    void this._load();
  }

  private _query(): AuditFilter {
    const f = this._filter;
    return {
      deviceId: f.deviceId || undefined,
      login: f.login || undefined,
      actorId: f.actorId || undefined,
      action: f.action || undefined,
      channel: f.channel || undefined,
      ...dayRange(f.fromDay, f.toDay),
    };
  }

  private async _load(): Promise<void> {
    const request = ++this._request;
    this._loading = true;
    this._moreError = '';
    try {
      const page = await listAudit(this._hub.session, { ...this._query(), limit: PAGE });
      if (request !== this._request) return;
      this._entries = page;
      this._more = page.length === PAGE;
      this._error = '';
      this._see(page);
    } catch (error) {
      if (request !== this._request) return;
      this._error = error instanceof ApiError ? error.message : String(error);
    } finally {
      if (request === this._request) this._loading = false;
    }
  }

  private async _loadMore(): Promise<void> {
    const entries = this._entries;
    const last = entries?.[entries.length - 1];
    if (!entries || !last) return;
    const request = this._request;
    this._loadingMore = true;
    this._moreError = '';
    try {
      const page = await listAudit(this._hub.session, { ...this._query(), limit: PAGE, cursor: last.id });
      if (request !== this._request) return; // the filters changed meanwhile
      this._entries = [...entries, ...page];
      this._more = page.length === PAGE;
      this._see(page);
      const first = page[0];
      if (first) {
        // The button may be gone now: carry keyboard focus to the first new entry rather than losing it.
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>(`li[data-id="${first.id}"]`)?.focus();
      }
    } catch (error) {
      this._moreError = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._loadingMore = false;
    }
  }

  /** Remembers who appears in the log, for the "Who" filter of parents who cannot list accounts. */
  private _see(entries: AuditEntryView[]): void {
    const seen = new Map(this._seenActors);
    for (const { actor } of entries) {
      if (actor.id && actor.type !== 'system' && !seen.has(actor.id))
        seen.set(actor.id, actor.type === 'device' ? `${actor.name} (PC)` : actor.name);
    }
    if (seen.size !== this._seenActors.size) this._seenActors = seen;
  }

  private async _loadAccounts(): Promise<void> {
    try {
      this._accounts = await listAccounts(this._hub.session);
    } catch (error) {
      // Not fatal: the "Who" filter then offers the people seen in the log, as it does for other roles.
      console.warn('Could not list the accounts for the activity filter', error);
    }
  }

  private async _downloadCsv(): Promise<void> {
    this._downloading = true;
    this._csvError = '';
    try {
      const blob = await auditCsv(this._hub.session, { ...this._query(), limit: CSV_LIMIT });
      saveFile(blob, `kidtime-activity-${localDay(new Date())}.csv`);
    } catch (error) {
      this._csvError = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._downloading = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-activity-page': KtActivityPage;
  }
}
