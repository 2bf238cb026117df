import { z } from 'zod';
import { loginSchema } from '../common';

/** One allowed hour of a weekday: minutes [fromMinute, toMinute) within `hour`; `unaccounted` = free time. */
export const allowedHourSchema = z.object({
  hour: z.number().int().min(0).max(23),
  fromMinute: z.number().int().min(0).max(60),
  toMinute: z.number().int().min(0).max(60),
  unaccounted: z.boolean(),
});
export type AllowedHour = z.infer<typeof allowedHourSchema>;

export const weekdaySchema = z.number().int().min(1).max(7);

export const lockoutTypeSchema = z.enum(['lock', 'suspend', 'suspendwake', 'terminate', 'shutdown', 'kill']);
export type LockoutType = z.infer<typeof lockoutTypeSchema>;

export const playtimeActivitySchema = z.object({
  mask: z.string().max(256),
  description: z.string().max(256),
});

/**
 * What timekpr knows about one managed user, read with `timekpra --userinfo`. Times are seconds.
 * While the user is logged in (`active`), the time values come from the daemon's live counters.
 */
export const managedUserStateSchema = z.object({
  login: loginSchema,
  active: z.boolean(),
  timeLeftToday: z.number().int(),
  timeSpentToday: z.number().int(),
  timeSpentWeek: z.number().int(),
  timeSpentMonth: z.number().int(),
  timeSpentBalance: z.number().int(),
  /** Time left without interruption, only known while the user is logged in. */
  timeLeftContinuous: z.number().int().nullable(),
  allowedWeekdays: z.array(weekdaySchema),
  /** Per allowed weekday, in the order of `allowedWeekdays`. */
  limitsPerWeekday: z.array(z.number().int()),
  allowedHours: z.record(z.string(), z.array(allowedHourSchema)),
  limitPerWeek: z.number().int(),
  limitPerMonth: z.number().int(),
  trackInactive: z.boolean(),
  hideTrayIcon: z.boolean(),
  lockout: z.object({
    type: lockoutTypeSchema,
    wakeFrom: z.number().int().min(0).max(23).nullable(),
    wakeTo: z.number().int().min(0).max(23).nullable(),
  }),
  playtime: z.object({
    enabled: z.boolean(),
    limitOverride: z.boolean(),
    unaccountedIntervals: z.boolean(),
    allowedWeekdays: z.array(weekdaySchema),
    limitsPerWeekday: z.array(z.number().int()),
    activities: z.array(playtimeActivitySchema).max(100),
    leftToday: z.number().int().nullable(),
    spentToday: z.number().int().nullable(),
  }),
});
export type ManagedUserState = z.infer<typeof managedUserStateSchema>;
