/**
 * What an agent must not be able to do on the hub's broker, whichever broker it is (the embedded aedes or a
 * mosquitto with the README's ACL), and the hub surviving garbage on every topic it listens to. Shared by
 * the MQTT end-to-end files.
 */
import type { DeviceView } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import type { ApiClient } from './api-client';
import type { HubProcess } from './hub-process';
import { MqttProbe } from './mqtt';
import { eventually, sleep } from './processes';

export interface Credential {
  deviceId: string;
  secret: string;
}

export interface BrokerRulesContext {
  hub: HubProcess;
  api: ApiClient;
  brokerUrl: string;
  /** Enrolls a device through the API and gives the broker its login; returns its credential. */
  enroll(hostname: string): Promise<Credential>;
  /** A client with the hub's rights, to see what reaches the broker. */
  spy(): Promise<MqttProbe>;
  /** The embedded broker: it drops a revoked device by itself and answers refused subscriptions with 0x80. */
  embedded: boolean;
  /** For an external broker: what the README says to do when a PC is deleted. */
  revokeAtBroker?(deviceId: string): void;
}

const topic = (deviceId: string, kind: string) => `kidtime/agent/${deviceId}/${kind}`;

const hello = (hostname: string, users: string[]) => ({
  at: new Date().toISOString(),
  users: [],
  errors: [],
  hello: { agentVersion: 'test', hostname, timekprVersion: null, timezone: 'UTC', users },
});

export function describeBrokerRules(context: () => BrokerRulesContext): void {
  describe('broker rules for agents', () => {
    let ctx: BrokerRulesContext;
    let a: Credential;
    let b: Credential;
    let agentB: MqttProbe;
    let spy: MqttProbe;
    const probes: MqttProbe[] = [];

    const login = async (credential: Credential, overrides: Record<string, string> = {}) => {
      const probe = await MqttProbe.connect(ctx.brokerUrl, {
        clientId: credential.deviceId,
        username: credential.deviceId,
        password: credential.secret,
        ...overrides,
      });
      probes.push(probe);
      return probe;
    };
    const device = async (id: string) => (await ctx.api.get<DeviceView>(`/api/devices/${id}`)).body;

    beforeAll(async () => {
      ctx = context();
      a = await ctx.enroll('pc-a');
      b = await ctx.enroll('pc-b');
      spy = await ctx.spy();
      probes.push(spy);
      expect(await spy.subscribe('kidtime/#')).toBe(1);
      // B behaves like an agent: subscribe to its commands, say online, say hello.
      agentB = await login(b, { will: undefined } as never);
      expect(await agentB.subscribe(topic(b.deviceId, 'cmd'))).toBe(1);
      await agentB.client.publishAsync(topic(b.deviceId, 'status'), 'online', { qos: 1, retain: true });
      await agentB.client.publishAsync(topic(b.deviceId, 'state'), JSON.stringify(hello('pc-b', ['kidb'])), {
        qos: 1,
      });
      await eventually('device B online over MQTT with its user', async () => {
        const users = (await ctx.api.get<Array<{ login: string }>>(`/api/devices/${b.deviceId}/users`)).body;
        const view = await device(b.deviceId);
        return view.online && view.transport === 'mqtt' && users.some((u) => u.login === 'kidb')
          ? true
          : undefined;
      });
    });

    afterAll(async () => {
      for (const probe of probes) await probe.close();
    });

    it('refuses a wrong password, another device’s client id, and no login at all', async () => {
      await expect(login(a, { password: `${a.secret}x` })).rejects.toThrow(
        /Bad username or password|Not authorized/,
      );
      await expect(login(a, { password: b.secret })).rejects.toThrow(
        /Bad username or password|Not authorized/,
      );
      if (ctx.embedded) {
        // mosquitto does not tie the client id to the username; the embedded broker does.
        await expect(login(a, { clientId: b.deviceId })).rejects.toThrow(/Not authorized/);
      }
      await expect(MqttProbe.connect(ctx.brokerUrl, { clientId: 'anonymous-kid' })).rejects.toThrow(
        /Not authorized|Bad username or password/,
      );
      await expect(
        MqttProbe.connect(ctx.brokerUrl, {
          clientId: 'kidtime-hub',
          username: 'kidtime-hub',
          password: 'guess',
        }),
      ).rejects.toThrow(/Bad username or password|Not authorized/);
      expect((await device(a.deviceId)).online).toBe(false);
    });

    it('lets an agent subscribe to nothing but its own commands, and shows it nothing of another device', async () => {
      const nosy = await login(a);
      const granted: Record<string, number> = {};
      for (const filter of [
        '#',
        'kidtime/#',
        'kidtime/agent/+/status',
        topic(b.deviceId, 'cmd'),
        topic(b.deviceId, 'status'),
        topic(b.deviceId, '#'),
        'kidtime/hub/status',
        'homeassistant/#',
      ]) {
        granted[filter] = await nosy.subscribe(filter);
      }
      if (ctx.embedded) expect(Object.values(granted).every((qos) => qos === 128)).toBe(true);
      expect(await nosy.subscribe(topic(a.deviceId, 'cmd'))).toBe(1);

      // A command for B goes through the broker while A listens everywhere: B gets it, A sees nothing.
      agentB.client.on('message', (t, payload) => {
        if (t !== topic(b.deviceId, 'cmd')) return;
        const { id } = JSON.parse(payload.toString()) as { id: string };
        void agentB.client.publishAsync(
          topic(b.deviceId, 'result'),
          JSON.stringify({ id, status: 'error', error: { code: 'user-not-found', message: 'no kidb here' } }),
          { qos: 1 },
        );
      });
      const response = await ctx.api.post(`/api/devices/${b.deviceId}/users/kidb/time`, {
        op: 'add',
        seconds: 60,
      });
      expect(response.status).toBe(404);
      expect(agentB.received.some((m) => m.topic === topic(b.deviceId, 'cmd'))).toBe(true);
      await agentB.client.publishAsync(topic(b.deviceId, 'state'), JSON.stringify(hello('pc-b', ['kidb'])), {
        qos: 1,
      });
      await sleep(500);
      expect(nosy.received).toEqual([]);
      // The retained status of B is there for whoever may read it.
      expect(
        spy.received.some((m) => m.topic === topic(b.deviceId, 'status') && m.payload === 'online'),
      ).toBe(true);
    });

    it('does not let an agent publish as another device, as the hub or for Home Assistant', async () => {
      const seenBefore = spy.received.length;
      const fakeResult = JSON.stringify({ id: randomUUID(), status: 'ok', data: { state: null } });
      const forgeries: Array<[string, string, boolean]> = [
        [topic(b.deviceId, 'state'), JSON.stringify(hello('hijacked', ['root'])), false],
        [topic(b.deviceId, 'status'), 'offline', true],
        [topic(b.deviceId, 'result'), fakeResult, false],
        [topic(b.deviceId, 'cmd'), '{}', false],
        [topic(a.deviceId, 'cmd'), '{}', false],
        ['kidtime/hub/status', 'offline', true],
        ['homeassistant/status', 'online', false],
        [`homeassistant/device/${b.deviceId}/config`, '{}', true],
      ];
      // A fresh connection for each: the embedded broker drops a client after a refused publish.
      for (const [forged, payload, retain] of forgeries) {
        const forger = await login(a);
        await forger.publish(forged, payload, retain);
        await forger.close();
      }
      await sleep(1_000);
      // The hub publishes for Home Assistant meanwhile (new PCs): only the forged topics matter here.
      const leaked = spy.received
        .slice(seenBefore)
        .filter((message) => forgeries.some(([forged]) => forged === message.topic));
      expect(leaked).toEqual([]);
      const view = await device(b.deviceId);
      expect(view).toMatchObject({ online: true, hostname: 'pc-b' });
    });

    it('survives malformed payloads on every topic it listens to, and logs them', async () => {
      const messy = await login(a);
      const garbage: Array<[string, string | Buffer]> = [
        ['status', 'maybe'],
        ['status', Buffer.from([0xff, 0x00, 0xfe])],
        ['state', 'not json'],
        ['state', '{}'],
        ['state', JSON.stringify({ at: 'yesterday', users: [{ login: '$(id)' }] })],
        ['state', '[1,2,3]'],
        ['state', 'x'.repeat(1_200_000)],
        ['usage', 'null'],
        ['usage', JSON.stringify({ records: [{}] })],
        ['usage', JSON.stringify({ records: [] })],
        ['result', JSON.stringify({ id: 'nope', status: 'ok' })],
        ['result', JSON.stringify({ id: randomUUID(), status: 'ok', data: { state: null } })],
        ['result', '"\\u0000"'],
      ];
      for (const [kind, payload] of garbage) await messy.publish(topic(a.deviceId, kind), payload);
      await eventually('the hub to log the bad messages', async () =>
        /sent a state message that is not JSON/.test(ctx.hub.log) &&
        /sent an invalid usage/.test(ctx.hub.log) &&
        /sent an invalid status/.test(ctx.hub.log) &&
        /too large/.test(ctx.hub.log)
          ? true
          : undefined,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nhub log:\n${ctx.hub.log.slice(-4000)}`);
      });
      expect(ctx.hub.process.running).toBe(true);
      expect((await ctx.api.get('/api/health')).status).toBe(200);
      // A is still just a device that said nothing valid about itself.
      expect((await device(a.deviceId)).hostname).toBe('pc-a');
    });

    it('refuses a revoked device (the embedded broker also drops its connection)', async () => {
      expect((await ctx.api.request('DELETE', `/api/devices/${b.deviceId}`)).status).toBe(204);
      ctx.revokeAtBroker?.(b.deviceId);
      if (ctx.embedded) {
        await eventually('the revoked device to be disconnected', async () =>
          agentB.closed ? true : undefined,
        );
      } else {
        // An external broker keeps the connection; the hub ignores it and clears its retained status.
        await agentB.client.publishAsync(
          topic(b.deviceId, 'state'),
          JSON.stringify(hello('still-here', ['kidb'])),
          {
            qos: 1,
          },
        );
        await eventually('the hub to ignore the revoked device', async () =>
          /is unknown or revoked; its MQTT messages are ignored/.test(ctx.hub.log) ? true : undefined,
        );
      }
      await eventually('the retained online of the revoked device to be cleared', async () =>
        spy.received.some((m) => m.topic === topic(b.deviceId, 'status') && m.payload === '')
          ? true
          : undefined,
      );
      await expect(login(b)).rejects.toThrow(/Bad username or password|Not authorized/);
      expect((await ctx.api.get('/api/devices')).body).not.toContainEqual(
        expect.objectContaining({ id: b.deviceId }),
      );
    });
  });
}
