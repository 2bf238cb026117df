import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UsageRecord } from '@kidtime/protocol';
import { DataSource } from 'typeorm';
import { ChildEntity } from '../children/child.entity';
import { DeviceEntity } from '../devices/device.entity';
import { ManagedUserEntity } from '../devices/managed-user.entity';
import { UsageDayEntity } from './usage-day.entity';

export interface UsageFilter {
  members?: ReadonlyArray<{ deviceId: string; login: string }>;
  deviceId?: string;
  login?: string;
  from: string;
  to: string;
}

export interface UsageRow extends UsageDayEntity {
  deviceName: string | null;
  childId: string | null;
  childName: string | null;
}

@Injectable()
export class UsageRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores reports of login-days from one device, each only if it is newer than what is stored: a later
   * seq of the same agent epoch, or another epoch (the agent was reinstalled). Returns the rows as they were
   * before, for the records that were stored (null where the day is new).
   */
  async store(
    deviceId: string,
    records: readonly UsageRecord[],
    now: Date,
  ): Promise<Array<{ record: UsageRecord; before: UsageDayEntity | null }>> {
    return this.db.transaction(async (manager) => {
      const repo = manager.getRepository(UsageDayEntity);
      const stored: Array<{ record: UsageRecord; before: UsageDayEntity | null }> = [];
      for (const record of records) {
        const before = await repo.findOneBy({ deviceId, login: record.login, day: record.day });
        if (before && before.epoch === record.epoch && before.seq >= record.seq) continue;
        await repo.save({
          deviceId,
          login: record.login,
          day: record.day,
          timezone: record.timezone,
          spentSeconds: record.spentSeconds,
          playtimeSeconds: record.playtimeSeconds,
          intervals: record.intervals,
          ranOutAt: record.ranOutAt,
          epoch: record.epoch,
          seq: record.seq,
          updatedAt: now,
        });
        stored.push({ record, before });
      }
      return stored;
    });
  }

  /** Days in [from, to], with the PC's name and the child the login belongs to now. */
  async list(filter: UsageFilter): Promise<UsageRow[]> {
    const query = this.db
      .getRepository(UsageDayEntity)
      .createQueryBuilder('u')
      .leftJoin(DeviceEntity, 'd', 'd.id = u.deviceId')
      .leftJoin(ManagedUserEntity, 'm', 'm.deviceId = u.deviceId AND m.login = u.login')
      .leftJoin(ChildEntity, 'c', 'c.id = m.childId')
      .select('u.*')
      .addSelect('d.name', 'deviceName')
      .addSelect('c.id', 'childId')
      .addSelect('c.name', 'childName')
      .where('u.day >= :from AND u.day <= :to', { from: filter.from, to: filter.to })
      .orderBy('u.day', 'ASC')
      .addOrderBy('d.name', 'ASC')
      .addOrderBy('u.login', 'ASC')
      .limit(10_000);
    if (filter.deviceId) query.andWhere('u.deviceId = :deviceId', { deviceId: filter.deviceId });
    if (filter.login) query.andWhere('u.login = :login', { login: filter.login });
    if (filter.members) {
      if (filter.members.length === 0) return [];
      query.andWhere(
        `(${filter.members.map((_, i) => `(u.deviceId = :d${i} AND u.login = :l${i})`).join(' OR ')})`,
        Object.fromEntries(
          filter.members.flatMap((m, i) => [
            [`d${i}`, m.deviceId],
            [`l${i}`, m.login],
          ]),
        ),
      );
    }
    const raw = await query.getRawMany<Record<string, unknown>>();
    return raw.map((row) => ({
      deviceId: row.deviceId as string,
      login: row.login as string,
      day: row.day as string,
      timezone: row.timezone as string,
      spentSeconds: Number(row.spentSeconds),
      playtimeSeconds: row.playtimeSeconds === null ? null : Number(row.playtimeSeconds),
      intervals: JSON.parse(row.intervals as string) as UsageDayEntity['intervals'],
      ranOutAt: JSON.parse(row.ranOutAt as string) as string[],
      epoch: row.epoch as string,
      seq: Number(row.seq),
      updatedAt: new Date(row.updatedAt as string),
      deviceName: (row.deviceName as string | null) ?? null,
      childId: (row.childId as string | null) ?? null,
      childName: (row.childName as string | null) ?? null,
    }));
  }
}
