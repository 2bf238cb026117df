import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { duration } from '../data/format';
import { axisLabel, dayDate, scaleTopSeconds, type DayUsage, type UsageSeries } from '../data/usage-series';
import { sharedStyles } from './shared-styles';

/** SVG user units per day slot and for the full height; the SVG stretches to its box (text lives in HTML). */
const SLOT = 10;
const BAR = 7;
const HEIGHT = 100;
/** A day with any use shows at least this tall, so a few minutes are not mistaken for none. */
const MIN_BAR = 1.5;

/**
 * One child's time used per day as bars. The bars are a hand-written SVG stretched to the width (so 30 days
 * fit on a phone); labels are HTML so text stays crisp at any width. Screen readers get the SVG's summary and
 * a visually hidden table with every day's number.
 */
@customElement('kt-usage-chart')
export class KtUsageChart extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .chart {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.4rem;
      }
      .axis {
        position: relative;
        height: 9rem;
        min-width: 2.6rem;
        font-size: 0.75rem;
        text-align: right;
      }
      .axis span {
        position: absolute;
        right: 0;
        transform: translateY(-50%);
        white-space: nowrap;
      }
      svg {
        display: block;
        width: 100%;
        height: 9rem;
        overflow: visible;
      }
      .grid {
        stroke: var(--kt-border);
        stroke-dasharray: 3 3;
      }
      .base {
        stroke: var(--kt-border-strong);
      }
      .bar {
        fill: var(--kt-accent);
      }
      .bar.out {
        fill: var(--kt-danger);
      }
      .under {
        position: relative;
        height: 2.3rem;
        font-size: 0.75rem;
      }
      .under span {
        position: absolute;
        white-space: nowrap;
        transform: translateX(-50%);
      }
      .under span.first {
        transform: none;
      }
      .under span.last {
        transform: translateX(-100%);
      }
      .mark {
        top: 0;
        color: var(--kt-danger);
        line-height: 1;
      }
      .label {
        top: 0.9rem;
      }
      .label.today {
        font-weight: 700;
        color: var(--kt-text);
      }
    `,
  ];

  @property({ attribute: false }) series: UsageSeries | null = null;
  /** `YYYY-MM-DD`: the browser's today, labelled as such. */
  @property() today = '';

  override render() {
    const series = this.series;
    if (!series) return nothing;
    const days = series.days;
    const top = scaleTopSeconds(Math.max(0, ...days.map((d) => d.seconds)));
    const height = (seconds: number) =>
      seconds <= 0 ? 0 : Math.max(MIN_BAR, Math.min(HEIGHT, (seconds / top) * HEIGHT));
    const width = days.length * SLOT;
    const name = series.subject.name;
    const summary =
      `Time ${name} used per day over the last ${days.length} days: ${duration(series.totalSeconds)} in all, ` +
      `${duration(series.averageSeconds)} a day on average. Each day is listed in the table that follows.`;
    return html`
      <div class="chart">
        <div class="axis muted" aria-hidden="true">
          <span style="top: 0">${axisLabel(top)}</span>
          <span style="top: 50%">${axisLabel(top / 2)}</span>
          <span style="top: 100%">0</span>
        </div>
        <div>
          <svg viewBox="0 0 ${width} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label=${summary}>
            <line class="grid" x1="0" x2=${width} y1="0.5" y2="0.5" vector-effect="non-scaling-stroke" />
            <line
              class="grid"
              x1="0"
              x2=${width}
              y1=${HEIGHT / 2}
              y2=${HEIGHT / 2}
              vector-effect="non-scaling-stroke"
            />
            ${days.map((day, i) => {
              const h = height(day.seconds);
              return svg`<rect
                class="bar ${day.ranOut ? 'out' : ''}"
                data-day=${day.day}
                data-seconds=${day.seconds}
                x=${i * SLOT + (SLOT - BAR) / 2}
                y=${HEIGHT - h}
                width=${BAR}
                height=${h}
              ><title>${this._dayName(day.day)}: ${this._amount(day)}</title></rect>`;
            })}
            <line
              class="base"
              x1="0"
              x2=${width}
              y1=${HEIGHT}
              y2=${HEIGHT}
              vector-effect="non-scaling-stroke"
            />
          </svg>
          <div class="under muted" aria-hidden="true">
            ${days.map((day, i) => this._under(day, i, days.length))}
          </div>
        </div>
      </div>
      <!-- Wrapped: a table grows to its content, so it cannot be hidden by sizing it. -->
      <div class="visually-hidden">
        <table>
          <caption>
            ${name}: time used per day
          </caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Time used</th>
              <th scope="col">Time ran out</th>
            </tr>
          </thead>
          <tbody>
            ${days.map(
              (day) =>
                html`<tr data-day=${day.day}>
                  <th scope="row">${this._dayName(day.day)}</th>
                  <td>${this._amount(day)}</td>
                  <td>${day.ranOut ? 'yes' : 'no'}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }

  /** The ran-out mark and the sparse day label under a bar; 30 labels would not fit a phone, so every 7th. */
  private _under(day: DayUsage, index: number, count: number) {
    const left = `left: ${((index + 0.5) / count) * 100}%`;
    // The end labels line up with the chart's edges instead of spilling past them.
    const edge = index === 0 ? 'first' : index === count - 1 ? 'last' : '';
    const labelLeft = edge === 'first' ? 'left: 0' : edge === 'last' ? 'left: 100%' : left;
    const labelled = count <= 7 || (count - 1 - index) % 7 === 0;
    const isToday = day.day === this.today;
    const date = dayDate(day.day);
    const text = isToday
      ? 'Today'
      : count <= 7
        ? date.toLocaleDateString(undefined, { weekday: 'short' })
        : date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
    return html`${day.ranOut ? html`<span class="mark" style=${left}>●</span>` : nothing}
    ${labelled ? html`<span class="label ${edge} ${isToday ? 'today' : ''}" style=${labelLeft}>${text}</span>` : nothing}`;
  }

  private _dayName(day: string): string {
    const text = dayDate(day).toLocaleDateString(undefined, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
    });
    return day === this.today ? `Today, ${text}` : text;
  }

  private _amount(day: DayUsage): string {
    const total = duration(day.seconds);
    if (day.parts.length === 0) return total;
    return `${total} (${day.parts.map((part) => `${part.label}: ${duration(part.seconds)}`).join(', ')})`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-usage-chart': KtUsageChart;
  }
}
