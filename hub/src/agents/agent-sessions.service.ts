import { Injectable, Logger } from '@nestjs/common';
import {
  agentHandshakeSchema,
  type HelloMessage,
  type ResultMessage,
  type StateMessage,
  type UsageMessage,
} from '@kidtime/protocol';
import { CommandsService } from '../commands/commands.service';
import { tokenMatches } from '../common/secure-token';
import type { DeviceEntity, DeviceTransport } from '../devices/device.entity';
import { DeviceRepository } from '../devices/device.repository';
import { DevicesService } from '../devices/devices.service';
import { LiveEvents } from '../live/live-events';
import { MAX_USERS_PER_DEVICE, ManagedUserRepository } from '../devices/managed-user.repository';
import { printable } from '../common/printable';
import { UsageService } from '../usage/usage.service';
import { DeviceLinks, type AgentLink } from '../devices/device-links';

/** How often "last seen" is written while an agent stays connected. */
const LAST_SEEN_WRITE_INTERVAL_MS = 60_000;

export class AgentAuthError extends Error {}

/**
 * What happens when agents connect, talk and leave, independent of the transport carrying them.
 * Each method is called with a device id the transport has authenticated: a device can only speak for itself.
 */
@Injectable()
export class AgentSessionsService {
  private readonly logger = new Logger(AgentSessionsService.name);
  private readonly lastSeenWritten = new Map<string, number>();

  constructor(
    private readonly devices: DeviceRepository,
    private readonly users: ManagedUserRepository,
    private readonly connections: DeviceLinks,
    private readonly commands: CommandsService,
    private readonly usage: UsageService,
    private readonly deviceViews: DevicesService,
    private readonly live: LiveEvents,
  ) {}

  /**
   * Checks a device credential; throws AgentAuthError with a reason safe to send back. `warn` receives the
   * refusal for the log (a transport that throttles its warnings passes its own).
   */
  async authenticate(
    handshake: unknown,
    from: string,
    warn: (message: string) => void = (message) => this.logger.warn(message),
  ): Promise<DeviceEntity> {
    const parsed = agentHandshakeSchema.safeParse(handshake);
    if (!parsed.success) throw new AgentAuthError('missing or malformed device credentials');
    const device = await this.devices.findActive(parsed.data.deviceId);
    if (!device?.credentialHash || !tokenMatches(parsed.data.secret, device.credentialHash)) {
      warn(`Agent connection refused from ${from}: bad credentials for device ${parsed.data.deviceId}`);
      throw new AgentAuthError('unknown or revoked device, or wrong credential: enroll this PC again');
    }
    return device;
  }

  async connected(device: DeviceEntity, link: AgentLink): Promise<void> {
    this.connections.attach(device.id, link);
    await this.touch(device.id, { transport: link.transport });
    this.logger.log(`Device "${device.name}" (${device.id}) connected over ${link.transport}`);
    // The device was just read for the handshake: no second read to tell the UI.
    this.live.publish('device', { device: this.deviceViews.toView(device) });
  }

  async disconnected(deviceId: string, link: AgentLink, reason: string): Promise<void> {
    if (!this.connections.detach(deviceId, link)) return;
    await this.touch(deviceId, {});
    this.logger.log(`Device ${deviceId} disconnected (${reason})`);
    await this.deviceViews.publish(deviceId);
  }

  async hello(deviceId: string, hello: HelloMessage): Promise<void> {
    await this.devices.update(deviceId, {
      hostname: hello.hostname,
      agentVersion: hello.agentVersion,
      timekprVersion: hello.timekprVersion,
      timezone: hello.timezone,
    });
    const refused = await this.users.ensure(deviceId, hello.users);
    if (refused.length > 0) {
      this.logger.warn(
        `Device ${deviceId} reports more than ${MAX_USERS_PER_DEVICE} users; ignoring ${refused.length} of them`,
      );
    }
    if (hello.timekprVersion === null) {
      this.logger.warn(
        `Device ${deviceId} (${hello.hostname}) reports no working Timekpr-nExT: is timekprd running there?`,
      );
    }
  }

  /**
   * The agent listens for commands now: send what waited for it (not awaited). socket.io calls it after each
   * hello, MQTT when the agent's retained `online` arrives (it subscribes before it says so).
   */
  ready(deviceId: string): void {
    void this.commands.deliverPending(deviceId);
  }

  async state(deviceId: string, state: StateMessage): Promise<void> {
    const at = new Date();
    for (const user of state.users) {
      await this.users.saveState(deviceId, user, at);
      this.live.publish('state', { deviceId, login: user.login, state: user, at: at.toISOString() });
    }
    for (const { login, error } of state.errors) {
      await this.users.saveError(deviceId, login, error);
      this.logger.warn(`Device ${deviceId} cannot read timekpr state of "${login}": ${printable(error)}`);
    }
    await this.touch(deviceId, {}, true);
  }

  /** A command's outcome from the device's agent, or (`via` ssh) from the hub's own SSH link to it. */
  result(
    deviceId: string,
    result: ResultMessage,
    via: DeviceTransport | null = null,
  ): Promise<string | null> {
    return this.commands.handleResult(deviceId, result, via);
  }

  /** Stores usage records; returns why some were refused, if they were. */
  usageRecords(deviceId: string, message: UsageMessage): Promise<string | null> {
    return this.usage.ingest(deviceId, message);
  }

  private async touch(
    deviceId: string,
    patch: { transport?: AgentLink['transport'] },
    throttled = false,
  ): Promise<void> {
    const now = Date.now();
    if (throttled && now - (this.lastSeenWritten.get(deviceId) ?? 0) < LAST_SEEN_WRITE_INTERVAL_MS) return;
    this.lastSeenWritten.set(deviceId, now);
    await this.devices.update(deviceId, { ...patch, lastSeenAt: new Date(now) });
  }
}
