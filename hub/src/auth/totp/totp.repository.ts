import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, IsNull, Not, Repository } from 'typeorm';
import { AccountTotpEntity } from './account-totp.entity';
import { RecoveryCodeEntity } from './recovery-code.entity';

/** Authenticator secrets and recovery codes. */
@Injectable()
export class TotpRepository {
  constructor(
    @InjectRepository(AccountTotpEntity) private readonly totps: Repository<AccountTotpEntity>,
    @InjectRepository(RecoveryCodeEntity) private readonly codes: Repository<RecoveryCodeEntity>,
  ) {}

  find(accountId: string): Promise<AccountTotpEntity | null> {
    return this.totps.findOneBy({ accountId });
  }

  /** Which of these accounts have an enabled authenticator. */
  async enabledAmong(accountIds: string[]): Promise<Set<string>> {
    if (accountIds.length === 0) return new Set();
    const rows = await this.totps.find({
      select: { accountId: true },
      where: { accountId: In(accountIds), enabledAt: Not(IsNull()) },
    });
    return new Set(rows.map((row) => row.accountId));
  }

  /** A new pending secret, replacing any earlier one (pending or enabled stays as it was until enabled). */
  async savePending(accountId: string, secret: string, at: Date): Promise<void> {
    await this.totps.upsert({ accountId, secret, enabledAt: null, lastStep: null, createdAt: at }, [
      'accountId',
    ]);
  }

  async enable(accountId: string, step: number, at: Date): Promise<void> {
    await this.totps.update({ accountId }, { enabledAt: at, lastStep: step });
  }

  /**
   * Spends a time step: true when `step` is newer than the last accepted one. One UPDATE, so two requests
   * with the same code at once cannot both get in.
   */
  async spendStep(accountId: string, step: number): Promise<boolean> {
    const result = await this.totps
      .createQueryBuilder()
      .update()
      .set({ lastStep: step })
      .where('accountId = :accountId AND enabledAt IS NOT NULL', { accountId })
      .andWhere('(lastStep IS NULL OR lastStep < :step)', { step })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async remove(accountId: string): Promise<void> {
    await this.totps.delete({ accountId });
    await this.codes.delete({ accountId });
  }

  /** Replaces every recovery code of the account with these (hashed) ones. */
  async replaceRecoveryCodes(accountId: string, hashes: string[], at: Date): Promise<void> {
    await this.codes.delete({ accountId });
    await this.codes.insert(
      hashes.map((codeHash) => ({ id: randomUUID(), accountId, codeHash, usedAt: null, createdAt: at })),
    );
  }

  /** Uses up the unused recovery code with this hash; true when there was one (each works once). */
  async spendRecoveryCode(accountId: string, codeHash: string, at: Date): Promise<boolean> {
    const result = await this.codes.update({ accountId, codeHash, usedAt: IsNull() }, { usedAt: at });
    return (result.affected ?? 0) > 0;
  }

  countUnusedRecoveryCodes(accountId: string): Promise<number> {
    return this.codes.countBy({ accountId, usedAt: IsNull() });
  }
}
