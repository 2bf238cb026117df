import {
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type {
  ApiTokenCreated,
  ApiTokenScope,
  ApiTokenView,
  CreateApiTokenRequest,
  Role,
} from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { AccountRepository } from '../accounts/account.repository';
import { AuditService, accountActor } from '../audit/audit.service';
import { hashToken, randomToken } from '../common/secure-token';
import type { ApiTokenEntity } from './api-token.entity';
import { ApiTokenRepository } from './api-token.repository';
import type { Principal } from './current-account';
import { LoginThrottler } from './login-throttler';

/** Every API token starts so; access tokens (JWTs) never do. */
export const API_TOKEN_PREFIX = 'kt_';

/** What each scope may do, as the role it acts with at most. */
const SCOPE_ROLE: Record<ApiTokenScope, Role> = { read: 'viewer', control: 'parent', admin: 'owner' };
const RANK: Record<Role, number> = { viewer: 0, parent: 1, owner: 2 };

/** The role a token acts with: its account's, capped by its scope. */
export function roleWithin(role: Role, scope: ApiTokenScope): Role {
  const cap = SCOPE_ROLE[scope];
  return RANK[role] <= RANK[cap] ? role : cap;
}

/** Its last use is written at most this often, not on every request of an automation. */
const LAST_USED_PRECISION_MS = 60_000;

@Injectable()
export class ApiTokensService {
  private readonly logger = new Logger(ApiTokensService.name);

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly accounts: AccountRepository,
    private readonly throttler: LoginThrottler,
    private readonly audit: AuditService,
  ) {}

  async create(principal: Principal, request: CreateApiTokenRequest): Promise<ApiTokenCreated> {
    if (RANK[SCOPE_ROLE[request.scope]] > RANK[principal.role]) {
      throw new ForbiddenException(
        `scope: a ${principal.role} can create tokens up to the "${maxScope(principal.role)}" scope`,
      );
    }
    const secret = `${API_TOKEN_PREFIX}${randomToken()}`;
    const now = new Date();
    const entity = {
      id: randomUUID(),
      accountId: principal.accountId,
      name: request.name,
      scope: request.scope,
      tokenHash: hashToken(secret),
      prefix: secret.slice(0, 8),
      createdAt: now,
      expiresAt: request.expiresInDays ? new Date(now.getTime() + request.expiresInDays * 86_400_000) : null,
    };
    await this.tokens.insert(entity);
    await this.audit.record(accountActor(principal), {
      action: 'api-token.create',
      result: 'ok',
      details: { id: entity.id, name: entity.name, scope: entity.scope, expiresAt: entity.expiresAt },
    });
    this.logger.log(`"${principal.username}" created the API token "${entity.name}" (${entity.scope})`);
    return {
      ...toView({ ...entity, lastUsedAt: null, lastUsedFrom: null }, principal.username),
      token: secret,
    };
  }

  /** Owners see every account's tokens (to revoke a forgotten one); others their own. */
  async list(principal: Principal): Promise<ApiTokenView[]> {
    const rows = await this.tokens.listActive(principal.role === 'owner' ? null : principal.accountId);
    return rows.map((row) => toView(row, row.account.username));
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    const token = await this.tokens.findById(id);
    const mayRevoke = token && (token.accountId === principal.accountId || principal.role === 'owner');
    if (!token || !mayRevoke || token.revokedAt) throw new NotFoundException(`No API token with id ${id}`);
    await this.tokens.revoke(token, new Date());
    await this.audit.record(accountActor(principal), {
      action: 'api-token.revoke',
      result: 'ok',
      details: { id: token.id, name: token.name },
    });
    this.logger.log(`"${principal.username}" revoked the API token "${token.name}"`);
  }

  /**
   * Who a presented API token acts as. Unknown tokens count as failed sign-ins of the address (guessing one
   * is throttled like guessing a password); revoked and expired ones say so.
   */
  async authenticate(secret: string, ip: string, now = new Date()): Promise<Principal> {
    const attempt = this.throttler.guess(ip);
    const token = await this.tokens.findByHash(hashToken(secret));
    if (!token) throw new UnauthorizedException('Unknown API token');
    attempt.succeeded();
    if (token.revokedAt) throw new UnauthorizedException(`The API token "${token.name}" was revoked`);
    if (token.expiresAt && token.expiresAt <= now) {
      throw new UnauthorizedException(
        `The API token "${token.name}" expired on ${token.expiresAt.toISOString().slice(0, 10)}; create a new one`,
      );
    }
    const account = await this.accounts.findForToken(token.accountId);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
      await this.tokens.markUsed(token, ip, now);
    }
    return {
      accountId: account.id,
      username: account.username,
      role: roleWithin(account.role, token.scope),
      sessionId: null,
      apiToken: { id: token.id, name: token.name, scope: token.scope },
    };
  }
}

function maxScope(role: Role): ApiTokenScope {
  return role === 'owner' ? 'admin' : role === 'parent' ? 'control' : 'read';
}

function toView(
  token: Omit<ApiTokenEntity, 'revokedAt' | 'account' | 'tokenHash'>,
  username: string,
): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    username,
    prefix: `${token.prefix}…`,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    lastUsedFrom: token.lastUsedFrom,
  };
}
