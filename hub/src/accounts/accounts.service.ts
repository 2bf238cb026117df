import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { AccountView, Credentials, Role } from '@kidtime/protocol';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { PasswordHasher } from '../auth/password-hasher';
import type { AccountEntity } from './account.entity';
import { AccountRepository } from './account.repository';

/** What passwordSchema cannot check alone. */
export function assertPasswordAllowed(username: string, password: string): void {
  if (password.toLowerCase().includes(username)) {
    throw new BadRequestException('password: must not contain the username');
  }
}

@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);
  /** Serialises account creation so two first-run setups cannot both create an owner. */
  private creating: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  async setupNeeded(): Promise<boolean> {
    return (await this.accounts.count()) === 0;
  }

  /** Creates the first owner; refused once any account exists. */
  setup(credentials: Credentials, from: string): Promise<AccountView> {
    return this.serialised(async () => {
      if (!(await this.setupNeeded())) throw new ConflictException('Setup is already done; sign in instead');
      const account = await this.insert(credentials, 'owner');
      this.logger.log(`First owner "${account.username}" created`);
      await this.audit.record(
        { type: 'account', id: account.id, name: account.username, channel: 'ui' },
        {
          action: 'account.setup',
          result: 'ok',
          details: { username: account.username, role: 'owner', from },
        },
      );
      return toAccountView(account);
    });
  }

  create(credentials: Credentials, role: Role, actor: AuditActor): Promise<AccountView> {
    return this.serialised(async () => {
      const account = await this.insert(credentials, role);
      this.logger.log(`Account "${account.username}" created with role ${role}`);
      await this.audit.record(actor, {
        action: 'account.create',
        result: 'ok',
        details: { username: account.username, role },
      });
      return toAccountView(account);
    });
  }

  async get(id: string): Promise<AccountView> {
    return toAccountView(await this.require(id));
  }

  async list(): Promise<AccountView[]> {
    return (await this.accounts.list()).map(toAccountView);
  }

  async changeRole(id: string, role: Role, actor: AuditActor): Promise<AccountView> {
    const account = await this.require(id);
    if (account.role === 'owner' && role !== 'owner') await this.assertNotLastOwner(account, actor.id);
    await this.accounts.update(id, { role });
    await this.audit.record(actor, {
      action: 'account.role',
      result: 'ok',
      details: { username: account.username, from: account.role, to: role },
    });
    return toAccountView({ ...account, role });
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    const account = await this.require(id);
    if (account.role === 'owner') await this.assertNotLastOwner(account, actor.id);
    await this.accounts.delete(id);
    await this.audit.record(actor, {
      action: 'account.remove',
      result: 'ok',
      details: { username: account.username },
    });
    this.logger.log(`Account "${account.username}" removed`);
  }

  private async assertNotLastOwner(account: AccountEntity, actingAccountId: string | null): Promise<void> {
    if ((await this.accounts.countByRole('owner')) <= 1) {
      throw new ForbiddenException(
        account.id === actingAccountId
          ? 'You are the only owner; make someone else owner first'
          : `"${account.username}" is the only owner`,
      );
    }
  }

  private async require(id: string): Promise<AccountEntity> {
    const account = await this.accounts.findById(id);
    if (!account) throw new NotFoundException(`No account with id ${id}`);
    return account;
  }

  private async insert({ username, password }: Credentials, role: Role): Promise<AccountEntity> {
    assertPasswordAllowed(username, password);
    if (await this.accounts.findByUsername(username)) {
      throw new ConflictException(`An account named "${username}" already exists`);
    }
    const passwordHash = await this.hasher.hash(password);
    return this.accounts.create({ username, passwordHash, role }).catch((error: unknown) => {
      // Another hub process created the same name between our check and the insert.
      if (/UNIQUE|duplicate key/i.test(String(error)))
        throw new ConflictException(`An account named "${username}" already exists`);
      throw error;
    });
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.creating.then(work, work);
    this.creating = run.catch(() => undefined);
    return run;
  }
}

export function toAccountView(account: AccountEntity): AccountView {
  return {
    id: account.id,
    username: account.username,
    role: account.role,
    source: account.source,
    createdAt: account.createdAt.toISOString(),
  };
}
