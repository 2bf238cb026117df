import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ManagedUserState } from './timekpr/user-state';
import { parseUserinfo } from './timekpr/userinfo-parser';
import { usageMessageSchema } from './usage';
import { MAX_BOOKED_DAYS, UsageBook, dayIn, localDay } from './usage-book';

const idle = parseUserinfo(
  fs.readFileSync(path.join(__dirname, 'timekpr/__fixtures__/userinfo-idle.txt'), 'utf8'),
  'kidtest1',
);

function kid(overrides: Partial<ManagedUserState> & { playtimeSpent?: number }): ManagedUserState {
  const { playtimeSpent, ...rest } = overrides;
  return {
    ...idle,
    login: 'kid',
    ...rest,
    playtime: { ...idle.playtime, spentToday: playtimeSpent ?? 0 },
  };
}

/** 2026-11-23 (a Monday) at hh:mm:ss local time. */
const at = (h: number, m: number, s = 0) => new Date(2026, 10, 23, h, m, s);
const options = {
  maxGapMs: 150_000,
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  newEpoch: randomUUID,
};

describe('UsageBook', () => {
  it('turns readings of a logged-in child into one record per day: total, intervals, PlayTime', () => {
    const book = new UsageBook(options);
    expect(book.observe([kid({ active: true, timeSpentToday: 60, timeLeftToday: 3540 })], at(16, 0))).toBe(
      true,
    );
    book.observe([kid({ active: true, timeSpentToday: 105, timeLeftToday: 3495 })], at(16, 0, 45));
    book.observe(
      [kid({ active: true, timeSpentToday: 150, timeLeftToday: 3450, playtimeSpent: 30 })],
      at(16, 1, 30),
    );
    const [record, ...others] = book.pending();
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      login: 'kid',
      day: '2026-11-23',
      timezone: options.timezone,
      spentSeconds: 150,
      playtimeSeconds: 30,
      seq: 3,
      intervals: [{ start: at(16, 0).toISOString(), end: at(16, 1, 30).toISOString() }],
      ranOutAt: [],
    });
    expect(usageMessageSchema.safeParse({ records: [record] }).success).toBe(true);
  });

  it('starts a new interval after a gap and records nothing while nothing changes', () => {
    const book = new UsageBook(options);
    book.observe([kid({ active: true, timeSpentToday: 60 })], at(8, 0));
    book.observe([kid({ active: false, timeSpentToday: 90 })], at(8, 1));
    expect(book.observe([kid({ active: false, timeSpentToday: 90 })], at(8, 2))).toBe(false);
    book.observe([kid({ active: true, timeSpentToday: 95 })], at(17, 0));
    expect(book.pending()[0]!.intervals).toEqual([
      { start: at(8, 0).toISOString(), end: at(8, 0).toISOString() },
      { start: at(17, 0).toISOString(), end: at(17, 0).toISOString() },
    ]);
  });

  it('records the moment time ran out while the child was using the PC, once', () => {
    const book = new UsageBook(options);
    book.observe([kid({ active: true, timeSpentToday: 3590, timeLeftToday: 10 })], at(19, 0));
    book.observe([kid({ active: true, timeSpentToday: 3603, timeLeftToday: -3 })], at(19, 0, 13));
    book.observe([kid({ active: true, timeSpentToday: 3606, timeLeftToday: -6 })], at(19, 0, 16));
    expect(book.pending()[0]!.ranOutAt).toEqual([at(19, 0, 13).toISOString()]);
    // Time set to zero while nobody is logged in is not a child running out.
    const away = new UsageBook(options);
    away.observe([kid({ active: false, timeLeftToday: 600 })], at(10, 0));
    away.observe([kid({ active: false, timeLeftToday: 0 })], at(10, 1));
    expect(away.pending()[0]?.ranOutAt ?? []).toEqual([]);
  });

  it('keeps unacknowledged days, forgets past days the hub has, and sends a day again when it changes', () => {
    const book = new UsageBook(options);
    book.observe([kid({ active: true, timeSpentToday: 100 })], new Date(2026, 10, 22, 23, 59));
    book.observe([kid({ active: true, timeSpentToday: 20 })], new Date(2026, 10, 23, 0, 0, 20));
    const pending = book.pending();
    expect(pending.map((r) => [r.day, r.spentSeconds])).toEqual([
      ['2026-11-22', 100],
      ['2026-11-23', 20],
    ]);
    book.acknowledge(pending);
    expect(book.pending()).toEqual([]);
    expect(book.snapshot().days.map((d) => d.day)).toEqual(['2026-11-23']);
    book.observe([kid({ active: true, timeSpentToday: 65 })], new Date(2026, 10, 23, 0, 1, 5));
    expect(book.pending().map((r) => r.spentSeconds)).toEqual([65]);
  });

  it('survives a restart through its snapshot, continuing the sequence of the same epoch', () => {
    const book = new UsageBook(options);
    book.observe([kid({ active: true, timeSpentToday: 100 })], at(9, 0));
    const restored = new UsageBook(options, JSON.parse(JSON.stringify(book.snapshot())));
    restored.observe([kid({ active: true, timeSpentToday: 130 })], at(9, 0, 30));
    const [record] = restored.pending();
    expect(record).toMatchObject({ epoch: book.snapshot().epoch, seq: 2, spentSeconds: 130 });
    expect(record!.intervals).toHaveLength(1);
  });

  it('stays bounded while the hub is away for long, dropping the oldest days and saying so', () => {
    const dropped: string[] = [];
    const book = new UsageBook({ ...options, onDropped: (days) => dropped.push(...days) });
    const start = new Date(2026, 0, 1, 12, 0);
    for (let i = 0; i < MAX_BOOKED_DAYS + 5; i++) {
      const day = new Date(start.getTime() + i * 86_400_000);
      book.observe([kid({ active: true, timeSpentToday: 60 + i })], day);
    }
    expect(book.snapshot().days).toHaveLength(MAX_BOOKED_DAYS);
    expect(dropped).toEqual(
      [0, 1, 2, 3, 4].map((i) => `kid ${localDay(new Date(start.getTime() + i * 86_400_000))}`),
    );
  });

  it('says when a logged-in child will run out, so the agent can look again then', () => {
    const book = new UsageBook(options);
    book.observe([kid({ active: true, timeLeftToday: 20 })], at(19, 0));
    expect(book.soonestRunOutMs(at(19, 0, 5).getTime())).toBe(15_000);
    book.observe([kid({ active: false, timeLeftToday: 20 })], at(19, 0, 6));
    expect(book.soonestRunOutMs(at(19, 0, 7).getTime())).toBeNull();
  });

  it('counts days in the PC’s time zone when the hub books for a PC elsewhere', () => {
    const tokyo = new UsageBook({ ...options, timezone: 'Asia/Tokyo' });
    // 20:00 UTC on 23 November is already 05:00 on the 24th in Tokyo.
    tokyo.observe([kid({ active: true, timeSpentToday: 60 })], new Date('2026-11-23T20:00:00Z'));
    expect(tokyo.pending()).toEqual([expect.objectContaining({ day: '2026-11-24', timezone: 'Asia/Tokyo' })]);
    expect(dayIn('America/Los_Angeles')(new Date('2026-11-23T05:00:00Z'))).toBe('2026-11-22');
    expect(dayIn('Not/AZone')).toBe(localDay);
  });
});
