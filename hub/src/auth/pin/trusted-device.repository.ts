import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, MoreThan, Not, Repository } from 'typeorm';
import { TrustedDeviceEntity } from './trusted-device.entity';

export type TrustedDeviceRow = TrustedDeviceEntity & { account: { username: string } };

@Injectable()
export class TrustedDeviceRepository {
  constructor(
    @InjectRepository(TrustedDeviceEntity) private readonly devices: Repository<TrustedDeviceEntity>,
  ) {}

  async insert(device: Omit<TrustedDeviceEntity, 'account' | 'revokedAt' | 'lastUsedAt' | 'failedAttempts'>) {
    await this.devices.insert({ ...device, failedAttempts: 0, lastUsedAt: null, revokedAt: null });
  }

  findById(id: string): Promise<TrustedDeviceEntity | null> {
    return this.devices.findOneBy({ id });
  }

  /** Trusted phones still in force, most recently used first: one account's, or everyone's. */
  listActive(accountId: string | null, now: Date): Promise<TrustedDeviceRow[]> {
    return this.devices.find({
      where: { revokedAt: IsNull(), expiresAt: MoreThan(now), ...(accountId ? { accountId } : {}) },
      relations: { account: true },
      order: { lastUsedAt: { direction: 'DESC', nulls: 'LAST' }, createdAt: 'DESC' },
    }) as Promise<TrustedDeviceRow[]>;
  }

  /**
   * Takes one of the device's remaining tries, in one statement, before the PIN is checked: however many
   * guesses arrive at once, no more than `max` are ever checked. False when none is left (or it is revoked).
   */
  async takeAttempt(id: string, max: number): Promise<boolean> {
    const result = await this.devices
      .createQueryBuilder()
      .update()
      .set({ failedAttempts: () => '"failedAttempts" + 1' })
      .where('id = :id AND "revokedAt" IS NULL AND "failedAttempts" < :max', { id, max })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** The right PIN: the tries are given back. */
  async unlocked(id: string, at: Date): Promise<void> {
    await this.devices.update({ id }, { failedAttempts: 0, lastUsedAt: at });
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const result = await this.devices.update({ id, revokedAt: IsNull() }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }

  /** Ends the trust of every phone of an account but `keep`; returns their ids. */
  async revokeAccount(accountId: string, at: Date, keep: string | null = null): Promise<string[]> {
    const where = { accountId, revokedAt: IsNull(), ...(keep ? { id: Not(keep) } : {}) };
    const ids = (await this.devices.find({ where, select: { id: true } })).map((d) => d.id);
    if (ids.length > 0) await this.devices.update(where, { revokedAt: at });
    return ids;
  }

  /** Forgets trusts that ended before `before`. */
  async deleteEnded(before: Date): Promise<number> {
    const expired = await this.devices.delete({ expiresAt: LessThan(before) });
    const revoked = await this.devices.delete({ revokedAt: LessThan(before) });
    return (expired.affected ?? 0) + (revoked.affected ?? 0);
  }
}
