import type { SessionMethod } from '@kidtime/protocol';
import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';

/**
 * One signed-in device: a sign-in and the refresh tokens rotated from it (their `familyId` is this id). Access
 * tokens carry it too, so signing a session out ends its access tokens at once, not when they expire.
 */
@Entity('session')
export class SessionEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Index()
  @Column('varchar', { length: 36 })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column('varchar', { length: 8 })
  method!: SessionMethod;

  /** The trusted phone a quick-PIN session was unlocked on: ending that trust ends the session. */
  @Column('varchar', { length: 36, nullable: true })
  trustedDeviceId!: string | null;

  /** The client's User-Agent, shortened: how a parent tells their phone from the kitchen laptop. */
  @Column('varchar', { length: 200, nullable: true })
  client!: string | null;

  /** The address it last signed in or renewed from. */
  @Column('varchar', { length: 64, nullable: true })
  address!: string | null;

  @CreateDateColumn()
  createdAt!: Date;

  @Column({ type: Date })
  lastUsedAt!: Date;

  /** When it was signed out; its refresh tokens are revoked with it. */
  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;
}
