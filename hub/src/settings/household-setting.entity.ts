import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A household-wide setting an owner changes in the app (not the hub's start-up configuration). */
@Entity('household_setting')
export class HouseholdSettingEntity {
  @PrimaryColumn('varchar', { length: 64 })
  key!: string;

  /** JSON. */
  @Column('text')
  value!: string;

  @UpdateDateColumn()
  updatedAt!: Date;
}
