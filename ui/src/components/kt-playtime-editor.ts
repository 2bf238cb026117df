import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import type { CommandView, ManagedUserState, PlaytimeRequest, TimeAdjustMode } from '@kidtime/protocol';
import { changePlaytime } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { duration } from '../data/format';
import type { CommandFinishedEvent, LoginView } from '../data/store';
import { WatchController } from '../data/watch';
import { type DayLimitsChangeEvent, numberHandler } from './kt-day-limits';
import { type SaveOutcome, answered, failure } from './kt-save-status';
import { sharedStyles } from './shared-styles';
import './kt-day-limits';
import './kt-save-status';

interface Activity {
  mask: string;
  description: string;
}

/** The PlayTime settings as the form edits them (today's time left is a separate, immediate action). */
interface PlaytimeForm {
  enabled: boolean;
  limitOverride: boolean;
  unaccountedIntervals: boolean;
  days: number[];
  /** Seconds, Monday first. */
  limits: number[];
  activities: Activity[];
}

function playtimeForm(state: ManagedUserState): PlaytimeForm {
  const playtime = state.playtime;
  const limits = Array.from({ length: 7 }, () => 0);
  // timekpr lists the limits in the order of the PlayTime days.
  playtime.allowedWeekdays.forEach((day, i) => (limits[day - 1] = playtime.limitsPerWeekday[i] ?? 0));
  return {
    enabled: playtime.enabled,
    limitOverride: playtime.limitOverride,
    unaccountedIntervals: playtime.unaccountedIntervals,
    days: [...playtime.allowedWeekdays].sort((a, b) => a - b),
    limits,
    activities: playtime.activities.map(({ mask, description }) => ({ mask, description })),
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Only what the parent changed; the activities go as one list (timekpr replaces the whole list). */
function playtimeChange(base: PlaytimeForm, draft: PlaytimeForm): PlaytimeRequest | null {
  const change: PlaytimeRequest = { queue: true };
  for (const flag of ['enabled', 'limitOverride', 'unaccountedIntervals'] as const)
    if (draft[flag] !== base[flag]) change[flag] = draft[flag];
  const daysChanged = !same(base.days, draft.days);
  if (daysChanged) change.allowedDays = draft.days;
  if (daysChanged || draft.days.some((day) => base.limits[day - 1] !== draft.limits[day - 1]))
    change.limits = draft.limits;
  if (!same(base.activities, draft.activities)) change.activities = draft.activities;
  return Object.keys(change).length > 1 ? change : null;
}

const MODES: ReadonlyArray<{ mode: TimeAdjustMode; label: string }> = [
  { mode: 'add', label: 'Add' },
  { mode: 'subtract', label: 'Take away' },
  { mode: 'set', label: 'Set to' },
];

/**
 * One login's PlayTime: timekpr's separate limit for chosen programs (games), with its own days and
 * limits, the list of programs it counts, and today's PlayTime left. The settings are a draft like the
 * schedule's (live updates never overwrite edits; Save sends what changed); today's time left is changed
 * at once. The hub checks every value (e.g. a process name) and its message is shown as it is.
 */
@customElement('kt-playtime-editor')
export class KtPlaytimeEditor extends LitElement {
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
      .check-hint {
        margin: -0.5rem 0 0 2rem;
      }
      .today {
        font-size: 1.3rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .left {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        gap: 0.5rem;
        align-items: end;
      }
      .left button {
        grid-column: 1 / -1;
      }
      @media (min-width: 30rem) {
        .left {
          grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto;
        }
        .left button {
          grid-column: auto;
        }
      }
      .left input,
      .left select {
        width: 100%;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.6rem;
      }
      .activity {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto;
        gap: 0.4rem;
        align-items: end;
      }
      @media (max-width: 29.99rem) {
        .activity {
          grid-template-columns: minmax(0, 1fr) auto;
          padding-bottom: 0.6rem;
          border-bottom: 1px solid var(--kt-border);
        }
        .activity .description {
          grid-column: 1;
          grid-row: 2;
        }
        .activity button {
          grid-column: 2;
          grid-row: 1 / 3;
          align-self: center;
        }
      }
      .activity input {
        width: 100%;
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
  @state() private _draft: PlaytimeForm | null = null;
  @state() private _base: PlaytimeForm | null = null;
  @state() private _stale = false;
  @state() private _outcome: SaveOutcome = { kind: 'none' };
  @state() private _leftOutcome: SaveOutcome = { kind: 'none' };
  @state() private _mode: TimeAdjustMode = 'add';
  @state() private _minutes = 15;
  private _seen: PlaytimeForm | null = null;
  private _key = '';
  /** Focus the new activity's first field once it is drawn. */
  private _focusNew = false;

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

  protected override updated(): void {
    if (!this._focusNew) return;
    this._focusNew = false;
    const fields = this.renderRoot.querySelectorAll<HTMLInputElement>('.activity .mask input');
    fields[fields.length - 1]?.focus();
  }

  override render() {
    const login = this.login;
    const draft = this._draft;
    return html`<section class="card" aria-labelledby="title">
      <h3 id="title">PlayTime</h3>
      <p class="hint muted">
        A separate daily limit for chosen programs (games), counted within the normal time.
      </p>
      ${
        !login?.state || !draft
          ? html`<p class="muted">
              ${login?.error ?? 'No reading from this PC yet: PlayTime shows once the PC has reported.'}
            </p>`
          : html`${this._today(login.state)}${this._form(draft)}`
      }
    </section>`;
  }

  private _today(state: ManagedUserState) {
    const { leftToday, spentToday, enabled } = state.playtime;
    const setMinutes = numberHandler(1440, (minutes) => (this._minutes = minutes));
    return html`<form @submit=${this._changeLeft}>
      <fieldset ?disabled=${this.readOnly}>
        <legend>Today</legend>
        ${
          leftToday === null
            ? html`<p class="muted">This PC's timekpr does not report PlayTime.</p>`
            : html`<p>
                <span class="today">${duration(leftToday)} left</span>
                <span class="muted">
                  · used ${duration(spentToday ?? 0)}${enabled ? '' : ' · PlayTime is off'}</span
                >
              </p>`
        }
        <div class="left">
          <label class="field">
            Change
            <select
              @change=${(e: Event) => (this._mode = (e.target as HTMLSelectElement).value as TimeAdjustMode)}
            >
              ${MODES.map((m) => html`<option value=${m.mode} ?selected=${m.mode === this._mode}>${m.label}</option>`)}
            </select>
          </label>
          <label class="field">
            Minutes
            <input
              type="number"
              inputmode="numeric"
              min="0"
              max="1440"
              .value=${live(String(this._minutes))}
              @input=${setMinutes}
              @change=${setMinutes}
            />
          </label>
          <button type="submit" ?disabled=${this._leftOutcome.kind === 'sending'}>
            Change PlayTime left
          </button>
        </div>
        <kt-save-status .outcome=${this._leftOutcome} .deviceName=${this.deviceName}></kt-save-status>
      </fieldset>
    </form>`;
  }

  private _form(draft: PlaytimeForm) {
    const dirty = this._dirty();
    return html`${
        this._stale
          ? html`<p class="note">
              The PlayTime settings on the PC changed while you were editing. Save sends only your edits;
              Reset shows the PC's settings instead.
            </p>`
          : nothing
      }
      <form @submit=${this._save}>
        <fieldset ?disabled=${this.readOnly}>
          <legend>Settings</legend>
          <label class="check">
            <input
              type="checkbox"
              .checked=${live(draft.enabled)}
              @change=${(e: Event) => this._edit({ enabled: (e.target as HTMLInputElement).checked })}
            />
            Use PlayTime
          </label>
          <label class="check">
            <input
              type="checkbox"
              aria-describedby="override-hint"
              .checked=${live(draft.limitOverride)}
              @change=${(e: Event) => this._edit({ limitOverride: (e.target as HTMLInputElement).checked })}
            />
            Count time only while a PlayTime program runs
          </label>
          <p class="hint muted check-hint" id="override-hint">
            timekpr's "PlayTime override": other use of the PC is then free; the allowed hours still apply.
          </p>
          <label class="check">
            <input
              type="checkbox"
              .checked=${live(draft.unaccountedIntervals)}
              @change=${(e: Event) =>
                this._edit({ unaccountedIntervals: (e.target as HTMLInputElement).checked })}
            />
            PlayTime programs are allowed in free (∞) hours
          </label>
        </fieldset>
        <fieldset ?disabled=${this.readOnly}>
          <legend>PlayTime days and limits</legend>
          <p class="hint muted">On days that are not ticked, PlayTime programs cannot be used.</p>
          <kt-day-limits
            .value=${{ days: draft.days, limits: draft.limits }}
            limitName="PlayTime"
            ?readOnly=${this.readOnly}
            @kt-day-limits-change=${(e: DayLimitsChangeEvent) => this._edit({ days: e.value.days, limits: e.value.limits })}
          ></kt-day-limits>
        </fieldset>
        <fieldset ?disabled=${this.readOnly}>
          <legend>Programs</legend>
          <p class="hint muted">
            The process name as the PC knows it, e.g. "minecraft" or "supertuxkart". It is matched as a
            pattern, so "steam.*" counts every program whose name starts with "steam".
          </p>
          ${
            draft.activities.length === 0
              ? html`<p class="muted">No programs yet.</p>`
              : html`<ol>
                  ${draft.activities.map((activity, i) => this._activity(activity, i))}
                </ol>`
          }
          <div>
            <button type="button" @click=${this._addActivity}>Add a program</button>
          </div>
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
                    Save PlayTime
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

  private _activity(activity: Activity, i: number) {
    const set = (change: Partial<Activity>) =>
      this._edit({
        activities: this._draft!.activities.map((a, j) => (j === i ? { ...a, ...change } : a)),
      });
    return html`<li>
      <div class="activity" role="group" aria-label="Program ${i + 1}">
        <label class="field mask">
          Process name
          <input
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            .value=${live(activity.mask)}
            @input=${(e: Event) => set({ mask: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field description">
          Description
          <input
            .value=${live(activity.description)}
            @input=${(e: Event) => set({ description: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button
          type="button"
          class="danger"
          aria-label="Remove program ${i + 1}"
          @click=${() => this._edit({ activities: this._draft!.activities.filter((_, j) => j !== i) })}
        >
          Remove
        </button>
      </div>
    </li>`;
  }

  private readonly _addActivity = () => {
    if (!this._draft) return;
    this._focusNew = true;
    this._edit({ activities: [...this._draft.activities, { mask: '', description: '' }] });
  };

  private _pending(): CommandView | undefined {
    return this.login ? this._hub.store.waiting(this.login.key, 'setPlaytime') : undefined;
  }

  private _dirty(): boolean {
    return this._draft !== null && this._base !== null && !same(this._draft, this._base);
  }

  private _edit(change: Partial<PlaytimeForm>): void {
    if (!this._draft) return;
    this._draft = { ...this._draft, ...change };
    if (this._outcome.kind !== 'sending') this._outcome = { kind: 'none' };
  }

  /** A new state from the PC: shown, unless it would overwrite the parent's edits or a change on its way. */
  private _follow(): void {
    const login = this.login;
    if (!login?.state) return;
    const seen = playtimeForm(login.state);
    if (login.key !== this._key) {
      this._key = login.key;
      this._seen = this._base = this._draft = seen;
      this._stale = false;
      this._outcome = this._leftOutcome = { kind: 'none' };
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
    const change = this._base && draft ? playtimeChange(this._base, draft) : null;
    if (!login || !draft || !change || this.readOnly) return;
    this._outcome = { kind: 'sending' };
    try {
      const { status, body } = await changePlaytime(this._hub.session, login.deviceId, login.login, change);
      if (status === 202) {
        this._base = draft;
        this._hub.store.track(body.command);
      } else if (body.state) {
        this._seen = this._base = this._draft = playtimeForm(body.state);
        this._stale = false;
        this._hub.store.setState(login.key, body.state);
      }
      this._outcome = answered(status, body);
    } catch (error) {
      this._outcome = failure(error);
    }
  };

  private readonly _changeLeft = async (event: SubmitEvent) => {
    event.preventDefault();
    const login = this.login;
    if (!login || this.readOnly) return;
    this._leftOutcome = { kind: 'sending' };
    try {
      const { status, body } = await changePlaytime(this._hub.session, login.deviceId, login.login, {
        queue: true,
        left: { mode: this._mode, seconds: Math.min(this._minutes * 60, 86_400) },
      });
      if (status === 202) this._hub.store.track(body.command);
      else if (body.state) this._hub.store.setState(login.key, body.state);
      this._leftOutcome = answered(status, body);
    } catch (error) {
      this._leftOutcome = failure(error);
    }
  };

  private readonly _onFinished = (event: Event) => {
    const { key, command } = event as CommandFinishedEvent;
    if (key !== this.login?.key || command.op !== 'setPlaytime') return;
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
    'kt-playtime-editor': KtPlaytimeEditor;
  }
}
