/** The embedded broker dropping the clients of one login (a replaced or removed one), with real MQTT clients on loopback. */
import { connect, type MqttClient } from 'mqtt';
import type { BrokerPrincipal } from './broker-access';
import { EmbeddedBroker, type BrokerLogin } from './embedded-broker';

const DEVICE = '0b6c3a52-52a4-4c4e-9a4b-2f7f3f7f0a01';
const isHa = (principal: BrokerPrincipal) => principal.kind === 'home-assistant';

describe('EmbeddedBroker.disconnectWhere', () => {
  let broker: EmbeddedBroker;
  let url: string;
  /** Runs right after a login is accepted, before the broker has finished connecting the client. */
  let afterLogin: ((login: BrokerLogin) => void) | null = null;
  const clients: MqttClient[] = [];

  const principalOf = (login: BrokerLogin): BrokerPrincipal =>
    login.username === 'homeassistant'
      ? { kind: 'home-assistant', username: 'homeassistant' }
      : { kind: 'agent', deviceId: DEVICE };

  const client = (username: string, clientId: string) =>
    new Promise<MqttClient>((resolve, reject) => {
      const c = connect(url, { protocolVersion: 4, reconnectPeriod: 0, username, password: 'x', clientId });
      clients.push(c);
      c.once('connect', () => resolve(c));
      c.once('error', reject);
    });

  const closed = (c: MqttClient) =>
    new Promise<void>((resolve, reject) => {
      if (!c.connected) return resolve();
      const timer = setTimeout(() => reject(new Error(`${c.options.clientId} is still connected`)), 2_000);
      c.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  beforeEach(async () => {
    afterLogin = null;
    broker = new EmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      topics: { base: 'kidtime', discoveryPrefix: 'homeassistant' },
      authenticate: (login) => {
        const accepted = Promise.resolve(principalOf(login));
        // Queued behind the broker's own handling of the answer: it has the principal, but aedes has not yet
        // registered the client nor sent its CONNACK.
        void accepted.then(() => queueMicrotask(() => afterLogin?.(login)));
        return accepted;
      },
      refused: () => undefined,
      log: () => undefined,
    });
    url = `mqtt://127.0.0.1:${await broker.listen()}`;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
    await broker.close();
  });

  it('closes the matching clients only, and says how many', async () => {
    const ha1 = await client('homeassistant', 'ha-1');
    const ha2 = await client('homeassistant', 'ha-2');
    const agent = await client(DEVICE, DEVICE);
    const bothClosed = Promise.all([closed(ha1), closed(ha2)]);
    expect(broker.disconnectWhere(isHa)).toBe(2);
    await bothClosed;
    expect(agent.connected).toBe(true);
    expect(broker.disconnectWhere(isHa)).toBe(0);
    expect(await agent.subscribeAsync(`kidtime/agent/${DEVICE}/cmd`, { qos: 1 })).toEqual([
      expect.objectContaining({ qos: 1 }),
    ]);
  });

  it('closes a client dropped between its login and its CONNACK as soon as it is connected', async () => {
    let dropped = -1;
    afterLogin = (login) => {
      if (login.clientId === 'ha-late') dropped = broker.disconnectWhere(isHa);
    };
    const late = await client('homeassistant', 'ha-late').catch(() => null);
    expect(dropped).toBe(1);
    if (late) await closed(late);
    // And a client logging in afterwards is not affected.
    afterLogin = null;
    const next = await client('homeassistant', 'ha-next');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(next.connected).toBe(true);
  });
});
