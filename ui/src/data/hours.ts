import type { AllowedHour } from '@kidtime/protocol';

/** The allowed minutes [fromMinute, toMinute) of one hour; `unaccounted`: free time, not counted. */
export interface HourRule {
  fromMinute: number;
  toMinute: number;
  unaccounted: boolean;
}
/** 24 slots, one per hour; null = the hour is not allowed. */
export type DayHours = ReadonlyArray<HourRule | null>;
/** Seven days, Monday first. */
export type WeekHours = ReadonlyArray<DayHours>;

export const FULL_HOUR: HourRule = { fromMinute: 0, toMinute: 60, unaccounted: false };
export const FULL_DAY: DayHours = Array.from({ length: 24 }, () => FULL_HOUR);
export const EMPTY_DAY: DayHours = Array.from({ length: 24 }, () => null);

const pad = (n: number) => String(n).padStart(2, '0');
/** Minutes since midnight as "07:05". */
export const clock = (minutes: number): string => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
export const hourLabel = (hour: number): string => `${pad(hour)}:00`;

/** timekpr's allowed hours (by day number "1" to "7") as seven days of 24 slots, Monday first. */
export function weekHours(allowed: Readonly<Record<string, readonly AllowedHour[]>>): WeekHours {
  return Array.from({ length: 7 }, (_, i) => {
    const slots: Array<HourRule | null> = Array.from({ length: 24 }, () => null);
    for (const h of allowed[String(i + 1)] ?? [])
      slots[h.hour] = { fromMinute: h.fromMinute, toMinute: h.toMinute, unaccounted: h.unaccounted };
    return slots;
  });
}

/** One day's allowed hours as the hub takes them, hour by hour (an empty list: no hour allowed). */
export function dayRequest(day: DayHours): AllowedHour[] {
  return day.flatMap((rule, hour) => (rule ? [{ hour, ...rule }] : []));
}

/** "07:00–12:00, 14:00–14:30 free": a day's hours in words, neighbouring hours joined. */
export function describeDay(hours: DayHours): string {
  const runs: Array<{ start: number; end: number; free: boolean }> = [];
  hours.forEach((rule, hour) => {
    if (!rule) return;
    const start = hour * 60 + rule.fromMinute;
    const end = hour * 60 + rule.toMinute;
    const last = runs.at(-1);
    if (last && last.end === start && last.free === rule.unaccounted) last.end = end;
    else runs.push({ start, end, free: rule.unaccounted });
  });
  if (runs.length === 0) return 'no hours allowed';
  const only = runs.length === 1 ? runs[0] : undefined;
  if (only && only.start === 0 && only.end === 24 * 60 && !only.free) return 'all day';
  return runs.map((run) => `${clock(run.start)}–${clock(run.end)}${run.free ? ' free' : ''}`).join(', ');
}

/** The week with one day's (1 = Monday) hours replaced. */
export function setDay(week: WeekHours, day: number, hours: DayHours): WeekHours {
  return week.map((old, i) => (i === day - 1 ? hours : old));
}

/** The week with one hour of one day set: a rule, or null to forbid it. */
export function setHour(week: WeekHours, day: number, hour: number, rule: HourRule | null): WeekHours {
  const hours = [...(week[day - 1] ?? EMPTY_DAY)];
  hours[hour] = rule;
  return setDay(week, day, hours);
}

/** Tapping an hour: an allowed hour (whatever its minutes) is forbidden, a forbidden one allowed in full. */
export function toggleHour(week: WeekHours, day: number, hour: number): WeekHours {
  return setHour(week, day, hour, week[day - 1]?.[hour] ? null : FULL_HOUR);
}

/** The week with one day's hours copied to other days (the day itself may be among them). */
export function copyDay(week: WeekHours, from: number, to: readonly number[]): WeekHours {
  const source = week[from - 1] ?? EMPTY_DAY;
  return week.map((hours, i) => (to.includes(i + 1) ? source : hours));
}

/**
 * An hour's rule with new minutes, each kept within what the hub accepts for it (from 0–59, to 1–60).
 * A range that ends before it starts is kept as typed: the parent may be on the way to a valid one
 * (typing 45 into "to" passes through 4), and the hub refuses it on Save with its own reason.
 */
export function withMinutes(rule: HourRule, change: { fromMinute?: number; toMinute?: number }): HourRule {
  const clamp = (value: number, min: number, max: number) => Math.min(Math.max(Math.floor(value), min), max);
  return {
    ...rule,
    fromMinute: clamp(change.fromMinute ?? rule.fromMinute, 0, 59),
    toMinute: clamp(change.toMinute ?? rule.toMinute, 1, 60),
  };
}

/** The hour the minutes panel shows first: the day's first allowed hour, or midnight. */
export function firstAllowedHour(day: DayHours): number {
  const first = day.findIndex((rule) => rule !== null);
  return first < 0 ? 0 : first;
}

/**
 * What an hour's cell shows besides the hour ("∞ 15–45") and the same in words ("only minutes 15 to 45, free
 * time"); both empty for a forbidden hour or a plain full one.
 */
export function hourDetails(rule: HourRule | null): { marks: string; description: string } {
  if (!rule) return { marks: '', description: '' };
  const partial = rule.fromMinute !== 0 || rule.toMinute !== 60;
  const marks = [rule.unaccounted ? '∞' : '', partial ? `${rule.fromMinute}–${rule.toMinute}` : ''];
  const details = [partial ? `only minutes ${rule.fromMinute} to ${rule.toMinute}` : '', rule.unaccounted ? 'free time' : ''];
  return { marks: marks.filter(Boolean).join(' '), description: details.filter(Boolean).join(', ') };
}
