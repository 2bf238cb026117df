/**
 * The topics between the hub and Home Assistant. Discovery configs live under HA's discovery prefix
 * (`homeassistant` by default); states and commands under the hub's base topic, beside the agents' topics:
 *
 * | topic                                         | dir        | retain | payload                                  |
 * |-----------------------------------------------|------------|--------|------------------------------------------|
 * | `<prefix>/device/<nodeId>/config`             | hub → HA   | yes    | device discovery (`dev`, `o`, `cmps`)    |
 * | `<prefix>/status`                             | HA → hub   | either | `online` (HA's birth) / `offline`        |
 * | `<base>/hub/status`                           | hub → HA   | yes    | `online`, Last Will `offline`            |
 * | `<base>/ha/child/<childId>/state`             | hub → HA   | yes    | JSON: time left, spent, runs out at, PCs |
 * | `<base>/ha/pc/<deviceId>/state`               | hub → HA   | yes    | JSON: online, last seen, agent version   |
 * | `<base>/ha/child/<childId>/cmd/<action>`      | HA → hub   | no     | minutes (add, subtract, set), or PRESS   |
 */

/** What Home Assistant can ask for a child: the payload is minutes, except for `lock`. */
export const HA_CHILD_ACTIONS = ['add', 'subtract', 'set', 'lock'] as const;
export type HaChildAction = (typeof HA_CHILD_ACTIONS)[number];

export const DEFAULT_DISCOVERY_PREFIX = 'homeassistant';

export interface HaTopics {
  /** The hub's base topic (MQTT_BASE_TOPIC). */
  base: string;
  /** Home Assistant's discovery prefix (HA_DISCOVERY_PREFIX). */
  discoveryPrefix: string;
}

export const haStatusTopic = (t: HaTopics) => `${t.discoveryPrefix}/status`;
export const discoveryTopic = (t: HaTopics, nodeId: string) => `${t.discoveryPrefix}/device/${nodeId}/config`;
/** Every device discovery config, to find the hub's own stale ones (retained on the broker). */
export const allDiscoveryTopics = (t: HaTopics) => `${t.discoveryPrefix}/device/+/config`;
export const childStateTopic = (t: HaTopics, childId: string) => `${t.base}/ha/child/${childId}/state`;
export const pcStateTopic = (t: HaTopics, deviceId: string) => `${t.base}/ha/pc/${deviceId}/state`;
export const childCommandTopic = (t: HaTopics, childId: string, action: HaChildAction) =>
  `${t.base}/ha/child/${childId}/cmd/${action}`;
/** What the hub subscribes to for Home Assistant's actions. */
export const allChildCommandTopics = (t: HaTopics) => `${t.base}/ha/child/+/cmd/+`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The child and action of a command topic, or null for anything else (other levels, bad ids, unknown actions). */
export function parseChildCommandTopic(
  t: HaTopics,
  topic: string,
): { childId: string; action: HaChildAction } | null {
  const prefix = `${t.base}/ha/child/`;
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length).split('/');
  if (rest.length !== 3 || rest[1] !== 'cmd') return null;
  const [childId, , action] = rest as [string, string, string];
  if (!UUID.test(childId) || !(HA_CHILD_ACTIONS as readonly string[]).includes(action)) return null;
  return { childId, action: action as HaChildAction };
}

/** True when `filter` (possibly with wildcards) only ever matches topics under `root` (a plain topic). */
export function filterWithin(filter: string, root: string): boolean {
  const f = filter.split('/');
  const r = root.split('/');
  if (f.length < r.length) return false;
  return r.every((level, i) => f[i] === level);
}

/** Whether `topic` (a plain topic name) is `root` or under it. */
export function topicWithin(topic: string, root: string): boolean {
  return topic === root || topic.startsWith(`${root}/`);
}

/**
 * The discovery prefix and the base topic must be apart: neither equal nor one inside the other, or agents'
 * and Home Assistant's topics would overlap and the broker's access rules could not tell them apart.
 */
export function topicsOverlap(a: string, b: string): boolean {
  return topicWithin(a, b) || topicWithin(b, a);
}
