import type { ManagedUserState } from '@kidtime/protocol';
import { Column, Entity, Index, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { ChildEntity } from '../children/child.entity';
import { DeviceEntity } from './device.entity';

/** One Linux login on one device that Timekpr-nExT manages, with the last state its agent reported. */
@Entity('managed_user')
@Unique(['deviceId', 'login'])
export class ManagedUserEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 36 })
  deviceId!: string;

  @ManyToOne(() => DeviceEntity, { onDelete: 'CASCADE' })
  device?: DeviceEntity;

  @Column('varchar', { length: 32 })
  login!: string;

  /** The child this login belongs to, if a parent has said so. */
  @Index()
  @Column('varchar', { length: 36, nullable: true })
  childId!: string | null;

  @ManyToOne(() => ChildEntity, { onDelete: 'SET NULL' })
  child?: ChildEntity;

  @Column('simple-json', { nullable: true })
  state!: ManagedUserState | null;

  @Column({ type: Date, nullable: true })
  stateAt!: Date | null;

  /** Why the last read failed, if it did. */
  @Column('varchar', { length: 500, nullable: true })
  error!: string | null;
}
