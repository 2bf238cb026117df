import type { Role } from '@kidtime/protocol';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('account')
export class AccountEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  /** Stored lower-case; unique. */
  @Column('varchar', { length: 64, unique: true })
  username!: string;

  /** argon2id PHC string. */
  @Column('varchar', { length: 255 })
  passwordHash!: string;

  @Column('varchar', { length: 16 })
  role!: Role;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
