import type { UsageDayView } from '@kidtime/protocol';
import { axisLabel, buildSeries, lastDays, localDay, scaleTopSeconds, type UsageSubject } from './usage-series';

const row = (over: Partial<UsageDayView>): UsageDayView => ({
  deviceId: 'pc-1',
  deviceName: 'Kitchen PC',
  login: 'ana',
  childId: 'child-ana',
  childName: 'Ana',
  day: '2026-11-03',
  timezone: 'Europe/Berlin',
  spentSeconds: 600,
  playtimeSeconds: null,
  intervals: [],
  ranOutAt: [],
  updatedAt: '2026-11-03T18:00:00.000Z',
  ...over,
});

const ana: UsageSubject = { id: 'child-ana', name: 'Ana', childId: 'child-ana', key: null };
const loose: UsageSubject = { id: 'pc-1/guest', name: 'guest on Kitchen PC', childId: null, key: 'pc-1/guest' };

describe('usage series', () => {
  it('lists the calendar days of a period ending today, across months and years', () => {
    expect(lastDays(new Date(2026, 0, 2, 9), 4)).toEqual(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
    expect(lastDays(new Date(2026, 10, 30, 23, 59), 30)).toHaveLength(30);
    expect(lastDays(new Date(2026, 10, 30), 30)[0]).toBe('2026-11-01');
    expect(localDay(new Date(2026, 2, 9, 0, 5))).toBe('2026-03-09');
  });

  it("sums a child's PCs per day, shows days without records as 0, and marks days that ran out", () => {
    const days = ['2026-11-02', '2026-11-03', '2026-11-04'];
    const [series] = buildSeries(
      [
        row({ spentSeconds: 600 }),
        row({ deviceId: 'pc-2', deviceName: 'Laptop', login: 'ana2', spentSeconds: 1200, ranOutAt: ['x'] }),
        row({ day: '2026-11-04', spentSeconds: 60 }),
        row({ day: '2026-10-01', spentSeconds: 9999 }), // outside the period
      ],
      days,
      [ana],
    );
    expect(series!.days.map((d) => d.seconds)).toEqual([0, 1800, 60]);
    expect(series!.days.map((d) => d.ranOut)).toEqual([false, true, false]);
    expect(series!.days[1]!.parts).toEqual([
      { label: 'ana on Kitchen PC', seconds: 600 },
      { label: 'ana2 on Laptop', seconds: 1200 },
    ]);
    expect(series!.totalSeconds).toBe(1860);
    expect(series!.averageSeconds).toBe(620);
    expect(series!.ranOutDays).toBe(1);
  });

  it('keeps subjects without records (all zero) and adds ones the records name that the app does not know', () => {
    const days = ['2026-11-03'];
    const series = buildSeries(
      [
        row({ childId: null, childName: null, login: 'guest' }),
        row({ childId: null, childName: null, deviceId: 'gone', deviceName: '(removed PC)', login: 'old' }),
        row({ childId: 'child-ben', childName: 'Ben' }),
      ],
      days,
      [ana, loose],
    );
    expect(series.map((s) => [s.subject.name, s.totalSeconds])).toEqual([
      ['Ana', 0],
      ['guest on Kitchen PC', 600],
      ['old on (removed PC)', 600],
      ['Ben', 600],
    ]);
  });

  it('scales to an hour at least, and to the next step that holds the longest day', () => {
    expect(scaleTopSeconds(0)).toBe(3600);
    expect(scaleTopSeconds(3600)).toBe(3600);
    expect(scaleTopSeconds(3601)).toBe(7200);
    expect(scaleTopSeconds(5 * 3600)).toBe(6 * 3600);
    expect(scaleTopSeconds(3 * 86_400)).toBe(72 * 3600);
    expect([1800, 3600, 5400, 7200].map(axisLabel)).toEqual(['30 min', '1 h', '1 h 30', '2 h']);
  });
});
