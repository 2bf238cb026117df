import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { sharedStyles } from './shared-styles';

/** timekpr numbers the weekdays 1 (Monday) to 7 (Sunday). */
export const WEEKDAYS = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
export const WEEKDAYS_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export const dayName = (day: number): string => WEEKDAYS[day - 1] ?? `Day ${day}`;

/** Which days are on, and a limit in seconds for each of the seven days, Monday first. */
export interface DayLimits {
  days: number[];
  limits: number[];
}

export class DayLimitsChangeEvent extends Event {
  constructor(readonly value: DayLimits) {
    super('kt-day-limits-change');
  }
}

/** A whole number from typed text, kept within [min, max]; empty or nonsense counts as `min`. */
export function whole(text: string, max: number, min = 0): number {
  const value = Math.floor(Number(text));
  return Number.isFinite(value) ? Math.min(Math.max(value, min), max) : min;
}

/**
 * The handler for a number field's `input` and `change` events: the value goes into the draft as the parent
 * types (so Save is ready at once), and a field left empty counts as `min` only once the parent leaves it.
 */
export function numberHandler(max: number, set: (value: number) => void, min = 0) {
  return (event: Event): void => {
    const text = (event.target as HTMLInputElement).value;
    if (event.type === 'input' && text.trim() === '') return;
    set(whole(text, max, min));
  };
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
        const hours = Math.floor(seconds / 3600);
        const minutes = Math.floor((seconds % 3600) / 60);
        const disabled = this.readOnly || !on;
        const setHours = numberHandler(24, (h) => this._setLimit(i, h * 3600 + minutes * 60));
        const setMinutes = numberHandler(59, (m) => this._setLimit(i, hours * 3600 + m * 60));
        return html`<li class=${on ? '' : 'off'}>
          <label class="check">
            <input
              type="checkbox"
              .checked=${on}
              ?disabled=${this.readOnly}
              @change=${(e: Event) => this._toggle(day, (e.target as HTMLInputElement).checked)}
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

  private _toggle(day: number, on: boolean): void {
    const days = on ? [...this.value.days, day] : this.value.days.filter((d) => d !== day);
    this._emit({ ...this.value, days: [...new Set(days)].sort((a, b) => a - b) });
  }

  private _setLimit(index: number, seconds: number): void {
    const limits = [...this.value.limits];
    limits[index] = seconds;
    this._emit({ ...this.value, limits });
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
