import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditQuery {
  from?: Date | undefined;
  to?: Date | undefined;
  deviceId?: string | undefined;
  login?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  channel?: string | undefined;
  limit: number;
  /** Entries older than this one (the previous page's last id), for paging back in time. */
  before?: { at: Date; id: string } | undefined;
}

/** Append-only: entries are added and read, never changed or removed here. */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>) {}

  async append(entry: AuditEntryEntity): Promise<void> {
    await this.entries.insert(entry as never);
  }

  findById(id: string): Promise<AuditEntryEntity | null> {
    return this.entries.findOneBy({ id });
  }

  /** Newest first. Dates are compared as the driver stores them, through bound parameters. */
  query(q: AuditQuery): Promise<AuditEntryEntity[]> {
    const builder = this.entries
      .createQueryBuilder('e')
      .orderBy('e.at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .take(q.limit);
    const at = (date: Date) =>
      this.entries.manager.connection.driver.preparePersistentValue(
        date,
        this.entries.metadata.findColumnWithPropertyName('at')!,
      );
    if (q.from) builder.andWhere('e.at >= :from', { from: at(q.from) });
    if (q.to) builder.andWhere('e.at < :to', { to: at(q.to) });
    if (q.deviceId) builder.andWhere('e.deviceId = :deviceId', { deviceId: q.deviceId });
    if (q.login) builder.andWhere('e.login = :login', { login: q.login });
    if (q.actorId) builder.andWhere('e.actorId = :actorId', { actorId: q.actorId });
    if (q.action) builder.andWhere('e.action LIKE :action', { action: `${q.action.replace(/[%_]/g, '')}%` });
    if (q.channel) builder.andWhere('e.channel = :channel', { channel: q.channel });
    if (q.before) {
      builder.andWhere('(e.at < :beforeAt OR (e.at = :beforeAt AND e.id < :beforeId))', {
        beforeAt: at(q.before.at),
        beforeId: q.before.id,
      });
    }
    return builder.getMany();
  }
}
