import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import { changePlaytime } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { type PlaytimeDraft, playtimeDraft, playtimeRequest } from '../data/playtime-draft';
import type { LoginView } from '../data/store';
import { WatchController } from '../data/watch';
import { DraftController } from './draft-controller';
import { draftActions, draftStyles, staleNote } from './draft-form';
import type { ActivitiesChangeEvent } from './kt-activities-editor';
import type { DayLimitsChangeEvent } from './kt-day-limits';
import { sharedStyles } from './shared-styles';
import './kt-activities-editor';
import './kt-day-limits';
import './kt-playtime-left';

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
    draftStyles,
    css`
      .check-hint {
        margin: -0.5rem 0 0 2rem;
      }
    `,
  ];

  @property({ attribute: false }) login: LoginView | null = null;
  @property() deviceName = 'the PC';
  @property({ type: Boolean }) readOnly = false;
  @consume({ context: hubContext }) private _hub!: HubContext;
  private readonly _drafts = new DraftController(this, () => this._hub, {
    op: 'setPlaytime',
    fromState: playtimeDraft,
    request: playtimeRequest,
    send: changePlaytime,
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
      <h3 id="title">PlayTime</h3>
      <p class="hint muted">
        A separate daily limit for chosen programs (games), counted within the normal time.
      </p>
      ${
        !login?.state || !editing
          ? html`<p class="muted">
              ${login?.error ?? 'No reading from this PC yet: PlayTime shows once the PC has reported.'}
            </p>`
          : html`<kt-playtime-left
                .login=${login}
                .deviceName=${this.deviceName}
                ?readOnly=${this.readOnly}
              ></kt-playtime-left>
              ${staleNote(editing.stale, 'PlayTime settings')}${this._form(editing.draft)}`
      }
    </section>`;
  }

  private _form(draft: PlaytimeDraft) {
    const edit = (change: Partial<PlaytimeDraft>) => this._drafts.edit(change);
    const check = (field: 'enabled' | 'limitOverride' | 'unaccountedIntervals') => (e: Event) =>
      edit({ [field]: (e.target as HTMLInputElement).checked });
    return html`<form @submit=${this._save}>
      <fieldset ?disabled=${this.readOnly}>
        <legend>Settings</legend>
        <label class="check">
          <input type="checkbox" .checked=${live(draft.enabled)} @change=${check('enabled')} />
          Use PlayTime
        </label>
        <label class="check">
          <input
            type="checkbox"
            aria-describedby="override-hint"
            .checked=${live(draft.limitOverride)}
            @change=${check('limitOverride')}
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
            @change=${check('unaccountedIntervals')}
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
          @kt-day-limits-change=${(e: DayLimitsChangeEvent) => edit(e.value)}
        ></kt-day-limits>
      </fieldset>
      <fieldset ?disabled=${this.readOnly}>
        <legend>Programs</legend>
        <p class="hint muted">
          The process name as the PC knows it, e.g. "minecraft" or "supertuxkart". It is matched as a pattern,
          so "steam.*" counts every program whose name starts with "steam".
        </p>
        <kt-activities-editor
          .activities=${draft.activities}
          ?readOnly=${this.readOnly}
          @kt-activities-change=${(e: ActivitiesChangeEvent) => edit({ activities: e.activities })}
        ></kt-activities-editor>
      </fieldset>
      ${draftActions({
        save: 'Save PlayTime',
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
    'kt-playtime-editor': KtPlaytimeEditor;
  }
}
