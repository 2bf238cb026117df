import type { SshAuth, UsageBookSnapshot } from '@kidtime/protocol';
import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { DeviceEntity } from '../devices/device.entity';

/** How the hub reaches one PC over SSH, and what it learnt doing so. Secrets are stored encrypted only. */
@Entity('device_ssh')
export class DeviceSshEntity {
  @PrimaryColumn('varchar', { length: 36 })
  deviceId!: string;

  @OneToOne(() => DeviceEntity, (device) => device.ssh, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deviceId' })
  device?: DeviceEntity;

  @Column('varchar', { length: 253 })
  host!: string;

  @Column('integer')
  port!: number;

  @Column('varchar', { length: 32 })
  username!: string;

  @Column('varchar', { length: 8 })
  auth!: SshAuth;

  /** The password or the private key (and its passphrase), encrypted with the hub's credential key; `{}` sealed for the hub's own key. */
  @Column('text')
  secret!: string;

  @Column('varchar', { length: 201 })
  timekpraPath!: string;

  /** null: the hub's own time zone. */
  @Column('varchar', { length: 64, nullable: true })
  timezone!: string | null;

  /** The fingerprint a parent said the PC must show; the first key is pinned only if it matches. */
  @Column('varchar', { length: 60, nullable: true })
  expectedFingerprint!: string | null;

  /** The pinned host key: algorithm, the key's wire form (base64) and its SHA256 fingerprint. */
  @Column('varchar', { length: 40, nullable: true })
  hostKeyAlgorithm!: string | null;

  @Column('text', { nullable: true })
  hostKey!: string | null;

  @Column('varchar', { length: 60, nullable: true })
  hostKeyFingerprint!: string | null;

  @Column({ type: Date, nullable: true })
  hostKeyPinnedAt!: Date | null;

  /** A different host key the PC showed and the hub refused, until a parent trusts it. */
  @Column('varchar', { length: 40, nullable: true })
  offeredKeyAlgorithm!: string | null;

  @Column('text', { nullable: true })
  offeredKey!: string | null;

  @Column('varchar', { length: 60, nullable: true })
  offeredKeyFingerprint!: string | null;

  @Column({ type: Date, nullable: true })
  offeredKeyAt!: Date | null;

  @Column('boolean', { default: false })
  reachable!: boolean;

  @Column({ type: Date, nullable: true })
  lastContactAt!: Date | null;

  @Column('varchar', { length: 500, nullable: true })
  lastError!: string | null;

  /** The usage the hub books for this PC while it polls it (what the agent keeps on disk). */
  @Column('simple-json', { nullable: true })
  usageBook!: UsageBookSnapshot | null;

  @CreateDateColumn()
  createdAt!: Date;

  @Column({ type: Date })
  updatedAt!: Date;
}
