import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A named login at the embedded MQTT broker for a program other than the hub and its agents: today only Home
 * Assistant's (`homeassistant`). Only the hash of its password is kept; the password is shown once.
 */
@Entity('mqtt_login')
export class MqttLoginEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 64, unique: true })
  username!: string;

  /** SHA-256 of the generated password (a random token, so a fast hash is enough). */
  @Column('varchar', { length: 64 })
  secretHash!: string;

  /** When this password was made: replacing the login makes a new one. */
  @Column({ type: Date })
  createdAt!: Date;

  /** The account that made it (null if something other than an account did). */
  @Column('varchar', { length: 36, nullable: true })
  createdBy!: string | null;

  /** The last successful broker login, written at most once a minute. */
  @Column({ type: Date, nullable: true })
  lastLoginAt!: Date | null;
}
