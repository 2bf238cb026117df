import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A person whose screen time is managed; owns managed users (a login on a PC) on one or more PCs. */
@Entity('child')
export class ChildEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 100, unique: true })
  name!: string;

  @CreateDateColumn()
  createdAt!: Date;
}
