import type { Ack, AgentToHubEvents } from '@kidtime/protocol';

export type OutboundEvent = keyof AgentToHubEvents;
export type OutboundMessage<E extends OutboundEvent> = Parameters<AgentToHubEvents[E]>[0];

/** What a transport tells the agent. */
export interface TransportEvents {
  connected(): void;
  disconnected(reason: string): void;
  /** An inbound command, not yet validated; the returned Ack goes back to the hub. */
  command(message: unknown): Promise<Ack>;
}

/** One way to reach the hub (socket.io now, MQTT later). Reconnects by itself until stopped. */
export interface AgentTransport {
  readonly kind: 'ws' | 'mqtt';
  readonly connected: boolean;
  start(events: TransportEvents): void;
  stop(): Promise<void>;
  send<E extends OutboundEvent>(event: E, message: OutboundMessage<E>): Promise<Ack>;
}
