/**
 * The first end-to-end slice across real processes: the built hub, the bundled agent enrolled with a
 * one-time code, and the real timekprd. Every time change is checked with `timekpra --userinfo` directly.
 */
import type { DeviceView, ManagedUserView, TimeResponse } from '@kidtime/protocol';
import os from 'node:os';
import { ApiClient } from './support/api-client';
import { AgentProcess, HubProcess, enrollAndStartAgent } from './support/hub-process';
import { eventually } from './support/processes';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid1';
const OTHER_KID = 'ktkid2';
const DAY_LIMIT = 7200;

describe('parent → hub → agent → timekpra', () => {
  let lab: TimekprLabHandle;
  let hub: HubProcess;
  let agent: AgentProcess;
  let api: ApiClient;
  let device: DeviceView;
  let removeConfig: () => void = () => undefined;

  const balance = async (login = KID) => Number((await lab.userinfo(login)).TIME_SPENT_BALANCE);
  const timeCall = (login: string, body: unknown, deviceId = device.id) =>
    api.request<TimeResponse & { message: string }>(
      'POST',
      `/api/devices/${deviceId}/users/${login}/time`,
      body,
    );

  beforeAll(async () => {
    lab = connectLab();
    for (const login of [KID, OTHER_KID]) {
      await lab.ensureUser(login);
      await lab.resetUser(login);
      await lab.timekpra(['--settimelimits', login, Array(7).fill(DAY_LIMIT).join(';')]);
    }
    hub = await HubProcess.start();
    api = new ApiClient(hub.url);
    expect((await api.post('/api/setup', { username: 'mum', password: 'kitchen-phone-42' })).status).toBe(
      201,
    );
    await api.login('mum', 'kitchen-phone-42');

    const enrolled = await enrollAndStartAgent(api, KID);
    ({ agent, device } = enrolled);
    removeConfig = enrolled.removeConfig;
  });

  afterAll(async () => {
    await agent?.stop();
    await hub?.stop();
    removeConfig();
  });

  it('shows the enrolled PC online with its agent and timekpr versions', async () => {
    expect(device).toMatchObject({
      online: true,
      transport: 'ws',
      agentVersion: '0.1.0',
      timekprVersion: '0.5.4',
    });
    expect(device.hostname).toBe(os.hostname());
    expect(device.timezone).toBeTruthy();
  });

  it('lists the managed users with the state timekpr reports', async () => {
    const users = (await api.get<ManagedUserView[]>(`/api/devices/${device.id}/users`)).body;
    const kid = users.find((u) => u.login === KID)!;
    expect(kid.state?.limitsPerWeekday).toEqual(Array(7).fill(DAY_LIMIT));
    expect(kid.state?.timeSpentBalance).toBe(await balance());
  });

  it('adds time and answers with the state read back, as timekpra shows it', async () => {
    const before = await balance();
    const response = await timeCall(KID, { op: 'add', seconds: 900 });
    expect(response.status).toBe(200);
    expect(response.body.command).toMatchObject({ status: 'applied', op: 'adjustTime', channel: 'ui' });
    expect(response.body.warning).toBeNull();
    expect(response.body.command.args).toEqual({ login: KID, mode: 'add', seconds: 900 });
    expect(await balance()).toBe(before - 900);
    expect(response.body.state?.timeSpentBalance).toBe(before - 900);

    const stored = await api.get(`/api/commands/${response.body.command.id}`);
    expect(stored.body).toMatchObject({ id: response.body.command.id, status: 'applied' });
  });

  it('subtracts time', async () => {
    const before = await balance();
    const response = await timeCall(KID, { op: 'subtract', seconds: 300 });
    expect(response.status).toBe(200);
    expect(await balance()).toBe(before + 300);
  });

  it('sets the time left exactly', async () => {
    const response = await timeCall(KID, { op: 'set', seconds: 1800 });
    expect(response.status).toBe(200);
    expect(await balance()).toBe(DAY_LIMIT - 1800);
    expect(response.body.state?.timeSpentBalance).toBe(DAY_LIMIT - 1800);
  });

  it('applies a change made right after someone changed the time on the PC, with a warning', async () => {
    await timeCall(KID, { op: 'add', seconds: 1 }); // the agent now holds a fresh reading of this user
    const before = await balance();
    await lab.timekpra(['--settimeleft', KID, '+', '120']); // a parent at the PC, with timekpr's own tool
    const response = await timeCall(KID, { op: 'add', seconds: 60 });
    expect(response.status).toBe(200);
    expect(response.body.command.status).toBe('applied');
    expect(response.body.warning).toContain('changed on the PC');
    expect(await balance()).toBe(before - 120 - 60);
  });

  it('keeps a logged-in child’s live counters in the read-back state', async () => {
    const session = await lab.login(OTHER_KID);
    try {
      await lab.waitForUserinfo(OTHER_KID, (info) => 'ACTUAL_TIME_LEFT_DAY' in info);
      const response = await timeCall(OTHER_KID, { op: 'add', seconds: 600 });
      expect(response.status).toBe(200);
      expect(response.body.state?.active).toBe(true);
      const live = Number((await lab.userinfo(OTHER_KID)).ACTUAL_TIME_SPENT_BALANCE);
      expect(Math.abs(live - response.body.state!.timeSpentBalance)).toBeLessThanOrEqual(10);
    } finally {
      await lab.logout(session);
    }
  });

  it('changes a child’s time on their PC through the child, as timekpra shows it', async () => {
    const child = await api.post<{ id: string }>('/api/children', {
      name: 'Kit',
      members: [{ deviceId: device.id, login: KID }],
    });
    expect(child.status).toBe(201);
    const before = await balance();
    const response = await api.post<{
      results: Array<{ status: number; login: string; state: { timeSpentBalance: number } }>;
    }>(`/api/children/${child.body.id}/time`, { op: 'add', seconds: 240 });
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([expect.objectContaining({ login: KID, status: 200 })]);
    expect(await balance()).toBe(before - 240);
    expect(response.body.results[0]!.state.timeSpentBalance).toBe(before - 240);
  });

  it('locks a logged-in child out now: timekprd ends the session', async () => {
    const session = await lab.login(OTHER_KID);
    try {
      await lab.waitForUserinfo(OTHER_KID, (info) => 'ACTUAL_TIME_LEFT_DAY' in info);
      const response = await api.post<TimeResponse>(`/api/devices/${device.id}/users/${OTHER_KID}/lock`, {});
      expect(response.status).toBe(200);
      expect(response.body.state?.timeLeftToday).toBeLessThanOrEqual(6);
      await lab.waitForTermination(session, { timeoutMs: 45_000 });
    } finally {
      await lab.logout(session);
      await lab.timekpra(['--settimeleft', OTHER_KID, '=', '3600']);
    }
  });

  it.each([
    [{ op: 'double', seconds: 60 }, 'op:'],
    [{ op: 'add', seconds: -5 }, 'seconds: must not be negative'],
    [{ op: 'add', seconds: 86_401 }, 'seconds: must be at most 86400'],
    [{ op: 'add', seconds: 1.5 }, 'seconds: must be a whole number'],
    [{ op: 'add', seconds: '60' }, 'seconds:'],
    [{ op: 'add' }, 'seconds:'],
    [{ op: 'add', seconds: 60, login: 'root' }, 'unknown field(s) login'],
  ])('refuses %j with 400 and says why', async (body, reason) => {
    const before = await balance();
    const response = await timeCall(KID, body);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(reason);
    expect(await balance()).toBe(before);
  });

  it.each(['kid;touch', '$(id)', '-rf', 'a'.repeat(40), 'Root'])(
    'refuses the login %j with 400',
    async (login) => {
      const response = await timeCall(encodeURIComponent(login), { op: 'add', seconds: 60 });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain('login:');
    },
  );

  it('refuses malformed JSON with 400', async () => {
    const response = await api.request(
      'POST',
      `/api/devices/${device.id}/users/${KID}/time`,
      undefined,
      '{"op": "add",',
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('answers 404 for an unknown user or device', async () => {
    const user = await timeCall('nosuchkid', { op: 'add', seconds: 60 });
    expect(user.status).toBe(404);
    expect(user.body.message).toContain(`"nosuchkid" is not a Timekpr-nExT user on ${device.name}`);
    const missing = await timeCall(KID, { op: 'add', seconds: 60 }, '00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    const malformed = await api.post(`/api/devices/not-a-uuid/users/${KID}/time`, { op: 'add', seconds: 60 });
    expect(malformed.status).toBe(400);
  });

  it('needs a signed-in account, and a viewer cannot change anything', async () => {
    const anonymous = new ApiClient(hub.url);
    expect(
      (await anonymous.post(`/api/devices/${device.id}/users/${KID}/time`, { op: 'add', seconds: 60 }))
        .status,
    ).toBe(401);
    expect(
      (await api.post('/api/accounts', { username: 'grandpa', password: 'garden-bench-7', role: 'viewer' }))
        .status,
    ).toBe(201);
    const viewer = new ApiClient(hub.url);
    await viewer.login('grandpa', 'garden-bench-7');
    const before = await balance();
    const refused = await viewer.post(`/api/devices/${device.id}/users/${KID}/time`, {
      op: 'add',
      seconds: 60,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('Viewers');
    expect((await viewer.post('/api/enrollments', {})).status).toBe(403);
    expect((await viewer.get('/api/devices')).status).toBe(200);
    expect(await balance()).toBe(before);
  });

  it('makes the device offline when its agent stops, and a call that must not wait fails clearly', async () => {
    await agent.stop();
    await eventually('the device to go offline', async () =>
      (await api.get<DeviceView>(`/api/devices/${device.id}`)).body.online ? undefined : true,
    );
    const before = await balance();
    const response = await timeCall(KID, { op: 'add', seconds: 60, queue: false });
    expect(response.status).toBe(409);
    expect(response.body.message).toContain('is offline');
    expect(await balance()).toBe(before);

    agent = AgentProcess.start(agent.configPath);
    await eventually('the agent to reconnect', async () =>
      (await api.get<DeviceView>(`/api/devices/${device.id}`)).body.online ? true : undefined,
    );
    expect((await timeCall(KID, { op: 'add', seconds: 60 })).status).toBe(200);
  });
});
