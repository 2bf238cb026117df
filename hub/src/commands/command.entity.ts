import type { ChangeJournal, CommandStatus, ManagedUserState, ResultError } from '@kidtime/protocol';
import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeviceEntity, type DeviceTransport } from '../devices/device.entity';

export type CommandChannel = 'ui' | 'api-token' | 'home-assistant' | 'cli' | 'ssh';

/** One change sent to a device, persisted before it is sent. */
@Entity('command')
@Index(['deviceId', 'status'])
export class CommandEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 36 })
  deviceId!: string;

  @ManyToOne(() => DeviceEntity, { onDelete: 'CASCADE' })
  device?: DeviceEntity;

  @Column('varchar', { length: 32 })
  op!: string;

  @Column('simple-json')
  args!: Record<string, unknown>;

  @Column('varchar', { length: 16 })
  status!: CommandStatus;

  @Column('simple-json', { nullable: true })
  error!: ResultError | null;

  /** The state read back from timekpr after applying. */
  @Column('simple-json', { nullable: true })
  resultState!: ManagedUserState | null;

  @Column('varchar', { length: 36, nullable: true })
  requestedBy!: string | null;

  @Column('varchar', { length: 16 })
  channel!: CommandChannel;

  @CreateDateColumn()
  createdAt!: Date;

  @Column({ type: Date })
  expiresAt!: Date;

  @Column({ type: Date, nullable: true })
  sentAt!: Date | null;

  @Column({ type: Date, nullable: true })
  completedAt!: Date | null;

  /**
   * How it was sent. A command sent to the agent and not answered yet waits for the agent (which remembers
   * what it applied), one sent over SSH is only ever retried over SSH.
   */
  @Column('varchar', { length: 8, nullable: true })
  sentVia!: DeviceTransport | null;

  /** Before a relative change over SSH: the balances to tell afterwards whether it took effect. */
  @Column('simple-json', { nullable: true })
  journal!: ChangeJournal | null;
}
