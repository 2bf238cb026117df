import { SECONDS_PER_DAY } from '../common';
import type { TimeAdjustMode } from './operations';
import type { ManagedUserState } from './user-state';

/** How far a logged-in user's counters may move between two reads beyond the elapsed time (timekprd ticks every 3 s). */
const TICK_SLACK_SECONDS = 6;

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
  const accruing = after.active || before?.active === true;
  const slack = accruing ? Math.ceil(check.elapsedSeconds) + TICK_SLACK_SECONDS : 1;
  const clamp = (value: number) => Math.min(Math.max(value, -SECONDS_PER_DAY), SECONDS_PER_DAY);
  const limits = todaysLimitCandidates(after, check.weekday);

  let expected: number[];
  if (mode === 'set') {
    // Without a usable day limit, "time left is now N" is the best evidence: timekpr may cap it lower (allowed hours).
    if (after.timeLeftToday <= seconds + slack && after.timeLeftToday >= seconds - slack) return null;
    expected = limits.map((limit) => clamp(limit - seconds));
  } else {
    if (!before) return null; // nothing to compare with: the caller reads before when it has no recent state
    const bases = [before.timeSpentBalance, ...limits.filter((limit) => limit < before.timeSpentBalance)];
    expected = bases.map((base) => clamp(mode === 'add' ? base - seconds : base + seconds));
  }
  const actual = after.timeSpentBalance;
  if (expected.some((value) => actual >= value && actual <= value + slack)) return null;
  const wanted = expected.length > 0 ? expected.join(' or ') : 'a change';
  return (
    `timekpr accepted "${mode} ${seconds} s" for ${after.login} but reads back a spent balance of ${actual} s ` +
    `(expected ${wanted}${slack > 1 ? ` up to +${slack} s` : ''}); time left today reads ${after.timeLeftToday} s`
  );
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
