import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  BadRequestException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { ChildView, DeviceView, LiveEvent } from '@kidtime/protocol';
import type { AuditActor } from '../audit/audit.service';
import { ChildrenService } from '../children/children.service';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG, HUB_SECRETS, type HubSecrets } from '../config/tokens';
import { DevicesService } from '../devices/devices.service';
import { LiveEvents } from '../live/live-events';
import { MqttService } from '../mqtt/mqtt.service';
import { ThrottledWarnings } from '../mqtt/throttled-warnings';
import { printable } from '../common/printable';
import { HUB_VERSION } from '../version';
import { describeHaCommand, parseHaCommand } from './ha-commands';
import {
  childDiscovery,
  hubDiscovery,
  nodeIdOf,
  nodePrefix,
  pcDiscovery,
  type DiscoveryContext,
} from './ha-discovery';
import { childState, pcState } from './ha-states';
import {
  allChildCommandTopics,
  allDiscoveryTopics,
  childStateTopic,
  discoveryTopic,
  haStatusTopic,
  parseChildCommandTopic,
  pcStateTopic,
  type HaChildAction,
} from './ha-topics';

/** Who Home Assistant's actions are recorded as. */
const HOME_ASSISTANT_ACTOR: AuditActor = {
  type: 'home-assistant',
  id: null,
  name: 'Home Assistant',
  channel: 'home-assistant',
};

/** How long changes settle before the states go out: a burst of agent reports makes one publish. */
const SETTLE_MS = 300;
/** Everything is compared with what Home Assistant has at this interval (a new day makes readings stale). */
const RECHECK_MS = 60_000;
/** Home Assistant asks for everything again when it starts: answer after a random pause in this range. */
const HA_ONLINE_DELAY_MS: [number, number] = [1_000, 4_000];
/** Presses waiting per child: an automation stuck in a loop cannot pile up more than this. */
const MAX_WAITING_PER_CHILD = 5;

/**
 * Home Assistant over MQTT: keeps the discovery configs and states Home Assistant reads equal to the hub's
 * children and PCs, and turns its presses into time changes through the children's normal command path
 * (validated, queued for an offline PC, audited with channel `home-assistant`).
 *
 * It works by reconciling: what Home Assistant should see is computed from the database, compared with what
 * was last published, and only differences go out (retained, QoS 1). After a (re)connect, or when Home
 * Assistant says it is online, everything goes out again. Configs of this installation the broker still keeps
 * but the hub no longer needs (a child removed while the hub was down) are cleared when the broker hands them over.
 */
@Injectable()
export class HomeAssistantBridge implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(HomeAssistantBridge.name);
  private readonly warnings = new ThrottledWarnings((message) => this.logger.warn(message));
  /** null when MQTT is off. */
  private readonly ctx: DiscoveryContext | null;
  /** HA_DISCOVERY: with it off, the hub only clears the configs it published before. */
  private readonly enabled: boolean;
  /** Retained topic → payload as last published. */
  private readonly sent = new Map<string, string>();
  /** Node ids the hub publishes now; null until the first reconcile. */
  private wanted: Set<string> | null = null;
  /** Configs of this installation found on the broker before the first reconcile knew what is wanted. */
  private readonly foundEarly = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private timerForced = false;
  private recheck: NodeJS.Timeout | null = null;
  private unsubscribeLive: (() => void) | null = null;
  private readonly waiting = new Map<string, number>();
  private readonly presses = new Map<string, Promise<void>>();

  constructor(
    @Inject(HUB_CONFIG) config: HubConfig,
    @Inject(HUB_SECRETS) secrets: HubSecrets,
    private readonly mqtt: MqttService,
    private readonly live: LiveEvents,
    private readonly children: ChildrenService,
    private readonly devices: DevicesService,
  ) {
    const mqttConfig = config.mqtt;
    this.enabled = mqttConfig?.homeAssistant === true;
    this.ctx = mqttConfig
      ? {
          topics: { base: mqttConfig.baseTopic, discoveryPrefix: mqttConfig.discoveryPrefix },
          installationId: secrets.installationId,
          hubVersion: HUB_VERSION,
          publicUrl: config.publicUrl,
        }
      : null;
  }

  onModuleInit(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const { topics } = ctx;
    this.mqtt.addSubscription(allDiscoveryTopics(topics), (topic, payload) => this.found(topic, payload));
    if (!this.enabled) {
      // Switched off: whatever this hub published before is cleared as the broker hands it over.
      this.wanted = new Set();
      return;
    }
    this.mqtt.addSubscription(haStatusTopic(topics), (_topic, payload) => this.homeAssistantStatus(payload));
    // QoS 0: a press made while the hub is away is not kept for it at the broker, to apply minutes late.
    this.mqtt.addSubscription(
      allChildCommandTopics(topics),
      (topic, payload, retained) => this.press(topic, payload, retained),
      0,
    );
    this.mqtt.onConnected(() => this.schedule(true, 0));
    this.unsubscribeLive = this.live.subscribe((event) => this.changed(event));
    this.recheck = setInterval(() => this.schedule(false), RECHECK_MS);
    this.recheck.unref();
  }

  onModuleDestroy(): void {
    this.unsubscribeLive?.();
    if (this.timer) clearTimeout(this.timer);
    if (this.recheck) clearInterval(this.recheck);
  }

  private changed(event: LiveEvent): void {
    if (event.event === 'command') return; // a command's state arrives as a 'state' event
    this.schedule(false);
  }

  private homeAssistantStatus(payload: Buffer): void {
    const status = payload.toString('utf8');
    if (status === 'online') {
      const [min, max] = HA_ONLINE_DELAY_MS;
      const delay = min + Math.random() * (max - min);
      this.logger.log(
        `Home Assistant is online: publishing discovery and states in ${(delay / 1000).toFixed(1)} s`,
      );
      this.schedule(true, delay);
    } else if (status === 'offline') {
      this.logger.log('Home Assistant went offline');
    } else {
      this.warnings.say(
        'ha status',
        `Ignored Home Assistant status ${JSON.stringify(printable(status.slice(0, 40)))} (expected online or offline)`,
      );
    }
  }

  /**
   * Publishes soon: `force` sends everything again, otherwise only what differs. Several calls before the
   * timer fires make one run (forced if any of them was).
   */
  private schedule(force: boolean, delayMs = SETTLE_MS): void {
    this.timerForced ||= force;
    if (this.timer) {
      if (delayMs >= SETTLE_MS) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      const forced = this.timerForced;
      this.timerForced = false;
      this.enqueue(() => this.reconcile(forced));
    }, delayMs);
    this.timer.unref();
  }

  private enqueue(job: () => Promise<void>): void {
    this.chain = this.chain.then(job).catch((error: unknown) => {
      this.logger.warn(`Updating Home Assistant failed: ${(error as Error).message}; trying again shortly`);
      this.schedule(true, 5_000);
    });
  }

  private async reconcile(force: boolean): Promise<void> {
    const ctx = this.ctx!;
    if (!this.mqtt.connected) return; // everything goes out again on the next connect
    const [children, devices] = await Promise.all([this.children.list(), this.devices.list()]);
    const desired = this.desired(ctx, children, devices);
    if (force) this.sent.clear();
    const wanted = new Set<string>();
    for (const [topic, payload] of desired) {
      const nodeId = nodeIdOf(ctx.topics, topic);
      if (nodeId) wanted.add(nodeId);
      if (this.sent.get(topic) === payload) continue;
      await this.mqtt.publish(topic, payload, { qos: 1, retain: true });
      this.sent.set(topic, payload);
    }
    for (const topic of [...this.sent.keys()]) {
      if (desired.has(topic)) continue;
      await this.mqtt.publish(topic, '', { qos: 1, retain: true });
      this.sent.delete(topic);
      const nodeId = nodeIdOf(ctx.topics, topic);
      if (nodeId) this.logger.log(`Removed ${nodeId} from Home Assistant`);
    }
    this.wanted = wanted;
    for (const nodeId of this.foundEarly) await this.clearIfStale(nodeId);
    this.foundEarly.clear();
  }

  /** Every retained topic Home Assistant should have, with its payload. */
  private desired(ctx: DiscoveryContext, children: ChildView[], devices: DeviceView[]): Map<string, string> {
    const now = new Date();
    const byId = new Map(devices.map((device) => [device.id, device]));
    const desired = new Map<string, string>();
    const hub = hubDiscovery(ctx);
    desired.set(hub.topic, JSON.stringify(hub.payload));
    for (const device of devices) {
      const config = pcDiscovery(ctx, device);
      desired.set(config.topic, JSON.stringify(config.payload));
      desired.set(pcStateTopic(ctx.topics, device.id), JSON.stringify(pcState(device)));
    }
    for (const child of children) {
      const config = childDiscovery(ctx, child);
      desired.set(config.topic, JSON.stringify(config.payload));
      desired.set(childStateTopic(ctx.topics, child.id), JSON.stringify(childState(child, byId, now)));
    }
    return desired;
  }

  /** A discovery config the broker holds: if it is this installation's and no longer needed, it goes. */
  private found(topic: string, payload: Buffer): void {
    const ctx = this.ctx!;
    const nodeId = nodeIdOf(ctx.topics, topic);
    if (!nodeId?.startsWith(nodePrefix(ctx)) || payload.length === 0) return;
    if (this.wanted === null) {
      this.foundEarly.add(nodeId);
      return;
    }
    if (!this.wanted.has(nodeId)) this.enqueue(() => this.clearIfStale(nodeId));
  }

  private async clearIfStale(nodeId: string): Promise<void> {
    const ctx = this.ctx!;
    if (!this.wanted || this.wanted.has(nodeId)) return;
    await this.mqtt.publish(discoveryTopic(ctx.topics, nodeId), '', { qos: 1, retain: true });
    const rest = nodeId.slice(nodePrefix(ctx).length);
    const [kind, id] = [rest.slice(0, rest.indexOf('_')), rest.slice(rest.indexOf('_') + 1)];
    if (kind === 'child')
      await this.mqtt.publish(childStateTopic(ctx.topics, id), '', { qos: 1, retain: true });
    if (kind === 'pc') await this.mqtt.publish(pcStateTopic(ctx.topics, id), '', { qos: 1, retain: true });
    this.logger.log(`Cleared ${nodeId} from Home Assistant: the hub no longer has it`);
  }

  /** A button pressed or the number set in Home Assistant. Never throws. */
  private press(topic: string, payload: Buffer, retained: boolean): void {
    const ctx = this.ctx!;
    if (retained) {
      // A retained command would apply again after every reconnect of the hub: never act on one.
      this.warnings.say(
        `retained ${topic}`,
        `Ignored a retained Home Assistant command on ${printable(topic)}; clear it at the broker (publish an empty retained message there)`,
      );
      return;
    }
    const parsed = parseChildCommandTopic(ctx.topics, topic);
    if (!parsed) {
      this.warnings.say(`topic ${topic}`, `Ignored a message on ${JSON.stringify(printable(topic))}`);
      return;
    }
    const change = parseHaCommand(parsed.action, payload);
    if (typeof change === 'string') {
      this.warnings.say(
        `bad ${parsed.action}`,
        `Home Assistant sent ${parsed.action} for child ${parsed.childId}: ${change}; nothing changed`,
      );
      return;
    }
    const { childId, action } = parsed;
    const count = this.waiting.get(childId) ?? 0;
    if (count >= MAX_WAITING_PER_CHILD) {
      this.warnings.say(
        `busy ${childId}`,
        `Home Assistant sent more than ${MAX_WAITING_PER_CHILD} changes for child ${childId} while earlier ones were still running; ignored "${describeHaCommand(change, action)}". Check the automation that presses it.`,
      );
      return;
    }
    this.waiting.set(childId, count + 1);
    const run = (this.presses.get(childId) ?? Promise.resolve())
      .then(() => this.apply(childId, action, change))
      .finally(() => {
        const left = (this.waiting.get(childId) ?? 1) - 1;
        if (left > 0) this.waiting.set(childId, left);
        else this.waiting.delete(childId);
        if (this.presses.get(childId) === run) this.presses.delete(childId);
      });
    this.presses.set(childId, run);
  }

  private async apply(
    childId: string,
    action: HaChildAction,
    change: { op: 'add' | 'subtract' | 'set'; seconds: number },
  ): Promise<void> {
    const what = describeHaCommand(change, action);
    try {
      const { results } = await this.children.adjustTime(HOME_ASSISTANT_ACTOR, childId, {
        ...change,
        queue: true,
      });
      for (const result of results) {
        if (result.error) {
          this.logger.warn(
            `Home Assistant's "${what}" for ${result.login} on device ${result.deviceId} failed: ${result.error}`,
          );
        } else if (result.status === 202) {
          this.logger.log(
            `Home Assistant's "${what}" for ${result.login} waits for its PC (${result.deviceId}) to come online`,
          );
        }
      }
    } catch (error) {
      if (error instanceof NotFoundException || error instanceof BadRequestException) {
        this.warnings.say(`child ${childId}`, `Home Assistant's "${what}" not applied: ${error.message}`);
        return;
      }
      this.logger.error(`Home Assistant's "${what}" for child ${childId} failed: ${String(error)}`);
    }
  }
}
