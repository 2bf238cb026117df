import { Column, CreateDateColumn, Entity, OneToOne, JoinColumn, PrimaryColumn } from 'typeorm';
import { AccountEntity } from '../../accounts/account.entity';

/**
 * An account's authenticator (TOTP) secret: pending from set-up until a first code proves the app has it,
 * then enabled. Removed with the account.
 */
@Entity('account_totp')
export class AccountTotpEntity {
  @PrimaryColumn('varchar', { length: 36 })
  accountId!: string;

  @OneToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'accountId' })
  account?: AccountEntity;

  /** The secret, sealed with the credential key and bound to the account id. */
  @Column('text')
  secret!: string;

  /** Null while pending: sign-in asks for a code only once this is set. */
  @Column({ type: Date, nullable: true })
  enabledAt!: Date | null;

  /** The last time step a code was accepted for: that code and older ones are refused (no replay). */
  @Column('integer', { nullable: true })
  lastStep!: number | null;

  @CreateDateColumn()
  createdAt!: Date;
}
