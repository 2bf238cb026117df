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
    device: Pick<DeviceEntity, 'name' | 'hostname' | 'credentialHash' | 'agentVersion'>,
  ): Promise<DeviceEntity> {
    const entity = this.devices.create({
      id: randomUUID(),
      timekprVersion: null,
      timezone: null,
      transport: null,
      lastSeenAt: null,
      createdAt: new Date(),
      revokedAt: null,
      ...device,
    });
    await this.devices.insert(entity);
    return entity;
  }

  /** A device that has not been revoked. */
  findActive(id: string): Promise<DeviceEntity | null> {
    return this.devices.findOneBy({ id, revokedAt: IsNull() });
  }

  listActive(): Promise<DeviceEntity[]> {
    return this.devices.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  async update(
    id: string,
    patch: Partial<
      Pick<
        DeviceEntity,
        'name' | 'hostname' | 'agentVersion' | 'timekprVersion' | 'timezone' | 'transport' | 'lastSeenAt'
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
