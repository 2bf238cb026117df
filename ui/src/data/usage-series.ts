import type { UsageDayView } from '@kidtime/protocol';

/**
 * Turns usage records (one per PC, login and day) into what a parent asks about: how long each child used
 * a PC on each day of a period, whichever of their PCs it was. Pure, so the arithmetic is unit-tested.
 */

/** `YYYY-MM-DD` of a moment in the browser's time zone (the PCs' days are their local calendar days too). */
export function localDay(date: Date): string {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

/** The `count` calendar days ending with `today`'s, oldest first. */
export function lastDays(today: Date, count: number): string[] {
  const days: string[] = [];
  for (let back = count - 1; back >= 0; back--) {
    // Noon, and the calendar arithmetic of Date: a clock change never skips or repeats a day.
    days.push(localDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - back, 12)));
  }
  return days;
}

/** A `YYYY-MM-DD` day as a local Date (at noon), for formatting. */
export function dayDate(day: string): Date {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, date ?? 1, 12);
}

/** Who a chart is for: a child (all their logins), or one login no child has yet. */
export interface UsageSubject {
  id: string;
  name: string;
  childId: string | null;
  /** `deviceId/login`, for a login no child has. */
  key: string | null;
}

export interface DayUsage {
  day: string;
  seconds: number;
  /** The child's time ran out that day (on any of their PCs). */
  ranOut: boolean;
  /** Per PC and login, when the child used more than one that day. */
  parts: Array<{ label: string; seconds: number }>;
}

export interface UsageSeries {
  subject: UsageSubject;
  /** One entry per day of the period, oldest first; a day without records is 0. */
  days: DayUsage[];
  totalSeconds: number;
  /** Per day of the period, days without use included. */
  averageSeconds: number;
  ranOutDays: number;
}

/**
 * One series per subject, in the subjects' order, then one per child or login the records name that the
 * subjects do not (a PC since removed, a child removed): the time was used all the same.
 */
export function buildSeries(
  rows: readonly UsageDayView[],
  days: readonly string[],
  subjects: readonly UsageSubject[],
): UsageSeries[] {
  const all = [...subjects];
  const byRow = (row: UsageDayView): UsageSubject => {
    const key = `${row.deviceId}/${row.login}`;
    const known = all.find((s) => (row.childId ? s.childId === row.childId : s.key === key));
    if (known) return known;
    const added: UsageSubject = row.childId
      ? { id: row.childId, name: row.childName ?? 'A removed child', childId: row.childId, key: null }
      : { id: key, name: `${row.login} on ${row.deviceName}`, childId: null, key };
    all.push(added);
    return added;
  };
  const inPeriod = new Set(days);
  const grouped = new Map<string, UsageDayView[]>();
  for (const row of rows) {
    if (!inPeriod.has(row.day)) continue;
    const subject = byRow(row);
    grouped.set(subject.id, [...(grouped.get(subject.id) ?? []), row]);
  }
  return all.map((subject) => {
    const mine = grouped.get(subject.id) ?? [];
    const perDay = days.map((day): DayUsage => {
      const records = mine.filter((row) => row.day === day);
      return {
        day,
        seconds: records.reduce((sum, row) => sum + row.spentSeconds, 0),
        ranOut: records.some((row) => row.ranOutAt.length > 0),
        parts:
          records.length > 1
            ? records.map((row) => ({ label: `${row.login} on ${row.deviceName}`, seconds: row.spentSeconds }))
            : [],
      };
    });
    const totalSeconds = perDay.reduce((sum, day) => sum + day.seconds, 0);
    return {
      subject,
      days: perDay,
      totalSeconds,
      averageSeconds: days.length > 0 ? totalSeconds / days.length : 0,
      ranOutDays: perDay.filter((day) => day.ranOut).length,
    };
  });
}

/** Scale tops for the charts, in minutes: the smallest that holds the longest day, an hour at least. */
const SCALE_MINUTES = [60, 120, 180, 240, 360, 480, 720, 960, 1440, 2880];

export function scaleTopSeconds(maxSeconds: number): number {
  const minutes = SCALE_MINUTES.find((top) => top * 60 >= maxSeconds) ?? Math.ceil(maxSeconds / 3600) * 60;
  return minutes * 60;
}

/** "2 h", "1 h 30", "30 min": an axis label. */
export function axisLabel(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${String(rest).padStart(2, '0')}`;
}
