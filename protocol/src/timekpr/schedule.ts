import { z } from 'zod';
import { loginSchema } from '../common';
import type { SettingStep } from './settings';
import type { ManagedUserState } from './user-state';
import { weekdaySchema } from './user-state';

/**
 * A change to a user's Timekpr-nExT schedule, validated against timekpr's own rules before anything is sent:
 * timekpra accepts some bad values silently (two limits for five days, hour 25), so nothing reaches it unchecked.
 */
const DAY_KEYS = ['1', '2', '3', '4', '5', '6', '7', 'ALL'] as const;

export const allowedHourInputSchema = z
  .strictObject({
    hour: z.number().int().min(0).max(23),
    fromMinute: z.number().int().min(0).max(59).default(0),
    toMinute: z.number().int().min(1).max(60).default(60),
    /** A "free" hour: time in it is not counted. */
    unaccounted: z.boolean().default(false),
  })
  .refine((h) => h.fromMinute < h.toMinute, 'fromMinute must be before toMinute');

const hoursOfDaySchema = z
  .array(allowedHourInputSchema)
  .min(1, 'at least one hour (to forbid a day, leave it out of allowedDays)')
  .max(24)
  .refine((hours) => new Set(hours.map((h) => h.hour)).size === hours.length, 'one interval per hour');

export const lockoutInputSchema = z
  .strictObject({
    type: z.enum(['lock', 'suspend', 'suspendwake', 'terminate', 'shutdown']),
    wakeFrom: z.number().int().min(0).max(23).optional(),
    wakeTo: z.number().int().min(0).max(23).optional(),
  })
  .refine(
    (l) => (l.type === 'suspendwake') === (l.wakeFrom !== undefined && l.wakeTo !== undefined),
    'wakeFrom and wakeTo are needed for suspendwake, and only for it',
  )
  .refine(
    (l) => l.wakeFrom === undefined || l.wakeTo === undefined || l.wakeFrom <= l.wakeTo,
    'wakeFrom must not be after wakeTo',
  );

export const scheduleFields = {
  allowedDays: z
    .array(weekdaySchema)
    .min(1, 'at least one day (to block a day, give it a limit of 0)')
    .max(7)
    .refine((days) => new Set(days).size === days.length, 'each day once')
    .optional(),
  /** Seconds per weekday, Monday first; only the allowed days' values matter to timekpr. */
  limits: z.array(z.number().int().min(0).max(86_400)).length(7, 'seven values, Monday first').optional(),
  allowedHours: z.partialRecord(z.enum(DAY_KEYS), hoursOfDaySchema).optional(),
  weekLimit: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .optional(),
  monthLimit: z
    .number()
    .int()
    .min(0)
    .max(31 * 86_400)
    .optional(),
  lockout: lockoutInputSchema.optional(),
  trackInactive: z.boolean().optional(),
  hideTrayIcon: z.boolean().optional(),
};

export const scheduleChangeSchema = z
  .strictObject(scheduleFields)
  .refine((change) => Object.values(change).some((value) => value !== undefined), 'nothing to change');
export type ScheduleChange = z.infer<typeof scheduleChangeSchema>;

export const setScheduleOpSchema = z.object({
  op: z.literal('setSchedule'),
  args: z.strictObject({ login: loginSchema, ...scheduleFields }),
});

type AllowedHourInput = z.infer<typeof allowedHourInputSchema>;

/** timekpra's notation: `7;8;11[0-30];!14` (hours in order). */
export function formatAllowedHours(hours: readonly AllowedHourInput[]): string {
  return [...hours]
    .sort((a, b) => a.hour - b.hour)
    .map((h) => {
      const minutes = h.fromMinute === 0 && h.toMinute === 60 ? '' : `[${h.fromMinute}-${h.toMinute}]`;
      return `${h.unaccounted ? '!' : ''}${h.hour}${minutes}`;
    })
    .join(';');
}

/**
 * The timekpra calls for a change, in an order that works: allowed days before the limits that depend on them.
 * `currentDays` are the user's allowed days before the change (limits are sent for the allowed days only).
 */
export function scheduleSteps(
  login: string,
  change: ScheduleChange,
  currentDays: readonly number[],
): SettingStep[] {
  const steps: SettingStep[] = [];
  const days = [...(change.allowedDays ?? currentDays)].sort((a, b) => a - b);
  if (change.allowedDays)
    steps.push({ field: 'allowedDays', args: ['--setalloweddays', login, days.join(';')] });
  if (change.limits) {
    const limits = change.limits;
    steps.push({
      field: 'limits',
      args: ['--settimelimits', login, days.map((day) => limits[day - 1]).join(';')],
    });
  }
  for (const key of DAY_KEYS) {
    const hours = change.allowedHours?.[key];
    if (hours)
      steps.push({
        field: 'allowedHours',
        args: ['--setallowedhours', login, key, formatAllowedHours(hours)],
      });
  }
  if (change.weekLimit !== undefined)
    steps.push({ field: 'weekLimit', args: ['--settimelimitweek', login, String(change.weekLimit)] });
  if (change.monthLimit !== undefined)
    steps.push({ field: 'monthLimit', args: ['--settimelimitmonth', login, String(change.monthLimit)] });
  if (change.lockout) {
    const { type, wakeFrom, wakeTo } = change.lockout;
    steps.push({
      field: 'lockout',
      args: ['--setlockouttype', login, type === 'suspendwake' ? `${type};${wakeFrom};${wakeTo}` : type],
    });
  }
  if (change.trackInactive !== undefined)
    steps.push({ field: 'trackInactive', args: ['--settrackinactive', login, String(change.trackInactive)] });
  if (change.hideTrayIcon !== undefined)
    steps.push({ field: 'hideTrayIcon', args: ['--sethidetrayicon', login, String(change.hideTrayIcon)] });
  return steps;
}

/** The fields of a change that the state read back does not show, each with what it shows instead. */
export function scheduleMismatches(change: ScheduleChange, state: ManagedUserState): string[] {
  const problems: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const days = [...state.allowedWeekdays];
  if (
    change.allowedDays &&
    !same(
      [...change.allowedDays].sort((a, b) => a - b),
      days,
    )
  ) {
    problems.push(`allowedDays reads ${days.join(',')}`);
  }
  if (change.limits) {
    const expected = days.map((day) => change.limits![day - 1]);
    if (!same(expected, state.limitsPerWeekday))
      problems.push(`limits read ${state.limitsPerWeekday.join(',')}`);
  }
  for (const key of DAY_KEYS) {
    const hours = change.allowedHours?.[key];
    if (!hours) continue;
    const expected = formatAllowedHours(hours);
    for (const day of key === 'ALL' ? ['1', '2', '3', '4', '5', '6', '7'] : [key]) {
      const actual = formatAllowedHours(state.allowedHours[day] ?? []);
      if (actual !== expected) problems.push(`allowedHours ${day} reads ${actual || 'none'}`);
    }
  }
  if (change.weekLimit !== undefined && change.weekLimit !== state.limitPerWeek)
    problems.push(`weekLimit reads ${state.limitPerWeek}`);
  if (change.monthLimit !== undefined && change.monthLimit !== state.limitPerMonth)
    problems.push(`monthLimit reads ${state.limitPerMonth}`);
  if (change.lockout) {
    const { type, wakeFrom, wakeTo } = change.lockout;
    const actual = state.lockout;
    if (
      actual.type !== type ||
      (type === 'suspendwake' && (actual.wakeFrom !== wakeFrom || actual.wakeTo !== wakeTo))
    ) {
      problems.push(
        `lockout reads ${actual.type}${actual.wakeFrom !== null ? ` ${actual.wakeFrom}-${actual.wakeTo}` : ''}`,
      );
    }
  }
  if (change.trackInactive !== undefined && change.trackInactive !== state.trackInactive)
    problems.push(`trackInactive reads ${state.trackInactive}`);
  if (change.hideTrayIcon !== undefined && change.hideTrayIcon !== state.hideTrayIcon)
    problems.push(`hideTrayIcon reads ${state.hideTrayIcon}`);
  return problems;
}
