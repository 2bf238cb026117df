import { createBroker, type AuthenticateError, type Client } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import {
  mayPublish,
  mayReceive,
  maySubscribe,
  describePrincipal,
  type BrokerPrincipal,
} from './broker-access';
import type { HaTopics } from '../home-assistant/ha-topics';

/** Why a login was refused, as MQTT 3.1.1 CONNACK return codes say it. */
export type LoginRefusal = 'bad-credentials' | 'not-authorized' | 'unavailable';

export interface BrokerLogin {
  clientId: string;
  username: string | undefined;
  password: string | undefined;
  from: string;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** The hub's base topic and Home Assistant's discovery prefix, which the access rules need. */
  topics: HaTopics;
  /** Decides who a login is; a refusal with its reason otherwise. */
  authenticate(login: BrokerLogin): Promise<BrokerPrincipal | LoginRefusal>;
  /** Told about every refused login, publish and subscription (the caller throttles its log). */
  refused(principal: string, what: string, key: string): void;
  log(message: string): void;
}

const RETURN_CODE: Record<LoginRefusal, AuthenticateError['returnCode']> = {
  'bad-credentials': 4,
  'not-authorized': 5,
  unavailable: 3,
};

/**
 * The MQTT broker inside the hub (aedes 0.51, CommonJS, MQTT 3.1.1). The only place that touches aedes or
 * listens for MQTT. Every client logs in; the authorize hooks (publish, subscribe, and each delivery, retained
 * messages included) apply broker-access.ts to whoever the client turned out to be.
 */
export class EmbeddedBroker {
  private readonly principals = new WeakMap<Client, BrokerPrincipal>();
  /** Every client that logged in, until its connection closes (those aedes has not registered yet too). */
  private readonly loggedIn = new Set<Client>();
  /** Dropped by disconnectWhere() between their login and their registration: closed once they are ready. */
  private readonly dropWhenReady = new WeakSet<Client>();
  private readonly aedes = createBroker({
    // Time to send CONNECT after the TCP connection opens: a stray connection does not linger.
    connectTimeout: 10_000,
    authenticate: (client, username, password, done) => {
      const from = remoteAddress(client);
      this.options
        .authenticate({ clientId: client.id, username, password: password?.toString('utf8'), from })
        .then(
          (result) => {
            if (typeof result === 'string') {
              done(Object.assign(new Error(result), { returnCode: RETURN_CODE[result] }), false);
              return;
            }
            this.principals.set(client, result);
            if (!client.closed) {
              this.loggedIn.add(client);
              client.conn.once('close', () => this.loggedIn.delete(client));
            }
            done(null, true);
          },
          (error: unknown) => {
            this.options.log(`Checking the MQTT login of ${client.id} failed: ${String(error)}`);
            done(Object.assign(new Error('unavailable'), { returnCode: RETURN_CODE.unavailable }), false);
          },
        );
    },
    authorizePublish: (client, packet, done) => {
      // A null client is a Will aedes publishes for a client already gone: it was checked when it was set.
      const principal = client ? this.principals.get(client) : undefined;
      if (
        client &&
        (!principal || !mayPublish(principal, this.options.topics, packet.topic, packet.retain))
      ) {
        const who = principal ? describePrincipal(principal) : `client ${client.id}`;
        this.options.refused(who, `publish to "${clip(packet.topic)}"`, `${client.id} publish`);
        done(new Error('not authorized to publish there'));
        return;
      }
      done(null);
    },
    authorizeSubscribe: (client, subscription, done) => {
      const principal = this.principals.get(client);
      if (!principal || !maySubscribe(principal, this.options.topics, subscription.topic)) {
        const who = principal ? describePrincipal(principal) : `client ${client.id}`;
        this.options.refused(who, `subscribe to "${clip(subscription.topic)}"`, `${client.id} subscribe`);
        done(null, null); // SUBACK 0x80 (failure) for this filter; the connection stays
        return;
      }
      done(null, subscription);
    },
    authorizeForward: (client, packet) => {
      const principal = this.principals.get(client);
      return principal && mayReceive(principal, this.options.topics, packet.topic) ? packet : null;
    },
  });
  private readonly server: Server = createServer(this.aedes.handle);

  constructor(private readonly options: EmbeddedBrokerOptions) {
    this.aedes.on('clientError', (client, error) => {
      this.options.log(`MQTT client ${client.id} dropped: ${error.message}`);
    });
    this.aedes.on('clientReady', (client) => {
      if (this.dropWhenReady.has(client)) client.close();
    });
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Closes a client's connection (its Will is published): a revoked device is dropped at once. */
  disconnect(clientId: string): boolean {
    // aedes keeps its connected clients by id; it has no public lookup.
    const client = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[
      clientId
    ];
    if (!client) return false;
    client.close();
    return true;
  }

  /**
   * Closes every client whose login matches (a replaced or removed login): it loses its rights at once, and a
   * client still between its login and its CONNACK is closed as soon as it gets there. Returns how many.
   */
  disconnectWhere(match: (principal: BrokerPrincipal) => boolean): number {
    let dropped = 0;
    for (const client of this.loggedIn) {
      const principal = this.principals.get(client);
      if (!principal || !match(principal)) continue;
      // Without a principal every authorize hook refuses it, whatever it still sends before it is gone.
      this.principals.delete(client);
      this.loggedIn.delete(client);
      if (client.connected) client.close();
      else this.dropWhenReady.add(client);
      dropped++;
    }
    return dropped;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function remoteAddress(client: Client): string {
  const conn = client.conn as { remoteAddress?: string };
  return conn.remoteAddress ?? 'an unknown address';
}

/** A topic from the network, cut short and without control characters, for the log. */
function clip(topic: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = topic.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > 120 ? `${printable.slice(0, 120)}…` : printable;
}
