/** timekpr numbers the weekdays 1 (Monday) to 7 (Sunday). */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const WEEKDAYS_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export const dayName = (day: number): string => WEEKDAYS[day - 1] ?? `Day ${day}`;

/** Which days are on (ascending), and a limit in seconds for each of the seven days, Monday first. */
export interface DayLimits {
  days: number[];
  limits: number[];
}

/**
 * timekpr's days and limits as the editors show them. timekpr keeps one limit per allowed day, in the order of
 * its allowed days (not necessarily Monday first); the editors keep seven, Monday first, so that a day switched
 * off and on again still has a value. Days timekpr has no limit for get `fallback`.
 */
export function dayLimits(days: readonly number[], limits: readonly number[], fallback: number): DayLimits {
  const mondayFirst = Array.from({ length: 7 }, () => fallback);
  days.forEach((day, i) => {
    if (day >= 1 && day <= 7) mondayFirst[day - 1] = limits[i] ?? fallback;
  });
  return { days: [...days].sort((a, b) => a - b), limits: mondayFirst };
}

/** The same limits with one day switched on or off; the days stay ascending and each once. */
export function toggleDay(value: DayLimits, day: number, on: boolean): DayLimits {
  const days = on ? [...value.days, day] : value.days.filter((d) => d !== day);
  return { ...value, days: [...new Set(days)].sort((a, b) => a - b) };
}

/** The same limits with one day's (1 = Monday) limit set, in seconds. */
export function setDayLimit(value: DayLimits, day: number, seconds: number): DayLimits {
  const limits = [...value.limits];
  limits[day - 1] = seconds;
  return { ...value, limits };
}

/** Seconds as whole hours and minutes, as the hour and minute fields show them (seconds are dropped). */
export function hoursAndMinutes(seconds: number): { hours: number; minutes: number } {
  return { hours: Math.floor(seconds / 3600), minutes: Math.floor((seconds % 3600) / 60) };
}

/** A whole number from typed text, kept within [min, max]; empty or nonsense counts as `min`. */
export function whole(text: string, max: number, min = 0): number {
  const value = Math.floor(Number(text));
  return Number.isFinite(value) ? Math.min(Math.max(value, min), max) : min;
}
