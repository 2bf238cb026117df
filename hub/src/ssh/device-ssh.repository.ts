import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DeviceSshEntity } from './device-ssh.entity';

export type DeviceSshChange = Partial<
  Omit<DeviceSshEntity, 'deviceId' | 'device' | 'createdAt' | 'updatedAt'>
>;

@Injectable()
export class DeviceSshRepository {
  constructor(@InjectRepository(DeviceSshEntity) private readonly rows: Repository<DeviceSshEntity>) {}

  find(deviceId: string): Promise<DeviceSshEntity | null> {
    return this.rows.findOneBy({ deviceId });
  }

  /** Every PC with SSH settings that has not been revoked. */
  listActive(): Promise<DeviceSshEntity[]> {
    return this.rows
      .createQueryBuilder('s')
      .innerJoin('s.device', 'd')
      .where('d.revokedAt IS NULL')
      .getMany();
  }

  /** One INSERT (no save(), which would open a transaction of its own). */
  async insert(row: Omit<DeviceSshEntity, 'device' | 'createdAt' | 'updatedAt'>): Promise<DeviceSshEntity> {
    const now = new Date();
    const entity = this.rows.create({ ...row, createdAt: now, updatedAt: now });
    await this.rows.insert(entity as never);
    return entity;
  }

  async update(deviceId: string, change: DeviceSshChange): Promise<void> {
    await this.rows.update({ deviceId }, { ...change, updatedAt: new Date() } as never);
  }

  async delete(deviceId: string): Promise<void> {
    await this.rows.delete({ deviceId });
  }
}
