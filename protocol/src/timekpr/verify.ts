import { SECONDS_PER_DAY, type TimeAdjustMode } from '../common';
import type { ManagedUserState } from './user-state';

/** How far a logged-in user's counters may move between two reads beyond the elapsed time (timekprd ticks every 3 s). */
const TICK_SLACK_SECONDS = 6;
/** The saved balance lags the live one by up to this much (timekprd saves every 30 s). */
const SAVE_LAG_SECONDS = 30;

export interface TimeAdjustCheck {
  mode: TimeAdjustMode;
  seconds: number;
  /** State read before the change (may be a little old), or null when unknown. */
  before: ManagedUserState | null;
  after: ManagedUserState;
  /** Seconds between reading `before` and reading `after`. */
  elapsedSeconds: number;
  /** ISO weekday (1 = Monday) on the PC right now: timekpr's day is the PC's local day. */
  weekday: number;
}

/**
 * Checks that `timekpra --settimeleft` did what was asked, from the states read before and after.
 * timekprd stores the change as the day's spent balance: "+N" → min(balance, limit) − N, "−N" →
 * min(balance, limit) + N, "=N" → limit − N, each clamped to ±1 day. A logged-in user keeps spending
 * while we look, so the balance may be higher by up to the elapsed time. Returns null when consistent,
 * otherwise what was expected and what was read.
 */
export function checkTimeAdjustment(check: TimeAdjustCheck): string | null {
  const { mode, seconds, before, after } = check;
  const [low, high] = accrualWindow(check);
  const clamp = (value: number) => Math.min(Math.max(value, -SECONDS_PER_DAY), SECONDS_PER_DAY);
  const limits = todaysLimitCandidates(after, check.weekday);

  let expected: number[];
  if (mode === 'set') {
    // "=N" starts the day's balance afresh (timekpr drops spending not yet saved), so no accrual applies;
    // time left reading N is direct evidence, though timekpr may cap it lower (allowed hours).
    const slack = after.active ? TICK_SLACK_SECONDS : 1;
    if (Math.abs(after.timeLeftToday - seconds) <= slack) return null;
    expected = limits.map((limit) => clamp(limit - seconds));
    if (expected.some((value) => Math.abs(after.timeSpentBalance - value) <= slack + SAVE_LAG_SECONDS))
      return null;
  } else {
    if (!before) return null; // nothing to compare with: the caller reads before when it has no recent state
    const bases = [before.timeSpentBalance, ...limits.filter((limit) => limit < before.timeSpentBalance)];
    expected = bases.map((base) => clamp(mode === 'add' ? base - seconds : base + seconds));
    const actual = after.timeSpentBalance;
    if (expected.some((value) => actual >= value + low && actual <= value + high)) return null;
  }
  const wanted = expected.length > 0 ? expected.join(' or ') : 'a change';
  return (
    `timekpr accepted "${mode} ${seconds} s" for ${after.login} but reads back a spent balance of ${after.timeSpentBalance} s ` +
    `(expected ${wanted}${high > 1 ? `, give or take what the child spent meanwhile` : ''}); time left today reads ${after.timeLeftToday} s`
  );
}

/**
 * How much a logged-in child may have spent between the two reads, as a [low, high] allowance on the
 * balance. The day's spent counter moves with the balance, so its change is the best estimate; when the two
 * reads are not comparable (one live, one saved, or a new day) the elapsed time bounds it instead.
 */
function accrualWindow({ before, after, elapsedSeconds }: TimeAdjustCheck): [number, number] {
  if (!after.active && !before?.active) return [0, 1];
  const spent = before ? after.timeSpentToday - before.timeSpentToday : -1;
  const comparable =
    before?.active === after.active && spent >= 0 && spent <= elapsedSeconds + TICK_SLACK_SECONDS;
  return comparable
    ? [spent - TICK_SLACK_SECONDS, spent + TICK_SLACK_SECONDS]
    : [0, Math.ceil(elapsedSeconds) + TICK_SLACK_SECONDS];
}

/**
 * Today's limit as timekpr may compute it. Its own code is inconsistent: it shows limits for allowed days
 * in order, but `--settimeleft` indexes the stored list by weekday. Both readings are candidates.
 */
function todaysLimitCandidates(state: ManagedUserState, weekday: number): number[] {
  const candidates = new Set<number>();
  const byAllowedDay = state.allowedWeekdays.indexOf(weekday);
  const allowed = byAllowedDay >= 0 ? state.limitsPerWeekday[byAllowedDay] : undefined;
  const byIndex = state.limitsPerWeekday[weekday - 1];
  if (allowed !== undefined) candidates.add(allowed);
  if (byIndex !== undefined) candidates.add(byIndex);
  return [...candidates];
}
