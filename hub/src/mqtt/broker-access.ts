import { agentMayPublish, agentMayReceive, agentMaySubscribe } from '@kidtime/protocol';

/** The hub's username at a broker (never a device id, so it cannot collide with an agent's). */
export const HUB_MQTT_USERNAME = 'kidtime-hub';

/**
 * Who is logged in to the embedded broker. Home Assistant's login (part of the Home Assistant bridge) adds a
 * kind here, with its own rules below.
 */
export type BrokerPrincipal = { kind: 'hub' } | { kind: 'agent'; deviceId: string };

export function describePrincipal(principal: BrokerPrincipal): string {
  return principal.kind === 'agent' ? `device ${principal.deviceId}` : 'the hub';
}

/**
 * What each principal may do: the hub anything outside the broker's own `$` topics; an agent only its own
 * topics (see protocol/src/mqtt.ts), retaining nothing but its status. Used by the embedded broker's
 * authorize hooks; the README's mosquitto ACL says the same for an external broker.
 */
export function mayPublish(
  principal: BrokerPrincipal,
  base: string,
  topic: string,
  retain: boolean,
): boolean {
  if (principal.kind === 'hub') return !topic.startsWith('$');
  if (!agentMayPublish(base, principal.deviceId, topic)) return false;
  return !retain || topic.endsWith('/status');
}

export function maySubscribe(principal: BrokerPrincipal, base: string, filter: string): boolean {
  if (principal.kind === 'hub') return !filter.startsWith('$') && filter !== '#';
  return agentMaySubscribe(base, principal.deviceId, filter);
}

/** Checked for every message the broker is about to deliver, retained ones included. */
export function mayReceive(principal: BrokerPrincipal, base: string, topic: string): boolean {
  if (principal.kind === 'hub') return true;
  return agentMayReceive(base, principal.deviceId, topic);
}
