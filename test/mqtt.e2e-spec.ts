/**
 * Agents over MQTT through the hub's embedded broker (aedes): the whole loop with a real agent and the real
 * timekprd, commands waiting for an offline PC, what a misbehaving agent cannot do, and garbage on every topic.
 */
import type { CommandView, DeviceView, EnrollmentCreated, TimeResponse } from '@kidtime/protocol';
import fs from 'node:fs';
import { ApiClient } from './support/api-client';
import { AgentProcess, HubProcess, enrollAndStartAgent, type EnrolledAgent } from './support/hub-process';
import { MqttProbe } from './support/mqtt';
import { describeBrokerRules, type Credential } from './support/mqtt-rules';
import { eventually, sleep } from './support/processes';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid7';
const DAY_LIMIT = 7200;

describe('agents over MQTT with the embedded broker', () => {
  let lab: TimekprLabHandle;
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

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    await lab.timekpra(['--settimelimits', KID, Array(7).fill(DAY_LIMIT).join(';')]);
    hub = await HubProcess.start();
    api = new ApiClient(hub.url);
    await api.post('/api/setup', { username: 'mum', password: 'kitchen-phone-42' });
    await api.login('mum', 'kitchen-phone-42');
    enrolled = await enrollAndStartAgent(api, KID, {}, { transport: 'mqtt' });
    deviceId = enrolled.device.id;
  });

  afterAll(async () => {
    await enrolled?.agent.stop();
    await hub?.stop();
    enrolled?.removeConfig();
  });

  it('enrolls with --transport mqtt: the hub names its broker and the PC is online over MQTT', async () => {
    const config = JSON.parse(fs.readFileSync(enrolled.configPath, 'utf8')) as Record<string, string>;
    expect(config).toMatchObject({ transport: 'mqtt', mqttUrl: hub.mqttUrl, mqttBaseTopic: 'kidtime' });
    expect(enrolled.device).toMatchObject({ online: true, transport: 'mqtt', agentVersion: '0.1.0' });
    expect(enrolled.device.timekprVersion).toBe('0.5.4');
  });

  it('adds, subtracts and sets time over MQTT, as timekpra shows it', async () => {
    const before = await balance();
    const add = await timeCall({ op: 'add', seconds: 900 });
    expect(add.status).toBe(200);
    expect(add.body.command).toMatchObject({ status: 'applied', op: 'adjustTime' });
    expect(await balance()).toBe(before - 900);
    expect(add.body.state?.timeSpentBalance).toBe(before - 900);
    expect((await timeCall({ op: 'subtract', seconds: 300 })).status).toBe(200);
    expect(await balance()).toBe(before - 600);
    expect((await timeCall({ op: 'set', seconds: 1800 })).status).toBe(200);
    expect(await balance()).toBe(DAY_LIMIT - 1800);
  });

  it('reports an agent refusal as a clear 4xx, as over socket.io', async () => {
    const response = await api.request<{ message: string }>(
      'POST',
      `/api/devices/${deviceId}/users/nosuchkid/time`,
      { op: 'add', seconds: 60 },
    );
    expect(response.status).toBe(404);
  });

  it('queues changes while the PC is off and applies each once when its agent says online again', async () => {
    await enrolled.agent.stop();
    const offline = await online(false);
    expect(offline.transport).toBe('mqtt');
    const before = await balance();
    const ids: string[] = [];
    for (const body of [
      { op: 'add', seconds: 120 },
      { op: 'add', seconds: 60 },
      { op: 'subtract', seconds: 30 },
    ]) {
      const response = await timeCall(body);
      expect(response.status).toBe(202);
      ids.push(response.body.command.id);
    }
    expect((await timeCall({ op: 'add', seconds: 60, queue: false })).status).toBe(409);
    expect(await balance()).toBe(before);

    enrolled.agent = AgentProcess.start(enrolled.configPath);
    await online(true);
    await eventually('the queued commands to apply', async () => {
      const statuses = await Promise.all(
        ids.map(async (id) => (await api.get<CommandView>(`/api/commands/${id}`)).body.status),
      );
      return statuses.every((s) => s === 'applied') ? true : undefined;
    });
    expect(await balance()).toBe(before - 150);
    // Restarting the agent again replays nothing.
    await enrolled.agent.stop();
    await online(false);
    enrolled.agent = AgentProcess.start(enrolled.configPath);
    await online(true);
    await sleep(1_000);
    expect(await balance()).toBe(before - 150);
  });

  describeBrokerRules(() => ({
    hub,
    api,
    brokerUrl: hub.mqttUrl,
    enroll: async (hostname: string): Promise<Credential> => {
      const code = (await api.post<EnrollmentCreated>('/api/enrollments', {})).body.code;
      const response = await new ApiClient(hub.url).post<Credential>('/api/agents/enroll', {
        code,
        hostname,
        agentVersion: 'test',
        transport: 'mqtt',
      });
      expect(response.status).toBe(201);
      return response.body;
    },
    spy: () =>
      MqttProbe.connect(hub.mqttUrl, {
        clientId: 'kidtime-hub-spy',
        username: 'kidtime-hub',
        password: hub.mqttHubPassword,
      }),
    embedded: true,
    afterAll: async () => undefined,
  }));

  it('still changes time after all of the above', async () => {
    await online(true);
    const before = await balance();
    expect((await timeCall({ op: 'add', seconds: 45 })).status).toBe(200);
    expect(await balance()).toBe(before - 45);
    expect(hub.process.running).toBe(true);
  });
});
