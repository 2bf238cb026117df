import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CommandView, TimeResponse } from '@kidtime/protocol';
import { ApiError } from '../data/api';
import { outcome as finishedText } from '../data/store';
import { sharedStyles } from './shared-styles';

/** What became of the last change a settings editor sent. */
export type SaveOutcome =
  | { kind: 'none' }
  | { kind: 'sending' }
  | { kind: 'saved'; warning: string | null }
  | { kind: 'queued' }
  | { kind: 'error'; message: string }
  /** A queued or sent change the PC has since finished. */
  | { kind: 'finished'; command: CommandView };

export const QUEUED = 'The PC is offline: queued, it will apply when the PC comes back.';

/** The outcome of a failed request, in the hub's own words. */
export function failure(error: unknown): SaveOutcome {
  return { kind: 'error', message: error instanceof ApiError ? error.message : String(error) };
}

/** 200: applied and read back (perhaps with a warning); 202: queued for an offline PC. */
export function answered(status: number, body: TimeResponse): SaveOutcome {
  return status === 202 ? { kind: 'queued' } : { kind: 'saved', warning: body.warning };
}

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
    const alert = this._alert();
    return html`<div role="status">${this._status()}</div>
      ${alert ? html`<p role="alert">${alert}</p>` : nothing}`;
  }

  private _status() {
    const o = this.outcome;
    if (o.kind === 'sending') return html`<p>Saving…</p>`;
    if (o.kind === 'queued') return html`<p>${QUEUED}</p>`;
    const waiting = this.pending ? html`<p>${this._waiting(this.pending)}</p>` : nothing;
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

  private _alert(): string {
    const o = this.outcome;
    if (o.kind === 'error') return o.message;
    if (o.kind === 'finished' && o.command.status !== 'applied') return finishedText(o.command);
    return '';
  }

  private _waiting(command: CommandView): string {
    if (command.status !== 'queued') return `Sent to ${this.deviceName}, waiting for it to confirm…`;
    const until = new Date(command.expiresAt).toLocaleString([], {
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    return `A saved change is waiting for ${this.deviceName}: it applies when the PC comes back online (until ${until}).`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-save-status': KtSaveStatus;
  }
}
