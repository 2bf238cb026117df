import { connect, type IClientOptions, type MqttClient } from 'mqtt';

export interface MqttClientOptions {
  url: string;
  clientId: string;
  username: string;
  password: string;
  /** A persistent session: the broker keeps what arrives for the hub while it is away (external brokers). */
  persistentSession: boolean;
  will: { topic: string; payload: string };
  /** Published (retained) after every connect, the counterpart of the Will. */
  birth: { topic: string; payload: string };
  /** Subscribed after every connect. */
  subscriptions: Subscription[];
  /** `retained`: the broker kept it from before (not sent just now). */
  onMessage(topic: string, payload: Buffer, retained: boolean): void;
  onConnect(): void;
  /** The connection closed (also after each failed reconnect attempt). */
  onClose(): void;
  log(message: string): void;
}

export interface Subscription {
  filter: string;
  /**
   * 1: what arrives while the hub is away waits for it in its session (external brokers). 0: it does not
   * (Home Assistant's presses: an action should not happen minutes late).
   */
  qos: 0 | 1;
}

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
  /** How long to wait for the broker's PUBACK (QoS 1). */
  timeoutMs?: number;
}

/**
 * The hub's one connection to its MQTT broker (embedded or external): the only place in the hub that touches
 * the `mqtt` package. MQTT 3.1.1, which aedes and mosquitto both speak. mqtt.js reconnects by itself, and the
 * subscriptions and the retained birth message are renewed after every connect.
 */
export class MqttClientAdapter {
  private client: MqttClient | null = null;

  constructor(private readonly options: MqttClientOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects; resolves on the first CONNACK, rejects if the broker refuses or cannot be reached in time. */
  start(connectTimeoutMs = 10_000): Promise<void> {
    const o = this.options;
    const clientOptions: IClientOptions = {
      protocolVersion: 4,
      clientId: o.clientId,
      username: o.username,
      password: o.password,
      clean: !o.persistentSession,
      keepalive: 30,
      reconnectPeriod: 2_000,
      connectTimeout: connectTimeoutMs,
      resubscribe: false, // done on every connect below, with the broker's answer checked
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
    };
    const client = connect(o.url, clientOptions);
    this.client = client;
    client.on('message', (topic, payload, packet) => o.onMessage(topic, payload, packet.retain));
    client.on('error', (error) => o.log(`MQTT: ${error.message}`));
    client.on('close', () => o.onClose());
    client.on('offline', () => o.log(`MQTT: lost the broker at ${redact(o.url)}; reconnecting`));
    return new Promise((resolve, reject) => {
      let first = true;
      const timer = setTimeout(() => {
        if (first) reject(new Error(`cannot reach the MQTT broker at ${redact(o.url)}`));
      }, connectTimeoutMs + 1_000);
      client.on('connect', () => {
        void this.afterConnect().then(
          () => {
            o.onConnect();
            if (first) {
              first = false;
              clearTimeout(timer);
              resolve();
            }
          },
          (error: unknown) => {
            o.log(`MQTT: setting up after connecting failed: ${String(error)}`);
            if (first) {
              first = false;
              clearTimeout(timer);
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          },
        );
      });
      client.once('error', (error) => {
        // A refused login will not get better by retrying: say so at start-up.
        if (first && /Not authorized|Bad username or password|Connection refused/i.test(error.message)) {
          first = false;
          clearTimeout(timer);
          client.end(true);
          reject(new Error(`the MQTT broker at ${redact(o.url)} refused the hub: ${error.message}`));
        }
      });
    });
  }

  private async afterConnect(): Promise<void> {
    const client = this.client!;
    const granted = await client.subscribeAsync(
      Object.fromEntries(this.options.subscriptions.map((s) => [s.filter, { qos: s.qos }])),
    );
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0)
      throw new Error(`the broker refused the hub's subscriptions ${refused.join(', ')} (check its ACL)`);
    await client.publishAsync(this.options.birth.topic, this.options.birth.payload, { qos: 1, retain: true });
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error('not connected to the MQTT broker');
    const qos = options.qos ?? 1;
    const sent = client.publishAsync(topic, payload, { qos, retain: options.retain ?? false });
    if (qos === 0) {
      await sent;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no PUBACK within ${(options.timeoutMs ?? 5_000) / 1000} s`)),
        options.timeoutMs ?? 5_000,
      );
    });
    try {
      await Promise.race([sent, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Says goodbye properly: the retained status becomes the Will's payload, then the connection closes. */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    if (client.connected) {
      await client
        .publishAsync(this.options.will.topic, this.options.will.payload, { qos: 1, retain: true })
        .catch(() => undefined);
    }
    await client.endAsync();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
