import { commandExpiry, localDayStart } from './command-expiry';

describe('commandExpiry', () => {
  const now = new Date('2026-11-23T20:30:00.000Z');

  it('waits until midnight on the PC', () => {
    expect(commandExpiry(now, 'UTC').toISOString()).toBe('2026-11-24T00:00:00.000Z');
    // 21:30 in Berlin (UTC+1 in November): midnight there is 23:00 UTC.
    expect(commandExpiry(now, 'Europe/Berlin').toISOString()).toBe('2026-11-23T23:00:00.000Z');
    // 15:30 in New York: midnight there is 05:00 UTC the next day.
    expect(commandExpiry(now, 'America/New_York').toISOString()).toBe('2026-11-24T05:00:00.000Z');
  });

  it('uses the window the caller asked for', () => {
    expect(commandExpiry(now, 'UTC', 600).toISOString()).toBe('2026-11-23T20:40:00.000Z');
  });

  it('waits 12 hours when the PC’s time zone is unknown or invalid', () => {
    expect(commandExpiry(now, null).toISOString()).toBe('2026-11-24T08:30:00.000Z');
    expect(commandExpiry(now, 'Mars/Olympus_Mons').toISOString()).toBe('2026-11-24T08:30:00.000Z');
  });
});

describe('localDayStart', () => {
  it('is midnight on the PC’s clock', () => {
    const now = new Date('2026-11-23T15:30:00Z');
    expect(localDayStart(now, 'Europe/Berlin').toISOString()).toBe('2026-11-22T23:00:00.000Z');
    expect(localDayStart(now, 'America/New_York').toISOString()).toBe('2026-11-23T05:00:00.000Z');
    expect(localDayStart(now, 'UTC').toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('falls back to the hub’s own midnight for an unknown or missing time zone', () => {
    const now = new Date('2026-11-23T15:30:00Z');
    const hubMidnight = new Date(now);
    hubMidnight.setHours(0, 0, 0, 0);
    expect(localDayStart(now, 'Mars/Olympus_Mons')).toEqual(hubMidnight);
    expect(localDayStart(now, null)).toEqual(hubMidnight);
  });
});
