import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  AGENT_PUBLISH_TOPICS,
  STATUS_OFFLINE,
  STATUS_ONLINE,
  allAgentsTopic,
  hubStatusTopic,
} from '@kidtime/protocol';
import { isIP } from 'node:net';
import type { HubConfig, MqttConfig } from '../config/hub-config';
import { HUB_CONFIG, HUB_SECRETS, type HubSecrets } from '../config/tokens';
import { LiveEvents } from '../live/live-events';
import { HUB_MQTT_USERNAME, type BrokerPrincipal } from './broker-access';
import { EmbeddedBroker } from './embedded-broker';
import { MqttAgentsBridge } from './mqtt-agents.bridge';
import { MqttClientAdapter, type PublishOptions } from './mqtt-client.adapter';
import { MqttLoginsService } from './mqtt-logins.service';
import { ThrottledWarnings } from './throttled-warnings';

/**
 * MQTT in the hub: starts the embedded broker (unless an external one is configured), connects the hub to
 * the broker as a client, and feeds agents' messages to the bridge. Other features (Home Assistant) publish
 * and subscribe through the same connection with publish() and addSubscription().
 */
@Injectable()
export class MqttService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MqttService.name);
  private readonly brokerLogger = new Logger(EmbeddedBroker.name);
  private readonly refusals = new ThrottledWarnings((message) => this.brokerLogger.warn(message));
  private readonly clientWarnings = new ThrottledWarnings((message) => this.logger.warn(message));
  private readonly config: MqttConfig | null;
  private broker: EmbeddedBroker | null = null;
  private client: MqttClientAdapter | null = null;
  private brokerPort: number | null = null;
  private readonly extraSubscriptions: Array<{ filter: string; qos: 0 | 1; handler: MessageHandler }> = [];
  private readonly connectListeners: Array<() => void> = [];
  private unsubscribeLive: (() => void) | null = null;

  constructor(
    @Inject(HUB_CONFIG) hubConfig: HubConfig,
    @Inject(HUB_SECRETS) private readonly secrets: HubSecrets,
    private readonly logins: MqttLoginsService,
    private readonly agents: MqttAgentsBridge,
    private readonly live: LiveEvents,
  ) {
    this.config = hubConfig.mqtt;
  }

  /** Why MQTT is off although configured (the embedded broker's port was taken), for logs and enrolment. */
  private unavailable: string | null = null;

  get enabled(): boolean {
    return this.config !== null && this.unavailable === null;
  }

  /** Why MQTT is off although configured, e.g. "port 1883 is in use by another program"; null otherwise. */
  get unavailableReason(): string | null {
    return this.unavailable;
  }

  /** Drops the embedded broker's clients whose login matches (a replaced or removed login); 0 without one. */
  dropBrokerClients(match: (principal: BrokerPrincipal) => boolean): number {
    return this.broker?.disconnectWhere(match) ?? 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    const config = this.config;
    if (!config) {
      this.logger.log(
        'MQTT is switched off (MQTT_EMBEDDED=false and no MQTT_URL): agents use socket.io only',
      );
      return;
    }
    let url = config.url;
    if (config.embedded) {
      this.broker = new EmbeddedBroker({
        ...config.embedded,
        topics: { base: config.baseTopic, discoveryPrefix: config.discoveryPrefix },
        authenticate: (login) => this.logins.authenticate(login),
        refused: (who, what, key) => this.refusals.say(key, `MQTT: refused ${who} to ${what}`),
        log: (message) => this.brokerLogger.warn(message),
      });
      try {
        this.brokerPort = await this.broker.listen();
      } catch (error) {
        // Often another broker (Mosquitto, Home Assistant's) already holds 1883 on this machine. The web app
        // and socket.io agents keep working; the log says how to fix MQTT.
        const code = (error as NodeJS.ErrnoException).code;
        await this.broker.close();
        this.broker = null;
        this.unavailable =
          code === 'EADDRINUSE'
            ? `port ${config.embedded.port} is in use by another program (another MQTT broker?)`
            : `the embedded broker cannot listen on ${config.embedded.host}:${config.embedded.port}: ${String(error)}`;
        this.logger.error(
          `MQTT is OFF: ${this.unavailable}. Agents over MQTT cannot connect; socket.io agents and the web app work. ` +
            'Fix: set MQTT_PORT to a free port, or MQTT_URL=mqtt://HOST:1883 (+ MQTT_USERNAME/MQTT_PASSWORD) to use ' +
            'that broker, or MQTT_EMBEDDED=false; then restart the hub.',
        );
        return;
      }
      this.logger.log(
        `MQTT broker listening on mqtt://${hostForUrl(config.embedded.host)}:${this.brokerPort} (MQTT 3.1.1)`,
      );
      url = `mqtt://${hostForUrl(connectHost(config.embedded.host))}:${this.brokerPort}`;
    }
    const base = config.baseTopic;
    this.client = new MqttClientAdapter({
      url: url!,
      clientId: this.logins.hubClientId,
      username: config.embedded ? HUB_MQTT_USERNAME : (config.username ?? HUB_MQTT_USERNAME),
      password: config.embedded ? this.secrets.mqttHubPassword : (config.password ?? ''),
      persistentSession: !config.embedded,
      will: { topic: hubStatusTopic(base), payload: STATUS_OFFLINE },
      birth: { topic: hubStatusTopic(base), payload: STATUS_ONLINE },
      subscriptions: [
        ...AGENT_PUBLISH_TOPICS.map((topic) => ({ filter: allAgentsTopic(base, topic), qos: 1 as const })),
        ...this.extraSubscriptions.map(({ filter, qos }) => ({ filter, qos })),
      ],
      onMessage: (topic, payload, retained) => this.route(topic, payload, retained),
      onConnect: () => {
        this.logger.log(`Connected to the MQTT broker as ${this.logins.hubClientId}`);
        for (const listener of this.connectListeners) listener();
      },
      onClose: () => this.agents.brokerLost('the hub lost its MQTT broker'),
      log: (message) => this.clientWarnings.say(message.slice(0, 60), message),
    });
    this.agents.start(
      { publish: (topic, payload, options) => this.publish(topic, payload, options) },
      base,
      (deviceId) => this.broker?.disconnect(deviceId),
    );
    // A revoked device is dropped at once, even if the hub had not yet seen it online.
    this.unsubscribeLive = this.live.subscribe((event) => {
      if (event.event === 'device' && event.payload.revoked) {
        this.broker?.disconnect(event.payload.device.id);
        void this.agents.forget(event.payload.device.id);
      }
    });
    await this.client.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribeLive?.();
    await this.client?.stop().catch(() => undefined);
    await this.broker?.close();
  }

  /**
   * For other features (Home Assistant): topics to receive, subscribed again after every reconnect. QoS 0
   * for what must not wait at the broker while the hub is away (see Subscription).
   */
  addSubscription(filter: string, handler: MessageHandler, qos: 0 | 1 = 1): void {
    if (this.client) throw new Error('MQTT subscriptions must be added before the hub connects');
    this.extraSubscriptions.push({ filter, qos, handler });
  }

  /** Called after every (re)connect to the broker, once the subscriptions are in place. */
  onConnected(listener: () => void): void {
    this.connectListeners.push(listener);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  publish(topic: string, payload: string, options: PublishOptions = {}): Promise<void> {
    if (!this.client) return Promise.reject(new Error('MQTT is switched off'));
    return this.client.publish(topic, payload, options);
  }

  /**
   * The broker address an agent enrolling through `hubUrl` is told: MQTT_PUBLIC_URL if set; otherwise the
   * embedded broker at the hub's host name, or the external broker (at the hub's host name when the hub
   * reaches it on loopback). null when MQTT is off.
   */
  agentBroker(hubUrl: string): { url: string; baseTopic: string } | null {
    const config = this.config;
    if (!config || this.unavailable) return null;
    return { url: this.agentBrokerUrl(config, new URL(hubUrl).hostname), baseTopic: config.baseTopic };
  }

  private agentBrokerUrl(config: MqttConfig, hubHost: string): string {
    if (config.publicUrl) return config.publicUrl;
    if (config.embedded) return `mqtt://${hubHost}:${this.brokerPort ?? config.embedded.port}`;
    const external = new URL(config.url!);
    const host = isLoopback(external.hostname) ? hubHost : external.hostname;
    return `${external.protocol}//${host}:${external.port || (external.protocol === 'mqtts:' ? 8883 : 1883)}`;
  }

  private route(topic: string, payload: Buffer, retained: boolean): void {
    const extra = this.extraSubscriptions.find((s) => matches(s.filter, topic));
    if (extra) {
      try {
        extra.handler(topic, payload, retained);
      } catch (error) {
        this.logger.error(`Handling MQTT ${topic} failed: ${String(error)}`);
      }
      return;
    }
    this.agents.receive(topic, payload);
  }
}

/** `retained`: the broker kept the message from before rather than passing it on just now. */
export type MessageHandler = (topic: string, payload: Buffer, retained: boolean) => void;

/** Where the hub reaches a broker bound to `host`. */
function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname.startsWith('127.') || hostname === '[::1]' || hostname === '::1'
  );
}

/** MQTT topic filter matching (`+` one level, `#` the rest). */
export function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
