import type { TimeAdjustMode } from '@kidtime/protocol';
import { MAX_SET_MINUTES } from './ha-discovery';
import type { HaChildAction } from './ha-topics';

export interface HaTimeChange {
  op: TimeAdjustMode;
  seconds: number;
}

/** Longer than any number Home Assistant sends ("1440.0"); anything longer is not read. */
const MAX_PAYLOAD = 32;

/**
 * What a press or a number from Home Assistant asks for: `add`/`subtract` take 1–1440 minutes, `set` 0–1440
 * (the number entity may send "30.0"), `lock` is "set to 0" whatever its payload says. A string with the
 * reason otherwise, for the log.
 */
export function parseHaCommand(action: HaChildAction, payload: Buffer): HaTimeChange | string {
  if (action === 'lock') return { op: 'set', seconds: 0 };
  if (payload.length > MAX_PAYLOAD) return `a ${payload.length}-byte payload, expected minutes`;
  const text = payload.toString('utf8').trim();
  const minutes = /^\d{1,4}(\.\d{1,3})?$/.test(text) ? Number(text) : NaN;
  const least = action === 'set' ? 0 : 1;
  if (!Number.isFinite(minutes) || minutes < least || minutes > MAX_SET_MINUTES)
    return `${JSON.stringify(text.slice(0, MAX_PAYLOAD).replace(/[^\x20-\x7e]/g, '?'))} is not a number of minutes from ${least} to ${MAX_SET_MINUTES}`;
  return { op: action, seconds: Math.round(minutes * 60) };
}

/** The action as a parent would say it, for logs: "+15 min", "set to 30 min", "lock now". */
export function describeHaCommand(change: HaTimeChange, action: HaChildAction): string {
  if (action === 'lock') return 'lock now';
  const minutes = Math.round(change.seconds / 60);
  if (change.op === 'add') return `+${minutes} min`;
  if (change.op === 'subtract') return `−${minutes} min`;
  return `set to ${minutes} min`;
}
