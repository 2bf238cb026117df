import { z } from 'zod';
import type { ManagedUserState } from './timekpr/user-state';
import { MAX_INTERVALS_PER_DAY, MAX_RAN_OUT_PER_DAY, usageIntervalSchema, type UsageRecord } from './usage';

/** How many login-days the book keeps while the hub is away (ten logins for 40 days). */
export const MAX_BOOKED_DAYS = 400;

const dayBookSchema = z.object({
  login: z.string(),
  day: z.string(),
  timezone: z.string(),
  spentSeconds: z.number().int(),
  playtimeSeconds: z.number().int().nullable(),
  intervals: z.array(usageIntervalSchema),
  ranOutAt: z.array(z.string()),
  seq: z.number().int(),
  /** The highest seq of this day the hub has acknowledged. */
  ackedSeq: z.number().int(),
  /** The previous sample of this login, to extend intervals and see time running out. */
  lastSampleAt: z.number(),
  lastActive: z.boolean(),
  lastTimeLeft: z.number().int(),
});
type DayBook = z.infer<typeof dayBookSchema>;

export const usageBookSnapshotSchema = z.object({
  epoch: z.uuid(),
  seq: z.number().int().min(0),
  days: z.array(dayBookSchema).max(MAX_BOOKED_DAYS),
});
export type UsageBookSnapshot = z.infer<typeof usageBookSnapshotSchema>;

export interface UsageBookOptions {
  /** Samples further apart than this start a new active interval (the PC slept, the agent was down). */
  maxGapMs: number;
  /** The PC's time zone: its days are the book's days. */
  timezone: string;
  /** A new epoch (a UUID) for a book that starts empty. */
  newEpoch: () => string;
  /** Called when unacknowledged days had to be dropped to stay within MAX_BOOKED_DAYS. */
  onDropped?: (days: string[]) => void;
}

/**
 * What each child used, per login and local day, derived from timekpr's counters each time the agent reads
 * them. Each login-day is kept as one complete record with a sequence number that grows with every change; the
 * hub acknowledges what it stored, and days it has are forgotten once they are over. While the hub is away the
 * book simply keeps more days: the newest picture of a day replaces the older ones, so memory and disk stay
 * bounded by days, not by samples, and only whole days beyond MAX_BOOKED_DAYS (the oldest) are ever dropped.
 */
export class UsageBook {
  private readonly days = new Map<string, DayBook>();
  private readonly dayOf: (at: Date) => string;
  private epoch: string;
  private seq: number;

  constructor(
    private readonly options: UsageBookOptions,
    snapshot?: UsageBookSnapshot | null,
  ) {
    this.epoch = snapshot?.epoch ?? options.newEpoch();
    this.dayOf = dayIn(options.timezone);
    this.seq = snapshot?.seq ?? 0;
    for (const day of snapshot?.days ?? []) this.days.set(key(day.login, day.day), day);
  }

  /** Takes one reading of some users. Returns true when a record changed (and should be saved and sent). */
  observe(states: readonly ManagedUserState[], at: Date): boolean {
    const day = this.dayOf(at);
    const now = at.getTime();
    const stamp = at.toISOString();
    let changed = false;
    for (const state of states) {
      const previous = this.latest(state.login);
      let book = this.days.get(key(state.login, day));
      if (!book) {
        book = {
          login: state.login,
          day,
          timezone: this.options.timezone,
          spentSeconds: 0,
          playtimeSeconds: null,
          intervals: [],
          ranOutAt: [],
          seq: 0,
          ackedSeq: 0,
          lastSampleAt: previous?.lastSampleAt ?? 0,
          lastActive: previous?.lastActive ?? false,
          lastTimeLeft: previous?.lastTimeLeft ?? state.timeLeftToday,
        };
        this.days.set(key(state.login, day), book);
      }
      let dirty = false;
      const spent = Math.max(0, state.timeSpentToday);
      const playtime = state.playtime.spentToday === null ? null : Math.max(0, state.playtime.spentToday);
      if (spent !== book.spentSeconds || playtime !== book.playtimeSeconds) {
        book.spentSeconds = spent;
        book.playtimeSeconds = playtime;
        dirty = true;
      }
      if (state.active) {
        const last = book.intervals.at(-1);
        if (last && book.lastActive && now - book.lastSampleAt <= this.options.maxGapMs) {
          last.end = stamp;
        } else {
          book.intervals.push({ start: stamp, end: stamp });
          if (book.intervals.length > MAX_INTERVALS_PER_DAY) {
            // Join the oldest two rather than lose either: the day's shape stays, its first gap goes.
            const [first, second] = book.intervals.splice(0, 2);
            book.intervals.unshift({ start: first!.start, end: second!.end });
          }
        }
        dirty = true;
      }
      // Ran out: the day's time left reached zero while the child was using the PC.
      if (state.timeLeftToday <= 0 && book.lastTimeLeft > 0 && (state.active || book.lastActive)) {
        book.ranOutAt.push(stamp);
        if (book.ranOutAt.length > MAX_RAN_OUT_PER_DAY) book.ranOutAt.shift();
        dirty = true;
      }
      book.lastSampleAt = now;
      book.lastActive = state.active;
      book.lastTimeLeft = state.timeLeftToday;
      if (dirty) {
        book.seq = ++this.seq;
        changed = true;
      }
    }
    this.prune(day);
    return changed;
  }

  /** Records the hub has not acknowledged, oldest change first. */
  pending(limit = 100): UsageRecord[] {
    return [...this.days.values()]
      .filter((book) => book.seq > book.ackedSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((book) => ({
        epoch: this.epoch,
        seq: book.seq,
        login: book.login,
        day: book.day,
        timezone: book.timezone,
        spentSeconds: Math.min(book.spentSeconds, 2 * 86_400),
        playtimeSeconds: book.playtimeSeconds === null ? null : Math.min(book.playtimeSeconds, 2 * 86_400),
        intervals: book.intervals.map((i) => ({ ...i })),
        ranOutAt: [...book.ranOutAt],
      }));
  }

  /** The hub stored these records: their days need not be sent again unless they change. */
  acknowledge(records: readonly UsageRecord[]): void {
    for (const record of records) {
      const book = this.days.get(key(record.login, record.day));
      if (book) book.ackedSeq = Math.max(book.ackedSeq, record.seq);
    }
    this.prune(this.dayOf(new Date()));
  }

  /**
   * How soon a logged-in child's time runs out, from the last readings (ms), or null: the agent reads again
   * then, so the moment is recorded within seconds rather than at the next periodic report.
   */
  soonestRunOutMs(now: number): number | null {
    let soonest: number | null = null;
    for (const book of this.days.values()) {
      if (!book.lastActive || book.lastTimeLeft <= 0) continue;
      const due = book.lastSampleAt + book.lastTimeLeft * 1000 - now;
      soonest = soonest === null ? due : Math.min(soonest, due);
    }
    return soonest;
  }

  snapshot(): UsageBookSnapshot {
    return { epoch: this.epoch, seq: this.seq, days: [...this.days.values()] };
  }

  /** The newest book of a login, to carry its last sample over midnight. */
  private latest(login: string): DayBook | undefined {
    let found: DayBook | undefined;
    for (const book of this.days.values()) {
      if (book.login === login && (!found || book.day > found.day)) found = book;
    }
    return found;
  }

  /** Forgets past days the hub has; beyond the bound, drops the oldest days. */
  private prune(today: string): void {
    const newest = new Map<string, string>();
    for (const book of this.days.values()) {
      if (book.day > (newest.get(book.login) ?? '')) newest.set(book.login, book.day);
    }
    for (const [id, book] of this.days) {
      const done = book.day < today && book.seq <= book.ackedSeq;
      if (done && newest.get(book.login) !== book.day) this.days.delete(id);
    }
    if (this.days.size <= MAX_BOOKED_DAYS) return;
    const oldest = [...this.days.entries()].sort(([, a], [, b]) => a.day.localeCompare(b.day));
    const dropped: string[] = [];
    for (const [id, book] of oldest.slice(0, this.days.size - MAX_BOOKED_DAYS)) {
      this.days.delete(id);
      if (book.seq > book.ackedSeq) dropped.push(`${book.login} ${book.day}`);
    }
    if (dropped.length > 0) this.options.onDropped?.(dropped);
  }
}

function key(login: string, day: string): string {
  return `${login}/${day}`;
}

/** This process's local calendar day (the agent runs on the PC, so it is the PC's day). */
export function localDay(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/**
 * The calendar day in a time zone, as timekpr counts days on a PC there: the process's own days when that is
 * its zone (the agent), otherwise through Intl (the hub polling a PC over SSH).
 */
export function dayIn(timezone: string): (at: Date) => string {
  if (timezone === Intl.DateTimeFormat().resolvedOptions().timeZone) return localDay;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  } catch {
    return localDay;
  }
  return (at) => format.format(at);
}
