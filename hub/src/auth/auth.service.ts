import {
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Principal } from './current-account';
import type { ChangePasswordRequest, LoginRequest, TokenPair } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import type { AccountEntity } from '../accounts/account.entity';
import { AccountRepository } from '../accounts/account.repository';
import { assertPasswordAllowed } from '../accounts/accounts.service';
import { AuditService, accountActor } from '../audit/audit.service';
import { hashToken, randomToken } from '../common/secure-token';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
import { LoginThrottler } from './login-throttler';
import { PasswordHasher } from './password-hasher';
import { RefreshTokenRepository } from './refresh-token.repository';

export interface AccessTokenClaims {
  sub: string;
  role: string;
  typ: 'access';
}

/** How often expired refresh tokens are deleted. */
const PRUNE_INTERVAL_MS = 6 * 3_600_000;

@Injectable()
export class AuthService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuthService.name);
  private pruner: NodeJS.Timeout | null = null;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly accounts: AccountRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttler: LoginThrottler,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
  ) {}

  /** Expired refresh tokens are deleted at start and every few hours, so the table holds live sessions only. */
  onModuleInit(): void {
    const prune = () =>
      this.refreshTokens
        .deleteExpired(new Date())
        .then((count) => count > 0 && this.logger.log(`Deleted ${count} expired refresh token(s)`))
        .catch((error: unknown) =>
          this.logger.error(`Deleting expired refresh tokens failed: ${String(error)}`),
        );
    void prune();
    this.pruner = setInterval(() => void prune(), PRUNE_INTERVAL_MS);
    this.pruner.unref();
  }

  onModuleDestroy(): void {
    if (this.pruner) clearInterval(this.pruner);
  }

  async login(ip: string, { username, password }: LoginRequest): Promise<TokenPair> {
    const attempt = this.throttler.attempt(ip, username);
    const account = await this.accounts.findByUsername(username);
    const valid = await this.hasher.verify(account?.passwordHash ?? null, password);
    if (!account || !valid) {
      this.logger.warn(`Failed sign-in for "${username}" from ${ip}`);
      await this.audit.record(
        { type: 'account', id: account?.id ?? null, name: username, channel: 'ui' },
        {
          action: 'auth.login',
          result: 'refused',
          details: { from: ip },
          message: 'wrong username or password',
        },
      );
      throw new UnauthorizedException('Wrong username or password');
    }
    attempt.succeeded();
    return this.issue(account, randomUUID());
  }

  /**
   * Rotates a refresh token. A token is good for one rotation; presenting it again means someone else has
   * it too, so its whole family (every token descended from the same sign-in) is revoked.
   */
  async refresh(ip: string, refreshToken: string): Promise<TokenPair> {
    const attempt = this.throttler.attempt(ip, null);
    const now = new Date();
    const stored = await this.refreshTokens.findByHash(hashToken(refreshToken));
    if (!stored) throw new UnauthorizedException('Unknown refresh token; sign in again');
    attempt.succeeded();
    if (stored.revokedAt) throw new UnauthorizedException('This session was signed out; sign in again');
    if (stored.expiresAt <= now) throw new UnauthorizedException('The session has expired; sign in again');
    if (stored.usedAt || !(await this.refreshTokens.markUsed(stored.id, now))) {
      await this.refreshTokens.revokeFamily(stored.familyId, now);
      this.logger.warn(`Refresh token reused for account ${stored.accountId} from ${ip}: session revoked`);
      throw new UnauthorizedException(
        'Refresh token already used; the session has been signed out for safety',
      );
    }
    const account = await this.accounts.findById(stored.accountId);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    return this.issue(account, stored.familyId);
  }

  /**
   * Changes the caller's own password after checking the current one (throttled like a sign-in, since it
   * is a password guess too). Every session of the account is signed out; the caller gets a fresh one.
   */
  async changePassword(ip: string, principal: Principal, request: ChangePasswordRequest): Promise<TokenPair> {
    const attempt = this.throttler.attempt(ip, principal.username);
    const account = await this.accounts.findById(principal.accountId);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    const actor = accountActor(principal);
    if (!(await this.hasher.verify(account.passwordHash, request.currentPassword))) {
      await this.audit.record(actor, {
        action: 'account.password',
        result: 'refused',
        details: { from: ip },
        message: 'wrong current password',
      });
      // 403, not 401: the caller is signed in; a 401 would make clients renew their token and try again.
      throw new ForbiddenException('The current password is wrong');
    }
    attempt.succeeded();
    assertPasswordAllowed(account.username, request.newPassword);
    await this.accounts.update(account.id, { passwordHash: await this.hasher.hash(request.newPassword) });
    await this.refreshTokens.revokeAccount(account.id, new Date());
    await this.audit.record(actor, { action: 'account.password', result: 'ok', details: { from: ip } });
    this.logger.log(`"${account.username}" changed their password; their other sessions are signed out`);
    return this.issue(account, randomUUID());
  }

  /** Checks an access token presented outside HTTP (the UI's live socket); returns who it is and until when. */
  async verifyAccessToken(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let claims: AccessTokenClaims & { exp: number };
    try {
      claims = await this.jwt.verifyAsync(token);
    } catch {
      throw new UnauthorizedException('Invalid or expired access token');
    }
    if (claims.typ !== 'access') throw new UnauthorizedException('Not an access token');
    const account = await this.accounts.findForToken(claims.sub);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    return {
      principal: { accountId: account.id, username: account.username, role: account.role },
      expiresAt: claims.exp * 1000,
    };
  }

  private async issue(account: AccountEntity, familyId: string): Promise<TokenPair> {
    const claims: AccessTokenClaims = { sub: account.id, role: account.role, typ: 'access' };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.accessTokenTtl });
    const refreshToken = randomToken();
    await this.refreshTokens.insert({
      id: randomUUID(),
      accountId: account.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtl * 1000),
    });
    return { accessToken, refreshToken, expiresIn: this.config.accessTokenTtl };
  }
}
