import { z } from 'zod';
import { helloMessageSchema, stateMessageSchema } from './messages';

/**
 * The same agent messages over MQTT (3.1.1, so the embedded aedes broker and any mosquitto carry them):
 *
 * | topic                          | dir         | retain | payload                                   |
 * |--------------------------------|-------------|--------|-------------------------------------------|
 * | `<base>/agent/<id>/status`     | agent → hub | yes    | `online`, Last Will `offline`             |
 * | `<base>/agent/<id>/state`      | agent → hub | no     | state message (+ `hello` after a connect) |
 * | `<base>/agent/<id>/usage`      | agent → hub | no     | usage message                             |
 * | `<base>/agent/<id>/result`     | agent → hub | no     | result message                            |
 * | `<base>/agent/<id>/cmd`        | hub → agent | no     | command message                           |
 * | `<base>/hub/status`            | hub         | yes    | `online`, Last Will `offline`             |
 *
 * MQTT has no acknowledgement from the hub itself, and the topic set is fixed (it is what an external broker's
 * ACL lists), so `hello` rides on the state topic: the first state message after each connect carries it.
 */

export const DEFAULT_MQTT_BASE_TOPIC = 'kidtime';

/** Topics an agent publishes, in the order of the table above. */
export const AGENT_PUBLISH_TOPICS = ['status', 'state', 'usage', 'result'] as const;
export type AgentPublishTopic = (typeof AGENT_PUBLISH_TOPICS)[number];
/** The one topic an agent subscribes to. */
export const AGENT_COMMAND_TOPIC = 'cmd';
export type AgentTopic = AgentPublishTopic | typeof AGENT_COMMAND_TOPIC;

export const STATUS_ONLINE = 'online';
export const STATUS_OFFLINE = 'offline';

/**
 * A base topic: one or more plain levels. No wildcards, no empty level, no leading `$` (reserved for brokers),
 * no control characters, so every topic built from it is a valid MQTT topic name and never a filter.
 */
export const mqttBaseTopicSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/,
    'must be topic levels of letters, digits, "_" or "-" separated by "/" (no wildcards, no leading or trailing "/")',
  );

/** A device id as it appears in a topic: a lowercase UUID, exactly as the hub issues it. */
const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isDeviceId(value: string): boolean {
  return DEVICE_ID.test(value);
}

export function agentTopic(base: string, deviceId: string, topic: AgentTopic): string {
  return `${base}/agent/${deviceId}/${topic}`;
}

/** `<base>/agent/+/<topic>`: what the hub subscribes to. */
export function allAgentsTopic(base: string, topic: AgentPublishTopic): string {
  return `${base}/agent/+/${topic}`;
}

export function hubStatusTopic(base: string): string {
  return `${base}/hub/status`;
}

/** The device and kind of an agent topic, or null for anything else (other bases, extra levels, bad ids). */
export function parseAgentTopic(base: string, topic: string): { deviceId: string; topic: AgentTopic } | null {
  const prefix = `${base}/agent/`;
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length).split('/');
  if (rest.length !== 2) return null;
  const [deviceId, kind] = rest as [string, string];
  if (!isDeviceId(deviceId)) return null;
  if (kind !== AGENT_COMMAND_TOPIC && !(AGENT_PUBLISH_TOPICS as readonly string[]).includes(kind))
    return null;
  return { deviceId, topic: kind as AgentTopic };
}

/**
 * What an agent may do on a broker: publish to its own status/state/usage/result, subscribe to its own cmd,
 * and receive nothing else. Exact topic names only: a filter with `+` or `#` is never an agent's.
 */
export function agentMayPublish(base: string, deviceId: string, topic: string): boolean {
  const parsed = parseAgentTopic(base, topic);
  return parsed !== null && parsed.deviceId === deviceId && parsed.topic !== AGENT_COMMAND_TOPIC;
}

export function agentMaySubscribe(base: string, deviceId: string, filter: string): boolean {
  return filter === agentTopic(base, deviceId, AGENT_COMMAND_TOPIC);
}

export function agentMayReceive(base: string, deviceId: string, topic: string): boolean {
  return topic === agentTopic(base, deviceId, AGENT_COMMAND_TOPIC);
}

/** The state topic's payload: a state message, with the agent's hello after every (re)connect. */
export const mqttStateMessageSchema = stateMessageSchema.extend({ hello: helloMessageSchema.optional() });
export type MqttStateMessage = z.infer<typeof mqttStateMessageSchema>;

export const agentStatusSchema = z.enum([STATUS_ONLINE, STATUS_OFFLINE]);
export type AgentStatus = z.infer<typeof agentStatusSchema>;
