/**
 * Home Assistant through the hub's embedded broker, with a client playing Home Assistant's MQTT integration:
 * discovery configs checked as Home Assistant needs them, buttons and the number changing timekpr's time
 * on a real agent with the real timekprd, re-discovery when Home Assistant restarts, stale and removed
 * configs cleared, garbage on the topics the hub listens to, and everything back after the hub (and so its
 * broker) restarts.
 */
import type { AuditEntryView, ChildView, CommandView, DeviceView } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { ApiClient } from './support/api-client';
import { HomeAssistantDouble, type Component, type DeviceConfig } from './support/home-assistant';
import { AgentProcess, HubProcess, enrollAndStartAgent, type EnrolledAgent } from './support/hub-process';
import { MqttProbe } from './support/mqtt';
import { eventually, sleep } from './support/processes';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid13';
const DAY_LIMIT = 7200;

describe('Home Assistant over MQTT (embedded broker)', () => {
  let lab: TimekprLabHandle;
  let hub: HubProcess;
  let api: ApiClient;
  let enrolled: EnrolledAgent;
  let deviceId: string;
  let child: ChildView;
  let ha: HomeAssistantDouble;
  let installation: string;

  const balance = async () => Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE);
  const waitForBalance = (want: number) =>
    eventually(`timekpr's balance to be ${want}`, async () =>
      (await balance()) === want ? true : undefined,
    );
  const childConfig = () => ha.waitForDevice(`_child_${child.id}`).then(([, config]) => config);
  const component = async (key: string): Promise<Component> => (await childConfig()).cmps[key]!;
  let haLogin: { username: string; password: string };
  /** Home Assistant's login: created by the owner through the API, as the web app does. */
  const createHomeAssistantLogin = async () => {
    const login = await api.post<{ username: string; password: string }>('/api/home-assistant/login', {});
    expect(login.status).toBe(201);
    haLogin = login.body;
  };
  const connectHomeAssistant = () =>
    HomeAssistantDouble.connect(hub.mqttUrl, {
      clientId: `ha-${randomUUID().slice(0, 8)}`,
      username: haLogin.username,
      password: haLogin.password,
    });
  /** A client with the hub's own rights, to put on the broker what Home Assistant could not. */
  const hubSpy = () =>
    MqttProbe.connect(hub.mqttUrl, {
      clientId: `kidtime-hub-spy-${randomUUID().slice(0, 4)}`,
      username: 'kidtime-hub',
      password: hub.mqttHubPassword,
    });

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    await lab.timekpra(['--settimelimits', KID, Array(7).fill(DAY_LIMIT).join(';')]);
    hub = await HubProcess.start();
    api = new ApiClient(hub.url);
    await api.post('/api/setup', { username: 'mum', password: 'kitchen-phone-42' });
    await api.login('mum', 'kitchen-phone-42');
    enrolled = await enrollAndStartAgent(api, KID, { stateIntervalSeconds: 10 });
    deviceId = enrolled.device.id;
    child = (await api.post<ChildView>('/api/children', { name: 'Zoë', members: [{ deviceId, login: KID }] }))
      .body;
    await createHomeAssistantLogin();
    ha = await connectHomeAssistant();
    installation = (await ha.waitForDevice('_hub'))[0].replace(/^kidtime_|_hub$/g, '');
  });

  afterAll(async () => {
    await ha?.close();
    await enrolled?.agent.stop();
    await hub?.stop();
    enrolled?.removeConfig();
  });

  it('discovers the hub, the child and the PC, each payload as Home Assistant needs it', async () => {
    const childDevice = await childConfig();
    const [, pc] = await ha.waitForDevice(`_pc_${deviceId}`);
    await eventually('every state to be published', async () =>
      ha.problems().length === 0 ? true : undefined,
    );
    expect(ha.problems()).toEqual([]);
    expect(childDevice.dev).toMatchObject({ name: 'Zoë', mf: 'Kidtime' });
    expect(Object.keys(childDevice.cmps).sort()).toEqual(
      [
        'active',
        'add_15',
        'add_30',
        'lock',
        'pcs',
        'runs_out_at',
        'set_time_left',
        'subtract_15',
        'time_left',
        'time_spent',
      ].sort(),
    );
    expect(pc.dev.name).toBe(enrolled.device.name);
    // retained, so a Home Assistant that connects later gets them too
    const late = await connectHomeAssistant(); // the same login, a second client id
    try {
      await late.waitForDevice(`_child_${child.id}`);
      expect(late.probe.received.find((m) => m.topic.endsWith(`_child_${child.id}/config`))?.retain).toBe(
        true,
      );
    } finally {
      await late.close();
    }
  });

  it('shows the child’s time and the PC’s connection in the states', async () => {
    await lab.timekpra(['--settimeleft', KID, '=', '3000']);
    await api.post(`/api/devices/${deviceId}/users/${KID}/time`, { op: 'set', seconds: 3000 });
    const timeLeft = await component('time_left');
    await eventually('time left 50 min in Home Assistant', async () =>
      ha.value(timeLeft) === 50 ? true : undefined,
    );
    const [, pc] = (await ha.waitForDevice(`_pc_${deviceId}`)) as [string, DeviceConfig];
    expect(ha.value(pc.cmps.online!)).toBe(true);
    expect(ha.value(pc.cmps.agent_version!)).toBe(enrolled.device.agentVersion);
    expect(ha.value(await component('pcs'))).toBe(enrolled.device.name);
  });

  it('changes timekpr’s time with the buttons and the number, audited as Home Assistant', async () => {
    await api.post(`/api/devices/${deviceId}/users/${KID}/time`, { op: 'set', seconds: 3600 });
    const start = await balance();
    await ha.press(await component('add_15'));
    await waitForBalance(start - 900);
    await ha.press(await component('add_30'));
    await waitForBalance(start - 2700);
    await ha.press(await component('subtract_15'));
    await waitForBalance(start - 1800);
    await ha.press(await component('set_time_left'), '20');
    await waitForBalance(DAY_LIMIT - 1200);
    const timeLeft = await component('time_left');
    await eventually('Home Assistant to show 20 min left', async () =>
      ha.value(timeLeft) === 20 ? true : undefined,
    );
    await ha.press(await component('lock'));
    await waitForBalance(DAY_LIMIT);
    const audit = await eventually('the audit log to show the presses', async () => {
      const entries = (
        await api.get<AuditEntryView[]>(`/api/audit?channel=home-assistant&deviceId=${deviceId}&limit=50`)
      ).body;
      return entries.length >= 5 ? entries : undefined;
    });
    expect(audit.map((e) => e.action).reverse()).toEqual([
      'time.add',
      'time.add',
      'time.subtract',
      'time.set',
      'time.set',
    ]);
    expect(audit.every((e) => e.actor.type === 'home-assistant' && e.actor.name === 'Home Assistant')).toBe(
      true,
    );
  });

  it('comes again when Home Assistant says it is online, states included', async () => {
    await ha.waitForDevice(`_child_${child.id}`);
    const mark = ha.probe.received.length;
    await ha.announceOnline();
    const again = await eventually(
      'discovery to be published again',
      async () => {
        const fresh = ha.probe.received.slice(mark);
        const configs = fresh.filter((m) => m.topic.endsWith('/config'));
        const states = fresh.filter((m) => m.topic.endsWith('/state'));
        return configs.length >= 3 && states.length >= 2 ? { configs, states } : undefined;
      },
      10_000,
    );
    expect(again.configs.map((m) => m.topic)).toEqual(
      expect.arrayContaining([
        `homeassistant/device/kidtime_${installation}_hub/config`,
        `homeassistant/device/kidtime_${installation}_child_${child.id}/config`,
        `homeassistant/device/kidtime_${installation}_pc_${deviceId}/config`,
      ]),
    );
  });

  it('queues a press for an offline PC, keeps the child available, and applies it when the PC is back', async () => {
    await enrolled.agent.stop();
    const [, pc] = await ha.waitForDevice(`_pc_${deviceId}`);
    await eventually('the PC to show offline', async () =>
      ha.value(pc.cmps.online!) === false ? true : undefined,
    );
    expect(ha.latest('kidtime/hub/status')).toBe('online'); // the child's entities stay available
    const before = await balance();
    await ha.press(await component('add_15'));
    const queued = await eventually('the press to be queued', async () => {
      const commands = (await api.get<CommandView[]>(`/api/commands?deviceId=${deviceId}&status=queued`))
        .body;
      return commands.find((c) => c.channel === 'home-assistant');
    });
    enrolled.agent = AgentProcess.start(enrolled.configPath);
    await eventually('the queued press to apply', async () =>
      (await api.get<CommandView>(`/api/commands/${queued.id}`)).body.status === 'applied' ? true : undefined,
    );
    expect(await balance()).toBe(before - 900);
  });

  it('survives garbage on every topic it listens to, and logs it', async () => {
    const spy = await hubSpy();
    try {
      const before = await balance();
      const cmd = (action: string) => `kidtime/ha/child/${child.id}/cmd/${action}`;
      for (const [topic, payload] of [
        [cmd('add'), 'lots'],
        [cmd('add'), '-15'],
        [cmd('set'), '99999'],
        [cmd('set'), Buffer.alloc(70_000, 0x31)],
        [cmd('explode'), '15'],
        [`kidtime/ha/child/${randomUUID()}/cmd/add`, '15'], // no such child
        ['kidtime/ha/child/not-a-uuid/cmd/add', '15'],
        ['homeassistant/status', '\u0000\u0001'],
        ['homeassistant/status', 'x'.repeat(10_000)],
        ['homeassistant/device/kidtime_x/config', '{not json'],
      ] as const)
        await spy.publish(topic, payload);
      await sleep(1_500);
      expect(await balance()).toBe(before);
      expect(hub.process.running).toBe(true);
      expect(hub.log).toContain('is not a number of minutes');
      expect(hub.log).toMatch(/No child with id|not applied/);
      expect((await api.get('/api/health')).status).toBe(200);
    } finally {
      await spy.close();
    }
  });

  it('lets Home Assistant’s login publish only its status and the commands', async () => {
    // The rules themselves are unit-tested (broker-access.spec.ts); here the login really gets them.
    const before = await balance();
    const stray = await connectHomeAssistant();
    try {
      expect(await stray.probe.subscribe(`kidtime/agent/${deviceId}/state`)).toBe(128);
      expect(await stray.probe.subscribe('#')).toBe(128);
      await stray.probe.publish(`kidtime/agent/${deviceId}/cmd`, JSON.stringify({ id: randomUUID() }));
      await eventually('the broker to drop a client publishing where it may not', async () =>
        stray.probe.closed ? true : undefined,
      );
    } finally {
      await stray.close();
    }
    const timeLeft = await component('time_left');
    const shown = ha.value(timeLeft);
    const forger = await connectHomeAssistant();
    try {
      await forger.probe.publish(`kidtime/ha/child/${child.id}/state`, '{"time_left":999}', true);
    } finally {
      await forger.close();
    }
    await sleep(500);
    expect(ha.value(timeLeft)).toBe(shown);
    expect(await balance()).toBe(before);
  });

  it('clears configs of this hub the broker still holds but the hub no longer has, and leaves others alone', async () => {
    const spy = await hubSpy();
    try {
      const stale = `homeassistant/device/kidtime_${installation}_child_${randomUUID()}/config`;
      const foreign = `homeassistant/device/kidtime_0123456789_child_${randomUUID()}/config`;
      const config = JSON.stringify({ dev: { ids: ['x'], name: 'x' }, o: { name: 'Kidtime' }, cmps: {} });
      await spy.publish(stale, config, true);
      await spy.publish(foreign, config, true);
      await eventually('the stale config to be cleared', async () =>
        ha.latest(stale) === '' ? true : undefined,
      );
      await sleep(300);
      expect(ha.latest(foreign)).toBe(config);
      await spy.publish(foreign, '', true);
    } finally {
      await spy.close();
    }
  });

  it('removes a child’s entities when the child is removed, and a PC’s when it is revoked', async () => {
    const extra = (await api.post<ChildView>('/api/children', { name: 'Temporary', members: [] })).body;
    const [extraNode] = await ha.waitForDevice(`_child_${extra.id}`);
    expect((await api.request('DELETE', `/api/children/${extra.id}`)).status).toBe(204);
    await eventually('the removed child to be cleared', async () =>
      ha.latest(`homeassistant/device/${extraNode}/config`) === '' ? true : undefined,
    );
    expect(ha.latest(`kidtime/ha/child/${extra.id}/state`)).toBe('');
    expect(ha.device(`_child_${child.id}`)).toBeDefined();

    // A second PC, revoked: its device goes, the first PC's stays.
    const code = (await api.post<{ code: string }>('/api/enrollments', {})).body.code;
    const second = await new ApiClient(hub.url).post<{ deviceId: string }>('/api/agents/enroll', {
      code,
      hostname: 'spare-pc',
      agentVersion: 'test',
    });
    const [secondNode] = await ha.waitForDevice(`_pc_${second.body.deviceId}`);
    expect((await api.request('DELETE', `/api/devices/${second.body.deviceId}`)).status).toBe(204);
    await eventually('the revoked PC to be cleared', async () =>
      ha.latest(`homeassistant/device/${secondNode}/config`) === '' ? true : undefined,
    );
    expect(ha.device(`_pc_${deviceId}`)).toBeDefined();
  });

  it('comes back by itself after the hub and its broker restart', async () => {
    await ha.close();
    await hub.stopOnly();
    await hub.restart(); // the embedded broker starts empty: nothing retained survives
    ha = await connectHomeAssistant(); // its login is in the database, not in the broker
    await ha.waitForDevice(`_child_${child.id}`, 20_000);
    await ha.waitForDevice(`_pc_${deviceId}`);
    await eventually('the agent to be back', async () =>
      (await api.get<DeviceView>(`/api/devices/${deviceId}`)).body.online ? true : undefined,
    );
    const before = await balance();
    await ha.press(await component('add_15'));
    await waitForBalance(before - 900);
  });
});
