import type { ManagedUserState } from '@kidtime/protocol';

const ALL_HOURS = Array.from({ length: 24 }, (_, hour) => ({ hour, fromMinute: 0, toMinute: 60, unaccounted: false }));

/** For specs: timekpr's state of a fresh user (every day, every hour, 24 h a day, no caps), with changes. */
export function userState(change: Partial<ManagedUserState> = {}): ManagedUserState {
  return {
    login: 'ana',
    active: false,
    timeLeftToday: 86_400,
    timeSpentToday: 0,
    timeSpentWeek: 0,
    timeSpentMonth: 0,
    timeSpentBalance: 0,
    timeLeftContinuous: null,
    allowedWeekdays: [1, 2, 3, 4, 5, 6, 7],
    limitsPerWeekday: [86_400, 86_400, 86_400, 86_400, 86_400, 86_400, 86_400],
    allowedHours: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((day) => [day, ALL_HOURS])),
    limitPerWeek: 604_800,
    limitPerMonth: 2_678_400,
    trackInactive: false,
    hideTrayIcon: false,
    lockout: { type: 'terminate', wakeFrom: null, wakeTo: null },
    playtime: {
      enabled: false,
      limitOverride: false,
      unaccountedIntervals: false,
      allowedWeekdays: [],
      limitsPerWeekday: [],
      activities: [],
      leftToday: 0,
      spentToday: 0,
    },
    ...change,
  };
}
