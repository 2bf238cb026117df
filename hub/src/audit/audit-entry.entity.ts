import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type AuditActorType = 'account' | 'api-token' | 'home-assistant' | 'cli' | 'device' | 'system';
export type AuditResult = 'ok' | 'queued' | 'applied' | 'failed' | 'expired' | 'refused';

/** One line of the append-only record of what changed: who, what, when, through which channel, with what result. */
@Entity('audit_entry')
@Index(['at'])
@Index(['deviceId', 'at'])
export class AuditEntryEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column({ type: Date })
  at!: Date;

  @Column('varchar', { length: 16 })
  actorType!: AuditActorType;

  @Column('varchar', { length: 36, nullable: true })
  actorId!: string | null;

  /** The name at the time (an account may be renamed or removed later). */
  @Column('varchar', { length: 100 })
  actorName!: string;

  @Column('varchar', { length: 16 })
  channel!: string;

  /** What happened, e.g. `time.add`, `account.create`, `device.revoke`. */
  @Column('varchar', { length: 40 })
  action!: string;

  @Column('varchar', { length: 36, nullable: true })
  deviceId!: string | null;

  @Column('varchar', { length: 32, nullable: true })
  login!: string | null;

  @Column('varchar', { length: 36, nullable: true })
  commandId!: string | null;

  @Column('simple-json', { nullable: true })
  details!: Record<string, unknown> | null;

  @Column('varchar', { length: 16 })
  result!: AuditResult;

  @Column('varchar', { length: 500, nullable: true })
  message!: string | null;
}
