import fs from 'node:fs';
import path from 'node:path';
import { playtimeRequestSchema } from '../api';
import { settingsPlan } from './operations';
import { playtimeChangeSchema, playtimeMismatches, playtimeSteps } from './playtime';
import { parseUserinfo } from './userinfo-parser';

const configured = parseUserinfo(
  fs.readFileSync(path.join(__dirname, '__fixtures__', 'userinfo-configured.txt'), 'utf8'),
  'kidtest1',
);

const issues = (input: unknown) => {
  const parsed = playtimeChangeSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('PlayTime changes', () => {
  it('accept what timekpr accepts', () => {
    expect(
      issues({
        enabled: true,
        limitOverride: false,
        unaccountedIntervals: true,
        allowedDays: [6, 7],
        limits: [0, 0, 0, 0, 0, 3600, 3600],
        activities: [{ mask: 'steam', description: 'Steam client' }, { mask: 'minecraft.*' }],
        left: { mode: 'add', seconds: 900 },
      }),
    ).toEqual([]);
    // No PlayTime days and no activities are real settings, not "nothing".
    expect(issues({ allowedDays: [], activities: [] })).toEqual([]);
  });

  it.each([
    [{}, 'nothing to change'],
    [{ allowedDays: [3, 3] }, 'allowedDays: each day once'],
    [{ limits: [60] }, 'limits: seven values'],
    [{ left: { mode: 'add', seconds: 86_401 } }, 'left.seconds'],
    [{ left: { mode: 'double', seconds: 60 } }, 'left.mode'],
    [{ activities: [{ mask: 'steam[x]' }] }, 'activities.0.mask: must not contain "[" or "]"'],
    [{ activities: [{ mask: 'a;b' }] }, 'must not contain ";"'],
    [{ activities: [{ mask: 'game', description: 'Fun; really' }] }, 'activities.0.description'],
    [{ activities: [{ mask: '100%' }] }, 'must not contain "%"'],
    [{ activities: [{ mask: 'game\nLOCKOUT_TYPE = shutdown' }] }, 'control characters'],
    [{ activities: [{ mask: '/usr/bin/timekpra' }] }, 'must not contain "timekpra"'],
    [{ activities: [{ mask: ' steam' }] }, 'must not start or end with a space'],
    [{ activities: [{ mask: 'x' }] }, 'at least 2 characters'],
    [{ activities: [{ mask: 'steam(' }] }, 'not a valid pattern'],
    [{ activities: [{ mask: 'steam' }, { mask: 'steam' }] }, 'each mask once'],
    [{ activities: [{ mask: 'a'.repeat(129) }] }, 'at most 128'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ exec: 'id' }, 'Unrecognized key'],
  ])('refuse %j, naming the field (%s)', (input, reason) => {
    expect(issues(input).join(' | ')).toContain(reason);
  });

  it('keep delivery options apart from the change', () => {
    expect(playtimeRequestSchema.safeParse({ queue: true }).success).toBe(false);
    expect(playtimeRequestSchema.parse({ enabled: true })).toEqual({ enabled: true, queue: true });
  });

  it('become timekpra calls: flags, days, limits for PlayTime days only, activities, time left last', () => {
    const change = playtimeChangeSchema.parse({
      left: { mode: 'set', seconds: 600 },
      activities: [{ mask: 'steam', description: 'Steam client' }, { mask: 'supertux2' }],
      limits: [100, 200, 300, 400, 500, 600, 700],
      allowedDays: [7, 6],
      enabled: true,
      unaccountedIntervals: false,
    });
    expect(playtimeSteps('kid', change, [1, 2, 3, 4, 5, 6, 7]).map((s) => s.args)).toEqual([
      ['--setplaytimeenabled', 'kid', 'true'],
      ['--setplaytimeunaccountedintervalsflag', 'kid', 'false'],
      ['--setplaytimealloweddays', 'kid', '6;7'],
      ['--setplaytimelimits', 'kid', '600;700'],
      ['--setplaytimeactivities', 'kid', 'steam[Steam client];supertux2'],
      ['--setplaytimeleft', 'kid', '=', '600'],
    ]);
    // Without allowedDays, limits follow the user's current PlayTime days, read first.
    const plan = settingsPlan({
      op: 'setPlaytime',
      args: { login: 'kid', limits: [1, 2, 3, 4, 5, 6, 7] },
    })!;
    expect(plan.needsCurrentState).toBe(true);
    expect(plan.steps(configured)[0]!.args).toEqual(['--setplaytimelimits', 'kid', '1;3;5;6']);
  });

  it('find the fields a read-back does not show as asked', () => {
    const asConfigured = playtimeChangeSchema.parse({
      enabled: true,
      limitOverride: true,
      allowedDays: [1, 3, 5, 6],
      limits: [1800, 0, 1800, 0, 2700, 3600, 0],
      activities: [
        { mask: 'steam', description: 'Steam client' },
        { mask: 'minecraft.*', description: 'Minecraft' },
        { mask: 'supertux2' },
      ],
    });
    expect(playtimeMismatches(asConfigured, configured)).toEqual([]);
    const different = playtimeChangeSchema.parse({
      unaccountedIntervals: true,
      allowedDays: [],
      activities: [{ mask: 'steam' }],
    });
    expect(playtimeMismatches(different, configured)).toEqual([
      'unaccountedIntervals reads false',
      'allowedDays reads 1,3,5,6',
      'activities read "steam[Steam client];minecraft.*[Minecraft];supertux2"',
    ]);
  });

  it('check "set" PlayTime left exactly only where timekpr makes it exact', () => {
    const everyDay = {
      ...configured,
      playtime: { ...configured.playtime, allowedWeekdays: [1, 2, 3, 4, 5, 6, 7], leftToday: 900 },
    };
    const set = (seconds: number) => playtimeChangeSchema.parse({ left: { mode: 'set', seconds } });
    expect(playtimeMismatches(set(900), everyDay)).toEqual([]);
    expect(playtimeMismatches(set(600), everyDay)).toEqual(['left reads 900']);
    // Live counters move while a child plays; some days without PlayTime make timekpr's two indexings differ.
    expect(playtimeMismatches(set(600), { ...everyDay, active: true })).toEqual([]);
    expect(playtimeMismatches(set(600), configured)).toEqual([]);
  });
});
