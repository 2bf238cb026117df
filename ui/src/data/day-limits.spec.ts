import { dayLimits, dayName, hoursAndMinutes, setDayLimit, toggleDay, whole } from './day-limits';

describe('days and daily limits', () => {
  it("puts timekpr's limits, listed in the order of its allowed days, on their weekdays, Monday first", () => {
    expect(dayLimits([1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7], 0)).toEqual({
      days: [1, 2, 3, 4, 5, 6, 7],
      limits: [1, 2, 3, 4, 5, 6, 7],
    });
    // Not Monday first: the n-th limit belongs to the n-th day as timekpr lists them, not to weekday n.
    expect(dayLimits([6, 7, 1], [7200, 10_800, 3600], 86_400)).toEqual({
      days: [1, 6, 7],
      limits: [3600, 86_400, 86_400, 86_400, 86_400, 7200, 10_800],
    });
    // Fewer limits than days (timekpr accepts that): the rest get the fallback.
    expect(dayLimits([2, 4], [600], 0)).toEqual({ days: [2, 4], limits: [0, 600, 0, 0, 0, 0, 0] });
    expect(dayLimits([], [], 0)).toEqual({ days: [], limits: [0, 0, 0, 0, 0, 0, 0] });
  });

  it('switches days on and off, keeping them ascending and each once, and their limits kept', () => {
    const value = { days: [1, 5], limits: [1, 2, 3, 4, 5, 6, 7] };
    expect(toggleDay(value, 3, true)).toEqual({ days: [1, 3, 5], limits: [1, 2, 3, 4, 5, 6, 7] });
    expect(toggleDay(value, 5, true).days).toEqual([1, 5]);
    expect(toggleDay(value, 1, false)).toEqual({ days: [5], limits: [1, 2, 3, 4, 5, 6, 7] });
    expect(toggleDay(value, 2, false).days).toEqual([1, 5]);
    expect(value.days).toEqual([1, 5]);
  });

  it("sets one day's limit in seconds, also for a day that is off", () => {
    const value = { days: [1], limits: [0, 0, 0, 0, 0, 0, 0] };
    expect(setDayLimit(value, 1, 5400).limits).toEqual([5400, 0, 0, 0, 0, 0, 0]);
    expect(setDayLimit(value, 7, 60).limits).toEqual([0, 0, 0, 0, 0, 0, 60]);
    expect(value.limits).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('shows seconds as hours and minutes and reads typed numbers within bounds', () => {
    expect(hoursAndMinutes(86_400)).toEqual({ hours: 24, minutes: 0 });
    expect(hoursAndMinutes(5400 + 59)).toEqual({ hours: 1, minutes: 30 });
    expect(whole('17', 24)).toBe(17);
    expect(whole('30', 24)).toBe(24);
    expect(whole('2.9', 24)).toBe(2);
    expect(whole('', 60, 1)).toBe(1);
    expect(whole('-3', 59)).toBe(0);
    expect(whole('e', 59)).toBe(0);
    expect(dayName(7)).toBe('Sunday');
    expect(dayName(8)).toBe('Day 8');
  });
});
