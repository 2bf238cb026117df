import { HttpException } from '@nestjs/common';
import { loadHubConfig } from '../config/hub-config';
import { LoginThrottler } from './login-throttler';

describe('LoginThrottler', () => {
  const config = loadHubConfig({});
  const { maxFailuresPerUser, maxFailuresPerUserOverall, maxFailuresPerIp, windowSeconds } =
    config.loginThrottle;
  const t0 = 1_000_000;

  /** Seconds to wait, or null when the attempt is allowed (and then counted). */
  const tryOnce = (
    throttler: LoginThrottler,
    ip: string,
    user: string | null,
    now: number,
  ): number | null => {
    try {
      throttler.attempt(ip, user, now);
      return null;
    } catch (error) {
      expect((error as HttpException).getStatus()).toBe(429);
      return ((error as HttpException).getResponse() as { retryAfter: number }).retryAfter;
    }
  };

  it('counts presented secrets apart from passwords, and each surface apart', () => {
    const throttler = new LoginThrottler(config);
    const guess = (surface: 'secret' | 'oidc', now: number): number | null => {
      try {
        throttler.guess('10.0.0.9', surface, now);
        return null;
      } catch (error) {
        return ((error as HttpException).getResponse() as { retryAfter: number }).retryAfter;
      }
    };
    for (let i = 0; i < maxFailuresPerIp; i++) expect(guess('oidc', t0 + i)).toBeNull();
    expect(guess('oidc', t0 + maxFailuresPerIp)).toBeGreaterThan(0);
    // A page making browsers hit the provider callback stops neither renewals nor the password form.
    expect(guess('secret', t0 + maxFailuresPerIp)).toBeNull();
    expect(tryOnce(throttler, '10.0.0.9', 'mum', t0 + maxFailuresPerIp)).toBeNull();
    for (let i = 1; i < maxFailuresPerIp; i++) expect(guess('secret', t0 + maxFailuresPerIp + i)).toBeNull();
    expect(guess('secret', t0 + 2 * maxFailuresPerIp)).toBeGreaterThan(0);
    expect(tryOnce(throttler, '10.0.0.9', 'dad', t0 + 2 * maxFailuresPerIp)).toBeNull();
  });

  it('stops guessing one username from one address until the window passes', () => {
    const throttler = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerUser; i++)
      expect(tryOnce(throttler, '10.0.0.1', 'mum', t0 + i)).toBeNull();
    expect(tryOnce(throttler, '10.0.0.1', 'mum', t0 + 10)).toBe(windowSeconds);
    expect(tryOnce(throttler, '10.0.0.1', 'mum', t0 + windowSeconds * 1000 + 10)).toBeNull();
  });

  it('hands back an uncounted attempt without forgiving the failures before it (a second factor still to come)', () => {
    const throttler = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerUser - 1; i++) tryOnce(throttler, '10.0.0.9', 'dad', t0 + i);
    // Right password, code still to come: as often as the person needs, it costs nothing.
    for (let i = 0; i < 10; i++) throttler.attempt('10.0.0.9', 'dad', t0 + 20 + i).uncounted();
    // The earlier wrong codes still count: one more failure and the sign-in is locked.
    expect(tryOnce(throttler, '10.0.0.9', 'dad', t0 + 40)).toBeNull();
    expect(tryOnce(throttler, '10.0.0.9', 'dad', t0 + 41)).toBeGreaterThan(0);
  });

  it('does not let a child’s guesses lock the parent out on another device', () => {
    const throttler = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerUser; i++) tryOnce(throttler, '10.0.0.50', 'mum', t0);
    expect(tryOnce(throttler, '10.0.0.50', 'mum', t0 + 1)).toBeGreaterThan(0);
    expect(tryOnce(throttler, '10.0.0.7', 'mum', t0 + 1)).toBeNull();
  });

  it('still caps guesses at one username from many addresses', () => {
    const throttler = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerUserOverall; i++)
      tryOnce(throttler, `10.2.${i >> 8}.${i & 255}`, 'mum', t0);
    expect(tryOnce(throttler, '10.9.9.9', 'mum', t0 + 1)).toBeGreaterThan(0);
  });

  it('stops an address that tries many usernames', () => {
    const throttler = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerIp; i++) tryOnce(throttler, '10.1.1.1', `user${i}`, t0);
    expect(tryOnce(throttler, '10.1.1.1', 'someone-new', t0 + 1)).toBeGreaterThan(0);
    expect(tryOnce(throttler, '10.1.1.2', 'someone-new', t0 + 1)).toBeNull();
  });

  it('counts an attempt before the password is checked, and hands back a successful one', () => {
    const throttler = new LoginThrottler(config);
    // A parallel burst: every attempt is counted at once, so only the limit gets through.
    const allowed = Array.from({ length: 20 }, () => tryOnce(throttler, '10.0.0.1', 'dad', t0)).filter(
      (w) => w === null,
    );
    expect(allowed).toHaveLength(maxFailuresPerUser);

    const fresh = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerUser - 1; i++) tryOnce(fresh, '10.0.0.1', 'mum', t0);
    fresh.attempt('10.0.0.1', 'mum', t0).succeeded();
    expect(tryOnce(fresh, '10.0.0.1', 'mum', t0)).toBeNull();
  });
});
