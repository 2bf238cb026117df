import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { type DayLimits, WEEKDAYS, hoursAndMinutes, setDayLimit, toggleDay } from '../data/day-limits';
import { numberHandler } from './number-input';
import { sharedStyles } from './shared-styles';

export class DayLimitsChangeEvent extends Event {
  constructor(readonly value: DayLimits) {
    super('kt-day-limits-change');
  }
}

/**
 * Seven days, each with a checkbox (may the child use it that day) and a limit in hours and minutes.
 * Limits are kept in seconds, so a day nobody touched goes back to the hub exactly as timekpr had it.
 */
@customElement('kt-day-limits')
export class KtDayLimits extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
        max-width: 24rem;
      }
      li {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        align-items: center;
        gap: 0.5rem;
      }
      .time {
        display: flex;
        align-items: center;
        gap: 0.25rem;
      }
      .unit {
        min-width: 1.9rem;
      }
      .check input {
        flex: none;
      }
      input[type='number'] {
        width: 3.6rem;
        padding: 0 0.5rem;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      .off {
        color: var(--kt-muted);
      }
    `,
  ];

  @property({ attribute: false }) value: DayLimits = { days: [], limits: [] };
  /** What a day's limit is called in labels, e.g. "limit" → "Monday limit, hours". */
  @property() limitName = 'limit';
  @property({ type: Boolean }) readOnly = false;

  override render() {
    const { days, limits } = this.value;
    return html`<ul>
      ${WEEKDAYS.map((name, i) => {
        const day = i + 1;
        const on = days.includes(day);
        const seconds = limits[i] ?? 0;
        const { hours, minutes } = hoursAndMinutes(seconds);
        const disabled = this.readOnly || !on;
        const set = (h: number, m: number) => this._emit(setDayLimit(this.value, day, h * 3600 + m * 60));
        const setHours = numberHandler(24, (h) => set(h, minutes));
        const setMinutes = numberHandler(59, (m) => set(hours, m));
        return html`<li class=${on ? '' : 'off'}>
          <label class="check">
            <input
              type="checkbox"
              .checked=${on}
              ?disabled=${this.readOnly}
              @change=${(e: Event) =>
                this._emit(toggleDay(this.value, day, (e.target as HTMLInputElement).checked))}
            />
            ${name}
          </label>
          <span class="time">
            <input
              type="number"
              inputmode="numeric"
              min="0"
              max="24"
              aria-label="${name} ${this.limitName}, hours"
              .value=${live(String(hours))}
              ?disabled=${disabled}
              @input=${setHours}
              @change=${setHours}
            />
            <span aria-hidden="true">h</span>
            <input
              type="number"
              inputmode="numeric"
              min="0"
              max="59"
              aria-label="${name} ${this.limitName}, minutes"
              .value=${live(String(minutes))}
              ?disabled=${disabled}
              @input=${setMinutes}
              @change=${setMinutes}
            />
            <span class="unit" aria-hidden="true">min</span>
          </span>
        </li>`;
      })}
    </ul>`;
  }

  private _emit(value: DayLimits): void {
    this.dispatchEvent(new DayLimitsChangeEvent(value));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-day-limits': KtDayLimits;
  }
}
