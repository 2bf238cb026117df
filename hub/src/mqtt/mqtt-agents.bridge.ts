import { Injectable, Logger } from '@nestjs/common';
import {
  STATUS_OFFLINE,
  STATUS_ONLINE,
  agentTopic,
  describeZodError,
  mqttStateMessageSchema,
  parseAgentTopic,
  resultMessageSchema,
  usageMessageSchema,
  type Ack,
  type AgentTopic,
  type CommandMessage,
} from '@kidtime/protocol';
import type { z } from 'zod';
import type { AgentLink } from '../devices/device-links';
import { AgentSessionsService } from '../agents/agent-sessions.service';
import { printable } from '../common/printable';
import type { DeviceEntity } from '../devices/device.entity';
import { DeviceRepository } from '../devices/device.repository';
import { ThrottledWarnings } from './throttled-warnings';

/** What the bridge needs of the hub's MQTT connection. */
export interface MqttPublisher {
  publish(
    topic: string,
    payload: string,
    options: { qos: 0 | 1; retain: boolean; timeoutMs?: number },
  ): Promise<void>;
}

/** How long the broker has to take a command (PUBACK), like socket.io's acknowledgement. */
const PUBACK_TIMEOUT_MS = 5_000;
/** Larger than any valid message (100 usage records of a full day): anything bigger is refused unread. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

class Refused extends Error {}

/**
 * Agents over MQTT, fed into the same AgentSessionsService as socket.io: a device is online while its retained
 * status says `online` (its Last Will says `offline`), commands go to its `cmd` topic with QoS 1, and its
 * state, usage and results are validated with the protocol schemas and handled exactly like socket.io's.
 * Messages of one device are handled in order; nothing a device publishes can throw past this class.
 */
@Injectable()
export class MqttAgentsBridge {
  private readonly logger = new Logger(MqttAgentsBridge.name);
  private readonly warnings = new ThrottledWarnings((message) => this.logger.warn(message));
  private readonly links = new Map<string, AgentLink>();
  private readonly queues = new Map<string, Promise<void>>();
  private publisher: MqttPublisher | null = null;
  private baseTopic = '';
  private kick: (deviceId: string) => void = () => undefined;

  constructor(
    private readonly sessions: AgentSessionsService,
    private readonly devices: DeviceRepository,
  ) {}

  /** Connects the bridge to the hub's MQTT connection; `kick` drops a device's connection at the broker, if it can. */
  start(publisher: MqttPublisher, baseTopic: string, kick: (deviceId: string) => void): void {
    this.publisher = publisher;
    this.baseTopic = baseTopic;
    this.kick = kick;
  }

  /** Every message on the topics the hub subscribes to. Never throws. */
  receive(topic: string, payload: Buffer): void {
    const parsed = parseAgentTopic(this.baseTopic, topic);
    if (!parsed || parsed.topic === 'cmd') {
      this.warnings.say(`topic ${topic}`, `MQTT: ignored a message on ${JSON.stringify(printable(topic))}`);
      return;
    }
    const { deviceId } = parsed;
    const previous = this.queues.get(deviceId) ?? Promise.resolve();
    const next = previous
      .then(() => this.handle(deviceId, parsed.topic, payload))
      .catch((error: unknown) => {
        if (error instanceof Refused) {
          // One line a minute per device and kind of problem (numbers aside).
          const kind = error.message.replace(/\d+/g, '#').slice(0, 40);
          this.warnings.say(`${deviceId} ${parsed.topic} ${kind}`, `Device ${deviceId}: ${error.message}`);
        } else {
          this.logger.error(
            `Handling ${parsed.topic} from device ${deviceId} failed: ${(error as Error).stack ?? String(error)}`,
          );
        }
      });
    this.queues.set(deviceId, next);
    void next.finally(() => {
      if (this.queues.get(deviceId) === next) this.queues.delete(deviceId);
    });
  }

  /** The hub lost its broker: no device can be reached over MQTT until it is back (and their statuses come again). */
  brokerLost(reason: string): void {
    for (const [deviceId, link] of [...this.links]) {
      this.links.delete(deviceId);
      void this.sessions.disconnected(deviceId, link, reason).catch((error: unknown) => {
        this.logger.error(`Recording the disconnect of device ${deviceId} failed: ${String(error)}`);
      });
    }
  }

  /** A revoked device: its retained status is cleared, so the broker does not keep saying it is online. */
  async forget(deviceId: string): Promise<void> {
    this.links.delete(deviceId);
    await this.publisher
      ?.publish(agentTopic(this.baseTopic, deviceId, 'status'), '', { qos: 1, retain: true })
      .catch(() => undefined);
  }

  private async handle(deviceId: string, topic: AgentTopic, payload: Buffer): Promise<void> {
    if (payload.length > MAX_PAYLOAD_BYTES)
      throw new Refused(`sent ${payload.length} bytes on ${topic}: too large`);
    switch (topic) {
      case 'status': {
        const status = payload.toString('utf8');
        if (status === STATUS_ONLINE) return this.online(deviceId);
        if (status === STATUS_OFFLINE || status === '')
          return this.offline(deviceId, status || 'status cleared');
        throw new Refused(`sent an invalid status ${JSON.stringify(printable(status.slice(0, 40)))}`);
      }
      case 'state': {
        const message = parse(topic, mqttStateMessageSchema, payload);
        await this.requireActive(deviceId);
        const { hello, ...state } = message;
        if (hello) await this.sessions.hello(deviceId, hello);
        await this.sessions.state(deviceId, state);
        return;
      }
      case 'usage': {
        const message = parse(topic, usageMessageSchema, payload);
        await this.requireActive(deviceId);
        const refused = await this.sessions.usageRecords(deviceId, message);
        if (refused) throw new Refused(`usage refused: ${refused}`);
        return;
      }
      case 'result': {
        const message = parse(topic, resultMessageSchema, payload);
        await this.requireActive(deviceId);
        const refused = await this.sessions.result(deviceId, message);
        if (refused) throw new Refused(`result refused: ${refused}`);
        return;
      }
      case 'cmd':
        return;
    }
  }

  /** The agent is subscribed to its commands and says so: it is online over MQTT (once), and gets what waited. */
  private async online(deviceId: string): Promise<void> {
    if (!this.links.has(deviceId)) {
      const device = await this.requireActive(deviceId);
      const link = this.linkFor(deviceId);
      this.links.set(deviceId, link);
      await this.sessions.connected(device ?? (await this.devices.findActive(deviceId))!, link);
    }
    this.sessions.ready(deviceId);
  }

  /**
   * A message from a device the hub does not know (or revoked) is ignored, and the device dropped where the
   * hub can. Online devices were checked when they said so; a revocation removes their link.
   */
  private async requireActive(deviceId: string): Promise<DeviceEntity | null> {
    if (this.links.has(deviceId)) return null;
    const device = await this.devices.findActive(deviceId);
    if (!device) {
      this.kick(deviceId);
      throw new Refused('is unknown or revoked; its MQTT messages are ignored');
    }
    return device;
  }

  private async offline(deviceId: string, reason: string): Promise<void> {
    const link = this.links.get(deviceId);
    if (!link) return;
    this.links.delete(deviceId);
    await this.sessions.disconnected(deviceId, link, `MQTT ${reason}`);
  }

  private linkFor(deviceId: string): AgentLink {
    const link: AgentLink = {
      transport: 'mqtt',
      sendCommand: async (command: CommandMessage): Promise<Ack> => {
        if (!this.publisher) throw new Error('MQTT is not connected');
        await this.publisher.publish(agentTopic(this.baseTopic, deviceId, 'cmd'), JSON.stringify(command), {
          qos: 1,
          retain: false,
          timeoutMs: PUBACK_TIMEOUT_MS,
        });
        // The broker has it and the agent is subscribed; the agent's refusal, if any, comes as an error result.
        return { ok: true };
      },
      disconnect: (reason: string) => {
        if (this.links.get(deviceId) === link) this.links.delete(deviceId);
        this.logger.log(`Dropping device ${deviceId} from MQTT (${reason})`);
        this.kick(deviceId);
      },
    };
    return link;
  }
}

function parse<S extends z.ZodType>(topic: string, schema: S, payload: Buffer): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Refused(`sent a ${topic} message that is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new Refused(`sent an invalid ${topic}: ${describeZodError(parsed.error, topic)}`);
  return parsed.data;
}
