import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { type Activity, addActivity, editActivity, removeActivity } from '../data/playtime-draft';
import { sharedStyles } from './shared-styles';

export class ActivitiesChangeEvent extends Event {
  constructor(readonly activities: Activity[]) {
    super('kt-activities-change');
  }
}

/** The programs PlayTime counts, each a process name and a description; a program added gets the focus. */
@customElement('kt-activities-editor')
export class KtActivitiesEditor extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.6rem;
      }
      p {
        margin: 0;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.6rem;
      }
      .activity {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) auto;
        gap: 0.4rem;
        align-items: end;
      }
      @media (max-width: 29.99rem) {
        .activity {
          grid-template-columns: minmax(0, 1fr) auto;
          padding-bottom: 0.6rem;
          border-bottom: 1px solid var(--kt-border);
        }
        .activity .description {
          grid-column: 1;
          grid-row: 2;
        }
        .activity button {
          grid-column: 2;
          grid-row: 1 / 3;
          align-self: center;
        }
      }
      .activity input {
        width: 100%;
      }
    `,
  ];

  @property({ attribute: false }) activities: Activity[] = [];
  @property({ type: Boolean }) readOnly = false;
  /** Focus the new program's first field once it is drawn. */
  private _focusNew = false;

  protected override updated(): void {
    if (!this._focusNew) return;
    this._focusNew = false;
    const fields = this.renderRoot.querySelectorAll<HTMLInputElement>('.activity .mask input');
    fields[fields.length - 1]?.focus();
  }

  override render() {
    return html`${
        this.activities.length === 0
          ? html`<p class="muted">No programs yet.</p>`
          : html`<ol>
              ${this.activities.map((activity, i) => this._activity(activity, i))}
            </ol>`
      }
      <div>
        <button type="button" ?disabled=${this.readOnly} @click=${this._add}>Add a program</button>
      </div>`;
  }

  private _activity(activity: Activity, i: number) {
    const set = (change: Partial<Activity>) => this._emit(editActivity(this.activities, i, change));
    return html`<li>
      <div class="activity" role="group" aria-label="Program ${i + 1}">
        <label class="field mask">
          Process name
          <input
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            .value=${live(activity.mask)}
            ?disabled=${this.readOnly}
            @input=${(e: Event) => set({ mask: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="field description">
          Description
          <input
            .value=${live(activity.description)}
            ?disabled=${this.readOnly}
            @input=${(e: Event) => set({ description: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button
          type="button"
          class="danger"
          aria-label="Remove program ${i + 1}"
          ?disabled=${this.readOnly}
          @click=${() => this._emit(removeActivity(this.activities, i))}
        >
          Remove
        </button>
      </div>
    </li>`;
  }

  private readonly _add = () => {
    this._focusNew = true;
    this._emit(addActivity(this.activities));
  };

  private _emit(activities: Activity[]): void {
    this.dispatchEvent(new ActivitiesChangeEvent(activities));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-activities-editor': KtActivitiesEditor;
  }
}
