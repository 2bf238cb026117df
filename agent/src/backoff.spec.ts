import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles the ceiling each attempt and waits between half of it and all of it', () => {
    const low = new Backoff(1000, 60_000, () => 0);
    const high = new Backoff(1000, 60_000, () => 1);
    expect([low.next(), low.next(), low.next(), low.next()]).toEqual([500, 1000, 2000, 4000]);
    expect([high.next(), high.next(), high.next(), high.next()]).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the cap (about five minutes by default)', () => {
    const backoff = new Backoff(undefined, undefined, () => 1);
    let last = 0;
    for (let i = 0; i < 100; i++) last = backoff.next();
    expect(last).toBe(5 * 60_000);
  });

  it('starts over after a reset', () => {
    const backoff = new Backoff(1000, 60_000, () => 1);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(1000);
  });
});
