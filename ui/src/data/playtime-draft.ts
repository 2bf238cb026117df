import type { ManagedUserState, PlaytimeRequest, TimeAdjustMode } from '@kidtime/protocol';
import { dayLimits } from './day-limits';
import { sameValue } from './draft';

/** A program PlayTime counts: its process name (a pattern) and what the parent calls it. */
export interface Activity {
  mask: string;
  description: string;
}

/** The PlayTime settings as the editor edits them (today's time left is a separate, immediate action). */
export interface PlaytimeDraft {
  enabled: boolean;
  limitOverride: boolean;
  unaccountedIntervals: boolean;
  /** PlayTime days, ascending. */
  days: number[];
  /** Seconds, Monday first; a day that is not a PlayTime day has 0 until the parent gives it a limit. */
  limits: number[];
  activities: Activity[];
}

export function playtimeDraft(state: ManagedUserState): PlaytimeDraft {
  const playtime = state.playtime;
  return {
    enabled: playtime.enabled,
    limitOverride: playtime.limitOverride,
    unaccountedIntervals: playtime.unaccountedIntervals,
    ...dayLimits(playtime.allowedWeekdays, playtime.limitsPerWeekday, 0),
    activities: playtime.activities.map(({ mask, description }) => ({ mask, description })),
  };
}

/**
 * Only what the parent changed since `base` (null: nothing to send). The programs go as one list, in the
 * parent's order, whenever any of them changed: timekpr replaces its whole list.
 */
export function playtimeRequest(base: PlaytimeDraft, draft: PlaytimeDraft): PlaytimeRequest | null {
  const change: PlaytimeRequest = { queue: true };
  for (const flag of ['enabled', 'limitOverride', 'unaccountedIntervals'] as const)
    if (draft[flag] !== base[flag]) change[flag] = draft[flag];
  const daysChanged = !sameValue(base.days, draft.days);
  if (daysChanged) change.allowedDays = draft.days;
  // As for the schedule: timekpr keeps the limits by position among the PlayTime days.
  if (daysChanged || draft.days.some((day) => base.limits[day - 1] !== draft.limits[day - 1]))
    change.limits = draft.limits;
  if (!sameValue(base.activities, draft.activities)) change.activities = draft.activities;
  return Object.keys(change).length > 1 ? change : null;
}

/** The list with an empty program at the end, for the parent to fill in. */
export const addActivity = (list: readonly Activity[]): Activity[] => [...list, { mask: '', description: '' }];

/** The list with one program (0-based) changed. */
export const editActivity = (list: readonly Activity[], index: number, change: Partial<Activity>): Activity[] =>
  list.map((activity, i) => (i === index ? { ...activity, ...change } : activity));

/** The list without one program (0-based). */
export const removeActivity = (list: readonly Activity[], index: number): Activity[] =>
  list.filter((_, i) => i !== index);

/** The most today's PlayTime left can be changed by at once: a day. */
const LEFT_MAX = 86_400;

/** A change to today's PlayTime left, applied at once (or queued while the PC is offline). */
export function leftRequest(mode: TimeAdjustMode, minutes: number): PlaytimeRequest {
  return { queue: true, left: { mode, seconds: Math.min(minutes * 60, LEFT_MAX) } };
}
