import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import type { CommandView, LockoutType, ManagedUserState, ScheduleRequest } from '@kidtime/protocol';
import { changeSchedule } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import type { CommandFinishedEvent, LoginView } from '../data/store';
import { WatchController } from '../data/watch';
import { type DayLimitsChangeEvent, numberHandler } from './kt-day-limits';
import { type DayHours, type HoursChangeEvent, type WeekHours, hourLabel } from './kt-hours-grid';
import { type SaveOutcome, answered, failure } from './kt-save-status';
import { sharedStyles } from './shared-styles';
import './kt-day-limits';
import './kt-hours-grid';
import './kt-save-status';

/** timekpr's largest caps, which are what "no cap" means to it (0 would mean no time at all). */
const WEEK_MAX = 7 * 86_400;
const MONTH_MAX = 31 * 86_400;
/** What a day that timekpr has no limit for (a day not allowed) starts with when it is allowed again. */
const DAY_DEFAULT = 86_400;

type Lockout = { type: LockoutType; wakeFrom: number; wakeTo: number };

/** The schedule as the form edits it: everything a parent can change, in a shape that compares as JSON. */
interface ScheduleForm {
  days: number[];
  /** Seconds, Monday first; the days not allowed keep a value so that allowing them again shows one. */
  limits: number[];
  hours: WeekHours;
  weekLimit: number;
  monthLimit: number;
  lockout: Lockout;
  trackInactive: boolean;
  hideTrayIcon: boolean;
}

function scheduleForm(state: ManagedUserState): ScheduleForm {
  const limits = Array.from({ length: 7 }, () => DAY_DEFAULT);
  // timekpr lists the limits in the order of the allowed days.
  state.allowedWeekdays.forEach((day, i) => (limits[day - 1] = state.limitsPerWeekday[i] ?? DAY_DEFAULT));
  const hours = Array.from({ length: 7 }, (_, i) => {
    const slots: DayHours[number][] = Array.from({ length: 24 }, () => null);
    for (const h of state.allowedHours[String(i + 1)] ?? [])
      slots[h.hour] = { fromMinute: h.fromMinute, toMinute: h.toMinute, unaccounted: h.unaccounted };
    return slots;
  });
  return {
    days: [...state.allowedWeekdays].sort((a, b) => a - b),
    limits,
    hours,
    weekLimit: state.limitPerWeek,
    monthLimit: state.limitPerMonth,
    lockout: {
      type: state.lockout.type,
      wakeFrom: state.lockout.wakeFrom ?? 0,
      wakeTo: state.lockout.wakeTo ?? 23,
    },
    trackInactive: state.trackInactive,
    hideTrayIcon: state.hideTrayIcon,
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

type DayKey = '1' | '2' | '3' | '4' | '5' | '6' | '7';

/** Only what the parent changed, so a change on the PC meanwhile (another parent) is not undone. */
function scheduleChange(base: ScheduleForm, draft: ScheduleForm): ScheduleRequest | null {
  const change: ScheduleRequest = { queue: true };
  const daysChanged = !same(base.days, draft.days);
  if (daysChanged) change.allowedDays = draft.days;
  // timekpr keeps the limits by position among the allowed days: new days need their limits sent too.
  if (daysChanged || draft.days.some((day) => base.limits[day - 1] !== draft.limits[day - 1]))
    change.limits = draft.limits;
  const hours: NonNullable<ScheduleRequest['allowedHours']> = {};
  draft.hours.forEach((day, i) => {
    if (same(day, base.hours[i])) return;
    hours[String(i + 1) as DayKey] = day.flatMap((rule, hour) => (rule ? [{ hour, ...rule }] : []));
  });
  if (Object.keys(hours).length > 0) change.allowedHours = hours;
  if (draft.weekLimit !== base.weekLimit) change.weekLimit = draft.weekLimit;
  if (draft.monthLimit !== base.monthLimit) change.monthLimit = draft.monthLimit;
  const { type, wakeFrom, wakeTo } = draft.lockout;
  const wake = type === 'suspendwake';
  if (type !== base.lockout.type || (wake && !same(draft.lockout, base.lockout))) {
    // 'kill' is only ever read from a newer timekpr, never offered: the hub refuses it.
    const input = type as NonNullable<ScheduleRequest['lockout']>['type'];
    change.lockout = wake ? { type: input, wakeFrom, wakeTo } : { type: input };
  }
  if (draft.trackInactive !== base.trackInactive) change.trackInactive = draft.trackInactive;
  if (draft.hideTrayIcon !== base.hideTrayIcon) change.hideTrayIcon = draft.hideTrayIcon;
  return Object.keys(change).length > 1 ? change : null;
}

const LOCKOUTS: ReadonlyArray<{ type: LockoutType; label: string; description: string }> = [
  {
    type: 'terminate',
    label: 'Log the child out',
    description:
      "The child's session is ended: programs close and unsaved work is lost. The PC stays on for others. (timekpr's usual choice.)",
  },
  {
    type: 'lock',
    label: 'Lock the screen',
    description:
      'The screen locks and programs keep running. Not a hard stop: better suited to older children who keep to their own limits.',
  },
  {
    type: 'suspend',
    label: 'Put the PC to sleep',
    description: 'The PC is suspended (sleeps). Programs stay open for when there is time again.',
  },
  {
    type: 'suspendwake',
    label: 'Sleep, then wake up later',
    description:
      "The PC sleeps and wakes itself when the child's next allowed time starts, if that falls within the wake-up hours below. Woken with no time left, it locks and sleeps again. Suited to self-control more than to enforcement.",
  },
  {
    type: 'shutdown',
    label: 'Turn the PC off',
    description: 'The PC shuts down. Anyone else using it loses unsaved work too.',
  },
  {
    type: 'kill',
    label: 'Kill the session',
    description:
      "A setting of newer timekpr versions, which this PC uses: the child's session is ended forcefully. It cannot be chosen again here once changed.",
  },
];

/**
 * One login's timekpr schedule: days and daily limits, allowed hours, week and month caps, what happens
 * when time is up, and two switches. Edits are a draft: live updates of the PC's state never overwrite
 * them (the editor says when the PC's settings changed meanwhile, and Reset loads them), and Save sends
 * only the fields the parent changed. The hub checks every value; its message is shown as it is.
 */
@customElement('kt-schedule-editor')
export class KtScheduleEditor extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      section {
        display: grid;
        gap: 1rem;
      }
      h3 {
        margin: 0;
        font-size: 1.15rem;
      }
      p {
        margin: 0;
      }
      form {
        display: grid;
        gap: 1rem;
      }
      fieldset {
        border: 0;
        border-top: 1px solid var(--kt-border);
        margin: 0;
        padding: 0.75rem 0 0;
        display: grid;
        gap: 0.6rem;
        min-width: 0;
      }
      legend {
        font-weight: 700;
        font-size: 1.05rem;
        padding: 0 0.4rem 0 0;
      }
      .hint {
        font-size: 0.9rem;
      }
      .check input {
        flex: none;
      }
      .cap {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.3rem 0.75rem;
      }
      .cap .check {
        min-width: 11rem;
      }
      .time {
        display: flex;
        align-items: center;
        gap: 0.3rem;
      }
      .time input {
        width: 4.6rem;
        text-align: right;
      }
      .wake {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0.5rem;
      }
      .note {
        padding: 0.6rem 0.75rem;
        border-radius: 0.6rem;
        background: var(--kt-accent-soft);
      }
      .actions {
        display: grid;
        gap: 0.4rem;
        padding-top: 0.75rem;
        border-top: 1px solid var(--kt-border);
      }
      .buttons {
        display: flex;
        align-items: center;
        gap: 0.5rem;
      }
      .buttons .dirty {
        flex: 1;
        font-size: 0.9rem;
      }
    `,
  ];

  @property({ attribute: false }) login: LoginView | null = null;
  @property() deviceName = 'the PC';
  @property({ type: Boolean }) readOnly = false;
  @consume({ context: hubContext }) private _hub!: HubContext;
  /** What the parent is editing. */
  @state() private _draft: ScheduleForm | null = null;
  /** The schedule the draft started from: Save sends the difference. */
  @state() private _base: ScheduleForm | null = null;
  /** The PC's settings changed while the parent was editing. */
  @state() private _stale = false;
  @state() private _outcome: SaveOutcome = { kind: 'none' };
  /** The schedule in the latest state seen, to notice when the PC's settings (not just its counters) change. */
  private _seen: ScheduleForm | null = null;
  private _key = '';

  constructor() {
    super();
    new WatchController(this, () => this._hub?.store);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._hub.store.addEventListener('finished', this._onFinished);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._hub.store.removeEventListener('finished', this._onFinished);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('login')) this._follow();
  }

  override render() {
    const login = this.login;
    const draft = this._draft;
    return html`<section class="card" aria-labelledby="title">
      <h3 id="title">Schedule</h3>
      ${
        !login || !draft
          ? html`<p class="muted">
              ${login?.error ?? 'No reading from this PC yet: the schedule shows once the PC has reported.'}
            </p>`
          : this._form(draft)
      }
    </section>`;
  }

  private _form(draft: ScheduleForm) {
    const dirty = this._dirty();
    const lockout = LOCKOUTS.find((l) => l.type === draft.lockout.type);
    return html`${
        this._stale
          ? html`<p class="note">
              The settings on the PC changed while you were editing. Save sends only your edits; Reset shows
              the PC's settings instead.
            </p>`
          : nothing
      }
      <form @submit=${this._save}>
        <fieldset ?disabled=${this.readOnly}>
          <legend>Days and daily limits</legend>
          <p class="hint muted">
            Untick a day to keep the PC off limits all day. 24 h 0 min means no daily limit.
          </p>
          <kt-day-limits
            .value=${{ days: draft.days, limits: draft.limits }}
            limitName="limit"
            ?readOnly=${this.readOnly}
            @kt-day-limits-change=${(e: DayLimitsChangeEvent) => this._edit({ days: e.value.days, limits: e.value.limits })}
          ></kt-day-limits>
        </fieldset>
        <fieldset ?disabled=${this.readOnly}>
          <legend>Allowed hours</legend>
          <kt-hours-grid
            .hours=${draft.hours}
            .allowedDays=${draft.days}
            ?readOnly=${this.readOnly}
            @kt-hours-change=${(e: HoursChangeEvent) => this._edit({ hours: e.hours })}
          ></kt-hours-grid>
        </fieldset>
        <fieldset ?disabled=${this.readOnly}>
          <legend>Week and month</legend>
          ${this._cap('week', draft.weekLimit, WEEK_MAX, (weekLimit) => this._edit({ weekLimit }))}
          ${this._cap('month', draft.monthLimit, MONTH_MAX, (monthLimit) => this._edit({ monthLimit }))}
          <p class="hint muted">A week starts on Monday, a month on the 1st (the PC's calendar).</p>
        </fieldset>
        <fieldset ?disabled=${this.readOnly}>
          <legend>When time is up</legend>
          <label class="field">
            What happens
            <select
              aria-describedby="lockout-description"
              @change=${(e: Event) =>
                this._edit({
                  lockout: { ...draft.lockout, type: (e.target as HTMLSelectElement).value as LockoutType },
                })}
            >
              ${LOCKOUTS.filter((l) => l.type !== 'kill' || draft.lockout.type === 'kill').map(
                (l) =>
                  html`<option value=${l.type} ?selected=${l.type === draft.lockout.type}>
                    ${l.label}
                  </option>`,
              )}
            </select>
          </label>
          <p class="hint" id="lockout-description">${lockout?.description ?? ''}</p>
          ${draft.lockout.type === 'suspendwake' ? this._wake(draft.lockout) : nothing}
        </fieldset>
        <fieldset ?disabled=${this.readOnly}>
          <legend>More</legend>
          <label class="check">
            <input
              type="checkbox"
              .checked=${live(draft.trackInactive)}
              @change=${(e: Event) => this._edit({ trackInactive: (e.target as HTMLInputElement).checked })}
            />
            Count time while the screen is locked or idle
          </label>
          <label class="check">
            <input
              type="checkbox"
              .checked=${live(draft.hideTrayIcon)}
              @change=${(e: Event) => this._edit({ hideTrayIcon: (e.target as HTMLInputElement).checked })}
            />
            Hide timekpr's icon and notifications from the child
          </label>
        </fieldset>
        <div class="actions">
          ${
            this.readOnly
              ? html`<p class="muted">You can look but not change anything (viewer account).</p>`
              : html`<div class="buttons">
                  <span class="dirty muted">${dirty ? 'Unsaved changes' : 'No changes'}</span>
                  <button type="button" ?disabled=${!dirty && !this._stale} @click=${this._reset}>
                    Reset
                  </button>
                  <button
                    class="primary"
                    type="submit"
                    ?disabled=${!dirty || this._outcome.kind === 'sending'}
                  >
                    Save schedule
                  </button>
                </div>`
          }
          <kt-save-status
            .outcome=${this._outcome}
            .pending=${this._pending()}
            .deviceName=${this.deviceName}
          ></kt-save-status>
        </div>
      </form>`;
  }

  private _cap(what: 'week' | 'month', seconds: number, max: number, set: (seconds: number) => void) {
    const capped = seconds < max;
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const name = what === 'week' ? 'Week' : 'Month';
    const maxHours = max / 3600;
    const setHours = numberHandler(maxHours, (h) => set(Math.min(h * 3600 + minutes * 60, max)));
    const setMinutes = numberHandler(59, (m) => set(Math.min(hours * 3600 + m * 60, max)));
    return html`<div class="cap">
      <label class="check">
        <input
          type="checkbox"
          .checked=${live(capped)}
          @change=${(e: Event) => set((e.target as HTMLInputElement).checked ? this._defaultCap(max) : max)}
        />
        Cap the ${what} at
      </label>
      <span class="time">
        <input
          type="number"
          inputmode="numeric"
          min="0"
          max=${maxHours}
          aria-label="${name} cap, hours"
          .value=${live(capped ? String(hours) : '')}
          placeholder="–"
          ?disabled=${!capped}
          @input=${setHours}
          @change=${setHours}
        />
        <span aria-hidden="true">h</span>
        <input
          type="number"
          inputmode="numeric"
          min="0"
          max="59"
          aria-label="${name} cap, minutes"
          .value=${live(capped ? String(minutes) : '')}
          placeholder="–"
          ?disabled=${!capped}
          @input=${setMinutes}
          @change=${setMinutes}
        />
        <span aria-hidden="true">min</span>
      </span>
    </div>`;
  }

  /** A starting value when a cap is switched on: the sum of the daily limits, if that is below the maximum. */
  private _defaultCap(max: number): number {
    const draft = this._draft!;
    const sum = draft.days.reduce((total, day) => total + (draft.limits[day - 1] ?? 0), 0);
    const days = max === WEEK_MAX ? 1 : 31 / 7;
    const cap = Math.round((sum * days) / 3600) * 3600;
    return cap > 0 && cap < max ? cap : max === WEEK_MAX ? 20 * 3600 : 80 * 3600;
  }

  private _wake(lockout: Lockout) {
    const hours = Array.from({ length: 24 }, (_, h) => h);
    return html`<div class="wake">
      <label class="field">
        Wake up from
        <select
          @change=${(e: Event) =>
            this._edit({ lockout: { ...lockout, wakeFrom: Number((e.target as HTMLSelectElement).value) } })}
        >
          ${hours.map((h) => html`<option value=${h} ?selected=${h === lockout.wakeFrom}>${hourLabel(h)}</option>`)}
        </select>
      </label>
      <label class="field">
        until
        <select
          @change=${(e: Event) =>
            this._edit({ lockout: { ...lockout, wakeTo: Number((e.target as HTMLSelectElement).value) } })}
        >
          ${hours.map((h) => html`<option value=${h} ?selected=${h === lockout.wakeTo}>${hourLabel(h)}</option>`)}
        </select>
      </label>
    </div>`;
  }

  /** The newest schedule change still on its way to this PC. */
  private _pending(): CommandView | undefined {
    return this.login ? this._hub.store.waiting(this.login.key, 'setSchedule') : undefined;
  }

  private _dirty(): boolean {
    return this._draft !== null && this._base !== null && !same(this._draft, this._base);
  }

  private _edit(change: Partial<ScheduleForm>): void {
    if (!this._draft) return;
    this._draft = { ...this._draft, ...change };
    if (this._outcome.kind !== 'sending') this._outcome = { kind: 'none' };
  }

  /** A new state from the PC: shown, unless it would overwrite the parent's edits or a change on its way. */
  private _follow(): void {
    const login = this.login;
    if (!login?.state) return;
    const seen = scheduleForm(login.state);
    if (login.key !== this._key) {
      this._key = login.key;
      this._seen = this._base = this._draft = seen;
      this._stale = false;
      this._outcome = { kind: 'none' };
      return;
    }
    if (same(seen, this._seen)) return;
    this._seen = seen;
    if (!this._dirty() && !this._pending()) {
      this._base = this._draft = seen;
      this._stale = false;
    } else if (this._dirty() && !same(seen, this._base)) {
      this._stale = true;
    }
  }

  private readonly _reset = () => {
    this._base = this._draft = this._seen;
    this._stale = false;
    this._outcome = { kind: 'none' };
  };

  private readonly _save = async (event: SubmitEvent) => {
    event.preventDefault();
    const login = this.login;
    const draft = this._draft;
    const change = this._base && draft ? scheduleChange(this._base, draft) : null;
    if (!login || !draft || !change || this.readOnly) return;
    this._outcome = { kind: 'sending' };
    try {
      const { status, body } = await changeSchedule(this._hub.session, login.deviceId, login.login, change);
      if (status === 202) {
        // Shown as sent until the PC confirms; a state read meanwhile still has the old schedule.
        this._base = draft;
        this._hub.store.track(body.command);
      } else if (body.state) {
        // What timekpr read back is the truth, also when it differs from what was sent (the warning says so).
        this._seen = this._base = this._draft = scheduleForm(body.state);
        this._stale = false;
        this._hub.store.setState(login.key, body.state);
      }
      this._outcome = answered(status, body);
    } catch (error) {
      this._outcome = failure(error);
    }
  };

  private readonly _onFinished = (event: Event) => {
    const { key, command } = event as CommandFinishedEvent;
    if (key !== this.login?.key || command.op !== 'setSchedule') return;
    this._outcome = { kind: 'finished', command };
    // Applied: the form already shows it, and the PC's next state confirms it. Otherwise show the PC's settings.
    if (command.status !== 'applied' && !this._dirty() && this._seen) {
      this._base = this._draft = this._seen;
      this._stale = false;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-schedule-editor': KtScheduleEditor;
  }
}
