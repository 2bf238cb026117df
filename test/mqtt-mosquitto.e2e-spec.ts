/**
 * Agents over MQTT through an external broker: Debian's mosquitto, started with its own config file on a
 * loopback port, a password file and the README's ACL (pattern `%u`), the way the README tells an
 * administrator to set it up. The hub runs no broker of its own here.
 */
import type { CommandView, DeviceView, EnrollmentCreated, TimeResponse } from '@kidtime/protocol';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { ApiClient } from './support/api-client';
import { AgentProcess, HubProcess, enrollAndStartAgent, type EnrolledAgent } from './support/hub-process';
import { MosquittoProcess, MqttProbe } from './support/mqtt';
import { describeBrokerRules, type Credential } from './support/mqtt-rules';
import { eventually } from './support/processes';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid8';
const DAY_LIMIT = 7200;
const HUB_PASSWORD = randomBytes(24).toString('base64url');

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
    mosquitto = await MosquittoProcess.start({ 'kidtime-hub': HUB_PASSWORD });
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
