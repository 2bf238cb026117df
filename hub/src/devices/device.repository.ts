import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { DeviceEntity } from './device.entity';

@Injectable()
export class DeviceRepository {
  constructor(@InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>) {}

  /** One INSERT outside any transaction (save() would open one, which two enrollments at once collide on). */
  async create(
    device: Pick<DeviceEntity, 'name' | 'hostname' | 'credentialHash' | 'agentVersion'> &
      Partial<Pick<DeviceEntity, 'id' | 'mode' | 'timezone'>>,
  ): Promise<DeviceEntity> {
    const entity = this.devices.create({
      id: randomUUID(),
      timekprVersion: null,
      timezone: null,
      transport: null,
      lastSeenAt: null,
      createdAt: new Date(),
      revokedAt: null,
      mode: 'agent',
      ...device,
    });
    await this.devices.insert(entity);
    return entity;
  }

  /** A device that has not been revoked, with its SSH settings (for its view). */
  findActive(id: string): Promise<DeviceEntity | null> {
    return this.devices.findOne({ where: { id, revokedAt: IsNull() }, relations: { ssh: true } });
  }

  listActive(): Promise<DeviceEntity[]> {
    return this.devices.find({
      where: { revokedAt: IsNull() },
      relations: { ssh: true },
      order: { createdAt: 'ASC' },
    });
  }

  async update(
    id: string,
    patch: Partial<
      Pick<
        DeviceEntity,
        | 'name'
        | 'hostname'
        | 'agentVersion'
        | 'timekprVersion'
        | 'timezone'
        | 'transport'
        | 'lastSeenAt'
        | 'mode'
      >
    >,
  ): Promise<void> {
    await this.devices.update({ id }, patch);
  }

  /** Forgets the credential so the device can never authenticate again. */
  async revoke(id: string, at: Date): Promise<boolean> {
    const result = await this.devices.update(
      { id, revokedAt: IsNull() },
      { revokedAt: at, credentialHash: null },
    );
    return (result.affected ?? 0) === 1;
  }
}
