/**
 * A stand-in for Home Assistant's MQTT integration: it subscribes where Home Assistant does, keeps the latest
 * discovery config and state per topic, checks every discovery payload the way Home Assistant would need it,
 * and presses buttons and sets numbers by publishing to their command topics.
 */
import type { IClientOptions } from 'mqtt';
import { MqttProbe } from './mqtt';
import { eventually } from './processes';

export interface Component extends Record<string, unknown> {
  p: string;
  unique_id: string;
  default_entity_id: string;
}

export interface DeviceConfig {
  dev: { ids: string[]; name: string; [key: string]: unknown };
  o: { name: string; sw?: string };
  cmps: Record<string, Component>;
}

const PLATFORMS = new Set(['sensor', 'binary_sensor', 'button', 'number']);
const DURATION_UNITS = new Set(['s', 'min', 'h', 'd']);

export class HomeAssistantDouble {
  private constructor(
    readonly probe: MqttProbe,
    readonly prefix: string,
    readonly base: string,
  ) {}

  static async connect(
    url: string,
    login: IClientOptions,
    { prefix = 'homeassistant', base = 'kidtime' } = {},
  ): Promise<HomeAssistantDouble> {
    const probe = await MqttProbe.connect(url, login);
    const ha = new HomeAssistantDouble(probe, prefix, base);
    for (const filter of [`${prefix}/#`, `${base}/ha/#`, `${base}/hub/status`]) {
      const granted = await probe.subscribe(filter);
      if (granted === 128) throw new Error(`the broker refused Home Assistant's subscription to ${filter}`);
    }
    return ha;
  }

  /** The latest payload per topic (an empty payload: removed). */
  latest(topic: string): string | undefined {
    for (let i = this.probe.received.length - 1; i >= 0; i--) {
      const message = this.probe.received[i]!;
      if (message.topic === topic) return message.payload;
    }
    return undefined;
  }

  /** Device configs present now, by node id (removed ones left out). */
  devices(): Map<string, DeviceConfig> {
    const configs = new Map<string, DeviceConfig>();
    const pattern = new RegExp(`^${this.prefix}/device/([^/]+)/config$`);
    for (const { topic } of this.probe.received) {
      const nodeId = topic.match(pattern)?.[1];
      if (!nodeId) continue;
      const payload = this.latest(topic);
      configs.delete(nodeId);
      if (!payload) continue;
      try {
        configs.set(nodeId, JSON.parse(payload) as DeviceConfig);
      } catch {
        // not a config Home Assistant could read (the tests put garbage there); not the hub's
      }
    }
    return configs;
  }

  device(nodeIdEnd: string): [string, DeviceConfig] | undefined {
    return [...this.devices()].find(([nodeId]) => nodeId.endsWith(nodeIdEnd));
  }

  waitForDevice(nodeIdEnd: string, timeoutMs?: number): Promise<[string, DeviceConfig]> {
    return eventually(
      `Home Assistant to discover …${nodeIdEnd}`,
      async () => this.device(nodeIdEnd),
      timeoutMs,
    );
  }

  /** A state topic's JSON, once it is there. */
  state<T = Record<string, unknown>>(topic: string): T | undefined {
    const payload = this.latest(topic);
    return payload ? (JSON.parse(payload) as T) : undefined;
  }

  /** What Home Assistant would render for a component's value_template (`{{ value_json.KEY }}` forms only). */
  value(component: Component): unknown {
    const state = this.state(component.state_topic as string);
    if (!state) return undefined;
    const key = (component.value_template as string).match(/value_json\.(\w+)/)?.[1];
    return key ? state[key] : undefined;
  }

  press(component: Component, payload?: string): Promise<void> {
    return this.probe.publish(
      component.command_topic as string,
      payload ?? (component.payload_press as string | undefined) ?? 'PRESS',
    );
  }

  /** What Home Assistant publishes when it (re)starts. */
  announceOnline(): Promise<void> {
    return this.probe.publish(`${this.prefix}/status`, 'online');
  }

  close(): Promise<void> {
    return this.probe.close();
  }

  /**
   * Everything wrong with the discovery configs present now, as Home Assistant would see it: required keys,
   * unique ids unique across all devices, default entity ids of the component's platform, numbers with
   * `min: 0`, availability, units and device classes, and a state published for every value template.
   */
  problems(): string[] {
    const problems: string[] = [];
    const uniqueIds = new Map<string, string>();
    for (const [nodeId, config] of this.devices()) {
      const where = (key?: string) => (key ? `${nodeId}.${key}` : nodeId);
      if (!Array.isArray(config.dev?.ids) || config.dev.ids.length === 0)
        problems.push(`${where()}: dev.ids`);
      if (!config.dev?.name) problems.push(`${where()}: dev.name`);
      if (!config.o?.name) problems.push(`${where()}: o.name`);
      if (!config.cmps || Object.keys(config.cmps).length === 0) problems.push(`${where()}: cmps`);
      for (const [key, c] of Object.entries(config.cmps ?? {})) {
        const at = where(key);
        if (!PLATFORMS.has(c.p)) problems.push(`${at}: platform ${c.p}`);
        if (!c.unique_id) problems.push(`${at}: unique_id`);
        else if (uniqueIds.has(c.unique_id))
          problems.push(`${at}: unique_id also on ${uniqueIds.get(c.unique_id)}`);
        else uniqueIds.set(c.unique_id, at);
        if (
          !/^[a-z_]+\.[a-z0-9_]+$/.test(c.default_entity_id ?? '') ||
          !c.default_entity_id.startsWith(`${c.p}.`)
        )
          problems.push(`${at}: default_entity_id ${c.default_entity_id}`);
        if ('object_id' in c) problems.push(`${at}: deprecated object_id`);
        if (!c.name) problems.push(`${at}: name`);
        if (c.device_class === 'duration' && !DURATION_UNITS.has(c.unit_of_measurement as string))
          problems.push(`${at}: duration without a time unit`);
        if (c.device_class === 'timestamp' && c.unit_of_measurement)
          problems.push(`${at}: timestamp with a unit`);
        if ((c.p === 'button' || c.p === 'number') && !c.command_topic) problems.push(`${at}: command_topic`);
        if (c.p !== 'button' && !c.state_topic) problems.push(`${at}: state_topic`);
        if (c.p === 'number') {
          if (c.min !== 0) problems.push(`${at}: number min ${String(c.min)}`);
          if (typeof c.max !== 'number' || !['box', 'slider', 'auto'].includes(c.mode as string))
            problems.push(`${at}: number max/mode`);
        }
        const availability = c.availability as Array<{ topic?: string }> | undefined;
        const ownStatus = c.state_topic === `${this.base}/hub/status`;
        if (!ownStatus && (!availability?.length || availability.some((a) => !a.topic)))
          problems.push(`${at}: availability`);
        if (c.value_template && c.state_topic !== `${this.base}/hub/status`) {
          const key = (c.value_template as string).match(/value_json\.(\w+)/)?.[1];
          const state = this.state(c.state_topic as string);
          if (!state) problems.push(`${at}: no state on ${String(c.state_topic)}`);
          else if (!key || !(key in state)) problems.push(`${at}: state has no ${String(key)}`);
        }
      }
    }
    return problems;
  }
}
