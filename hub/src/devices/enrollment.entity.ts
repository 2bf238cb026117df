import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A one-time code that lets one agent enroll. Only its hash is stored. */
@Entity('enrollment')
export class EnrollmentEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 64, unique: true })
  codeHash!: string;

  @Column('varchar', { length: 36, nullable: true })
  createdBy!: string | null;

  @Column('varchar', { length: 100, nullable: true })
  deviceName!: string | null;

  @Column({ type: Date })
  expiresAt!: Date;

  @Column({ type: Date, nullable: true })
  usedAt!: Date | null;

  @Column('varchar', { length: 36, nullable: true })
  deviceId!: string | null;

  @CreateDateColumn()
  createdAt!: Date;
}
