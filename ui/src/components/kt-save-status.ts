import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CommandView } from '@kidtime/protocol';
import { QUEUED, type SaveOutcome, alertText, waitingText } from '../data/save-outcome';
import { sharedStyles } from './shared-styles';

/**
 * The status line under a settings editor: sending, saved, queued for an offline PC, still on its way,
 * or refused (role="alert", the hub's message as it is).
 */
@customElement('kt-save-status')
export class KtSaveStatus extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      p {
        margin: 0;
      }
      .saved {
        color: var(--kt-ok);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) outcome: SaveOutcome = { kind: 'none' };
  /** The change of this kind still on its way to the PC, if any. */
  @property({ attribute: false }) pending: CommandView | undefined;
  @property() deviceName = 'the PC';

  override render() {
    const alert = alertText(this.outcome);
    return html`<div role="status">${this._status()}</div>
      ${alert ? html`<p role="alert">${alert}</p>` : nothing}`;
  }

  private _status() {
    const o = this.outcome;
    if (o.kind === 'sending') return html`<p>Saving…</p>`;
    if (o.kind === 'queued') return html`<p>${QUEUED}</p>`;
    const waiting = this.pending ? html`<p>${waitingText(this.pending, this.deviceName)}</p>` : nothing;
    if (o.kind === 'saved')
      return html`${
        o.warning
          ? html`<p>Saved, but not confirmed exactly: ${o.warning}</p>`
          : html`<p class="saved">Saved: ${this.deviceName} confirmed it.</p>`
      }${waiting}`;
    if (o.kind === 'finished' && o.command.status === 'applied')
      return html`<p class="saved">Applied: ${this.deviceName} confirmed the change.</p>
        ${waiting}`;
    return waiting;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-save-status': KtSaveStatus;
  }
}
