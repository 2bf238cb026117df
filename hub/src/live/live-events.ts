import { Injectable, Logger } from '@nestjs/common';
import type { HubToUiEvents, LiveEvent } from '@kidtime/protocol';

type Listener = (event: LiveEvent) => void;

/**
 * What changed, for whoever watches live (the UI namespace today; Home Assistant's MQTT bridge later). In one
 * process; several hubs behind a load balancer would carry it over a shared socket.io adapter.
 */
@Injectable()
export class LiveEvents {
  private readonly logger = new Logger(LiveEvents.name);
  private readonly listeners = new Set<Listener>();

  publish<E extends keyof HubToUiEvents>(event: E, payload: Parameters<HubToUiEvents[E]>[0]): void {
    for (const listener of this.listeners) {
      try {
        listener({ event, payload } as LiveEvent);
      } catch (error) {
        this.logger.error(`A live-update listener failed on "${String(event)}": ${String(error)}`);
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
