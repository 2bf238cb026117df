import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { AccountEntity } from '../../accounts/account.entity';

/**
 * A parent's phone trusted for the quick PIN. The phone keeps a random secret; unlocking needs both it and
 * the PIN, so the PIN is worth nothing anywhere else, and a few wrong PINs end the trust.
 */
@Entity('trusted_device')
export class TrustedDeviceEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Index()
  @Column('varchar', { length: 36 })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column('varchar', { length: 100 })
  name!: string;

  /** SHA-256 of the phone's secret: random, so a fast hash is enough. */
  @Column('varchar', { length: 64, unique: true })
  secretHash!: string;

  /** argon2id of the PIN. */
  @Column('varchar', { length: 200 })
  pinHash!: string;

  /** Wrong PINs since the last right one; counted before the PIN is checked. */
  @Column('integer', { default: 0 })
  failedAttempts!: number;

  @CreateDateColumn()
  createdAt!: Date;

  @Column({ type: Date, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: Date })
  expiresAt!: Date;

  /** Revoked by a parent or an owner, locked by wrong PINs, or ended by a password change. */
  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;
}
