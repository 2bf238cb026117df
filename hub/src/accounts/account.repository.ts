import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Role, SignInMethod } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AccountEntity } from './account.entity';

export interface NewAccount {
  username: string;
  passwordHash: string;
  role: Role;
  /** `local` unless given. */
  source?: SignInMethod;
  externalId?: string | null;
}

/**
 * How long an account read for a request's token is reused. Changes made through this hub apply at once (they
 * clear it); another hub sharing the database (Postgres, later) sees them within this time.
 */
const TOKEN_ACCOUNT_TTL_MS = 5_000;

@Injectable()
export class AccountRepository {
  private readonly recent = new Map<string, { account: AccountEntity | null; at: number }>();

  constructor(@InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>) {}

  /** The account behind an access token: read once per few seconds, not on every request of a burst. */
  async findForToken(id: string): Promise<AccountEntity | null> {
    const hit = this.recent.get(id);
    if (hit && Date.now() - hit.at < TOKEN_ACCOUNT_TTL_MS) return hit.account;
    const account = await this.findById(id);
    if (this.recent.size >= 1000) this.recent.clear();
    this.recent.set(id, { account, at: Date.now() });
    return account;
  }

  count(): Promise<number> {
    return this.accounts.count();
  }

  countByRole(role: Role): Promise<number> {
    return this.accounts.countBy({ role });
  }

  findById(id: string): Promise<AccountEntity | null> {
    return this.accounts.findOneBy({ id });
  }

  findByUsername(username: string): Promise<AccountEntity | null> {
    return this.accounts.findOneBy({ username });
  }

  /** The account linked to a person at a directory or identity provider. */
  findByExternalId(source: SignInMethod, externalId: string): Promise<AccountEntity | null> {
    return this.accounts.findOneBy({ source, externalId });
  }

  list(): Promise<AccountEntity[]> {
    return this.accounts.find({ order: { createdAt: 'ASC' } });
  }

  /** One INSERT outside any transaction (save() would open one, which two sign-ups at once collide on). */
  async create(account: NewAccount): Promise<AccountEntity> {
    const now = new Date();
    const entity = this.accounts.create({
      id: randomUUID(),
      source: 'local',
      externalId: null,
      ...account,
      createdAt: now,
      updatedAt: now,
    });
    await this.accounts.insert(entity);
    return entity;
  }

  async update(
    id: string,
    patch: Partial<Pick<AccountEntity, 'role' | 'passwordHash' | 'source' | 'externalId'>>,
  ): Promise<void> {
    await this.accounts.update({ id }, patch);
    this.recent.delete(id);
  }

  async delete(id: string): Promise<void> {
    await this.accounts.delete({ id });
    this.recent.delete(id);
  }
}
