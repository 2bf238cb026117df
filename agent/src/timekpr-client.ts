import fs from 'node:fs';
import {
  TimekprError,
  USERLIST_ARGS,
  checkTimeAdjustment,
  expectSilentSuccess,
  operationLogin,
  parseUserinfo,
  parseUserlist,
  timekpraWriteArgs,
  userinfoArgs,
  type ManagedUserState,
  type Operation,
} from '@kidtime/protocol';
import type { TimekpraRunner } from './timekpra-runner';

/** What the client needs from a runner: one timekpra call. */
export type RunTimekpra = Pick<TimekpraRunner, 'run'>;

/** A state read this recently stands in for a fresh "before" read when verifying a relative change. */
const FRESH_STATE_MS = 30_000;

const VERSION_FILE = '/usr/lib/python3/dist-packages/timekpr/common/constants/constants.py';

interface CachedState {
  state: ManagedUserState;
  readAt: number;
}

export interface UsersSnapshot {
  users: ManagedUserState[];
  errors: Array<{ login: string; error: string }>;
}

/**
 * Timekpr-nExT on this PC, through timekpra: reads users, applies allow-listed operations and verifies
 * every write by reading it back.
 */
export class TimekprClient {
  private readonly cache = new Map<string, CachedState>();

  constructor(
    private readonly runner: RunTimekpra,
    private readonly now: () => number = Date.now,
    private readonly weekday: () => number = isoWeekdayNow,
  ) {}

  async listLogins(): Promise<string[]> {
    return parseUserlist(await this.runner.run(USERLIST_ARGS));
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

  /** Applies one operation and returns the state read back afterwards (null for operations about no user). */
  async apply(operation: Operation): Promise<ManagedUserState | null> {
    const login = operationLogin(operation);
    const args = timekpraWriteArgs(operation);
    if (login === null) return null;
    if (args === null) return this.readUser(login);

    const before =
      operation.op === 'adjustTime' && operation.args.mode !== 'set' ? await this.recentOrFresh(login) : null;
    expectSilentSuccess(await this.runner.run(args));
    const after = await this.readUser(login);

    if (operation.op === 'adjustTime') {
      const problem = checkTimeAdjustment({
        mode: operation.args.mode,
        seconds: operation.args.seconds,
        before: before?.state ?? null,
        after,
        elapsedSeconds: before ? (this.now() - before.readAt) / 1000 : 0,
        weekday: this.weekday(),
      });
      if (problem) throw new TimekprError('verification-failed', problem);
    }
    return after;
  }

  /** The installed Timekpr-nExT version, or null when it cannot be found. */
  version(): string | null {
    try {
      const match = fs.readFileSync(VERSION_FILE, 'utf8').match(/^TK_VERSION\s*=\s*["']([^"']+)["']/m);
      return match?.[1] ?? null;
    } catch {
      return null;
    }
  }

  private async recentOrFresh(login: string): Promise<CachedState> {
    const cached = this.cache.get(login);
    if (cached && this.now() - cached.readAt <= FRESH_STATE_MS) return cached;
    await this.readUser(login);
    return this.cache.get(login)!;
  }
}

export function isoWeekdayNow(): number {
  const day = new Date().getDay();
  return day === 0 ? 7 : day;
}
