import { edit, startEditing } from './draft';
import { EMPTY_DAY, FULL_DAY, toggleHour } from './hours';
import {
  CAP_MAX,
  type ScheduleDraft,
  capSeconds,
  defaultCap,
  isCapped,
  scheduleDraft,
  scheduleRequest,
} from './schedule-draft';
import { userState } from './test-state';

const DAY = 86_400;
const fresh = scheduleDraft(userState());
const change = (edits: Partial<ScheduleDraft>, base = fresh) => scheduleRequest(base, { ...base, ...edits });

describe('schedule draft', () => {
  it("reads timekpr's state: limits by weekday from the order of the allowed days, caps, lockout", () => {
    const draft = scheduleDraft(
      userState({
        allowedWeekdays: [6, 7, 1],
        limitsPerWeekday: [7200, 10_800, 3600],
        allowedHours: { '1': [{ hour: 8, fromMinute: 0, toMinute: 30, unaccounted: true }] },
        limitPerWeek: 36_000,
        lockout: { type: 'suspendwake', wakeFrom: 7, wakeTo: 9 },
        trackInactive: true,
      }),
    );
    expect(draft.days).toEqual([1, 6, 7]);
    // Days not allowed show a full day when they are allowed again.
    expect(draft.limits).toEqual([3600, DAY, DAY, DAY, DAY, 7200, 10_800]);
    expect(draft.hours[0]?.[8]).toEqual({ fromMinute: 0, toMinute: 30, unaccounted: true });
    expect(draft.hours[1]).toEqual(EMPTY_DAY);
    expect([draft.weekLimit, draft.monthLimit]).toEqual([36_000, CAP_MAX.month]);
    expect(draft.lockout).toEqual({ type: 'suspendwake', wakeFrom: 7, wakeTo: 9 });
    expect(draft.trackInactive).toBe(true);
    // Wake-up hours timekpr does not have (another lockout) start as the whole day.
    expect(fresh.lockout).toEqual({ type: 'terminate', wakeFrom: 0, wakeTo: 23 });
    expect(fresh.hours).toEqual(Array.from({ length: 7 }, () => FULL_DAY));
  });

  it('sends nothing for an unchanged draft, or one edited back to where it started', () => {
    expect(scheduleRequest(fresh, fresh)).toBeNull();
    expect(scheduleRequest(fresh, scheduleDraft(userState()))).toBeNull();
    const there = edit(startEditing(fresh), { weekLimit: 36_000 });
    expect(scheduleRequest(fresh, edit(there, { weekLimit: CAP_MAX.week }).draft)).toBeNull();
    // A day not allowed can have its (unsent) limit changed: timekpr has no limit for it to change.
    const weekdays = scheduleDraft(userState({ allowedWeekdays: [1, 2, 3, 4, 5], limitsPerWeekday: [1, 2, 3, 4, 5] }));
    expect(change({ limits: [1, 2, 3, 4, 5, 7200, DAY] }, weekdays)).toBeNull();
  });

  it('sends only the changed fields, the seven limits Monday first when a limit changed', () => {
    expect(change({ limits: [5400, DAY, DAY, DAY, DAY, DAY, DAY] })).toEqual({
      queue: true,
      limits: [5400, DAY, DAY, DAY, DAY, DAY, DAY],
    });
    expect(change({ trackInactive: true, hideTrayIcon: true })).toEqual({
      queue: true,
      trackInactive: true,
      hideTrayIcon: true,
    });
  });

  it('sends the limits too when the allowed days change, since timekpr keeps them by position', () => {
    expect(change({ days: [1, 2, 3, 4, 5] })).toEqual({
      queue: true,
      allowedDays: [1, 2, 3, 4, 5],
      limits: [DAY, DAY, DAY, DAY, DAY, DAY, DAY],
    });
    const weekend = scheduleDraft(userState({ allowedWeekdays: [7, 6], limitsPerWeekday: [3600, 7200] }));
    expect(change({ days: [5, 6, 7] }, weekend)).toEqual({
      queue: true,
      allowedDays: [5, 6, 7],
      limits: [DAY, DAY, DAY, DAY, DAY, 7200, 3600],
    });
  });

  it('sends the hours of the changed days only, a day with no hour allowed as an empty list', () => {
    const monday = toggleHour(fresh.hours, 1, 23);
    const request = change({ hours: monday.map((day, i) => (i === 6 ? EMPTY_DAY : day)) });
    expect(Object.keys(request?.allowedHours ?? {})).toEqual(['1', '7']);
    expect(request?.allowedHours?.['1']).toHaveLength(23);
    expect(request?.allowedHours?.['1']?.at(-1)).toEqual({ hour: 22, fromMinute: 0, toMinute: 60, unaccounted: false });
    expect(request?.allowedHours?.['7']).toEqual([]);
    expect(Object.keys(request ?? {})).toEqual(['queue', 'allowedHours']);
  });

  it('sends caps in seconds, "no cap" as timekpr\'s maximum', () => {
    const capped = scheduleDraft(userState({ limitPerWeek: 36_000, limitPerMonth: 144_000 }));
    expect(change({ weekLimit: CAP_MAX.week, monthLimit: CAP_MAX.month }, capped)).toEqual({
      queue: true,
      weekLimit: 604_800,
      monthLimit: 2_678_400,
    });
    expect(change({ weekLimit: 72_000 })).toEqual({ queue: true, weekLimit: 72_000 });
    expect([isCapped(CAP_MAX.week, 'week'), isCapped(CAP_MAX.week - 60, 'week')]).toEqual([false, true]);
    expect([isCapped(CAP_MAX.month, 'month'), isCapped(CAP_MAX.week, 'month')]).toEqual([false, true]);
    expect(capSeconds(10, 30, 'week')).toBe(37_800);
    expect(capSeconds(168, 59, 'week')).toBe(CAP_MAX.week);
    expect(capSeconds(744, 0, 'month')).toBe(CAP_MAX.month);
  });

  it('suggests a cap from the daily limits of the allowed days, or a round default', () => {
    const school = { days: [1, 2, 3, 4, 5], limits: [7200, 7200, 7200, 7200, 5400, DAY, DAY] };
    // 9 h 30 min a week, in whole hours; a month is 31/7 weeks (42.07 h).
    expect(defaultCap(school, 'week')).toBe(10 * 3600);
    expect(defaultCap(school, 'month')).toBe(42 * 3600);
    // Limits on days that are not allowed do not count.
    expect(defaultCap({ days: [6], limits: [DAY, DAY, DAY, DAY, DAY, 3 * 3600, DAY] }, 'week')).toBe(3 * 3600);
    // No daily limits (24 h every day) add up to the maximum itself, and nothing to nothing: round defaults.
    expect(defaultCap(fresh, 'week')).toBe(20 * 3600);
    expect(defaultCap(fresh, 'month')).toBe(80 * 3600);
    expect(defaultCap({ days: [1], limits: [0, 0, 0, 0, 0, 0, 0] }, 'week')).toBe(20 * 3600);
  });

  it('sends the lockout type, with wake-up hours only for "sleep, then wake up"', () => {
    expect(change({ lockout: { type: 'lock', wakeFrom: 0, wakeTo: 23 } })).toEqual({
      queue: true,
      lockout: { type: 'lock' },
    });
    expect(change({ lockout: { type: 'suspendwake', wakeFrom: 7, wakeTo: 9 } })).toEqual({
      queue: true,
      lockout: { type: 'suspendwake', wakeFrom: 7, wakeTo: 9 },
    });
    const wake = scheduleDraft(userState({ lockout: { type: 'suspendwake', wakeFrom: 7, wakeTo: 9 } }));
    expect(change({ lockout: { type: 'suspendwake', wakeFrom: 6, wakeTo: 9 } }, wake)?.lockout).toEqual({
      type: 'suspendwake',
      wakeFrom: 6,
      wakeTo: 9,
    });
    // Wake-up hours of another lockout are not a change.
    expect(change({ lockout: { type: 'terminate', wakeFrom: 5, wakeTo: 6 } })).toBeNull();
  });
});
