import type { DeviceMode } from '@kidtime/protocol';
import { Column, CreateDateColumn, Entity, OneToOne, PrimaryColumn } from 'typeorm';
import { DeviceSshEntity } from '../ssh/device-ssh.entity';

export type DeviceTransport = 'ws' | 'mqtt' | 'ssh';

@Entity('device')
export class DeviceEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 100 })
  name!: string;

  @Column('varchar', { length: 100 })
  hostname!: string;

  /** SHA-256 of the device credential; null once revoked. */
  @Column('varchar', { length: 64, nullable: true })
  credentialHash!: string | null;

  @Column('varchar', { length: 64, nullable: true })
  agentVersion!: string | null;

  @Column('varchar', { length: 64, nullable: true })
  timekprVersion!: string | null;

  @Column('varchar', { length: 64, nullable: true })
  timezone!: string | null;

  @Column('varchar', { length: 8, nullable: true })
  transport!: DeviceTransport | null;

  @Column({ type: Date, nullable: true })
  lastSeenAt!: Date | null;

  @CreateDateColumn()
  createdAt!: Date;

  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;

  /** Through its agent, over SSH, or through its agent and over SSH while the agent is offline. */
  @Column('varchar', { length: 16, default: 'agent' })
  mode!: DeviceMode;

  /** Loaded with the device where the view needs it; null when the PC has no SSH settings. */
  @OneToOne(() => DeviceSshEntity, (ssh) => ssh.device)
  ssh?: DeviceSshEntity | null;
}
