import type { UsageInterval } from '@kidtime/protocol';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What one login on one PC used on one day of that PC's calendar, as its agent last reported it. Kept when
 * the PC or the child is removed: it is history. `epoch` + `seq` order the agent's reports of the day.
 */
@Entity('usage_day')
@Index('IDX_usage_day_day', ['day'])
export class UsageDayEntity {
  @PrimaryColumn('varchar', { length: 36 })
  deviceId!: string;

  @PrimaryColumn('varchar', { length: 32 })
  login!: string;

  /** `YYYY-MM-DD`, the PC's local day. */
  @PrimaryColumn('varchar', { length: 10 })
  day!: string;

  @Column('varchar', { length: 64 })
  timezone!: string;

  @Column('integer')
  spentSeconds!: number;

  @Column('integer', { nullable: true })
  playtimeSeconds!: number | null;

  @Column('simple-json')
  intervals!: UsageInterval[];

  @Column('simple-json')
  ranOutAt!: string[];

  @Column('varchar', { length: 36 })
  epoch!: string;

  @Column('integer')
  seq!: number;

  @Column({ type: Date })
  updatedAt!: Date;
}
