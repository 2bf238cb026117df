import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { WEEKDAYS, WEEKDAYS_SHORT, dayName } from '../data/day-limits';
import {
  type DayHours,
  EMPTY_DAY,
  FULL_DAY,
  type HourRule,
  type WeekHours,
  copyDay,
  describeDay,
  firstAllowedHour,
  hourDetails,
  hourLabel,
  setDay,
  setHour,
  toggleHour,
} from '../data/hours';
import { type HourPickEvent, type HourRuleEvent } from './kt-hour-panel';
import { sharedStyles } from './shared-styles';
import './kt-hour-panel';

export class HoursChangeEvent extends Event {
  constructor(readonly hours: WeekHours) {
    super('kt-hours-change');
  }
}

const COPY_TARGETS: ReadonlyArray<{ label: string; days: number[] }> = [
  { label: 'every day', days: [1, 2, 3, 4, 5, 6, 7] },
  { label: 'Monday to Friday', days: [1, 2, 3, 4, 5] },
  { label: 'Saturday and Sunday', days: [6, 7] },
];

/**
 * The allowed hours of one day at a time (day buttons above): 24 cells to tap, allowing or forbidding an
 * hour, and a panel below for one hour's minutes and free time. One day at a time keeps the cells big
 * enough for a finger at 375 px; the line of text above the cells says the day's hours in words.
 */
@customElement('kt-hours-grid')
export class KtHoursGrid extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.75rem;
      }
      .days {
        display: grid;
        grid-template-columns: repeat(7, 1fr);
        gap: 0.25rem;
      }
      .days button {
        min-width: 0;
        padding: 0;
      }
      .days button.off {
        color: var(--kt-muted);
        text-decoration: line-through;
      }
      .days button[aria-pressed='true'] {
        background: var(--kt-accent);
        border-color: var(--kt-accent);
        color: var(--kt-accent-text);
      }
      .summary {
        margin: 0;
        min-height: 2.9em;
      }
      .cells {
        display: grid;
        grid-template-columns: repeat(6, 1fr);
        gap: 0.3rem;
      }
      @media (min-width: 40rem) {
        .cells {
          grid-template-columns: repeat(12, 1fr);
        }
      }
      .cell {
        position: relative;
      }
      .cell button {
        width: 100%;
        min-width: 0;
        min-height: 48px;
        padding: 0 0 0.7rem;
        font-variant-numeric: tabular-nums;
        background: var(--kt-bg);
        color: var(--kt-muted);
        border: 1px dashed var(--kt-border-strong);
        font-weight: 500;
      }
      .cell.on button {
        background: var(--kt-accent-soft);
        border: 2px solid var(--kt-accent);
        color: var(--kt-text);
        font-weight: 700;
      }
      .cell.free button {
        background: color-mix(in srgb, var(--kt-ok) 14%, var(--kt-card));
        border-color: var(--kt-ok);
      }
      .cell.selected button {
        box-shadow:
          0 0 0 2px var(--kt-card),
          0 0 0 4px var(--kt-text);
      }
      /* Drawn over the button's lower edge; taps go through to the button. */
      .cell .more {
        position: absolute;
        inset: auto 2px 0.3rem 2px;
        text-align: center;
        font-size: 0.65rem;
        font-weight: 600;
        line-height: 1;
        color: var(--kt-text);
        white-space: nowrap;
        overflow: hidden;
        letter-spacing: -0.02em;
        pointer-events: none;
        font-variant-numeric: tabular-nums;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        margin: 0;
        font-size: 0.85rem;
      }
      .swatch {
        display: inline-block;
        width: 0.9rem;
        height: 0.9rem;
        vertical-align: -0.15rem;
        margin-right: 0.3rem;
        border-radius: 0.2rem;
        border: 1px dashed var(--kt-border-strong);
        background: var(--kt-bg);
      }
      .swatch.on {
        border: 2px solid var(--kt-accent);
        background: var(--kt-accent-soft);
      }
      .swatch.free {
        border: 2px solid var(--kt-ok);
        background: color-mix(in srgb, var(--kt-ok) 14%, var(--kt-card));
      }
      .copy {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem;
      }
      .copy button,
      .quick button {
        font-weight: 500;
      }
    `,
  ];

  @property({ attribute: false }) hours: WeekHours = [];
  /** Days the child may use the PC at all; the others are struck through. */
  @property({ attribute: false }) allowedDays: number[] = [];
  @property({ type: Boolean }) readOnly = false;
  /** 1 (Monday) to 7; today to start with. */
  @state() private _day = ((new Date().getDay() + 6) % 7) + 1;
  /** The hour the panel fine-tunes; by default the day's first allowed hour. */
  @state() private _hour: number | null = null;

  override render() {
    const name = dayName(this._day);
    const day = this.hours[this._day - 1] ?? [];
    const hour = this._panelHour(day);
    return html`
      <div class="days" role="group" aria-label="Day to show">
        ${WEEKDAYS.map(
          (full, i) =>
            html`<button
              type="button"
              class=${this.allowedDays.includes(i + 1) ? '' : 'off'}
              aria-pressed=${this._day === i + 1 ? 'true' : 'false'}
              @click=${() => this._showDay(i + 1)}
            >
              <span aria-hidden="true">${WEEKDAYS_SHORT[i]}</span><span class="visually-hidden">${full}</span>
            </button>`,
        )}
      </div>
      <p class="summary" aria-live="polite">
        <strong>${name}:</strong> ${describeDay(day)}${
          this.allowedDays.includes(this._day) ? '' : ' (but the PC may not be used on this day at all)'
        }
      </p>
      <div class="cells" role="group" aria-label="${name}'s hours: tap to allow or forbid">
        ${Array.from({ length: 24 }, (_, h) => this._cell(name, h, day[h] ?? null, h === hour))}
      </div>
      <p class="legend muted">
        <span><span class="swatch on"></span>allowed</span>
        <span><span class="swatch free"></span>∞ free, not counted</span>
        <span><span class="swatch"></span>not allowed</span>
        <span>"0–30": only those minutes</span>
      </p>
      <div class="row quick">
        <button
          type="button"
          ?disabled=${this.readOnly}
          @click=${() => this._emit(setDay(this.hours, this._day, FULL_DAY))}
        >
          Allow every hour
        </button>
        <button
          type="button"
          ?disabled=${this.readOnly}
          @click=${() => this._emit(setDay(this.hours, this._day, EMPTY_DAY))}
        >
          Forbid every hour
        </button>
      </div>
      <kt-hour-panel
        .dayName=${name}
        .hour=${hour}
        .rule=${day[hour] ?? null}
        ?readOnly=${this.readOnly}
        @kt-hour-pick=${(e: HourPickEvent) => (this._hour = e.hour)}
        @kt-hour-rule=${this._onRule}
      ></kt-hour-panel>
      <div class="copy">
        <span>Copy ${name}'s hours to</span>
        ${COPY_TARGETS.map(
          (target) =>
            html`<button
              type="button"
              aria-label="Copy ${name}'s hours to ${target.label}"
              ?disabled=${this.readOnly}
              @click=${() => this._emit(copyDay(this.hours, this._day, target.days))}
            >
              ${target.label}
            </button>`,
        )}
      </div>
    `;
  }

  /**
   * The button's name is the day and hour only, so it contains what the button shows; the minutes and free
   * time are drawn beside the button's text (not inside it) and read as its description.
   */
  private _cell(name: string, hour: number, rule: HourRule | null, selected: boolean) {
    const { marks, description } = hourDetails(rule);
    return html`<div
      class="cell ${rule ? 'on' : ''} ${rule?.unaccounted ? 'free' : ''} ${selected ? 'selected' : ''}"
    >
      <button
        type="button"
        aria-pressed=${rule ? 'true' : 'false'}
        aria-label="${name} ${hourLabel(hour)}"
        aria-describedby=${description ? `more-${hour}` : nothing}
        ?disabled=${this.readOnly}
        @click=${() => this._toggle(hour)}
      >
        ${String(hour).padStart(2, '0')}
      </button>
      <span class="more" aria-hidden="true">${marks}</span>
      <span id="more-${hour}" hidden>${description}</span>
    </div>`;
  }

  private _panelHour(day: DayHours): number {
    return this._hour ?? firstAllowedHour(day);
  }

  private _showDay(day: number): void {
    this._day = day;
    this._hour = null;
  }

  private _toggle(hour: number): void {
    this._hour = hour;
    this._emit(toggleHour(this.hours, this._day, hour));
  }

  private readonly _onRule = (e: HourRuleEvent) => this._emit(setHour(this.hours, this._day, e.hour, e.rule));

  private _emit(hours: WeekHours): void {
    this.dispatchEvent(new HoursChangeEvent(hours));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-hours-grid': KtHoursGrid;
  }
}
