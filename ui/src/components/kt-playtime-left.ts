import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { consume } from '@lit/context';
import type { TimeAdjustMode } from '@kidtime/protocol';
import { changePlaytime } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { duration } from '../data/format';
import { leftRequest } from '../data/playtime-draft';
import type { LoginView } from '../data/store';
import { type SaveOutcome, answered, failure } from '../data/save-outcome';
import { numberHandler } from './number-input';
import { sharedStyles } from './shared-styles';
import './kt-save-status';

const MODES: ReadonlyArray<{ mode: TimeAdjustMode; label: string }> = [
  { mode: 'add', label: 'Add' },
  { mode: 'subtract', label: 'Take away' },
  { mode: 'set', label: 'Set to' },
];

/** Today's PlayTime left and used, and a change to it that applies at once (or is queued for an offline PC). */
@customElement('kt-playtime-left')
export class KtPlaytimeLeft extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      p {
        margin: 0;
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
    `,
  ];

  @property({ attribute: false }) login: LoginView | null = null;
  @property() deviceName = 'the PC';
  @property({ type: Boolean }) readOnly = false;
  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _outcome: SaveOutcome = { kind: 'none' };
  @state() private _mode: TimeAdjustMode = 'add';
  @state() private _minutes = 15;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Another login's page: the last change's outcome was about someone else.
    const before = changed.get('login') as LoginView | null | undefined;
    if (changed.has('login') && before?.key !== this.login?.key) this._outcome = { kind: 'none' };
  }

  override render() {
    const playtime = this.login?.state?.playtime;
    if (!playtime) return html``;
    const { leftToday, spentToday, enabled } = playtime;
    const setMinutes = numberHandler(1440, (minutes) => (this._minutes = minutes));
    return html`<form @submit=${this._change}>
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
          <button type="submit" ?disabled=${this._outcome.kind === 'sending'}>Change PlayTime left</button>
        </div>
        <kt-save-status .outcome=${this._outcome} .deviceName=${this.deviceName}></kt-save-status>
      </fieldset>
    </form>`;
  }

  private readonly _change = async (event: SubmitEvent) => {
    event.preventDefault();
    const login = this.login;
    if (!login || this.readOnly) return;
    this._outcome = { kind: 'sending' };
    try {
      const request = leftRequest(this._mode, this._minutes);
      const { status, body } = await changePlaytime(this._hub.session, login.deviceId, login.login, request);
      if (status === 202) this._hub.store.track(body.command);
      else if (body.state) this._hub.store.setState(login.key, body.state);
      this._outcome = answered(status, body);
    } catch (error) {
      this._outcome = failure(error);
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-playtime-left': KtPlaytimeLeft;
  }
}
