/**
 * Agents over MQTT through an external broker: Debian's mosquitto, started with its own config file on a
 * loopback port, a password file and the README's ACL (pattern `%u`), the way the README tells an
 * administrator to set it up. The hub runs no broker of its own here.
 */
import type { ChildView, CommandView, DeviceView, EnrollmentCreated, TimeResponse } from '@kidtime/protocol';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { ApiClient } from './support/api-client';
import { AgentProcess, HubProcess, enrollAndStartAgent, type EnrolledAgent } from './support/hub-process';
import { HomeAssistantDouble } from './support/home-assistant';
import { MosquittoProcess, MqttProbe } from './support/mqtt';
import { describeBrokerRules, type Credential } from './support/mqtt-rules';
import { eventually, sleep } from './support/processes';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid8';
const DAY_LIMIT = 7200;
const HUB_PASSWORD = randomBytes(24).toString('base64url');
const HA_PASSWORD = randomBytes(24).toString('base64url');

describe('agents over MQTT with an external mosquitto', () => {
  let lab: TimekprLabHandle;
  let mosquitto: MosquittoProcess;
  let hub: HubProcess;
  let api: ApiClient;
  let enrolled: EnrolledAgent;
  let deviceId: string;

  const balance = async () => Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE);
  const timeCall = (body: unknown) =>
    api.request<TimeResponse & { message: string }>(
      'POST',
      `/api/devices/${deviceId}/users/${KID}/time`,
      body,
    );
  const online = (want: boolean) =>
    eventually(`the device to be ${want ? 'online' : 'offline'}`, async () => {
      const device = (await api.get<DeviceView>(`/api/devices/${deviceId}`)).body;
      return device.online === want ? device : undefined;
    });
  /** What the README says to do after enrolling a PC: give the broker its login. */
  const giveBrokerLogin = async (configPath: string) => {
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { deviceId: string; secret: string };
    mosquitto.addUser(config.deviceId, config.secret);
  };

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    await lab.timekpra(['--settimelimits', KID, Array(7).fill(DAY_LIMIT).join(';')]);
    mosquitto = await MosquittoProcess.start({ 'kidtime-hub': HUB_PASSWORD, homeassistant: HA_PASSWORD });
    hub = await HubProcess.start({
      MQTT_URL: mosquitto.url,
      MQTT_USERNAME: 'kidtime-hub',
      MQTT_PASSWORD: HUB_PASSWORD,
    });
    api = new ApiClient(hub.url);
    await api.post('/api/setup', { username: 'mum', password: 'kitchen-phone-42' });
    await api.login('mum', 'kitchen-phone-42');
    enrolled = await enrollAndStartAgent(api, KID, {}, { transport: 'mqtt', beforeStart: giveBrokerLogin });
    deviceId = enrolled.device.id;
  });

  afterAll(async () => {
    await enrolled?.agent.stop();
    await hub?.stop();
    await mosquitto?.stop();
    enrolled?.removeConfig();
  });

  it('runs no broker of its own and names mosquitto to the agent at enrollment', async () => {
    expect(hub.log).not.toContain('MQTT broker listening');
    const config = JSON.parse(fs.readFileSync(enrolled.configPath, 'utf8')) as Record<string, string>;
    expect(config).toMatchObject({ transport: 'mqtt', mqttUrl: mosquitto.url });
    expect(enrolled.device).toMatchObject({ online: true, transport: 'mqtt', timekprVersion: '0.5.4' });
    expect(mosquitto.process.log).toMatch(new RegExp(`New client connected .* as ${deviceId}`));
  });

  it('adds and sets time through mosquitto, as timekpra shows it', async () => {
    const before = await balance();
    const add = await timeCall({ op: 'add', seconds: 600 });
    expect(add.status).toBe(200);
    expect(add.body.command.status).toBe('applied');
    expect(await balance()).toBe(before - 600);
    expect((await timeCall({ op: 'set', seconds: 2400 })).status).toBe(200);
    expect(await balance()).toBe(DAY_LIMIT - 2400);
  });

  it('queues changes while the PC is off (its Will says so) and applies them when it is back', async () => {
    await enrolled.agent.kill(); // a power cut: only the broker's Will tells the hub
    await online(false);
    const before = await balance();
    const queued = await timeCall({ op: 'add', seconds: 300 });
    expect(queued.status).toBe(202);
    enrolled.agent = AgentProcess.start(enrolled.configPath);
    await online(true);
    await eventually('the queued command to apply', async () =>
      (await api.get<CommandView>(`/api/commands/${queued.body.command.id}`)).body.status === 'applied'
        ? true
        : undefined,
    );
    expect(await balance()).toBe(before - 300);
  });

  describe('Home Assistant through the same mosquitto', () => {
    let ha: HomeAssistantDouble;
    let child: ChildView;
    const connectHomeAssistant = () =>
      HomeAssistantDouble.connect(mosquitto.url, {
        clientId: 'home-assistant',
        username: 'homeassistant',
        password: HA_PASSWORD,
      });
    const addFifteen = async () => {
      const [, config] = await ha.waitForDevice(`_child_${child.id}`, 30_000);
      await ha.press(config.cmps.add_15!);
    };
    const spy = () =>
      MqttProbe.connect(mosquitto.url, {
        clientId: 'kidtime-hub-spy',
        username: 'kidtime-hub',
        password: HUB_PASSWORD,
      });

    beforeAll(async () => {
      child = (
        await api.post<ChildView>('/api/children', { name: 'Robin', members: [{ deviceId, login: KID }] })
      ).body;
      ha = await connectHomeAssistant();
    });

    afterAll(async () => {
      await ha?.close();
    });

    it('discovers the child and the PC with the README’s ACL, and its button changes timekpr', async () => {
      await ha.waitForDevice(`_pc_${deviceId}`);
      await eventually('every state', async () => (ha.problems().length === 0 ? true : undefined));
      const before = await balance();
      await addFifteen();
      await eventually('the press to apply', async () =>
        (await balance()) === before - 900 ? true : undefined,
      );
    });

    it('does not apply a retained command the broker kept while the hub was away', async () => {
      await hub.stopOnly();
      const probe = await spy();
      const command = `kidtime/ha/child/${child.id}/cmd/add`;
      await probe.publish(command, '15', true);
      const before = await balance();
      await hub.restart();
      await eventually('the hub to be back on the broker', async () =>
        /Connected to the MQTT broker/.test(hub.log) ? true : undefined,
      );
      await sleep(1_500);
      expect(await balance()).toBe(before);
      expect(hub.log).toContain('Ignored a retained Home Assistant command');
      await probe.publish(command, '', true);
      await probe.close();
    });

    it('comes back by itself after the broker restarts: the agent, the discovery and the buttons', async () => {
      await ha.close();
      await mosquitto.restart(); // no persistence: every retained config and state is gone
      ha = await connectHomeAssistant();
      await ha.waitForDevice(`_child_${child.id}`, 30_000);
      await ha.waitForDevice(`_pc_${deviceId}`);
      await online(true);
      const before = await balance();
      await addFifteen();
      await eventually('the press to apply', async () =>
        (await balance()) === before - 900 ? true : undefined,
      );
    });

    it('clears what it published when Home Assistant discovery is switched off', async () => {
      const [childNode] = await ha.waitForDevice(`_child_${child.id}`);
      const [pcNode] = await ha.waitForDevice(`_pc_${deviceId}`);
      await hub.stopOnly();
      await hub.restart({ HA_DISCOVERY: 'false' });
      await eventually('the configs to be cleared', async () =>
        ha.latest(`homeassistant/device/${childNode}/config`) === '' &&
        ha.latest(`homeassistant/device/${pcNode}/config`) === '' &&
        ha.latest(`kidtime/ha/child/${child.id}/state`) === ''
          ? true
          : undefined,
      );
      expect(ha.devices().size).toBe(0);
      await hub.stopOnly();
      await hub.restart();
      await ha.waitForDevice(`_child_${child.id}`);
    });
  });

  describeBrokerRules(() => ({
    hub,
    api,
    brokerUrl: mosquitto.url,
    enroll: async (hostname: string): Promise<Credential> => {
      const code = (await api.post<EnrollmentCreated>('/api/enrollments', {})).body.code;
      const response = await new ApiClient(hub.url).post<Credential>('/api/agents/enroll', {
        code,
        hostname,
        agentVersion: 'test',
        transport: 'mqtt',
      });
      expect(response.status).toBe(201);
      mosquitto.addUser(response.body.deviceId, response.body.secret);
      return response.body;
    },
    spy: () =>
      MqttProbe.connect(mosquitto.url, {
        clientId: 'kidtime-hub-spy',
        username: 'kidtime-hub',
        password: HUB_PASSWORD,
      }),
    embedded: false,
    revokeAtBroker: (id) => mosquitto.deleteUser(id),
  }));
});
