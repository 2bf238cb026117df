import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { type HourRule, clock, hourLabel, withMinutes } from '../data/hours';
import { numberHandler } from './number-input';
import { sharedStyles } from './shared-styles';

/** The parent picked another hour to fine-tune. */
export class HourPickEvent extends Event {
  constructor(readonly hour: number) {
    super('kt-hour-pick');
  }
}

/** The parent changed the minutes or free time of `hour`. */
export class HourRuleEvent extends Event {
  constructor(
    readonly hour: number,
    readonly rule: HourRule,
  ) {
    super('kt-hour-rule');
  }
}

/**
 * One hour of one day in detail: which of its minutes are allowed, and whether it is free time (not counted).
 * Picking another hour is allowed when read-only too: looking is not changing.
 */
@customElement('kt-hour-panel')
export class KtHourPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
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
      p {
        margin: 0;
      }
    `,
  ];

  /** The day's name, e.g. "Monday". */
  @property() dayName = '';
  @property({ type: Number }) hour = 0;
  /** The hour's rule; null: the hour is not allowed. */
  @property({ attribute: false }) rule: HourRule | null = null;
  @property({ type: Boolean }) readOnly = false;

  override render() {
    const { hour, rule } = this;
    return html`<fieldset>
      <legend>Minutes and free time</legend>
      <div class="minutes">
        <div class="field">
          <label for="hour">Hour</label>
          <select
            id="hour"
            @change=${(e: Event) =>
              this.dispatchEvent(new HourPickEvent(Number((e.target as HTMLSelectElement).value)))}
          >
            ${Array.from(
              { length: 24 },
              (_, h) => html`<option value=${h} ?selected=${h === hour}>${hourLabel(h)}</option>`,
            )}
          </select>
        </div>
        ${rule ? this._minutes(rule) : nothing}
      </div>
      ${
        rule
          ? html`<label class="check">
                <input
                  type="checkbox"
                  .checked=${live(rule.unaccounted)}
                  ?disabled=${this.readOnly}
                  @change=${(e: Event) => this._set({ ...rule, unaccounted: (e.target as HTMLInputElement).checked })}
                />
                Free time: ${this.dayName} ${hourLabel(hour)} is not counted
              </label>
              <p class="muted">
                Allowed from ${clock(hour * 60 + rule.fromMinute)} to ${clock(hour * 60 + rule.toMinute)}.
              </p>`
          : html`<p class="muted">
              ${this.dayName} ${hourLabel(hour)} is not allowed: tap it above to allow it.
            </p>`
      }
    </fieldset>`;
  }

  private _minutes(rule: HourRule) {
    const setFrom = numberHandler(59, (fromMinute) => this._set(withMinutes(rule, { fromMinute })));
    const setTo = numberHandler(60, (toMinute) => this._set(withMinutes(rule, { toMinute })), 1);
    return html`<label class="field">
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
      </label>`;
  }

  private _set(rule: HourRule): void {
    this.dispatchEvent(new HourRuleEvent(this.hour, rule));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-hour-panel': KtHourPanel;
  }
}
