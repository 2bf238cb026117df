import { Column, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { AccountEntity } from '../../accounts/account.entity';

/**
 * A one-time code that hands a finished identity-provider sign-in to the web app: the tokens themselves never
 * go into a URL. Kept in the database (hashed) so whichever hub the app asks can redeem it; good for a minute.
 */
@Entity('oidc_exchange')
export class OidcExchangeEntity {
  /** SHA-256 of the code, hex. */
  @PrimaryColumn('varchar', { length: 64 })
  codeHash!: string;

  /** SHA-256 of the secret in the cookie of the browser the sign-in finished in: only it may redeem the code. */
  @Column('varchar', { length: 64 })
  browserHash!: string;

  @Index()
  @Column('varchar', { length: 36 })
  accountId!: string;

  @ManyToOne(() => AccountEntity, { onDelete: 'CASCADE' })
  account?: AccountEntity;

  @Column({ type: Date })
  expiresAt!: Date;
}
