/**
 * Schedule changes, checked against timekpra's own reading of the user's configuration.
 */
import type { CommandView, DeviceView, TimeResponse } from '@kidtime/protocol';
import type { ApiClient } from './support/api-client';
import { AgentProcess, type EnrolledAgent } from './support/hub-process';
import { startHousehold, type Household } from './support/household';
import { eventually } from './support/processes';
import type { TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid5';

describe('schedules', () => {
  let home: Household;
  let lab: TimekprLabHandle;
  let api: ApiClient;
  let enrolled: EnrolledAgent;

  const patch = (body: unknown) =>
    api.request<TimeResponse & { message: string }>(
      'PATCH',
      `/api/devices/${enrolled.device.id}/users/${KID}/schedule`,
      body,
    );

  beforeAll(async () => {
    home = await startHousehold(KID);
    ({ lab, api, enrolled } = home);
  });

  afterAll(() => home?.close());

  it('applies every kind of setting and answers with the state timekpr reads back', async () => {
    const response = await patch({
      allowedDays: [1, 2, 3, 4, 5],
      limits: [3600, 3600, 3600, 3600, 7200, 0, 0],
      allowedHours: {
        ALL: [{ hour: 7 }, { hour: 9, toMinute: 30 }, { hour: 12, unaccounted: true }, { hour: 16 }],
      },
      weekLimit: 18000,
      monthLimit: 72000,
      lockout: { type: 'suspendwake', wakeFrom: 7, wakeTo: 18 },
      trackInactive: true,
      hideTrayIcon: true,
    });
    expect(response.status).toBe(200);
    expect(response.body.command).toMatchObject({ op: 'setSchedule', status: 'applied' });
    const info = await lab.userinfo(KID);
    expect(info).toMatchObject({
      ALLOWED_WEEKDAYS: '1;2;3;4;5',
      LIMITS_PER_WEEKDAYS: '3600;3600;3600;3600;7200',
      ALLOWED_HOURS_1: '7;9[0-30];!12;16',
      ALLOWED_HOURS_7: '7;9[0-30];!12;16',
      LIMIT_PER_WEEK: '18000',
      LIMIT_PER_MONTH: '72000',
      LOCKOUT_TYPE: 'suspendwake',
      WAKEUP_HOUR_INTERVAL: '7;18',
      TRACK_INACTIVE: 'True',
      HIDE_TRAY_ICON: 'True',
    });
    expect(response.body.state).toMatchObject({
      allowedWeekdays: [1, 2, 3, 4, 5],
      limitPerWeek: 18000,
      trackInactive: true,
    });
  });

  it('changes only what it is given', async () => {
    const response = await patch({
      allowedHours: { 3: [{ hour: 8, fromMinute: 15, toMinute: 45 }] },
      lockout: { type: 'lock' },
    });
    expect(response.status).toBe(200);
    const info = await lab.userinfo(KID);
    expect(info).toMatchObject({
      ALLOWED_HOURS_3: '8[15-45]',
      ALLOWED_HOURS_1: '7;9[0-30];!12;16',
      LOCKOUT_TYPE: 'lock',
      LIMIT_PER_WEEK: '18000',
    });
    expect(info.WAKEUP_HOUR_INTERVAL).toBeUndefined();
  });

  it('refuses what timekpr would get wrong, before sending anything', async () => {
    const before = await lab.userinfo(KID);
    for (const [body, reason] of [
      [{ limits: [1, 2] }, 'limits: seven values'],
      [{ allowedHours: { 2: [{ hour: 25 }] } }, 'allowedHours.2.0.hour'],
      [{ lockout: { type: 'suspendwake' } }, 'wakeFrom and wakeTo'],
      [{}, 'nothing to change'],
    ] as const) {
      const response = await patch(body);
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(reason);
    }
    expect(await lab.userinfo(KID)).toEqual(before);
  });

  it('sets PlayTime: flags, days, limits, activities and time left, as timekpra reads them', async () => {
    const url = `/api/devices/${enrolled.device.id}/users/${KID}/playtime`;
    const response = await api.request<TimeResponse>('PATCH', url, {
      enabled: true,
      limitOverride: false,
      unaccountedIntervals: true,
      allowedDays: [1, 2, 3, 4, 5, 6, 7],
      limits: [1800, 1800, 1800, 1800, 3600, 5400, 5400],
      activities: [{ mask: 'steam', description: 'Steam client' }, { mask: 'minecraft.*' }],
      left: { mode: 'set', seconds: 1200 },
    });
    expect(response.status).toBe(200);
    expect(response.body.command).toMatchObject({ op: 'setPlaytime', status: 'applied' });
    expect(await lab.userinfo(KID)).toMatchObject({
      PLAYTIME_ENABLED: 'True',
      PLAYTIME_LIMIT_OVERRIDE_ENABLED: 'False',
      PLAYTIME_UNACCOUNTED_INTERVALS_ENABLED: 'True',
      PLAYTIME_ALLOWED_WEEKDAYS: '1;2;3;4;5;6;7',
      PLAYTIME_LIMITS_PER_WEEKDAYS: '1800;1800;1800;1800;3600;5400;5400',
      PLAYTIME_ACTIVITIES: 'steam[Steam client];minecraft.*',
      PLAYTIME_LEFT_DAY: '1200',
    });
    expect(response.body.state?.playtime).toMatchObject({ enabled: true, leftToday: 1200 });

    const bad = await api.request<{ message: string }>('PATCH', url, {
      activities: [{ mask: 'game;/usr/bin/timekpra' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('activities.0.mask');
    expect((await lab.userinfo(KID)).PLAYTIME_ACTIVITIES).toBe('steam[Steam client];minecraft.*');

    const audit = await api.get<Array<{ action: string; result: string }>>('/api/audit?action=playtime.set');
    expect(audit.body.map((entry) => entry.result)).toContain('ok');
  });

  it('waits for an offline PC and applies the change when it is back', async () => {
    await enrolled.agent.stop();
    await eventually('the PC to be offline', async () =>
      (await api.get<DeviceView>(`/api/devices/${enrolled.device.id}`)).body.online ? undefined : true,
    );
    const response = await patch({ weekLimit: 25200 });
    expect(response.status).toBe(202);
    expect(new Date(response.body.command.expiresAt).getTime() - Date.now()).toBeGreaterThan(6 * 86_400_000);
    enrolled.agent = AgentProcess.start(enrolled.configPath);
    await eventually('the schedule to apply', async () =>
      (await api.get<CommandView>(`/api/commands/${response.body.command.id}`)).body.status === 'applied'
        ? true
        : undefined,
    );
    expect((await lab.userinfo(KID)).LIMIT_PER_WEEK).toBe('25200');
  });
});
