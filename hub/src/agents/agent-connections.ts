import { Injectable, Logger } from '@nestjs/common';
import type { Ack, CommandMessage } from '@kidtime/protocol';
import type { DeviceTransport } from '../devices/device.entity';

/** One live connection to an agent, whatever carries it (socket.io today, MQTT later). */
export interface AgentLink {
  readonly transport: DeviceTransport;
  /** Resolves with the agent's acknowledgement (which may refuse); rejects when it was not delivered in time. */
  sendCommand(command: CommandMessage): Promise<Ack>;
  disconnect(reason: string): void;
}

/** Which devices are connected to this hub process right now, and through which link. */
@Injectable()
export class AgentConnections {
  private readonly logger = new Logger(AgentConnections.name);
  private readonly links = new Map<string, AgentLink>();

  /** Registers a link; an older link of the same device (a duplicate or stale agent) is dropped. */
  attach(deviceId: string, link: AgentLink): void {
    const previous = this.links.get(deviceId);
    this.links.set(deviceId, link);
    if (previous && previous !== link) {
      this.logger.warn(`Device ${deviceId} connected again; closing its previous connection`);
      previous.disconnect('replaced by a newer connection of the same device');
    }
  }

  /** Forgets a link; false when a newer link has already replaced it. */
  detach(deviceId: string, link: AgentLink): boolean {
    if (this.links.get(deviceId) !== link) return false;
    this.links.delete(deviceId);
    return true;
  }

  get(deviceId: string): AgentLink | undefined {
    return this.links.get(deviceId);
  }

  disconnect(deviceId: string, reason: string): void {
    const link = this.links.get(deviceId);
    if (!link) return;
    this.links.delete(deviceId);
    link.disconnect(reason);
  }
}
