import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';

interface Window {
  failures: number[];
}

/**
 * Counts failed sign-in attempts per client address and per username over a sliding window. Checked before
 * the password, so a throttled attacker learns nothing. Kept in memory: one hub process owns its counters.
 */
@Injectable()
export class LoginThrottler {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;

  constructor(@Inject(HUB_CONFIG) private readonly config: HubConfig) {
    this.windowMs = config.loginThrottle.windowSeconds * 1000;
  }

  /** Throws 429 with Retry-After when this address or username has failed too often. */
  assertAllowed(ip: string, username: string | null, now = Date.now()): void {
    const { maxFailuresPerIp, maxFailuresPerUser } = this.config.loginThrottle;
    const waits = [this.retryAfter(`ip:${ip}`, maxFailuresPerIp, now)];
    if (username !== null) waits.push(this.retryAfter(`user:${username}`, maxFailuresPerUser, now));
    const wait = Math.max(...waits);
    if (wait > 0) {
      throw new HttpException(
        {
          message: `Too many failed attempts; try again in ${Math.ceil(wait / 60)} minute(s)`,
          retryAfter: wait,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  recordFailure(ip: string, username: string | null, now = Date.now()): void {
    this.push(`ip:${ip}`, now);
    if (username !== null) this.push(`user:${username}`, now);
    if (this.windows.size > 10_000) this.prune(now);
  }

  recordSuccess(username: string): void {
    this.windows.delete(`user:${username}`);
  }

  private retryAfter(key: string, max: number, now: number): number {
    const window = this.windows.get(key);
    if (!window) return 0;
    window.failures = window.failures.filter((at) => now - at < this.windowMs);
    if (window.failures.length < max) return 0;
    const oldest = window.failures[window.failures.length - max]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  private push(key: string, now: number): void {
    const window = this.windows.get(key) ?? { failures: [] };
    window.failures.push(now);
    if (window.failures.length > 1000) window.failures.shift();
    this.windows.set(key, window);
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.failures.every((at) => now - at >= this.windowMs)) this.windows.delete(key);
    }
  }
}
