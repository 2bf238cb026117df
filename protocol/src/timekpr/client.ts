import { SECONDS_PER_DAY, loginSchema } from '../common';
import { TimekprError, expectSilentSuccess } from './errors';
import {
  USERLIST_ARGS,
  operationLogin,
  settingsPlan,
  timekpraWriteArgs,
  userinfoArgs,
  type Operation,
} from './operations';
import type { SettingsPlan } from './settings';
import type { ManagedUserState } from './user-state';
import { parseUserinfo, parseUserlist } from './userinfo-parser';
import { checkTimeAdjustment } from './verify';

/**
 * One timekpra call with these arguments, returning what it printed: the agent runs it on its own PC, the
 * hub over SSH. A runner runs one call at a time (timekpra allows no more per OS user).
 */
export interface RunTimekpra {
  run(args: readonly string[]): Promise<string>;
}

/**
 * A state read this recently stands in for a fresh "before" read when verifying a relative change. The
 * periodic state report (every 45 s ± 25 %) keeps it warm, so a parent's tap usually costs two timekpra calls.
 */
export const FRESH_STATE_MS = 90_000;

interface CachedState {
  state: ManagedUserState;
  readAt: number;
}

export interface AppliedChange {
  /** The user's state read back after the change (null for operations about no user). */
  state: ManagedUserState | null;
  /** Set when the change was applied but could not be confirmed exactly (see apply()). */
  warning: string | null;
}

/** Written before a relative change is sent to timekpr, to judge it after a crash. */
export interface ChangeJournal {
  login: string;
  beforeBalance: number;
  expectedBalance: number;
  startedAt: number;
}

export interface UsersSnapshot {
  users: ManagedUserState[];
  errors: Array<{ login: string; error: string }>;
}

/**
 * Timekpr-nExT on one PC, through timekpra: reads users, applies allow-listed operations and verifies
 * every write by reading it back. The agent and the hub's SSH fallback share it, so a change is checked the
 * same way whichever way it reached the PC.
 */
export class TimekprClient {
  private readonly cache = new Map<string, CachedState>();

  constructor(
    private readonly runner: RunTimekpra,
    private readonly now: () => number = Date.now,
    /** ISO weekday on the PC now (1 = Monday): timekpr's day is the PC's local day. */
    private readonly weekday: () => number = isoWeekdayNow,
  ) {}

  /** Logins timekpr manages that Kidtime will not pass to timekpra (see loginSchema), from the last listing. */
  ignoredLogins: string[] = [];

  async listLogins(): Promise<string[]> {
    const logins = parseUserlist(await this.runner.run(USERLIST_ARGS));
    this.ignoredLogins = logins.filter((login) => !loginSchema.safeParse(login).success);
    return logins.filter((login) => loginSchema.safeParse(login).success);
  }

  async readUser(login: string): Promise<ManagedUserState> {
    const state = parseUserinfo(await this.runner.run(userinfoArgs(login)), login);
    this.cache.set(login, { state, readAt: this.now() });
    return state;
  }

  /** Every managed user's state; a user that cannot be read is reported, not dropped. */
  async readAll(): Promise<UsersSnapshot> {
    const snapshot: UsersSnapshot = { users: [], errors: [] };
    for (const login of await this.listLogins()) {
      try {
        snapshot.users.push(await this.readUser(login));
      } catch (error) {
        snapshot.errors.push({ login, error: (error as Error).message });
      }
    }
    return snapshot;
  }

  /**
   * Applies one operation and reads the user back. A change timekpra refuses throws with its reason. A
   * relative change is checked against the state before it: when that state was read just now, a mismatch
   * is a failure; when it came from the cache, someone may have changed the time on the PC in between
   * (timekpr's own tools), so the change, which timekpra accepted, is reported with a warning instead of as a
   * failure that would tempt a parent to add the time twice.
   */
  async apply(
    operation: Operation,
    journal?: (entry: ChangeJournal) => void | Promise<void>,
  ): Promise<AppliedChange> {
    const login = operationLogin(operation);
    const plan = settingsPlan(operation);
    if (plan) return { state: await this.applySettings(plan), warning: null };
    const args = timekpraWriteArgs(operation);
    if (login === null) return { state: null, warning: null };
    if (args === null) return { state: await this.readUser(login), warning: null };

    const relative = operation.op === 'adjustTime' && operation.args.mode !== 'set';
    const cached = relative ? this.cache.get(login) : undefined;
    const fromCache = cached !== undefined && this.now() - cached.readAt <= FRESH_STATE_MS;
    const before = !relative ? null : fromCache ? cached : await this.readFresh(login);
    if (before && operation.op === 'adjustTime') {
      const { mode, seconds } = operation.args;
      const balance = before.state.timeSpentBalance;
      await journal?.({
        login,
        beforeBalance: balance,
        expectedBalance: clampDay(mode === 'add' ? balance - seconds : balance + seconds),
        startedAt: this.now(),
      });
    }
    expectSilentSuccess(await this.runner.run(args));
    const after = await this.readUser(login);

    if (operation.op === 'adjustTime') {
      const check = {
        mode: operation.args.mode,
        seconds: operation.args.seconds,
        before: before?.state ?? null,
        after,
        elapsedSeconds: before ? (this.now() - before.readAt) / 1000 : 0,
        weekday: this.weekday(),
      };
      const problem = checkTimeAdjustment(check);
      // Against a cached reading, a mismatch may be someone else's change on the PC; but a balance that
      // did not move at all means ours did not happen.
      const unchanged = checkTimeAdjustment({ ...check, mode: 'add', seconds: 0 }) === null;
      if (problem && fromCache && !unchanged) {
        return { state: after, warning: `${problem}; was the time also changed on the PC?` };
      }
      if (problem) throw new TimekprError('verification-failed', problem);
    }
    return { state: after, warning: null };
  }

  /**
   * Applies a settings change (schedule or PlayTime) step by step, then reads the user back once and checks
   * every field. Steps that timekpra refused and fields that do not read back as asked are reported together,
   * with the state as it is now: a partial change is said to be partial, never passed off as done or not done.
   */
  private async applySettings(plan: SettingsPlan): Promise<ManagedUserState> {
    const { login } = plan;
    const current = plan.needsCurrentState ? await this.readUser(login) : null;
    const refused: string[] = [];
    const applied = new Set<string>();
    for (const step of plan.steps(current)) {
      try {
        expectSilentSuccess(await this.runner.run(step.args));
        applied.add(step.field);
      } catch (error) {
        if (
          error instanceof TimekprError &&
          (error.kind === 'daemon-unreachable' || error.kind === 'exec-failed')
        )
          throw error;
        refused.push(`${step.field} (${(error as Error).message})`);
      }
    }
    const after = await this.readUser(login);
    const mismatches = plan.mismatches(after);
    if (refused.length === 0 && mismatches.length === 0) return after;
    const done = [...applied].filter((field) => !mismatches.some((m) => m.startsWith(field)));
    throw new TimekprError(
      done.length > 0 ? 'partial' : 'invalid-parameter',
      [
        done.length > 0 ? `applied: ${done.join(', ')}` : 'nothing applied',
        refused.length > 0 ? `refused by timekpr: ${refused.join('; ')}` : '',
        mismatches.length > 0 ? `not as asked: ${mismatches.join('; ')}` : '',
      ]
        .filter(Boolean)
        .join('. '),
      after,
    );
  }

  /**
   * After a crash in the middle of a relative change: did it take effect? Compares the balance timekpr
   * shows now with the balances before and as expected after (a logged-in child's spending moves both alike).
   */
  async wasApplied(entry: ChangeJournal): Promise<{ applied: boolean; state: ManagedUserState }> {
    const state = await this.readUser(entry.login);
    const now = state.timeSpentBalance;
    return {
      applied: Math.abs(now - entry.expectedBalance) <= Math.abs(now - entry.beforeBalance),
      state,
    };
  }

  private async readFresh(login: string): Promise<CachedState> {
    await this.readUser(login);
    return this.cache.get(login)!;
  }
}

function clampDay(seconds: number): number {
  return Math.min(Math.max(seconds, -SECONDS_PER_DAY), SECONDS_PER_DAY);
}

export function isoWeekdayNow(): number {
  const day = new Date().getDay();
  return day === 0 ? 7 : day;
}
