import type { ApiTokenScope } from '@kidtime/protocol';
import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';

/** A long-lived token for Home Assistant, scripts and automations; acts as its account, within its scope. */
@Entity('api_token')
export class ApiTokenEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Index()
  @Column('varchar', { length: 36 })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column('varchar', { length: 100 })
  name!: string;

  @Column('varchar', { length: 8 })
  scope!: ApiTokenScope;

  /** SHA-256 of the token: it is random, so a fast hash is enough, and the token itself is never kept. */
  @Column('varchar', { length: 64, unique: true })
  tokenHash!: string;

  /** Its first characters, to tell tokens apart in a list. */
  @Column('varchar', { length: 16 })
  prefix!: string;

  @CreateDateColumn()
  createdAt!: Date;

  @Column({ type: Date, nullable: true })
  expiresAt!: Date | null;

  @Column({ type: Date, nullable: true })
  lastUsedAt!: Date | null;

  @Column('varchar', { length: 64, nullable: true })
  lastUsedFrom!: string | null;

  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;
}
