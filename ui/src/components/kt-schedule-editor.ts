import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import { changeSchedule } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { type ScheduleDraft, scheduleDraft, scheduleRequest } from '../data/schedule-draft';
import type { LoginView } from '../data/store';
import { WatchController } from '../data/watch';
import { DraftController } from './draft-controller';
import { draftActions, draftStyles, staleNote } from './draft-form';
import type { CapsChangeEvent } from './kt-caps-fields';
import type { DayLimitsChangeEvent } from './kt-day-limits';
import type { HoursChangeEvent } from './kt-hours-grid';
import type { LockoutChangeEvent } from './kt-lockout-field';
import { sharedStyles } from './shared-styles';
import './kt-caps-fields';
import './kt-day-limits';
import './kt-hours-grid';
import './kt-lockout-field';

/**
 * One login's timekpr schedule: days and daily limits, allowed hours, week and month caps, what happens
 * when time is up, and two switches. Edits are a draft: live updates of the PC's state never overwrite
 * them (the editor says when the PC's settings changed meanwhile, and Reset loads them), and Save sends
 * only the fields the parent changed. The hub checks every value; its message is shown as it is.
 */
@customElement('kt-schedule-editor')
export class KtScheduleEditor extends LitElement {
  static override styles = [sharedStyles, draftStyles];

  @property({ attribute: false }) login: LoginView | null = null;
  @property() deviceName = 'the PC';
  @property({ type: Boolean }) readOnly = false;
  @consume({ context: hubContext }) private _hub!: HubContext;
  private readonly _drafts = new DraftController(this, () => this._hub, {
    op: 'setSchedule',
    fromState: scheduleDraft,
    request: scheduleRequest,
    send: changeSchedule,
  });

  constructor() {
    super();
    new WatchController(this, () => this._hub?.store);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('login')) this._drafts.follow(this.login);
  }

  override render() {
    const login = this.login;
    const editing = this._drafts.editing;
    return html`<section class="card" aria-labelledby="title">
      <h3 id="title">Schedule</h3>
      ${
        !login || !editing
          ? html`<p class="muted">
              ${login?.error ?? 'No reading from this PC yet: the schedule shows once the PC has reported.'}
            </p>`
          : html`${staleNote(editing.stale, 'settings')}${this._form(editing.draft)}`
      }
    </section>`;
  }

  private _form(draft: ScheduleDraft) {
    const edit = (change: Partial<ScheduleDraft>) => this._drafts.edit(change);
    const check = (field: 'trackInactive' | 'hideTrayIcon') => (e: Event) =>
      edit({ [field]: (e.target as HTMLInputElement).checked });
    return html`<form @submit=${this._save}>
      <fieldset ?disabled=${this.readOnly}>
        <legend>Days and daily limits</legend>
        <p class="hint muted">
          Untick a day to keep the PC off limits all day. 24 h 0 min means no daily limit.
        </p>
        <kt-day-limits
          .value=${{ days: draft.days, limits: draft.limits }}
          limitName="limit"
          ?readOnly=${this.readOnly}
          @kt-day-limits-change=${(e: DayLimitsChangeEvent) => edit(e.value)}
        ></kt-day-limits>
      </fieldset>
      <fieldset ?disabled=${this.readOnly}>
        <legend>Allowed hours</legend>
        <kt-hours-grid
          .hours=${draft.hours}
          .allowedDays=${draft.days}
          ?readOnly=${this.readOnly}
          @kt-hours-change=${(e: HoursChangeEvent) => edit({ hours: e.hours })}
        ></kt-hours-grid>
      </fieldset>
      <fieldset ?disabled=${this.readOnly}>
        <legend>Week and month</legend>
        <kt-caps-fields
          .value=${{ weekLimit: draft.weekLimit, monthLimit: draft.monthLimit }}
          .dayLimits=${{ days: draft.days, limits: draft.limits }}
          ?readOnly=${this.readOnly}
          @kt-caps-change=${(e: CapsChangeEvent) => edit(e.change)}
        ></kt-caps-fields>
        <p class="hint muted">A week starts on Monday, a month on the 1st (the PC's calendar).</p>
      </fieldset>
      <fieldset ?disabled=${this.readOnly}>
        <legend>When time is up</legend>
        <kt-lockout-field
          .value=${draft.lockout}
          ?readOnly=${this.readOnly}
          @kt-lockout-change=${(e: LockoutChangeEvent) => edit({ lockout: e.value })}
        ></kt-lockout-field>
      </fieldset>
      <fieldset ?disabled=${this.readOnly}>
        <legend>More</legend>
        <label class="check">
          <input type="checkbox" .checked=${live(draft.trackInactive)} @change=${check('trackInactive')} />
          Count time while the screen is locked or idle
        </label>
        <label class="check">
          <input type="checkbox" .checked=${live(draft.hideTrayIcon)} @change=${check('hideTrayIcon')} />
          Hide timekpr's icon and notifications from the child
        </label>
      </fieldset>
      ${draftActions({
        save: 'Save schedule',
        dirty: this._drafts.dirty,
        stale: this._drafts.editing?.stale ?? false,
        readOnly: this.readOnly,
        outcome: this._drafts.outcome,
        waiting: this._drafts.waiting(),
        deviceName: this.deviceName,
        reset: () => this._drafts.reset(),
      })}
    </form>`;
  }

  private readonly _save = (event: SubmitEvent) => {
    event.preventDefault();
    if (!this.readOnly) void this._drafts.save();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-schedule-editor': KtScheduleEditor;
  }
}
