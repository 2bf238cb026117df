import fs from 'node:fs';
import path from 'node:path';
import type { ManagedUserState } from './user-state';
import { parseUserinfo } from './userinfo-parser';
import { checkTimeAdjustment } from './verify';

const base = parseUserinfo(
  fs.readFileSync(path.join(__dirname, '__fixtures__', 'userinfo-idle.txt'), 'utf8'),
  'kidtest1',
);
const user = (patch: Partial<ManagedUserState>): ManagedUserState => ({ ...base, ...patch });

describe('checkTimeAdjustment', () => {
  const idle = user({
    active: false,
    timeSpentBalance: 1000,
    timeLeftToday: 5000,
    limitsPerWeekday: Array(7).fill(6000),
  });

  it('accepts "add" when the balance dropped by exactly the seconds', () => {
    const after = { ...idle, timeSpentBalance: 100, timeLeftToday: 5900 };
    expect(
      checkTimeAdjustment({
        mode: 'add',
        seconds: 900,
        before: idle,
        after,
        elapsedSeconds: 0.1,
        weekday: 3,
      }),
    ).toBeNull();
  });

  it('accepts "subtract" and clamps at one day like timekpr', () => {
    const after = { ...idle, timeSpentBalance: 1600 };
    expect(
      checkTimeAdjustment({
        mode: 'subtract',
        seconds: 600,
        before: idle,
        after,
        elapsedSeconds: 0,
        weekday: 3,
      }),
    ).toBeNull();
    const far = user({ timeSpentBalance: 86_000, limitsPerWeekday: Array(7).fill(86_400) });
    const clamped = { ...far, timeSpentBalance: 86_400 };
    expect(
      checkTimeAdjustment({
        mode: 'subtract',
        seconds: 3600,
        before: far,
        after: clamped,
        elapsedSeconds: 0,
        weekday: 1,
      }),
    ).toBeNull();
  });

  it('reports a change that did not happen, with both numbers', () => {
    const problem = checkTimeAdjustment({
      mode: 'add',
      seconds: 900,
      before: idle,
      after: idle,
      elapsedSeconds: 0,
      weekday: 3,
    });
    expect(problem).toContain('reads back a spent balance of 1000 s');
    expect(problem).toContain('expected 100');
  });

  it('allows a logged-in child to keep spending while we read, by what the day counter shows', async () => {
    const before = { ...idle, active: true, timeSpentToday: 500 };
    const after = { ...before, timeSpentBalance: 1000 - 900 + 7, timeSpentToday: 507 };
    expect(
      checkTimeAdjustment({ mode: 'add', seconds: 900, before, after, elapsedSeconds: 8, weekday: 3 }),
    ).toBeNull();
    const tooMuch = { ...after, timeSpentBalance: 1000 - 900 + 60 };
    expect(
      checkTimeAdjustment({
        mode: 'add',
        seconds: 900,
        before,
        after: tooMuch,
        elapsedSeconds: 8,
        weekday: 3,
      }),
    ).not.toBeNull();
  });

  it('does not mistake a change that never happened for spending, even with an old reading', () => {
    // Read 80 s ago; the child played the last 10 s; "add 60" did nothing: the balance just grew by 10.
    const before = { ...idle, active: true, timeSpentToday: 500 };
    const noop = { ...before, timeSpentBalance: 1010, timeSpentToday: 510 };
    expect(
      checkTimeAdjustment({ mode: 'add', seconds: 60, before, after: noop, elapsedSeconds: 80, weekday: 3 }),
    ).not.toBeNull();
    const applied = { ...noop, timeSpentBalance: 950 };
    expect(
      checkTimeAdjustment({
        mode: 'add',
        seconds: 60,
        before,
        after: applied,
        elapsedSeconds: 80,
        weekday: 3,
      }),
    ).toBeNull();
  });

  it('falls back to the elapsed time when the two readings are not comparable (the child just logged in)', () => {
    const before = { ...idle, active: false, timeSpentToday: 500 };
    const after = { ...idle, active: true, timeSpentBalance: 1000 - 60 + 20, timeSpentToday: 540 };
    expect(
      checkTimeAdjustment({ mode: 'add', seconds: 60, before, after, elapsedSeconds: 25, weekday: 3 }),
    ).toBeNull();
  });

  it('bases "add" on the day limit when the child is already over it', () => {
    const over = { ...idle, timeSpentBalance: 7000 }; // limit 6000
    const after = { ...idle, timeSpentBalance: 6000 - 600 };
    expect(
      checkTimeAdjustment({ mode: 'add', seconds: 600, before: over, after, elapsedSeconds: 0, weekday: 2 }),
    ).toBeNull();
  });

  it('accepts "set" when time left reads as asked, or when the balance is limit − seconds (time capped by hours)', () => {
    const exact = { ...idle, timeLeftToday: 1800, timeSpentBalance: 4200 };
    expect(
      checkTimeAdjustment({
        mode: 'set',
        seconds: 1800,
        before: null,
        after: exact,
        elapsedSeconds: 0,
        weekday: 5,
      }),
    ).toBeNull();
    const capped = { ...idle, timeLeftToday: 1200, timeSpentBalance: 6000 - 3600 };
    expect(
      checkTimeAdjustment({
        mode: 'set',
        seconds: 3600,
        before: null,
        after: capped,
        elapsedSeconds: 0,
        weekday: 5,
      }),
    ).toBeNull();
    const wrong = { ...idle, timeLeftToday: 5000, timeSpentBalance: 1000 };
    expect(
      checkTimeAdjustment({
        mode: 'set',
        seconds: 3600,
        before: null,
        after: wrong,
        elapsedSeconds: 0,
        weekday: 5,
      }),
    ).toContain('expected 2400');
  });
});
