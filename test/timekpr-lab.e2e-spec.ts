/**
 * Smoke test of the Timekpr lab itself (test/support/timekpr-lab.ts) against the real timekprd.
 * Needs the lab started by test/support/global-setup.ts.
 */
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const USER = 'kidlab1';

function int(info: Record<string, string>, key: string): number {
  const raw = info[key];
  if (raw === undefined || !/^-?\d+$/.test(raw)) throw new Error(`${key} is not an integer: ${String(raw)}`);
  return Number(raw);
}

describe('timekpr lab (real timekprd)', () => {
  let lab: TimekprLabHandle;

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(USER);
    await lab.resetUser(USER);
  });

  it('ensureUser is idempotent and the user is in --userlist', async () => {
    await lab.ensureUser(USER);
    const list = await lab.timekpra(['--userlist']);
    expect(list.split('\n').map((line) => line.trim())).toContain(USER);
  });

  it('userinfo of a user who is not logged in has TIME_LEFT_DAY and no ACTUAL_ keys', async () => {
    const info = await lab.userinfo(USER);
    expect(int(info, 'TIME_LEFT_DAY')).toBeGreaterThanOrEqual(0);
    expect(info.LIMITS_PER_WEEKDAYS).toBe('86400;86400;86400;86400;86400;86400;86400');
    expect(Object.keys(info).filter((key) => key.startsWith('ACTUAL_'))).toEqual([]);
  });

  it('settimeleft + 600 lowers the saved TIME_SPENT_BALANCE by exactly 600, - 600 restores it', async () => {
    const before = int(await lab.userinfo(USER), 'TIME_SPENT_BALANCE');
    expect(await lab.timekpra(['--settimeleft', USER, '+', '600'])).toBe('');
    expect(int(await lab.userinfo(USER), 'TIME_SPENT_BALANCE')).toBe(before - 600);
    expect(await lab.timekpra(['--settimeleft', USER, '-', '600'])).toBe('');
    expect(int(await lab.userinfo(USER), 'TIME_SPENT_BALANCE')).toBe(before);
  });

  it('settimeleft = N is reflected in TIME_LEFT_DAY when the day limit is the binding constraint', async () => {
    expect(await lab.timekpra(['--settimeleft', USER, '=', '1200'])).toBe('');
    const info = await lab.userinfo(USER);
    // TIME_LEFT_DAY = min(limit - balance, seconds of allowed hours left today); tolerate running close to midnight
    expect(int(info, 'TIME_LEFT_DAY')).toBeLessThanOrEqual(1200);
    expect(int(info, 'TIME_SPENT_BALANCE')).toBe(86400 - 1200);
    await lab.resetUser(USER);
  });

  it('an unknown user gives the "configuration is not found" text (exit code 0)', async () => {
    expect((await lab.timekpra(['--userinfo', 'nosuchkid'])).trim()).toBe(
      'User "nosuchkid" configuration is not found',
    );
    await expect(lab.userinfo('nosuchkid')).rejects.toThrow(/configuration is not found/);
  });

  it('login makes ACTUAL_ keys appear and accrue; logout makes them disappear', async () => {
    const session = await lab.login(USER);
    try {
      const active = await lab.waitForUserinfo(USER, (info) => int(info, 'ACTUAL_TIME_SPENT_SESSION') >= 3, {
        timeoutMs: 20_000,
      });
      expect(active.ACTUAL_TIME_LEFT_DAY).toMatch(/^-?\d+$/);
      expect(active.ACTUAL_TIME_SPENT_BALANCE).toMatch(/^-?\d+$/);

      // a write on a logged-in user is visible at once in the ACTUAL_ values
      const before = int(await lab.userinfo(USER), 'ACTUAL_TIME_SPENT_BALANCE');
      await lab.timekpra(['--settimeleft', USER, '+', '600']);
      const after = int(await lab.userinfo(USER), 'ACTUAL_TIME_SPENT_BALANCE');
      expect(before - 600 - after).toBeLessThanOrEqual(0); // time spent between the reads only raises it
      expect(after - (before - 600)).toBeLessThanOrEqual(6); // ... by at most a couple of 3 s ticks
    } finally {
      await lab.logout(session);
    }
    await lab.waitForUserinfo(USER, (info) => !('ACTUAL_TIME_LEFT_DAY' in info), { timeoutMs: 20_000 });
    await lab.resetUser(USER);
  }, 60_000);

  it('when time runs out timekprd calls TerminateSession on the logind mock', async () => {
    await lab.resetUser(USER);
    const session = await lab.login(USER);
    try {
      await lab.waitForUserinfo(USER, (info) => 'ACTUAL_TIME_LEFT_DAY' in info, { timeoutMs: 20_000 });
      await lab.timekpra(['--settimeleft', USER, '=', '5']);
      await lab.waitForTermination(session, { timeoutMs: 45_000 });
      expect(await lab.terminatedSessions()).toContain(session);
      const calls = await lab.mockCalls('TerminateSession');
      expect(calls.some((call) => call.args === `"${session}"`)).toBe(true);
    } finally {
      await lab.logout(session);
      await lab.resetUser(USER);
    }
  }, 90_000);
});
