const HOUR_MS = 3_600_000;

/**
 * When a queued change stops being worth applying. timekpr's time adjustments are "today only", so by
 * default a change waits until midnight on the PC (its own time zone), and never more than 24 hours; a caller
 * can ask for a shorter or longer window. Without a known time zone it waits 12 hours.
 */
export function commandExpiry(now: Date, timezone: string | null, validForSeconds?: number): Date {
  if (validForSeconds !== undefined) return new Date(now.getTime() + validForSeconds * 1000);
  const untilMidnight = timezone ? msUntilLocalMidnight(now, timezone) : null;
  return new Date(now.getTime() + Math.min(untilMidnight ?? 12 * HOUR_MS, 24 * HOUR_MS));
}

function msUntilLocalMidnight(now: Date, timezone: string): number | null {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hourCycle: 'h23',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(now);
    const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? NaN);
    const elapsed =
      ((part('hour') * 60 + part('minute')) * 60 + part('second')) * 1000 + now.getMilliseconds();
    return Number.isFinite(elapsed) ? 24 * HOUR_MS - elapsed : null;
  } catch {
    return null; // an unknown time zone name from the agent
  }
}
