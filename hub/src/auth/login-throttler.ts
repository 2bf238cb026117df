import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';

/** One counted attempt; a successful one is handed back so it does not count against anyone. */
export interface ThrottledAttempt {
  succeeded(): void;
  /**
   * Neither a success nor a failure (the password was right, the second factor is still to come): handed
   * back without clearing earlier failures, so wrong codes keep counting towards the same limit.
   */
  uncounted(): void;
  /** This attempt used up what a limit allows: if it fails, the next ones are refused for a while. */
  readonly exhausted: boolean;
}

/**
 * Counts sign-in attempts over a sliding window, per client address, per username from one address, and per
 * username overall (a much higher bar, against guessing from many addresses). Keying a username by address
 * keeps a child's wrong guesses on the family PC from locking a parent out on their phone.
 *
 * An attempt is counted before the password is checked, in the same synchronous step as the check, so a
 * burst of parallel requests cannot slip past the limit while argon2 runs. Kept in memory: one hub process
 * owns its counters.
 */
@Injectable()
export class LoginThrottler {
  private readonly windows = new Map<string, number[]>();
  private readonly windowMs: number;

  constructor(@Inject(HUB_CONFIG) private readonly config: HubConfig) {
    this.windowMs = config.loginThrottle.windowSeconds * 1000;
  }

  /** Counts a password (or second-factor) attempt, or throws 429 with Retry-After when a limit is reached. */
  attempt(ip: string, username: string | null, now = Date.now()): ThrottledAttempt {
    return this.count(this.limitsFor(ip, username), username, ip, now);
  }

  /**
   * Counts a presented random secret (a refresh or API token, a phone's secret, a one-time code) on its own
   * counter per address and `surface`: guessing one is throttled, but failed passwords, or a page elsewhere
   * making a browser call a public route, never stop a parent's renewals, and the other way round.
   */
  guess(ip: string, surface: 'secret' | 'oidc' = 'secret', now = Date.now()): ThrottledAttempt {
    return this.count([[`${surface}-ip:${ip}`, this.config.loginThrottle.maxFailuresPerIp]], null, ip, now);
  }

  private count(
    limits: Array<[string, number]>,
    username: string | null,
    ip: string,
    now: number,
  ): ThrottledAttempt {
    const wait = Math.max(...limits.map(([key, max]) => this.retryAfter(key, max, now)));
    if (wait > 0) {
      throw new HttpException(
        {
          message: `Too many failed attempts; try again in ${Math.ceil(wait / 60)} minute(s)`,
          retryAfter: wait,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    for (const [key] of limits) this.push(key, now);
    if (this.windows.size > 10_000) this.prune(now);
    const exhausted = limits.some(([key, max]) => (this.windows.get(key)?.length ?? 0) >= max);
    return {
      exhausted,
      succeeded: () => {
        for (const [key] of limits) this.remove(key, now);
        if (username !== null) this.windows.delete(`user-ip:${username}|${ip}`);
      },
      uncounted: () => {
        for (const [key] of limits) this.remove(key, now);
      },
    };
  }

  private limitsFor(ip: string, username: string | null): Array<[string, number]> {
    const { maxFailuresPerIp, maxFailuresPerUser, maxFailuresPerUserOverall } = this.config.loginThrottle;
    const limits: Array<[string, number]> = [[`ip:${ip}`, maxFailuresPerIp]];
    if (username !== null) {
      limits.push(
        [`user-ip:${username}|${ip}`, maxFailuresPerUser],
        [`user:${username}`, maxFailuresPerUserOverall],
      );
    }
    return limits;
  }

  private retryAfter(key: string, max: number, now: number): number {
    const recent = (this.windows.get(key) ?? []).filter((at) => now - at < this.windowMs);
    this.windows.set(key, recent);
    if (recent.length < max) return 0;
    const oldest = recent[recent.length - max]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  private push(key: string, now: number): void {
    const attempts = this.windows.get(key) ?? [];
    attempts.push(now);
    if (attempts.length > 1000) attempts.shift();
    this.windows.set(key, attempts);
  }

  private remove(key: string, at: number): void {
    const attempts = this.windows.get(key);
    const index = attempts?.lastIndexOf(at) ?? -1;
    if (index >= 0) attempts!.splice(index, 1);
  }

  private prune(now: number): void {
    for (const [key, attempts] of this.windows) {
      if (attempts.every((at) => now - at >= this.windowMs)) this.windows.delete(key);
    }
  }
}
