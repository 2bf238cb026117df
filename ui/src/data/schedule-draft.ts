import type { LockoutType, ManagedUserState, ScheduleRequest } from '@kidtime/protocol';
import { dayLimits } from './day-limits';
import { sameValue } from './draft';
import { type WeekHours, dayRequest, weekHours } from './hours';

/** timekpr's largest caps, which are what "no cap" means to it (0 would mean no time at all). */
export const CAP_MAX = { week: 7 * 86_400, month: 31 * 86_400 } as const;
export type CapPeriod = keyof typeof CAP_MAX;
/** What a day that timekpr has no limit for (a day not allowed) starts with when it is allowed again. */
export const DAY_DEFAULT = 86_400;

export interface Lockout {
  type: LockoutType;
  /** The wake-up hours of 'suspendwake'; kept for the other types so that choosing it again shows them. */
  wakeFrom: number;
  wakeTo: number;
}

/** The schedule as the editor edits it: everything a parent can change, in a shape that compares as JSON. */
export interface ScheduleDraft {
  /** Allowed days, ascending. */
  days: number[];
  /** Seconds, Monday first; the days not allowed keep a value so that allowing them again shows one. */
  limits: number[];
  hours: WeekHours;
  /** Seconds; CAP_MAX.week means no cap. */
  weekLimit: number;
  /** Seconds; CAP_MAX.month means no cap. */
  monthLimit: number;
  lockout: Lockout;
  trackInactive: boolean;
  hideTrayIcon: boolean;
}

export function scheduleDraft(state: ManagedUserState): ScheduleDraft {
  return {
    ...dayLimits(state.allowedWeekdays, state.limitsPerWeekday, DAY_DEFAULT),
    hours: weekHours(state.allowedHours),
    weekLimit: state.limitPerWeek,
    monthLimit: state.limitPerMonth,
    lockout: {
      type: state.lockout.type,
      wakeFrom: state.lockout.wakeFrom ?? 0,
      wakeTo: state.lockout.wakeTo ?? 23,
    },
    trackInactive: state.trackInactive,
    hideTrayIcon: state.hideTrayIcon,
  };
}

type DayKey = '1' | '2' | '3' | '4' | '5' | '6' | '7';

/**
 * Only what the parent changed since `base`, so that a change made on the PC meanwhile (by another parent)
 * is not undone; null when there is nothing to send. `queue`: a PC that is offline gets it when it is back.
 */
export function scheduleRequest(base: ScheduleDraft, draft: ScheduleDraft): ScheduleRequest | null {
  const change: ScheduleRequest = { queue: true };
  const daysChanged = !sameValue(base.days, draft.days);
  if (daysChanged) change.allowedDays = draft.days;
  // timekpr keeps the limits by position among the allowed days: new days need their limits sent too.
  if (daysChanged || draft.days.some((day) => base.limits[day - 1] !== draft.limits[day - 1]))
    change.limits = draft.limits;
  const hours: NonNullable<ScheduleRequest['allowedHours']> = {};
  draft.hours.forEach((day, i) => {
    if (!sameValue(day, base.hours[i])) hours[String(i + 1) as DayKey] = dayRequest(day);
  });
  if (Object.keys(hours).length > 0) change.allowedHours = hours;
  if (draft.weekLimit !== base.weekLimit) change.weekLimit = draft.weekLimit;
  if (draft.monthLimit !== base.monthLimit) change.monthLimit = draft.monthLimit;
  const { type, wakeFrom, wakeTo } = draft.lockout;
  const wake = type === 'suspendwake';
  if (type !== base.lockout.type || (wake && !sameValue(draft.lockout, base.lockout))) {
    // 'kill' is only ever read from a newer timekpr, never offered: the hub refuses it.
    const input = type as NonNullable<ScheduleRequest['lockout']>['type'];
    change.lockout = wake ? { type: input, wakeFrom, wakeTo } : { type: input };
  }
  if (draft.trackInactive !== base.trackInactive) change.trackInactive = draft.trackInactive;
  if (draft.hideTrayIcon !== base.hideTrayIcon) change.hideTrayIcon = draft.hideTrayIcon;
  return Object.keys(change).length > 1 ? change : null;
}

/** A cap in seconds is a cap only below timekpr's maximum; at the maximum the period has none. */
export const isCapped = (seconds: number, period: CapPeriod): boolean => seconds < CAP_MAX[period];

/** A cap from the hour and minute fields, never above timekpr's maximum. */
export const capSeconds = (hours: number, minutes: number, period: CapPeriod): number =>
  Math.min(hours * 3600 + minutes * 60, CAP_MAX[period]);

/**
 * A starting value when a cap is switched on: the daily limits of the allowed days added up over the period,
 * in whole hours, if that is a real cap (below the maximum); otherwise 20 h a week or 80 h a month.
 */
export function defaultCap(draft: Pick<ScheduleDraft, 'days' | 'limits'>, period: CapPeriod): number {
  const sum = draft.days.reduce((total, day) => total + (draft.limits[day - 1] ?? 0), 0);
  const weeks = period === 'week' ? 1 : 31 / 7;
  const cap = Math.round((sum * weeks) / 3600) * 3600;
  return cap > 0 && cap < CAP_MAX[period] ? cap : period === 'week' ? 20 * 3600 : 80 * 3600;
}
