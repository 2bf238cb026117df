import { agentMayPublish, agentMayReceive, agentMaySubscribe, hubStatusTopic } from '@kidtime/protocol';
import {
  filterWithin,
  haStatusTopic,
  parseChildCommandTopic,
  topicWithin,
  type HaTopics,
} from '../home-assistant/ha-topics';

/** The hub's username at a broker (never a device id, so it cannot collide with an agent's). */
export const HUB_MQTT_USERNAME = 'kidtime-hub';

/** Who is logged in to the embedded broker. */
export type BrokerPrincipal =
  | { kind: 'hub' }
  | { kind: 'agent'; deviceId: string }
  /** Home Assistant's MQTT integration, with the login an owner created for it. */
  | { kind: 'home-assistant'; username: string };

export function describePrincipal(principal: BrokerPrincipal): string {
  switch (principal.kind) {
    case 'agent':
      return `device ${principal.deviceId}`;
    case 'home-assistant':
      return `Home Assistant (${principal.username})`;
    case 'hub':
      return 'the hub';
  }
}

/**
 * What each principal may do, given the hub's base topic and Home Assistant's discovery prefix:
 * - the hub: anything outside the broker's own `$` topics;
 * - an agent: only its own topics (see protocol/src/mqtt.ts), retaining nothing but its status;
 * - Home Assistant: its own status, and the child commands (never retained, so none replays on a reconnect);
 *   it reads the discovery tree, the hub's Home Assistant states and the hub's status, and nothing of the agents.
 * Used by the embedded broker's authorize hooks; the README's mosquitto ACL says the same for an external broker.
 */
export function mayPublish(
  principal: BrokerPrincipal,
  topics: HaTopics,
  topic: string,
  retain: boolean,
): boolean {
  switch (principal.kind) {
    case 'hub':
      return !topic.startsWith('$');
    case 'agent':
      if (!agentMayPublish(topics.base, principal.deviceId, topic)) return false;
      return !retain || topic.endsWith('/status');
    case 'home-assistant':
      if (topic === haStatusTopic(topics)) return true;
      return !retain && parseChildCommandTopic(topics, topic) !== null;
  }
}

export function maySubscribe(principal: BrokerPrincipal, topics: HaTopics, filter: string): boolean {
  switch (principal.kind) {
    case 'hub':
      return !filter.startsWith('$') && filter !== '#';
    case 'agent':
      return agentMaySubscribe(topics.base, principal.deviceId, filter);
    case 'home-assistant':
      return (
        filterWithin(filter, topics.discoveryPrefix) ||
        filterWithin(filter, `${topics.base}/ha`) ||
        filter === hubStatusTopic(topics.base)
      );
  }
}

/** Checked for every message the broker is about to deliver, retained ones included. */
export function mayReceive(principal: BrokerPrincipal, topics: HaTopics, topic: string): boolean {
  switch (principal.kind) {
    case 'hub':
      return true;
    case 'agent':
      return agentMayReceive(topics.base, principal.deviceId, topic);
    case 'home-assistant':
      return (
        topicWithin(topic, topics.discoveryPrefix) ||
        topicWithin(topic, `${topics.base}/ha`) ||
        topic === hubStatusTopic(topics.base)
      );
  }
}
