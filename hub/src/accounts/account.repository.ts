import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Role } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AccountEntity } from './account.entity';

export interface NewAccount {
  username: string;
  passwordHash: string;
  role: Role;
}

@Injectable()
export class AccountRepository {
  constructor(@InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>) {}

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

  list(): Promise<AccountEntity[]> {
    return this.accounts.find({ order: { createdAt: 'ASC' } });
  }

  create(account: NewAccount): Promise<AccountEntity> {
    return this.accounts.save(this.accounts.create({ id: randomUUID(), ...account }));
  }

  async update(id: string, patch: Partial<Pick<AccountEntity, 'role' | 'passwordHash'>>): Promise<void> {
    await this.accounts.update({ id }, patch);
  }

  async delete(id: string): Promise<void> {
    await this.accounts.delete({ id });
  }
}
