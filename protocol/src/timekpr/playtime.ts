import { z } from 'zod';
import { loginSchema, secondsSchema, timeAdjustModeSchema } from '../common';
import type { SettingStep } from './settings';
import type { ManagedUserState } from './user-state';
import { weekdaySchema } from './user-state';

/**
 * A change to a user's PlayTime (time limits for chosen programs, timekpr 0.5+), validated against what
 * timekpr can store and read back. Activities are saved in timekpr's own config file as `mask[description]`
 * lines, so the characters that file format gives a meaning to are refused here, with the reason.
 */
const FORBIDDEN_IN_ACTIVITY: ReadonlyArray<[RegExp, string]> = [
  [/[[\]]/, 'must not contain "[" or "]" (timekpr uses them to mark the description)'],
  [/;/, 'must not contain ";" (timekpr separates activities with it)'],
  [/%/, 'must not contain "%" (timekpr\'s config file cannot store it)'],
  [/"/, 'must not contain double quotes'],
  // eslint-disable-next-line no-control-regex
  [/[\u0000-\u001f\u007f]/, 'must not contain control characters or line breaks'],
  [/timekpra/i, 'must not contain "timekpra" (timekpra would take the argument for its own path)'],
  [/^\s|\s$/, 'must not start or end with a space'],
];

function activityText(max: number) {
  let schema = z.string().max(max, `must be at most ${max} characters`);
  for (const [pattern, message] of FORBIDDEN_IN_ACTIVITY)
    schema = schema.refine((s) => !pattern.test(s), message);
  return schema;
}

function compilesAsPattern(mask: string): boolean {
  try {
    new RegExp(`^${mask}$`);
    return true;
  } catch {
    return false;
  }
}

export const playtimeActivityInputSchema = z.strictObject({
  /** The process name (or a regular expression matching it), e.g. `minecraft` or `steam.*`. */
  mask: activityText(128)
    .min(2, 'must be at least 2 characters')
    .refine(compilesAsPattern, 'is not a valid pattern (it is matched as a regular expression)'),
  description: activityText(64).default(''),
});
export type PlaytimeActivityInput = z.infer<typeof playtimeActivityInputSchema>;

export const playtimeFields = {
  enabled: z.boolean().optional(),
  /** When on, only PlayTime activities may be used in the allowed time (PlayTime replaces the normal limit). */
  limitOverride: z.boolean().optional(),
  /** Allow PlayTime activities during unaccounted ("free") hours. */
  unaccountedIntervals: z.boolean().optional(),
  allowedDays: z
    .array(weekdaySchema)
    .max(7)
    .refine((days) => new Set(days).size === days.length, 'each day once')
    .optional(),
  /** PlayTime seconds per weekday, Monday first; only the PlayTime days' values matter. */
  limits: z.array(z.number().int().min(0).max(86_400)).length(7, 'seven values, Monday first').optional(),
  activities: z
    .array(playtimeActivityInputSchema)
    .max(100)
    .refine((list) => new Set(list.map((a) => a.mask)).size === list.length, 'each mask once')
    .optional(),
  /** Today's PlayTime left: add, subtract or set. */
  left: z.strictObject({ mode: timeAdjustModeSchema, seconds: secondsSchema }).optional(),
};

export const playtimeChangeSchema = z
  .strictObject(playtimeFields)
  .refine((change) => Object.values(change).some((value) => value !== undefined), 'nothing to change');
export type PlaytimeChange = z.infer<typeof playtimeChangeSchema>;

export const setPlaytimeOpSchema = z.object({
  op: z.literal('setPlaytime'),
  args: z.strictObject({ login: loginSchema, ...playtimeFields }),
});

const SIGN = { add: '+', subtract: '-', set: '=' } as const;

/** timekpra's notation for activities: `mask[description];mask2`. */
export function formatActivities(activities: ReadonlyArray<{ mask: string; description: string }>): string {
  return activities.map((a) => (a.description ? `${a.mask}[${a.description}]` : a.mask)).join(';');
}

/**
 * The timekpra calls for a PlayTime change: days before the limits that depend on them, time left last.
 * `currentDays` are the PlayTime days before the change (limits are sent for those days only).
 */
export function playtimeSteps(
  login: string,
  change: PlaytimeChange,
  currentDays: readonly number[],
): SettingStep[] {
  const steps: SettingStep[] = [];
  const flag = (field: keyof PlaytimeChange, option: string, value: boolean | undefined) => {
    if (value !== undefined) steps.push({ field, args: [option, login, String(value)] });
  };
  flag('enabled', '--setplaytimeenabled', change.enabled);
  flag('limitOverride', '--setplaytimelimitoverride', change.limitOverride);
  flag('unaccountedIntervals', '--setplaytimeunaccountedintervalsflag', change.unaccountedIntervals);
  const days = [...(change.allowedDays ?? currentDays)].sort((a, b) => a - b);
  if (change.allowedDays)
    steps.push({ field: 'allowedDays', args: ['--setplaytimealloweddays', login, days.join(';')] });
  if (change.limits) {
    const limits = change.limits;
    steps.push({
      field: 'limits',
      args: ['--setplaytimelimits', login, days.map((day) => limits[day - 1]).join(';')],
    });
  }
  if (change.activities)
    steps.push({
      field: 'activities',
      args: ['--setplaytimeactivities', login, formatActivities(change.activities)],
    });
  if (change.left) {
    const { mode, seconds } = change.left;
    steps.push({ field: 'left', args: ['--setplaytimeleft', login, SIGN[mode], String(seconds)] });
  }
  return steps;
}

/** The fields of a PlayTime change that the state read back does not show, each with what it shows instead. */
export function playtimeMismatches(change: PlaytimeChange, state: ManagedUserState): string[] {
  const problems: string[] = [];
  const actual = state.playtime;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const field of ['enabled', 'limitOverride', 'unaccountedIntervals'] as const) {
    if (change[field] !== undefined && change[field] !== actual[field])
      problems.push(`${field} reads ${actual[field]}`);
  }
  const days = [...actual.allowedWeekdays];
  if (
    change.allowedDays &&
    !same(
      [...change.allowedDays].sort((a, b) => a - b),
      days,
    )
  )
    problems.push(`allowedDays reads ${days.join(',') || 'none'}`);
  if (change.limits) {
    const expected = days.map((day) => change.limits![day - 1]);
    if (!same(expected, actual.limitsPerWeekday))
      problems.push(`limits read ${actual.limitsPerWeekday.join(',') || 'none'}`);
  }
  if (change.activities) {
    const expected = formatActivities(change.activities);
    const read = formatActivities(actual.activities);
    if (expected !== read) problems.push(`activities read "${read}"`);
  }
  // "=N" is exact while the child is away and PlayTime applies every day (timekpr picks today's PlayTime limit
  // by weekday when setting, by position among the PlayTime days when reading). A logged-in child's live value
  // moves, and "+"/"-" depend on a balance timekpra does not print: those are reported as read.
  if (
    change.left?.mode === 'set' &&
    !state.active &&
    days.length === 7 &&
    actual.leftToday !== null &&
    actual.leftToday !== change.left.seconds
  ) {
    problems.push(`left reads ${actual.leftToday}`);
  }
  return problems;
}
