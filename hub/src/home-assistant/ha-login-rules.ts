import type { HaMqttMode } from '@kidtime/protocol';
import type { MqttConfig } from '../config/hub-config';
import { HUB_MQTT_USERNAME } from '../mqtt/broker-access';

/** Home Assistant's username at the embedded broker. */
export const HA_MQTT_USERNAME = 'homeassistant';

/** How often a login's last-login time is written at most: Home Assistant reconnecting in a loop is one write a minute. */
export const LAST_LOGIN_WRITE_INTERVAL_MS = 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Why Home Assistant may not use this client id, or null. Its MQTT integration picks a random one, so any id
 * goes, except one that would take over another client's session (the broker drops the older connection of
 * an id): the hub's (`kidtime-hub`, and the `kidtime-hub-…` of tools beside it) and a device's (a UUID).
 */
export function clientIdRefusal(clientId: string): string | null {
  if (clientId.startsWith(HUB_MQTT_USERNAME)) return `its client id "${clientId.slice(0, 64)}" is the hub's`;
  if (UUID.test(clientId)) return `its client id ${clientId} looks like a PC's (a device id)`;
  return null;
}

export interface HaLoginAvailability {
  mode: HaMqttMode;
  /** Why the login cannot be made (what to do instead), or null when it can. */
  refusal: string | null;
}

/**
 * Whether the hub's own broker is there to give Home Assistant a login: `config` is the hub's MQTT
 * configuration (null when switched off), `unavailable` why its embedded broker did not start.
 */
export function haLoginAvailability(
  config: MqttConfig | null,
  unavailable: string | null,
): HaLoginAvailability {
  if (!config) {
    return {
      mode: 'off',
      refusal:
        'MQTT is switched off on this hub (MQTT_EMBEDDED=false and no MQTT_URL), so there is no broker for Home ' +
        'Assistant: remove MQTT_EMBEDDED=false (or set it to true) and restart the hub to run its embedded broker.',
    };
  }
  if (!config.embedded) {
    return {
      mode: 'external',
      refusal:
        "This hub uses an external MQTT broker (MQTT_URL): create Home Assistant's login at that broker; " +
        "the README's ACL shows its rights.",
    };
  }
  if (unavailable) {
    return {
      mode: 'off',
      refusal:
        `The hub's embedded MQTT broker is not running: ${unavailable}. Set MQTT_PORT to a free port (or ` +
        'MQTT_URL to use that other broker) and restart the hub.',
    };
  }
  return { mode: 'embedded', refusal: null };
}
