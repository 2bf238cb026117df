import fs from 'node:fs';
import path from 'node:path';
import { TimekprError } from './errors';
import { parseUserinfo, parseUserlist } from './userinfo-parser';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '__fixtures__', name), 'utf8');

function parseError(run: () => unknown): TimekprError {
  try {
    run();
  } catch (error) {
    if (error instanceof TimekprError) return error;
    throw error;
  }
  throw new Error('expected a TimekprError');
}

describe('parseUserinfo', () => {
  it('reads the saved values of a user who is not logged in', () => {
    const state = parseUserinfo(fixture('userinfo-idle.txt'), 'kidtest1');
    expect(state.active).toBe(false);
    expect(state.timeLeftContinuous).toBeNull();
    expect(state.allowedWeekdays).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(state.limitsPerWeekday).toHaveLength(7);
    expect(state.allowedHours['1']).toHaveLength(24);
    expect(state.lockout).toEqual({ type: 'terminate', wakeFrom: null, wakeTo: null });
    expect(state.limitPerWeek).toBe(604800);
    expect(state.limitPerMonth).toBe(2678400);
  });

  it('prefers the live ACTUAL_* values while the user is logged in', () => {
    const state = parseUserinfo(fixture('userinfo-active.txt'), 'kidtest1');
    expect(state.active).toBe(true);
    expect(state.timeLeftToday).toBe(44198); // ACTUAL_TIME_LEFT_DAY, not the saved 44196
    expect(state.timeSpentToday).toBe(6); // ACTUAL_TIME_SPENT_DAY, not the saved 0
    expect(state.timeSpentBalance).toBe(6);
    expect(state.timeLeftContinuous).toBe(130598);
  });

  it('reads every configured setting', () => {
    const state = parseUserinfo(fixture('userinfo-configured.txt'), 'kidtest1');
    expect(state.allowedWeekdays).toEqual([1, 2, 3, 4, 5]);
    expect(state.limitsPerWeekday).toEqual([3600, 3600, 3600, 3600, 7200]);
    expect(state.allowedHours['1']).toEqual(
      expect.arrayContaining([
        { hour: 9, fromMinute: 0, toMinute: 30, unaccounted: false },
        { hour: 12, fromMinute: 0, toMinute: 60, unaccounted: true },
        { hour: 13, fromMinute: 15, toMinute: 45, unaccounted: false },
      ]),
    );
    expect(state.allowedHours['5']).toContainEqual({
      hour: 23,
      fromMinute: 0,
      toMinute: 60,
      unaccounted: true,
    });
    expect(state.trackInactive).toBe(true);
    expect(state.hideTrayIcon).toBe(true);
    expect(state.lockout).toEqual({ type: 'suspendwake', wakeFrom: 7, wakeTo: 18 });
    expect(state.limitPerWeek).toBe(18000);
    expect(state.playtime).toEqual({
      enabled: true,
      limitOverride: true,
      unaccountedIntervals: false,
      allowedWeekdays: [1, 3, 5, 6],
      limitsPerWeekday: [1800, 1800, 2700, 3600],
      activities: [
        { mask: 'steam', description: 'Steam client' },
        { mask: 'minecraft.*', description: 'Minecraft' },
        { mask: 'supertux2', description: '' },
      ],
      leftToday: 2100,
      spentToday: 0,
    });
    expect(state.timeSpentBalance).toBe(2400);
    expect(state.timeLeftToday).toBe(1200);
  });

  it('ignores timing warnings and the order of keys', () => {
    const lines = fixture('userinfo-idle.txt').trimEnd().split('\n');
    const [header, ...rest] = lines;
    const shuffled = [header, 'WARNING: PERFORMANCE (DBUS) took 1.2 s', ...rest.reverse()].join('\n');
    expect(parseUserinfo(shuffled, 'kidtest1')).toEqual(
      parseUserinfo(fixture('userinfo-idle.txt'), 'kidtest1'),
    );
  });

  it.each([
    ['error-user-not-found.txt', 'user-not-found'],
    ['error-no-connection.txt', 'daemon-unreachable'],
    ['error-daemon-hung.txt', 'daemon-unreachable'],
    ['error-already-running.txt', 'busy'],
    ['error-command-incorrect.txt', 'incorrect-command'],
  ])('turns %s into a %s error carrying timekpra’s text', (file, kind) => {
    const error = parseError(() => parseUserinfo(fixture(file), 'kidtest1'));
    expect(error.kind).toBe(kind);
    expect(error.message).toContain(fixture(file).trim().split('\n')[0]!.slice(0, 30));
  });

  it('refuses an answer about another user', () => {
    const error = parseError(() => parseUserinfo(fixture('userinfo-idle.txt'), 'kidtest2'));
    expect(error.kind).toBe('unexpected-output');
    expect(error.message).toContain('"kidtest1" instead of "kidtest2"');
  });

  it('names the key when a required value is missing or malformed', () => {
    const withoutKey = fixture('userinfo-idle.txt').replace(/^TIME_LEFT_DAY:.*\n/m, '');
    expect(parseError(() => parseUserinfo(withoutKey, 'kidtest1')).message).toContain('TIME_LEFT_DAY');
    const garbled = fixture('userinfo-idle.txt').replace(/^TIME_SPENT_DAY: .*$/m, 'TIME_SPENT_DAY: 12abc');
    expect(parseError(() => parseUserinfo(garbled, 'kidtest1')).message).toBe(
      'TIME_SPENT_DAY should be a whole number, got "12abc"',
    );
    const badHour = fixture('userinfo-idle.txt').replace(/^ALLOWED_HOURS_3: .*$/m, 'ALLOWED_HOURS_3: 7;25');
    expect(parseError(() => parseUserinfo(badHour, 'kidtest1')).message).toContain(
      'ALLOWED_HOURS_3 has an invalid hour "25"',
    );
    const badBool = fixture('userinfo-idle.txt').replace(/^TRACK_INACTIVE: .*$/m, 'TRACK_INACTIVE: maybe');
    expect(parseError(() => parseUserinfo(badBool, 'kidtest1')).message).toContain('TRACK_INACTIVE');
  });

  it('rejects lines that are not KEY: value', () => {
    const noisy = fixture('userinfo-idle.txt') + 'Traceback (most recent call last):\n';
    expect(parseError(() => parseUserinfo(noisy, 'kidtest1')).kind).toBe('unexpected-output');
  });

  it('treats empty output as an error, not as an empty user', () => {
    expect(parseError(() => parseUserinfo('', 'kidtest1')).message).toContain('printed nothing');
  });
});

describe('parseUserlist', () => {
  it('lists the managed logins', () => {
    expect(parseUserlist(fixture('userlist.txt'))).toEqual(['cloudsdk', 'kidtest1', 'kidtest2']);
  });

  it('accepts a single user and no users', () => {
    expect(parseUserlist('1 user in total:\nkid\n')).toEqual(['kid']);
    expect(parseUserlist('0 users in total:\n')).toEqual([]);
  });

  it('detects a truncated list and connection errors', () => {
    expect(parseError(() => parseUserlist('3 users in total:\na\nb\n')).message).toContain(
      'announced 3 users but listed 2',
    );
    expect(parseError(() => parseUserlist(fixture('error-no-connection.txt'))).kind).toBe(
      'daemon-unreachable',
    );
  });
});
