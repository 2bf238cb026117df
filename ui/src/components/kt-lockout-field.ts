import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { LockoutType } from '@kidtime/protocol';
import { hourLabel } from '../data/hours';
import type { Lockout } from '../data/schedule-draft';
import { sharedStyles } from './shared-styles';

export class LockoutChangeEvent extends Event {
  constructor(readonly value: Lockout) {
    super('kt-lockout-change');
  }
}

const LOCKOUTS: ReadonlyArray<{ type: LockoutType; label: string; description: string }> = [
  {
    type: 'terminate',
    label: 'Log the child out',
    description:
      "The child's session is ended: programs close and unsaved work is lost. The PC stays on for others. (timekpr's usual choice.)",
  },
  {
    type: 'lock',
    label: 'Lock the screen',
    description:
      'The screen locks and programs keep running. Not a hard stop: better suited to older children who keep to their own limits.',
  },
  {
    type: 'suspend',
    label: 'Put the PC to sleep',
    description: 'The PC is suspended (sleeps). Programs stay open for when there is time again.',
  },
  {
    type: 'suspendwake',
    label: 'Sleep, then wake up later',
    description:
      "The PC sleeps and wakes itself when the child's next allowed time starts, if that falls within the wake-up hours below. Woken with no time left, it locks and sleeps again. Suited to self-control more than to enforcement.",
  },
  {
    type: 'shutdown',
    label: 'Turn the PC off',
    description: 'The PC shuts down. Anyone else using it loses unsaved work too.',
  },
  {
    type: 'kill',
    label: 'Kill the session',
    description:
      "A setting of newer timekpr versions, which this PC uses: the child's session is ended forcefully. It cannot be chosen again here once changed.",
  },
];

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** What happens when time is up, each choice explained, and the wake-up hours of "sleep, then wake up". */
@customElement('kt-lockout-field')
export class KtLockoutField extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.6rem;
      }
      p {
        margin: 0;
        font-size: 0.9rem;
      }
      .wake {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) value: Lockout = { type: 'terminate', wakeFrom: 0, wakeTo: 23 };
  @property({ type: Boolean }) readOnly = false;

  override render() {
    const value = this.value;
    const chosen = LOCKOUTS.find((l) => l.type === value.type);
    return html`<label class="field">
        What happens
        <select
          aria-describedby="lockout-description"
          ?disabled=${this.readOnly}
          @change=${(e: Event) => this._set({ type: (e.target as HTMLSelectElement).value as LockoutType })}
        >
          ${
            // 'kill' is only ever read from a newer timekpr, never offered: the hub refuses it.
            LOCKOUTS.filter((l) => l.type !== 'kill' || value.type === 'kill').map(
              (l) => html`<option value=${l.type} ?selected=${l.type === value.type}>${l.label}</option>`,
            )
          }
        </select>
      </label>
      <p id="lockout-description">${chosen?.description ?? ''}</p>
      ${value.type === 'suspendwake' ? this._wake(value) : nothing}`;
  }

  private _wake(value: Lockout) {
    const hourSelect = (selected: number, set: (hour: number) => void) =>
      html`<select
        ?disabled=${this.readOnly}
        @change=${(e: Event) => set(Number((e.target as HTMLSelectElement).value))}
      >
        ${HOURS.map((h) => html`<option value=${h} ?selected=${h === selected}>${hourLabel(h)}</option>`)}
      </select>`;
    return html`<div class="wake">
      <label class="field"
        >Wake up from ${hourSelect(value.wakeFrom, (wakeFrom) => this._set({ wakeFrom }))}</label
      >
      <label class="field">until ${hourSelect(value.wakeTo, (wakeTo) => this._set({ wakeTo }))}</label>
    </div>`;
  }

  private _set(change: Partial<Lockout>): void {
    this.dispatchEvent(new LockoutChangeEvent({ ...this.value, ...change }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-lockout-field': KtLockoutField;
  }
}
