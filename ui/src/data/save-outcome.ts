import type { CommandView, TimeResponse } from '@kidtime/protocol';
import { ApiError } from './api';
import { outcome as finishedText } from './store';

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
export function answered(status: number, body: Pick<TimeResponse, 'warning'>): SaveOutcome {
  return status === 202 ? { kind: 'queued' } : { kind: 'saved', warning: body.warning };
}

/** What went wrong, for a role="alert" line; empty when nothing did. */
export function alertText(outcome: SaveOutcome): string {
  if (outcome.kind === 'error') return outcome.message;
  if (outcome.kind === 'finished' && outcome.command.status !== 'applied') return finishedText(outcome.command);
  return '';
}

/** A change still on its way: sent and not confirmed yet, or queued until the PC is back (and until when). */
export function waitingText(command: CommandView, deviceName: string): string {
  if (command.status !== 'queued') return `Sent to ${deviceName}, waiting for it to confirm…`;
  const until = new Date(command.expiresAt).toLocaleString([], {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  return `A saved change is waiting for ${deviceName}: it applies when the PC comes back online (until ${until}).`;
}
