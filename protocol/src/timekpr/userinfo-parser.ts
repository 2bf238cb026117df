import { TimekprError, meaningfulLines, timekpraError } from './errors';
import type { AllowedHour, LockoutType, ManagedUserState } from './user-state';
import { lockoutTypeSchema } from './user-state';

const HEADER = /^# Configuration for user (\S+):$/;
const KEY_VALUE = /^([A-Z][A-Z0-9_]*): ?(.*)$/;

/**
 * Parses `timekpra --userinfo LOGIN` output (run with LANG=C). Keys are read by name, so their order and
 * unknown extra keys do not matter. While the user is logged in the daemon adds live `ACTUAL_*` values,
 * which are preferred: the saved ones lag by up to 30 seconds.
 */
export function parseUserinfo(stdout: string, login: string): ManagedUserState {
  const lines = meaningfulLines(stdout);
  const header = lines[0]?.match(HEADER);
  if (!header) throw timekpraError(lines);
  if (header[1] !== login) {
    throw new TimekprError(
      'unexpected-output',
      `timekpra answered for user "${header[1]}" instead of "${login}"`,
    );
  }
  const values = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const kv = line.match(KEY_VALUE);
    if (!kv) throw new TimekprError('unexpected-output', `unexpected line in timekpra --userinfo: "${line}"`);
    values.set(kv[1]!, kv[2]!.trim());
  }
  const read = new UserinfoReader(values);

  const active = values.has('ACTUAL_TIME_LEFT_DAY');
  const allowedHours: Record<string, AllowedHour[]> = {};
  for (let day = 1; day <= 7; day++) allowedHours[day] = read.allowedHours(`ALLOWED_HOURS_${day}`);
  const wake = read.optional('WAKEUP_HOUR_INTERVAL');
  const [wakeFrom, wakeTo] = wake ? read.intList('WAKEUP_HOUR_INTERVAL') : [];
  const playtimeEnabled = read.optional('PLAYTIME_ENABLED');

  return {
    login,
    active,
    timeLeftToday: read.int(active ? 'ACTUAL_TIME_LEFT_DAY' : 'TIME_LEFT_DAY'),
    timeSpentToday: read.int(
      active && values.has('ACTUAL_TIME_SPENT_DAY') ? 'ACTUAL_TIME_SPENT_DAY' : 'TIME_SPENT_DAY',
    ),
    timeSpentWeek: read.int('TIME_SPENT_WEEK'),
    timeSpentMonth: read.int('TIME_SPENT_MONTH'),
    timeSpentBalance: read.int(
      active && values.has('ACTUAL_TIME_SPENT_BALANCE') ? 'ACTUAL_TIME_SPENT_BALANCE' : 'TIME_SPENT_BALANCE',
    ),
    timeLeftContinuous: values.has('ACTUAL_TIME_LEFT_CONTINUOUS')
      ? read.int('ACTUAL_TIME_LEFT_CONTINUOUS')
      : null,
    allowedWeekdays: read.intList('ALLOWED_WEEKDAYS'),
    limitsPerWeekday: read.intList('LIMITS_PER_WEEKDAYS'),
    allowedHours,
    limitPerWeek: read.int('LIMIT_PER_WEEK'),
    limitPerMonth: read.int('LIMIT_PER_MONTH'),
    trackInactive: read.bool('TRACK_INACTIVE'),
    hideTrayIcon: read.bool('HIDE_TRAY_ICON'),
    lockout: {
      type: read.lockoutType('LOCKOUT_TYPE'),
      wakeFrom: wakeFrom ?? null,
      wakeTo: wakeTo ?? null,
    },
    // PlayTime arrived in timekpr 0.5; older daemons simply do not print these keys.
    playtime: {
      enabled: playtimeEnabled === undefined ? false : read.bool('PLAYTIME_ENABLED'),
      limitOverride: read.optionalBool('PLAYTIME_LIMIT_OVERRIDE_ENABLED'),
      unaccountedIntervals: read.optionalBool('PLAYTIME_UNACCOUNTED_INTERVALS_ENABLED'),
      allowedWeekdays: values.has('PLAYTIME_ALLOWED_WEEKDAYS')
        ? read.intList('PLAYTIME_ALLOWED_WEEKDAYS')
        : [],
      limitsPerWeekday: values.has('PLAYTIME_LIMITS_PER_WEEKDAYS')
        ? read.intList('PLAYTIME_LIMITS_PER_WEEKDAYS')
        : [],
      activities: parseActivities(values.get('PLAYTIME_ACTIVITIES') ?? ''),
      leftToday: read.optionalInt(active ? 'ACTUAL_PLAYTIME_LEFT_DAY' : 'PLAYTIME_LEFT_DAY'),
      spentToday: read.optionalInt('PLAYTIME_SPENT_DAY'),
    },
  };
}

/** Parses `timekpra --userlist`: "N users in total:" followed by one login per line. */
export function parseUserlist(stdout: string): string[] {
  const lines = meaningfulLines(stdout);
  const header = lines[0]?.match(/^(\d+) users? in total:$/);
  if (!header) throw timekpraError(lines);
  const logins = lines.slice(1);
  if (logins.length !== Number(header[1])) {
    throw new TimekprError(
      'unexpected-output',
      `timekpra --userlist announced ${header[1]} users but listed ${logins.length}`,
    );
  }
  return logins;
}

class UserinfoReader {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  optional(key: string): string | undefined {
    return this.values.get(key);
  }

  required(key: string): string {
    const value = this.values.get(key);
    if (value === undefined) {
      throw new TimekprError('unexpected-output', `timekpra --userinfo did not report ${key}`);
    }
    return value;
  }

  int(key: string): number {
    return this.toInt(key, this.required(key));
  }

  optionalInt(key: string): number | null {
    const value = this.values.get(key);
    return value === undefined ? null : this.toInt(key, value);
  }

  intList(key: string): number[] {
    const value = this.required(key);
    return value === '' ? [] : value.split(';').map((item) => this.toInt(key, item));
  }

  bool(key: string): boolean {
    const value = this.required(key);
    if (value === 'True') return true;
    if (value === 'False') return false;
    throw new TimekprError('unexpected-output', `${key} should be True or False, got "${value}"`);
  }

  optionalBool(key: string): boolean {
    return this.values.has(key) ? this.bool(key) : false;
  }

  lockoutType(key: string): LockoutType {
    const parsed = lockoutTypeSchema.safeParse(this.required(key));
    if (!parsed.success) {
      throw new TimekprError('unexpected-output', `${key} has an unknown value "${this.required(key)}"`);
    }
    return parsed.data;
  }

  /** `7;8;11[0-30];!14`: `!` marks an unaccounted hour, `[from-to]` limits the minutes. */
  allowedHours(key: string): AllowedHour[] {
    const value = this.required(key);
    if (value === '') return [];
    return value.split(';').map((item) => {
      const match = item.match(/^(!?)(\d{1,2})(?:\[(\d{1,2})[-:](\d{1,2})\])?$/);
      const hour = Number(match?.[2]);
      const fromMinute = match?.[3] === undefined ? 0 : Number(match[3]);
      const toMinute = match?.[4] === undefined ? 60 : Number(match[4]);
      if (!match || hour > 23 || fromMinute > 60 || toMinute > 60 || fromMinute >= toMinute) {
        throw new TimekprError('unexpected-output', `${key} has an invalid hour "${item}"`);
      }
      return { hour, fromMinute, toMinute, unaccounted: match[1] === '!' };
    });
  }

  private toInt(key: string, text: string): number {
    if (!/^-?\d+$/.test(text.trim())) {
      throw new TimekprError('unexpected-output', `${key} should be a whole number, got "${text}"`);
    }
    return Number(text);
  }
}

/** `mask[Description];mask2`: a description is the trailing bracket group, masks may contain brackets too. */
function parseActivities(value: string): Array<{ mask: string; description: string }> {
  if (value === '') return [];
  return value.split(';').map((item) => {
    const described = item.match(/^(.+)\[([^[\]]*)\]$/);
    return described ? { mask: described[1]!, description: described[2]! } : { mask: item, description: '' };
  });
}
