import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { DeviceView, ManagedUserView } from '@kidtime/protocol';
import { DeviceLinks } from './device-links';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { LiveEvents } from '../live/live-events';
import type { DeviceEntity } from './device.entity';
import { DeviceRepository } from './device.repository';
import { ManagedUserRepository } from './managed-user.repository';
import { DeviceSshRepository } from '../ssh/device-ssh.repository';
import { toSshView } from '../ssh/ssh-view';

@Injectable()
export class DevicesService {
  private readonly logger = new Logger(DevicesService.name);

  constructor(
    private readonly devices: DeviceRepository,
    private readonly managedUsers: ManagedUserRepository,
    private readonly ssh: DeviceSshRepository,
    private readonly connections: DeviceLinks,
    private readonly audit: AuditService,
    private readonly live: LiveEvents,
  ) {}

  async list(): Promise<DeviceView[]> {
    return (await this.devices.listActive()).map((device) => this.toView(device));
  }

  async get(id: string): Promise<DeviceView> {
    return this.toView(await this.require(id));
  }

  async rename(id: string, name: string, actor: AuditActor): Promise<DeviceView> {
    const device = await this.require(id);
    await this.devices.update(id, { name });
    await this.audit.record(actor, {
      action: 'device.rename',
      result: 'ok',
      deviceId: id,
      details: { from: device.name, to: name },
    });
    const view = this.toView({ ...device, name });
    this.live.publish('device', { device: view });
    return view;
  }

  /**
   * Revokes the device credential and drops its connection: the agent can never come back with it. Its SSH
   * settings, secrets included, are deleted.
   */
  async revoke(id: string, actor: AuditActor): Promise<void> {
    const device = await this.require(id);
    await this.devices.revoke(id, new Date());
    await this.ssh.delete(id);
    this.connections.disconnect(id, 'device revoked');
    await this.audit.record(actor, {
      action: 'device.revoke',
      result: 'ok',
      deviceId: id,
      details: { name: device.name },
    });
    this.logger.log(`Device "${device.name}" (${id}) revoked`);
    this.live.publish('device', {
      device: { ...this.toView({ ...device, ssh: null }), online: false },
      revoked: true,
    });
  }

  /** Tells live watchers a device's current view (after it connected or went away). */
  async publish(id: string): Promise<void> {
    const device = await this.devices.findActive(id);
    if (device) this.live.publish('device', { device: this.toView(device) });
  }

  async listUsers(id: string): Promise<ManagedUserView[]> {
    await this.require(id);
    return (await this.managedUsers.listForDevice(id)).map((user) => ({
      login: user.login,
      updatedAt: user.stateAt?.toISOString() ?? null,
      state: user.state,
      error: user.error,
    }));
  }

  async require(id: string): Promise<DeviceEntity> {
    const device = await this.devices.findActive(id);
    if (!device) throw new NotFoundException(`No device with id ${id}`);
    return device;
  }

  toView(device: DeviceEntity): DeviceView {
    const link = this.connections.get(device.id);
    return {
      id: device.id,
      name: device.name,
      hostname: device.hostname,
      online: link !== undefined,
      transport: link?.transport ?? device.transport,
      lastSeen: link ? new Date().toISOString() : (device.lastSeenAt?.toISOString() ?? null),
      agentVersion: device.agentVersion,
      timekprVersion: device.timekprVersion,
      timezone: device.timezone,
      createdAt: device.createdAt.toISOString(),
      mode: device.mode,
      ssh: device.ssh ? toSshView(device.ssh) : null,
    };
  }
}
