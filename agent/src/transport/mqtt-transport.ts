import {
  AGENT_COMMAND_TOPIC,
  STATUS_OFFLINE,
  STATUS_ONLINE,
  agentTopic,
  type Ack,
  type AgentPublishTopic,
} from '@kidtime/protocol';
import { connect, type MqttClient } from 'mqtt';
import { Backoff } from '../backoff';
import type { Logger } from '../logger';
import type { AgentTransport, OutboundEvent, OutboundMessage, TransportEvents } from './transport';

const SEND_TIMEOUT_MS = 10_000;
/** A connection up this long counts as healthy again. */
const STABLE_AFTER_MS = 60_000;

export interface MqttTransportOptions {
  brokerUrl: string;
  baseTopic: string;
  deviceId: string;
  secret: string;
  backoff?: Backoff;
}

/** Where each outbound message goes; `hello` rides on the state topic (see protocol/src/mqtt.ts). */
const TOPIC_OF: Record<OutboundEvent, AgentPublishTopic> = {
  hello: 'state',
  state: 'state',
  usage: 'usage',
  result: 'result',
};

/**
 * MQTT 3.1.1 to the hub's broker (embedded aedes or a mosquitto), logged in as this device: clientId =
 * username = device id, password = the device secret. On every (re)connect it subscribes to its command topic
 * first, then says `online` (retained); its Last Will says `offline`. A message counts as delivered when the
 * broker acknowledges it (QoS 1). mqtt.js's own reconnection is off: our backoff (exponential, jittered,
 * capped at 5 min) decides when to try again, the same way for every transport.
 */
export class MqttTransport implements AgentTransport {
  readonly kind = 'mqtt';
  private client: MqttClient | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private ready = false;
  private readonly backoff: Backoff;

  constructor(
    private readonly options: MqttTransportOptions,
    private readonly logger: Logger,
  ) {
    this.backoff = options.backoff ?? new Backoff();
  }

  get connected(): boolean {
    return this.ready && (this.client?.connected ?? false);
  }

  private topic(kind: AgentPublishTopic | typeof AGENT_COMMAND_TOPIC): string {
    return agentTopic(this.options.baseTopic, this.options.deviceId, kind);
  }

  start(events: TransportEvents): void {
    const { brokerUrl, deviceId, secret } = this.options;
    const client = connect(brokerUrl, {
      protocolVersion: 4,
      clientId: deviceId,
      username: deviceId,
      password: secret,
      clean: true, // the hub keeps what waits for this PC and sends it again after `online`
      keepalive: 30,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      resubscribe: false,
      will: { topic: this.topic('status'), payload: Buffer.from(STATUS_OFFLINE), qos: 1, retain: true },
    });
    this.client = client;

    client.on('connect', () => {
      void this.announce(client).then(
        () => {
          // Only a connection that lasts resets the backoff: two PCs fighting over one credential (a cloned
          // disk) must not turn into a reconnect loop.
          this.stableTimer = setTimeout(() => this.backoff.reset(), STABLE_AFTER_MS);
          this.ready = true;
          this.logger.info(`Connected to the MQTT broker at ${brokerUrl}`);
          events.connected();
        },
        (error: unknown) => {
          this.logger.warn(`Cannot set up on the MQTT broker at ${brokerUrl}: ${(error as Error).message}`);
          client.end(true);
        },
      );
    });
    client.on('message', (topic, payload) => {
      if (topic !== this.topic(AGENT_COMMAND_TOPIC)) return;
      let message: unknown;
      try {
        message = JSON.parse(payload.toString('utf8'));
      } catch {
        this.logger.warn(`Ignored a command that is not JSON (${payload.length} bytes)`);
        return;
      }
      events.command(message).catch((error: unknown) => {
        this.logger.error(`Handling a command failed: ${String(error)}`);
      });
    });
    client.on('error', (error) => {
      this.logger.warn(`MQTT broker at ${brokerUrl}: ${error.message}`);
    });
    client.on('close', () => {
      if (this.stableTimer) clearTimeout(this.stableTimer);
      if (this.ready) {
        this.ready = false;
        this.logger.warn(`Lost the connection to the MQTT broker at ${brokerUrl}`);
        events.disconnected('connection closed');
      }
      this.scheduleReconnect();
    });
  }

  /** Subscribe first, then say `online`: the hub sends what waited for this PC as soon as it reads it. */
  private async announce(client: MqttClient): Promise<void> {
    const granted = await client.subscribeAsync(this.topic(AGENT_COMMAND_TOPIC), { qos: 1 });
    if (granted.some((g) => g.qos === 128))
      throw new Error(
        `the broker refused the subscription to ${this.topic(AGENT_COMMAND_TOPIC)} (check its ACL)`,
      );
    await client.publishAsync(this.topic('status'), STATUS_ONLINE, { qos: 1, retain: true });
  }

  async send<E extends OutboundEvent>(event: E, message: OutboundMessage<E>): Promise<Ack> {
    const client = this.client;
    if (!client || !this.connected) return { ok: false, error: 'not connected' };
    const payload =
      event === 'hello' ? { at: new Date().toISOString(), users: [], errors: [], hello: message } : message;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.publishAsync(this.topic(TOPIC_OF[event]), JSON.stringify(payload), { qos: 1 }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), SEND_TIMEOUT_MS);
        }),
      ]);
      return { ok: true };
    } catch (error) {
      // Lost with the connection: the caller keeps it and sends it again after the next connect.
      if (!this.connected) return { ok: false, error: 'not connected' };
      return {
        ok: false,
        error:
          (error as Error).message === 'timeout'
            ? `no acknowledgement from the broker within ${SEND_TIMEOUT_MS / 1000} s`
            : (error as Error).message,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    const client = this.client;
    if (!client) return;
    client.removeAllListeners('close');
    if (client.connected) {
      // A clean stop says so itself (a disconnect without the Will, which only a crash or a lost network sends).
      await client
        .publishAsync(this.topic('status'), STATUS_OFFLINE, { qos: 1, retain: true })
        .catch(() => undefined);
    }
    await client.endAsync().catch(() => undefined);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.backoff.next();
    this.logger.info(`Reconnecting in ${Math.round(delay / 1000)} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped && !this.client?.connected) this.client?.reconnect();
    }, delay);
  }
}
