import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { AccountEntity } from '../../accounts/account.entity';

/** One single-use recovery code for when the phone with the authenticator app is gone; stored hashed. */
@Entity('recovery_code')
export class RecoveryCodeEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Index()
  @Column('varchar', { length: 36 })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  /** SHA-256 of the code: codes are random (50 bits) and throttled, so a fast hash is enough. */
  @Column('varchar', { length: 64 })
  codeHash!: string;

  @Column({ type: Date, nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn()
  createdAt!: Date;
}
