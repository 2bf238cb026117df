import { hubStatusTopic, STATUS_OFFLINE, STATUS_ONLINE } from '@kidtime/protocol';
import {
  childCommandTopic,
  childStateTopic,
  discoveryTopic,
  pcStateTopic,
  type HaChildAction,
  type HaTopics,
} from './ha-topics';

/**
 * Home Assistant device-based discovery (`<prefix>/device/<nodeId>/config`, one retained message per device
 * with `dev`, `o` and `cmps`): a device for the hub, one per child and one per PC. Pure functions: the
 * bridge decides when to publish them.
 */

export interface DiscoveryContext {
  topics: HaTopics;
  /** Keeps two hubs on one broker apart (node ids, unique ids). */
  installationId: string;
  hubVersion: string;
  /** Where Home Assistant's "Visit" link leads, when the hub's address is known. */
  publicUrl: string | null;
}

/** A discovery message: where it goes and what it says. */
export interface Discovery {
  nodeId: string;
  topic: string;
  payload: DiscoveryPayload;
}

export interface DiscoveryPayload {
  dev: Record<string, unknown>;
  o: { name: string; sw: string };
  cmps: Record<string, Component>;
}

type Component = Record<string, unknown> & { p: string; unique_id: string; default_entity_id: string };

/** The prefix of every node id this installation publishes: stale configs are recognised by it. */
export const nodePrefix = (ctx: Pick<DiscoveryContext, 'installationId'>) => `kidtime_${ctx.installationId}_`;
export const hubNodeId = (ctx: DiscoveryContext) => `${nodePrefix(ctx)}hub`;
export const childNodeId = (ctx: DiscoveryContext, childId: string) => `${nodePrefix(ctx)}child_${childId}`;
export const pcNodeId = (ctx: DiscoveryContext, deviceId: string) => `${nodePrefix(ctx)}pc_${deviceId}`;

/** The node id of a discovery config topic, or null for any other topic. */
export function nodeIdOf(topics: HaTopics, topic: string): string | null {
  const prefix = `${topics.discoveryPrefix}/device/`;
  if (!topic.startsWith(prefix) || !topic.endsWith('/config')) return null;
  const nodeId = topic.slice(prefix.length, -'/config'.length);
  return /^[A-Za-z0-9_-]+$/.test(nodeId) ? nodeId : null;
}

/** Entities stay available while the hub is: a PC switched off does not make its child's entities unavailable. */
function availability(ctx: DiscoveryContext) {
  return {
    availability: [
      {
        topic: hubStatusTopic(ctx.topics.base),
        payload_available: STATUS_ONLINE,
        payload_not_available: STATUS_OFFLINE,
      },
    ],
  };
}

/**
 * An entity id Home Assistant can start from (`sensor.kidtime_alice_time_left`): ASCII letters, digits and
 * `_`, from the name; the id's start when the name has none of those (a name in another script).
 */
export function entitySlug(name: string, fallbackId: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return (
    slug ||
    fallbackId
      .replace(/[^a-z0-9]/gi, '')
      .slice(0, 8)
      .toLowerCase()
  );
}

function origin(ctx: DiscoveryContext) {
  return { name: 'Kidtime', sw: ctx.hubVersion };
}

function components(
  nodeId: string,
  slug: string,
  list: Array<[key: string, platform: string, config: Record<string, unknown>]>,
): Record<string, Component> {
  const cmps: Record<string, Component> = {};
  for (const [key, platform, config] of list) {
    cmps[key] = {
      p: platform,
      unique_id: `${nodeId}_${key}`,
      default_entity_id: `${platform}.kidtime_${slug}_${key}`,
      ...config,
    };
  }
  return cmps;
}

export function hubDiscovery(ctx: DiscoveryContext): Discovery {
  const nodeId = hubNodeId(ctx);
  const status = hubStatusTopic(ctx.topics.base);
  return {
    nodeId,
    topic: discoveryTopic(ctx.topics, nodeId),
    payload: {
      dev: {
        ids: [nodeId],
        name: 'Kidtime hub',
        mf: 'Kidtime',
        mdl: 'Hub',
        sw: ctx.hubVersion,
        ...(ctx.publicUrl ? { cu: ctx.publicUrl } : {}),
      },
      o: origin(ctx),
      cmps: components(nodeId, 'hub', [
        // Its own connection state: no availability, so it shows "Disconnected" rather than "Unavailable".
        [
          'connected',
          'binary_sensor',
          {
            name: 'Connected',
            device_class: 'connectivity',
            state_topic: status,
            payload_on: STATUS_ONLINE,
            payload_off: STATUS_OFFLINE,
            entity_category: 'diagnostic',
          },
        ],
      ]),
    },
  };
}

export interface ChildDiscoveryInput {
  id: string;
  name: string;
}

/** Buttons: platform key, name, action, payload, icon. */
const CHILD_BUTTONS: Array<
  [key: string, name: string, action: HaChildAction, payload: string, icon: string]
> = [
  ['add_15', '+15 min', 'add', '15', 'mdi:timer-plus-outline'],
  ['add_30', '+30 min', 'add', '30', 'mdi:timer-plus'],
  ['subtract_15', '−15 min', 'subtract', '15', 'mdi:timer-minus-outline'],
  ['lock', 'Lock now', 'lock', 'PRESS', 'mdi:lock'],
];

/** The largest "time left" Home Assistant may set, minutes (a whole day). */
export const MAX_SET_MINUTES = 1440;

export function childDiscovery(ctx: DiscoveryContext, child: ChildDiscoveryInput): Discovery {
  const nodeId = childNodeId(ctx, child.id);
  const state = childStateTopic(ctx.topics, child.id);
  const slug = entitySlug(child.name, child.id);
  const avail = availability(ctx);
  const minutes = { device_class: 'duration', unit_of_measurement: 'min', suggested_display_precision: 0 };
  return {
    nodeId,
    topic: discoveryTopic(ctx.topics, nodeId),
    payload: {
      dev: {
        ids: [nodeId],
        name: child.name,
        mf: 'Kidtime',
        mdl: 'Child',
        via_device: hubNodeId(ctx),
        ...(ctx.publicUrl ? { cu: `${ctx.publicUrl}/#/child/${child.id}` } : {}),
      },
      o: origin(ctx),
      cmps: components(nodeId, slug, [
        [
          'time_left',
          'sensor',
          {
            name: 'Time left today',
            ...minutes,
            state_class: 'measurement',
            state_topic: state,
            value_template: '{{ value_json.time_left }}',
            icon: 'mdi:timer-sand',
            ...avail,
          },
        ],
        [
          'time_spent',
          'sensor',
          {
            name: 'Time used today',
            ...minutes,
            state_class: 'total_increasing',
            state_topic: state,
            value_template: '{{ value_json.time_spent }}',
            icon: 'mdi:timer-outline',
            ...avail,
          },
        ],
        [
          'runs_out_at',
          'sensor',
          {
            name: 'Time runs out at',
            device_class: 'timestamp',
            state_topic: state,
            value_template: '{{ value_json.runs_out_at }}',
            icon: 'mdi:timer-alert-outline',
            ...avail,
          },
        ],
        [
          'active',
          'binary_sensor',
          {
            name: 'Using a PC',
            state_topic: state,
            value_template: "{{ 'ON' if value_json.active else 'OFF' }}",
            icon: 'mdi:monitor-account',
            ...avail,
          },
        ],
        [
          'set_time_left',
          'number',
          {
            name: 'Set time left',
            ...minutes,
            min: 0,
            max: MAX_SET_MINUTES,
            step: 1,
            mode: 'box',
            state_topic: state,
            value_template: '{{ value_json.time_left }}',
            command_topic: childCommandTopic(ctx.topics, child.id, 'set'),
            qos: 1,
            icon: 'mdi:timer-edit-outline',
            ...avail,
          },
        ],
        ...CHILD_BUTTONS.map(
          ([key, name, action, payload, icon]) =>
            [
              key,
              'button',
              {
                name,
                command_topic: childCommandTopic(ctx.topics, child.id, action),
                payload_press: payload,
                qos: 1,
                icon,
                ...avail,
              },
            ] as [string, string, Record<string, unknown>],
        ),
        [
          'pcs',
          'sensor',
          {
            name: 'PCs',
            state_topic: state,
            value_template: '{{ value_json.pcs }}',
            json_attributes_topic: state,
            json_attributes_template: '{{ {"logins": value_json.logins} | tojson }}',
            icon: 'mdi:laptop',
            ...avail,
          },
        ],
      ]),
    },
  };
}

export interface PcDiscoveryInput {
  id: string;
  name: string;
  agentVersion: string | null;
}

export function pcDiscovery(ctx: DiscoveryContext, pc: PcDiscoveryInput): Discovery {
  const nodeId = pcNodeId(ctx, pc.id);
  const state = pcStateTopic(ctx.topics, pc.id);
  const avail = availability(ctx);
  return {
    nodeId,
    topic: discoveryTopic(ctx.topics, nodeId),
    payload: {
      dev: {
        ids: [nodeId],
        name: pc.name,
        mf: 'Kidtime',
        mdl: 'PC with Timekpr-nExT',
        ...(pc.agentVersion ? { sw: pc.agentVersion } : {}),
        via_device: hubNodeId(ctx),
        ...(ctx.publicUrl ? { cu: `${ctx.publicUrl}/#/devices` } : {}),
      },
      o: origin(ctx),
      cmps: components(nodeId, entitySlug(pc.name, pc.id), [
        [
          'online',
          'binary_sensor',
          {
            name: 'Agent connected',
            device_class: 'connectivity',
            state_topic: state,
            value_template: "{{ 'ON' if value_json.online else 'OFF' }}",
            ...avail,
          },
        ],
        [
          'last_seen',
          'sensor',
          {
            name: 'Last seen',
            device_class: 'timestamp',
            state_topic: state,
            value_template: '{{ value_json.last_seen }}',
            entity_category: 'diagnostic',
            ...avail,
          },
        ],
        [
          'agent_version',
          'sensor',
          {
            name: 'Agent version',
            state_topic: state,
            value_template: '{{ value_json.agent_version }}',
            entity_category: 'diagnostic',
            icon: 'mdi:information-outline',
            ...avail,
          },
        ],
        [
          'connection',
          'sensor',
          {
            name: 'Connection',
            state_topic: state,
            value_template: '{{ value_json.connection }}',
            entity_category: 'diagnostic',
            icon: 'mdi:lan-connect',
            ...avail,
          },
        ],
      ]),
    },
  };
}
