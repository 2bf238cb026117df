import fs from 'node:fs';
import path from 'node:path';
import { scheduleRequestSchema } from '../api';
import { formatAllowedHours, scheduleChangeSchema, scheduleMismatches, scheduleSteps } from './schedule';
import { parseUserinfo } from './userinfo-parser';

const configured = parseUserinfo(
  fs.readFileSync(path.join(__dirname, '__fixtures__', 'userinfo-configured.txt'), 'utf8'),
  'kidtest1',
);

const issues = (input: unknown) => {
  const parsed = scheduleChangeSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('schedule changes', () => {
  it('accept what timekpr accepts', () => {
    expect(
      issues({
        allowedDays: [5, 1, 2],
        limits: [3600, 3600, 3600, 3600, 7200, 0, 0],
        allowedHours: { ALL: [{ hour: 7 }, { hour: 9, toMinute: 30 }, { hour: 12, unaccounted: true }] },
        weekLimit: 18000,
        monthLimit: 72000,
        lockout: { type: 'suspendwake', wakeFrom: 7, wakeTo: 18 },
        trackInactive: true,
        hideTrayIcon: false,
      }),
    ).toEqual([]);
  });

  it.each([
    [{}, 'nothing to change'],
    [{ allowedDays: [1, 1] }, 'allowedDays: each day once'],
    [{ allowedDays: [0] }, 'allowedDays.0'],
    [{ allowedDays: [] }, 'allowedDays: at least one day'],
    [{ limits: [1, 2] }, 'limits: seven values'],
    [{ limits: [0, 0, 0, 0, 0, 0, 86_401] }, 'limits.6'],
    [{ allowedHours: { 3: [{ hour: 24 }] } }, 'allowedHours.3.0.hour'],
    [{ allowedHours: { 3: [{ hour: 7 }, { hour: 7, fromMinute: 30 }] } }, 'one interval per hour'],
    [
      { allowedHours: { 3: [{ hour: 7, fromMinute: 30, toMinute: 10 }] } },
      'fromMinute must be before toMinute',
    ],
    [{ allowedHours: { 8: [{ hour: 7 }] } }, 'allowedHours: Unrecognized key: "8"'],
    [{ allowedHours: { ALL: [] } }, 'at least one hour'],
    [{ lockout: { type: 'suspendwake' } }, 'wakeFrom and wakeTo are needed for suspendwake'],
    [{ lockout: { type: 'lock', wakeFrom: 1, wakeTo: 2 } }, 'only for it'],
    [{ lockout: { type: 'kill' } }, 'lockout.type'],
    [{ weekLimit: -1 }, 'weekLimit'],
    [{ trackInactive: 'yes' }, 'trackInactive'],
    [{ limits: '1;2;3' }, 'limits'],
    [{ shell: 'id' }, 'Unrecognized key'],
  ])('refuse %j, naming the field (%s)', (input, reason) => {
    expect(issues(input).join(' | ')).toContain(reason);
  });

  it('keep delivery options apart from the change', () => {
    expect(scheduleRequestSchema.safeParse({ queue: false }).success).toBe(false);
    expect(scheduleRequestSchema.parse({ weekLimit: 3600 })).toEqual({ weekLimit: 3600, queue: true });
  });

  it('become timekpra calls, allowed days first, limits only for allowed days', () => {
    const change = scheduleChangeSchema.parse({
      allowedDays: [6, 1, 3],
      limits: [100, 200, 300, 400, 500, 600, 700],
      allowedHours: {
        2: [{ hour: 12, unaccounted: true }, { hour: 9, fromMinute: 0, toMinute: 30 }, { hour: 10 }],
      },
      lockout: { type: 'suspendwake', wakeFrom: 7, wakeTo: 18 },
      trackInactive: false,
    });
    expect(scheduleSteps('kid', change, [1, 2, 3, 4, 5, 6, 7]).map((s) => s.args)).toEqual([
      ['--setalloweddays', 'kid', '1;3;6'],
      ['--settimelimits', 'kid', '100;300;600'],
      ['--setallowedhours', 'kid', '2', '9[0-30];10;!12'],
      ['--setlockouttype', 'kid', 'suspendwake;7;18'],
      ['--settrackinactive', 'kid', 'false'],
    ]);
    // Without allowedDays, limits follow the days the user has now.
    expect(
      scheduleSteps('kid', scheduleChangeSchema.parse({ limits: [1, 2, 3, 4, 5, 6, 7] }), [2, 4])[0]!.args,
    ).toEqual(['--settimelimits', 'kid', '2;4']);
  });

  it('format hours as timekpr prints them, so a read-back compares exactly', () => {
    expect(formatAllowedHours(configured.allowedHours['1']!)).toBe(
      '7;8;9[0-30];!12;13[15-45];14;15;16;17;18;19;20;21[0-15]',
    );
  });

  it('find the fields a read-back does not show as asked', () => {
    const asConfigured = scheduleChangeSchema.parse({
      allowedDays: [1, 2, 3, 4, 5],
      limits: [3600, 3600, 3600, 3600, 7200, 0, 0],
      lockout: { type: 'suspendwake', wakeFrom: 7, wakeTo: 18 },
      trackInactive: true,
      hideTrayIcon: true,
      weekLimit: 18000,
    });
    expect(scheduleMismatches(asConfigured, configured)).toEqual([]);
    const different = scheduleChangeSchema.parse({
      allowedDays: [1, 2],
      lockout: { type: 'lock' },
      allowedHours: { 5: [{ hour: 7 }] },
      monthLimit: 1,
    });
    expect(scheduleMismatches(different, configured)).toEqual([
      'allowedDays reads 1,2,3,4,5',
      'allowedHours 5 reads 7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22[0-30];!23',
      'monthLimit reads 72000',
      'lockout reads suspendwake 7-18',
    ]);
  });
});
