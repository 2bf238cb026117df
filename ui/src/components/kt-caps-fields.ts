import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { type DayLimits, hoursAndMinutes } from '../data/day-limits';
import { CAP_MAX, type CapPeriod, capSeconds, defaultCap, isCapped } from '../data/schedule-draft';
import { numberHandler } from './number-input';
import { sharedStyles } from './shared-styles';

export interface Caps {
  /** Seconds; CAP_MAX.week: no cap. */
  weekLimit: number;
  /** Seconds; CAP_MAX.month: no cap. */
  monthLimit: number;
}

export class CapsChangeEvent extends Event {
  constructor(readonly change: Partial<Caps>) {
    super('kt-caps-change');
  }
}

/**
 * The week and month caps: each switched on with a checkbox (off means timekpr's maximum, its "no cap"), then
 * hours and minutes. A cap switched on starts from the daily limits added up, so it means something at once.
 */
@customElement('kt-caps-fields')
export class KtCapsFields extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.6rem;
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
    `,
  ];

  @property({ attribute: false }) value: Caps = { weekLimit: CAP_MAX.week, monthLimit: CAP_MAX.month };
  /** The draft's days and daily limits, for a cap's starting value. */
  @property({ attribute: false }) dayLimits: DayLimits = { days: [], limits: [] };
  @property({ type: Boolean }) readOnly = false;

  override render() {
    return html`${this._cap('week', this.value.weekLimit)}${this._cap('month', this.value.monthLimit)}`;
  }

  private _cap(period: CapPeriod, seconds: number) {
    const capped = isCapped(seconds, period);
    const { hours, minutes } = hoursAndMinutes(seconds);
    const name = period === 'week' ? 'Week' : 'Month';
    const maxHours = CAP_MAX[period] / 3600;
    const set = (value: number) =>
      this.dispatchEvent(
        new CapsChangeEvent(period === 'week' ? { weekLimit: value } : { monthLimit: value }),
      );
    const setHours = numberHandler(maxHours, (h) => set(capSeconds(h, minutes, period)));
    const setMinutes = numberHandler(59, (m) => set(capSeconds(hours, m, period)));
    return html`<div class="cap" @keydown=${this._submitOnEnter}>
      <label class="check">
        <input
          type="checkbox"
          .checked=${live(capped)}
          ?disabled=${this.readOnly}
          @change=${(e: Event) =>
            set(
              (e.target as HTMLInputElement).checked ? defaultCap(this.dayLimits, period) : CAP_MAX[period],
            )}
        />
        Cap the ${period} at
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
          ?disabled=${this.readOnly || !capped}
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
          ?disabled=${this.readOnly || !capped}
          @input=${setMinutes}
          @change=${setMinutes}
        />
        <span aria-hidden="true">min</span>
      </span>
    </div>`;
  }

  /**
   * Enter in a cap field saved the schedule while these fields were part of the editor's form; the form
   * cannot see into this element, so Enter asks it to submit.
   */
  private readonly _submitOnEnter = (event: KeyboardEvent) => {
    if (event.key !== 'Enter' || (event.target as HTMLInputElement).type !== 'number') return;
    event.preventDefault();
    this.closest('form')?.requestSubmit();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-caps-fields': KtCapsFields;
  }
}
