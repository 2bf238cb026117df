import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { WEEKDAYS, WEEKDAYS_SHORT, dayName, numberHandler } from './kt-day-limits';
import { sharedStyles } from './shared-styles';

/** The allowed minutes [fromMinute, toMinute) of one hour; `unaccounted`: free time, not counted. */
export interface HourRule {
  fromMinute: number;
  toMinute: number;
  unaccounted: boolean;
}
/** 24 slots, one per hour; null = the hour is not allowed. */
export type DayHours = ReadonlyArray<HourRule | null>;
/** Seven days, Monday first. */
export type WeekHours = ReadonlyArray<DayHours>;

export const FULL_HOUR: HourRule = { fromMinute: 0, toMinute: 60, unaccounted: false };
const FULL_DAY: DayHours = Array.from({ length: 24 }, () => FULL_HOUR);
const EMPTY_DAY: DayHours = Array.from({ length: 24 }, () => null);

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
export const hourLabel = (hour: number): string => `${pad(hour)}:00`;

/** "07:00–12:00, 14:00–14:30 free": a day's hours in words, neighbouring hours joined. */
export function describeDay(hours: DayHours): string {
  const runs: Array<{ start: number; end: number; free: boolean }> = [];
  hours.forEach((rule, hour) => {
    if (!rule) return;
    const start = hour * 60 + rule.fromMinute;
    const end = hour * 60 + rule.toMinute;
    const last = runs.at(-1);
    if (last && last.end === start && last.free === rule.unaccounted) last.end = end;
    else runs.push({ start, end, free: rule.unaccounted });
  });
  if (runs.length === 0) return 'no hours allowed';
  const only = runs.length === 1 ? runs[0] : undefined;
  if (only && only.start === 0 && only.end === 24 * 60 && !only.free) return 'all day';
  return runs.map((run) => `${clock(run.start)}–${clock(run.end)}${run.free ? ' free' : ''}`).join(', ');
}

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
      fieldset {
        border: 1px solid var(--kt-border);
        border-radius: 0.75rem;
        margin: 0;
        padding: 0.75rem;
        display: grid;
        gap: 0.6rem;
      }
      legend {
        font-weight: 700;
        padding: 0 0.3rem;
      }
      .minutes {
        display: grid;
        grid-template-columns: repeat(3, minmax(0, 1fr));
        gap: 0.5rem;
        align-items: end;
      }
      .minutes input {
        width: 100%;
      }
      .panel p {
        margin: 0;
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
        <button type="button" ?disabled=${this.readOnly} @click=${() => this._setDay(FULL_DAY)}>
          Allow every hour
        </button>
        <button type="button" ?disabled=${this.readOnly} @click=${() => this._setDay(EMPTY_DAY)}>
          Forbid every hour
        </button>
      </div>
      ${this._panel(name, hour, day[hour] ?? null)}
      <div class="copy">
        <span>Copy ${name}'s hours to</span>
        ${COPY_TARGETS.map(
          (target) =>
            html`<button
              type="button"
              aria-label="Copy ${name}'s hours to ${target.label}"
              ?disabled=${this.readOnly}
              @click=${() => this._copy(target.days)}
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
    const partial = rule !== null && (rule.fromMinute !== 0 || rule.toMinute !== 60);
    const marks = rule
      ? [rule.unaccounted ? '∞' : '', partial ? `${rule.fromMinute}–${rule.toMinute}` : '']
      : [];
    const details = rule
      ? [
          partial ? `only minutes ${rule.fromMinute} to ${rule.toMinute}` : '',
          rule.unaccounted ? 'free time' : '',
        ]
      : [];
    const description = details.filter(Boolean).join(', ');
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
        ${pad(hour)}
      </button>
      <span class="more" aria-hidden="true">${marks.filter(Boolean).join(' ')}</span>
      <span id="more-${hour}" hidden>${description}</span>
    </div>`;
  }

  private _panel(name: string, hour: number, rule: HourRule | null) {
    const setFrom = numberHandler(59, (fromMinute) => rule && this._setRule(hour, { ...rule, fromMinute }));
    const setTo = numberHandler(60, (toMinute) => rule && this._setRule(hour, { ...rule, toMinute }), 1);
    return html`<fieldset class="panel">
      <legend>Minutes and free time</legend>
      <div class="minutes">
        <div class="field">
          <label for="hour">Hour</label>
          <select
            id="hour"
            @change=${(e: Event) => (this._hour = Number((e.target as HTMLSelectElement).value))}
          >
            ${Array.from(
              { length: 24 },
              (_, h) => html`<option value=${h} ?selected=${h === hour}>${hourLabel(h)}</option>`,
            )}
          </select>
        </div>
        ${
          rule
            ? html`<label class="field">
                  From minute
                  <input
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max="59"
                    .value=${live(String(rule.fromMinute))}
                    ?disabled=${this.readOnly}
                    @input=${setFrom}
                    @change=${setFrom}
                  />
                </label>
                <label class="field">
                  To minute
                  <input
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max="60"
                    .value=${live(String(rule.toMinute))}
                    ?disabled=${this.readOnly}
                    @input=${setTo}
                    @change=${setTo}
                  />
                </label>`
            : nothing
        }
      </div>
      ${
        rule
          ? html`<label class="check">
                <input
                  type="checkbox"
                  .checked=${live(rule.unaccounted)}
                  ?disabled=${this.readOnly}
                  @change=${(e: Event) =>
                    this._setRule(hour, { ...rule, unaccounted: (e.target as HTMLInputElement).checked })}
                />
                Free time: ${name} ${hourLabel(hour)} is not counted
              </label>
              <p class="muted">
                Allowed from ${clock(hour * 60 + rule.fromMinute)} to ${clock(hour * 60 + rule.toMinute)}.
              </p>`
          : html`<p class="muted">${name} ${hourLabel(hour)} is not allowed: tap it above to allow it.</p>`
      }
    </fieldset>`;
  }

  private _panelHour(day: DayHours): number {
    if (this._hour !== null) return this._hour;
    const first = day.findIndex((rule) => rule !== null);
    return first < 0 ? 0 : first;
  }

  private _showDay(day: number): void {
    this._day = day;
    this._hour = null;
  }

  private _toggle(hour: number): void {
    const day = this.hours[this._day - 1] ?? EMPTY_DAY;
    this._hour = hour;
    this._setRule(hour, day[hour] ? null : FULL_HOUR);
  }

  private _setRule(hour: number, rule: HourRule | null): void {
    const day = [...(this.hours[this._day - 1] ?? EMPTY_DAY)];
    day[hour] = rule;
    this._setDay(day);
  }

  private _setDay(day: DayHours): void {
    this._emit(this.hours.map((hours, i) => (i === this._day - 1 ? day : hours)));
  }

  private _copy(days: number[]): void {
    const source = this.hours[this._day - 1] ?? EMPTY_DAY;
    this._emit(this.hours.map((hours, i) => (days.includes(i + 1) ? source : hours)));
  }

  private _emit(hours: WeekHours): void {
    this.dispatchEvent(new HoursChangeEvent(hours));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-hours-grid': KtHoursGrid;
  }
}
