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

/**
 * When today began on a PC (its own time zone), so a reading from yesterday is not taken for today's. Without
 * a usable time zone, the hub's own midnight.
 */
export function localDayStart(now: Date, timezone: string | null): Date {
  const untilMidnight = timezone ? msUntilLocalMidnight(now, timezone) : null;
  if (untilMidnight === null) {
    const start = new Date(now);
    start.setHours(0, 0, 0, 0);
    return start;
  }
  return new Date(now.getTime() + untilMidnight - 24 * HOUR_MS);
}

/** One formatter per time zone: making one costs more than the rest of a command's bookkeeping. */
const clocks = new Map<string, Intl.DateTimeFormat>();

function clock(timezone: string): Intl.DateTimeFormat {
  let format = clocks.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hourCycle: 'h23',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (clocks.size >= 1000) clocks.clear(); // time zone names come from agents: keep the cache bounded
    clocks.set(timezone, format);
  }
  return format;
}

function msUntilLocalMidnight(now: Date, timezone: string): number | null {
  try {
    const parts = clock(timezone).formatToParts(now);
    const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? NaN);
    const elapsed =
      ((part('hour') * 60 + part('minute')) * 60 + part('second')) * 1000 + now.getMilliseconds();
    return Number.isFinite(elapsed) ? 24 * HOUR_MS - elapsed : null;
  } catch {
    return null; // an unknown time zone name from the agent
  }
}
