import { Injectable, Logger } from '@nestjs/common';
import type { Ack, CommandMessage, DeviceMode } from '@kidtime/protocol';
import type { DeviceTransport } from './device.entity';

/** One way to send a device commands right now: its agent's connection (socket.io, MQTT) or SSH. */
export interface AgentLink {
  readonly transport: DeviceTransport;
  /** Resolves with the acknowledgement (which may refuse); rejects when it was not delivered. */
  sendCommand(command: CommandMessage): Promise<Ack>;
  disconnect(reason: string): void;
}

/** Called when the way to reach a device changed (its agent came or went, SSH became usable or not). */
export type LinkListener = (deviceId: string) => void;

/**
 * How this hub process reaches each device right now. An agent's live connection and a usable SSH link are
 * kept apart; `get()` picks one by the device's mode: `agent` uses only the agent, `ssh` only SSH, and
 * `agent-then-ssh` the agent while it is connected and SSH otherwise.
 */
@Injectable()
export class DeviceLinks {
  private readonly logger = new Logger(DeviceLinks.name);
  private readonly agents = new Map<string, AgentLink>();
  private readonly ssh = new Map<string, AgentLink>();
  private readonly modes = new Map<string, DeviceMode>();
  private readonly listeners = new Set<LinkListener>();

  /** Registers an agent's connection; an older one of the same device (a duplicate or stale agent) is dropped. */
  attach(deviceId: string, link: AgentLink): void {
    const previous = this.agents.get(deviceId);
    this.agents.set(deviceId, link);
    if (previous && previous !== link) {
      this.logger.warn(`Device ${deviceId} connected again; closing its previous connection`);
      previous.disconnect('replaced by a newer connection of the same device');
    }
    this.changed(deviceId);
  }

  /** Forgets an agent's connection; false when a newer one has already replaced it. */
  detach(deviceId: string, link: AgentLink): boolean {
    if (this.agents.get(deviceId) !== link) return false;
    this.agents.delete(deviceId);
    this.changed(deviceId);
    return true;
  }

  /** SSH works for this device now (or, with null, no longer). */
  setSsh(deviceId: string, link: AgentLink | null): void {
    if ((this.ssh.get(deviceId) ?? null) === link) return;
    if (link) this.ssh.set(deviceId, link);
    else this.ssh.delete(deviceId);
    this.changed(deviceId);
  }

  setMode(deviceId: string, mode: DeviceMode): void {
    if (this.mode(deviceId) === mode) return;
    if (mode === 'agent') this.modes.delete(deviceId);
    else this.modes.set(deviceId, mode);
    this.changed(deviceId);
  }

  mode(deviceId: string): DeviceMode {
    return this.modes.get(deviceId) ?? 'agent';
  }

  /** The link commands go through now, by the device's mode; undefined when the device cannot be reached. */
  get(deviceId: string): AgentLink | undefined {
    const mode = this.mode(deviceId);
    if (mode === 'ssh') return this.ssh.get(deviceId);
    const agent = this.agents.get(deviceId);
    return mode === 'agent' ? agent : (agent ?? this.ssh.get(deviceId));
  }

  /** The agent's own connection, whatever the mode. */
  agent(deviceId: string): AgentLink | undefined {
    return this.agents.get(deviceId);
  }

  /** Drops the agent's connection and the SSH link (a revoked device). */
  disconnect(deviceId: string, reason: string): void {
    const agent = this.agents.get(deviceId);
    const ssh = this.ssh.get(deviceId);
    this.agents.delete(deviceId);
    this.ssh.delete(deviceId);
    this.modes.delete(deviceId);
    agent?.disconnect(reason);
    ssh?.disconnect(reason);
    this.changed(deviceId);
  }

  onChange(listener: LinkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(deviceId: string): void {
    for (const listener of this.listeners) listener(deviceId);
  }
}
