import {
  EMPTY_DAY,
  FULL_DAY,
  FULL_HOUR,
  type DayHours,
  type HourRule,
  type WeekHours,
  copyDay,
  dayRequest,
  describeDay,
  firstAllowedHour,
  hourDetails,
  setHour,
  toggleHour,
  weekHours,
  withMinutes,
} from './hours';

/** A day with the given hours allowed in full, and any other rules on top. */
const day = (full: number[], rules: Record<number, HourRule> = {}): DayHours =>
  Array.from({ length: 24 }, (_, h) => rules[h] ?? (full.includes(h) ? FULL_HOUR : null));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const week = (...days: DayHours[]): WeekHours => Array.from({ length: 7 }, (_, i) => days[i] ?? FULL_DAY);

describe('allowed hours', () => {
  it('describes a day in words, joining neighbouring hours and naming minute ranges and free time', () => {
    const monday = day([...range(0, 16), ...range(17, 21)], {
      16: { fromMinute: 15, toMinute: 45, unaccounted: true },
    });
    expect(`Monday: ${describeDay(monday)}`).toBe('Monday: 00:00–16:00, 16:15–16:45 free, 17:00–21:00');
    expect(describeDay(FULL_DAY)).toBe('all day');
    expect(describeDay(EMPTY_DAY)).toBe('no hours allowed');
    // Free hours next to counted ones are a run of their own; so is a gap of a few minutes.
    expect(describeDay(day([8], { 9: { fromMinute: 0, toMinute: 60, unaccounted: true } }))).toBe(
      '08:00–09:00, 09:00–10:00 free',
    );
    expect(describeDay(day([], { 7: { fromMinute: 0, toMinute: 30, unaccounted: false }, 8: FULL_HOUR }))).toBe(
      '07:00–07:30, 08:00–09:00',
    );
    // A whole day of free time is not "all day": it is worth saying that none of it counts.
    expect(describeDay(FULL_DAY.map(() => ({ ...FULL_HOUR, unaccounted: true })))).toBe('00:00–24:00 free');
    expect(describeDay(day([23]))).toBe('23:00–24:00');
  });

  it("reads timekpr's hours per day number into seven days of 24 slots, and writes a day back hour by hour", () => {
    const hours = weekHours({
      '1': [{ hour: 7, fromMinute: 0, toMinute: 60, unaccounted: false }],
      '3': [
        { hour: 0, fromMinute: 0, toMinute: 60, unaccounted: false },
        { hour: 16, fromMinute: 15, toMinute: 45, unaccounted: true },
      ],
    });
    expect(hours).toHaveLength(7);
    expect(hours[0]).toEqual(day([7]));
    expect(hours[1]).toEqual(EMPTY_DAY); // no entry: a day with no allowed hours
    expect(hours[2]?.[16]).toEqual({ fromMinute: 15, toMinute: 45, unaccounted: true });
    expect(dayRequest(hours[2]!)).toEqual([
      { hour: 0, fromMinute: 0, toMinute: 60, unaccounted: false },
      { hour: 16, fromMinute: 15, toMinute: 45, unaccounted: true },
    ]);
    expect(dayRequest(EMPTY_DAY)).toEqual([]);
  });

  it('toggles one hour of one day: an allowed hour (even a partial one) goes, a forbidden one comes in full', () => {
    const partial = { fromMinute: 10, toMinute: 20, unaccounted: true };
    const before = week(day([8], { 9: partial }));
    const off = toggleHour(before, 1, 8);
    expect(off[0]).toEqual(day([], { 9: partial }));
    expect(toggleHour(off, 1, 9)[0]).toEqual(EMPTY_DAY);
    expect(toggleHour(before, 1, 10)[0]).toEqual(day([8, 10], { 9: partial }));
    // Only that day changes, and the week given is left as it was.
    expect(toggleHour(before, 2, 0)[1]).toEqual(day(range(1, 24)));
    expect(toggleHour(before, 2, 0).slice(2)).toEqual(before.slice(2));
    expect(before[0]).toEqual(day([8], { 9: partial }));
  });

  it('sets an hour rule and keeps minutes within what the hub accepts (from 0–59, to 1–60)', () => {
    expect(withMinutes(FULL_HOUR, { fromMinute: 15 })).toEqual({ fromMinute: 15, toMinute: 60, unaccounted: false });
    expect(withMinutes({ ...FULL_HOUR, fromMinute: 15 }, { toMinute: 45 })).toEqual({
      fromMinute: 15,
      toMinute: 45,
      unaccounted: false,
    });
    expect(withMinutes(FULL_HOUR, { fromMinute: 60 }).fromMinute).toBe(59);
    expect(withMinutes(FULL_HOUR, { fromMinute: -5 }).fromMinute).toBe(0);
    expect(withMinutes(FULL_HOUR, { toMinute: 0 }).toMinute).toBe(1);
    expect(withMinutes(FULL_HOUR, { toMinute: 75 }).toMinute).toBe(60);
    // Typing 45 into "to" passes through 4: an inverted range is kept for the parent to finish.
    expect(withMinutes({ ...FULL_HOUR, fromMinute: 15 }, { toMinute: 4 })).toEqual({
      fromMinute: 15,
      toMinute: 4,
      unaccounted: false,
    });
    const free = { fromMinute: 0, toMinute: 30, unaccounted: true };
    expect(setHour(week(), 7, 23, free)[6]?.[23]).toEqual(free);
    expect(setHour(week(), 7, 23, null)[6]).toEqual(day(range(0, 23)));
  });

  it('copies a day to other days, the others untouched', () => {
    const evening = day(range(17, 21));
    const before = week(evening, EMPTY_DAY, day([1]));
    const weekdays = copyDay(before, 1, [1, 2, 3, 4, 5]);
    expect(weekdays.slice(0, 5)).toEqual([evening, evening, evening, evening, evening]);
    expect(weekdays.slice(5)).toEqual([FULL_DAY, FULL_DAY]);
    expect(copyDay(before, 3, [6, 7]).slice(5)).toEqual([day([1]), day([1])]);
    expect(copyDay(before, 3, [6, 7]).slice(0, 5)).toEqual(before.slice(0, 5));
  });

  it("picks the day's first allowed hour for the minutes panel, midnight for a day with none", () => {
    expect(firstAllowedHour(day([9, 10]))).toBe(9);
    expect(firstAllowedHour(EMPTY_DAY)).toBe(0);
  });

  it("says what an hour's cell shows besides the hour, and the same in words", () => {
    expect(hourDetails(null)).toEqual({ marks: '', description: '' });
    expect(hourDetails(FULL_HOUR)).toEqual({ marks: '', description: '' });
    expect(hourDetails({ fromMinute: 15, toMinute: 45, unaccounted: true })).toEqual({
      marks: '∞ 15–45',
      description: 'only minutes 15 to 45, free time',
    });
    expect(hourDetails({ fromMinute: 0, toMinute: 30, unaccounted: false })).toEqual({
      marks: '0–30',
      description: 'only minutes 0 to 30',
    });
  });
});
