import { HttpException } from '@nestjs/common';
import { loadHubConfig } from '../config/hub-config';
import { LoginThrottler } from './login-throttler';

describe('LoginThrottler', () => {
  const config = loadHubConfig({});
  const { maxFailuresPerUser, maxFailuresPerIp, windowSeconds } = config.loginThrottle;
  const t0 = 1_000_000;

  const retryAfter = (
    throttler: LoginThrottler,
    ip: string,
    user: string | null,
    now: number,
  ): number | null => {
    try {
      throttler.assertAllowed(ip, user, now);
      return null;
    } catch (error) {
      expect((error as HttpException).getStatus()).toBe(429);
      return ((error as HttpException).getResponse() as { retryAfter: number }).retryAfter;
    }
  };

  it('locks a username after too many failures, from any address, until the window passes', () => {
    const throttler = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerUser; i++) {
      expect(retryAfter(throttler, `10.0.0.${i}`, 'mum', t0 + i)).toBeNull();
      throttler.recordFailure(`10.0.0.${i}`, 'mum', t0 + i);
    }
    expect(retryAfter(throttler, '10.0.0.99', 'mum', t0 + 10)).toBe(windowSeconds);
    expect(retryAfter(throttler, '10.0.0.99', 'dad', t0 + 10)).toBeNull();
    expect(retryAfter(throttler, '10.0.0.99', 'mum', t0 + windowSeconds * 1000 + 10)).toBeNull();
  });

  it('locks an address that tries many usernames', () => {
    const throttler = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerIp; i++) throttler.recordFailure('10.1.1.1', `user${i}`, t0);
    expect(retryAfter(throttler, '10.1.1.1', 'someone-new', t0 + 1)).toBeGreaterThan(0);
    expect(retryAfter(throttler, '10.1.1.2', 'someone-new', t0 + 1)).toBeNull();
  });

  it('forgets a username’s failures after a successful sign-in', () => {
    const throttler = new LoginThrottler(config);
    for (let i = 0; i < maxFailuresPerUser - 1; i++) throttler.recordFailure('10.0.0.1', 'mum', t0);
    throttler.recordSuccess('mum');
    throttler.recordFailure('10.0.0.1', 'mum', t0);
    expect(retryAfter(throttler, '10.0.0.1', 'mum', t0)).toBeNull();
  });
});
