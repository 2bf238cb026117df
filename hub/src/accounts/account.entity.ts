import type { Role, SignInMethod } from '@kidtime/protocol';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('account')
@Index(['source', 'externalId'], { unique: true })
export class AccountEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  /** Stored lower-case; unique. */
  @Column('varchar', { length: 64, unique: true })
  username!: string;

  /** argon2id PHC string; empty for accounts whose password lives elsewhere (LDAP, OIDC, proxy). */
  @Column('varchar', { length: 255 })
  passwordHash!: string;

  /** Who vouches for this person: the hub's own password (`local`) or a directory, provider or proxy. */
  @Column('varchar', { length: 8, default: 'local' })
  source!: SignInMethod;

  /** The person at the source, stable across renames: OIDC issuer + subject, LDAP DN; null for local. */
  @Column('varchar', { length: 500, nullable: true })
  externalId!: string | null;

  @Column('varchar', { length: 16 })
  role!: Role;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
