import {
  ConflictException,
  ForbiddenException,
  Inject,
  NotFoundException,
  Injectable,
  ServiceUnavailableException,
  Logger,
  UnauthorizedException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Principal } from './current-account';
import type {
  ChangePasswordRequest,
  Role,
  LoginRequest,
  SessionMethod,
  SessionView,
  SignInMethod,
  SignInOptions,
  TokenPair,
} from '@kidtime/protocol';
import { usernameSchema } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccountEntity } from '../accounts/account.entity';
import { AccountRepository } from '../accounts/account.repository';
import { assertPasswordAllowed } from '../accounts/accounts.service';
import { AuditService, accountActor } from '../audit/audit.service';
import type { ClientContext } from '../common/client-address';
import { hashToken, randomToken } from '../common/secure-token';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
import { DirectoryUnavailableError, LdapDirectory } from './ldap/ldap-directory';
import { roleFromGroups } from './ldap/ldap-filter';
import { LoginThrottler, type ThrottledAttempt } from './login-throttler';
import { PasswordHasher } from './password-hasher';
import { RefreshTokenRepository } from './refresh-token.repository';
import { TrustedDeviceRepository } from './pin/trusted-device.repository';
import { TrustedProxy } from './proxy/trusted-proxy';
import type { SessionEntity } from './session.entity';
import { SessionRepository } from './session.repository';
import { SignOuts } from './sign-outs';
import { TotpService } from './totp/totp.service';
import { shortenUserAgent } from './user-agent';

export interface AccessTokenClaims {
  sub: string;
  role: string;
  typ: 'access';
  /** The session: signing it out ends the token at once. */
  sid: string;
  /** Set for a session started through the sign-in proxy: good only through it. */
  via?: 'proxy';
}

/** The request a token comes with, for checks beyond the token (a proxy session's proxy). */
export interface RequestOrigin {
  address: string;
  headers: IncomingHttpHeaders;
}

/** How often expired refresh tokens are deleted. */
const PRUNE_INTERVAL_MS = 6 * 3_600_000;

@Injectable()
export class AuthService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuthService.name);
  private pruner: NodeJS.Timeout | null = null;
  private proxy: TrustedProxy | null = null;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly accounts: AccountRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly sessions: SessionRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttler: LoginThrottler,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly directory: LdapDirectory,
    private readonly trustedDevices: TrustedDeviceRepository,
    private readonly signOuts: SignOuts,
    private readonly totp: TotpService,
  ) {}

  /** Expired refresh tokens and sessions are deleted at start and every few hours: the tables hold live ones. */
  onModuleInit(): void {
    const prune = async () => {
      try {
        const now = new Date();
        const tokens = await this.refreshTokens.deleteExpired(now);
        const sessions = await this.sessions.deleteStale(this.staleBefore(now));
        const trusts = await this.trustedDevices.deleteEnded(this.staleBefore(now));
        if (tokens + sessions + trusts > 0)
          this.logger.log(
            `Deleted ${tokens} expired refresh token(s), ${sessions} expired session(s) and ${trusts} ended phone trust(s)`,
          );
      } catch (error) {
        this.logger.error(`Deleting expired sessions failed: ${String(error)}`);
      }
    };
    void prune();
    this.pruner = setInterval(() => void prune(), PRUNE_INTERVAL_MS);
    this.pruner.unref();
  }

  onModuleDestroy(): void {
    if (this.pruner) clearInterval(this.pruner);
  }

  /** What the login page offers. */
  options(): SignInOptions {
    const methods = this.config.authMethods;
    return {
      methods,
      passwordForm: methods.includes('local') || methods.includes('ldap'),
      oidc: methods.includes('oidc') && this.config.oidc ? { label: this.config.oidc.label } : null,
    };
  }

  /**
   * The password form: a local account is checked here; anyone else is asked of the directory when LDAP is on.
   * The attempt is counted before either check, so a directory does not widen what the throttle allows.
   */
  async login(client: ClientContext, { username, password, code }: LoginRequest): Promise<TokenPair> {
    const ip = client.address;
    const local = this.config.authMethods.includes('local');
    const ldap = this.config.authMethods.includes('ldap');
    if (!local && !ldap) {
      throw new ForbiddenException('Signing in with a password is switched off on this hub');
    }
    const attempt = this.throttler.attempt(ip, username);
    const account = await this.accounts.findByUsername(username);
    if (ldap && !(local && account?.source === 'local')) {
      return this.loginWithDirectory(client, username, password, account, attempt);
    }
    const valid =
      (await this.hasher.verify(account?.source === 'local' ? account.passwordHash : null, password)) &&
      account?.source === 'local';
    if (!account || !valid) {
      this.logger.warn(`Failed sign-in for "${username}" from ${ip}`);
      await this.refused(account, username, 'local', ip, 'wrong username or password', attempt.exhausted);
      throw new UnauthorizedException('Wrong username or password');
    }
    // Only a right password gets this far: whether the account has a second factor stays hidden from guessers.
    await this.totp.checkSignIn(account, code, {
      uncounted: () => attempt.uncounted(),
      refuse: (message) => this.refused(account, username, 'local', ip, message, attempt.exhausted),
    });
    attempt.succeeded();
    return this.signIn(account, 'local', client);
  }

  /** Signs in a person the directory knows, with the role of their groups; their account is keyed by DN. */
  private async loginWithDirectory(
    client: ClientContext,
    username: string,
    password: string,
    byName: AccountEntity | null,
    attempt: ThrottledAttempt,
  ): Promise<TokenPair> {
    const ip = client.address;
    const refuse = async (account: AccountEntity | null, message: string) => {
      await this.refused(account, username, 'ldap', ip, message, attempt.exhausted);
    };
    let person;
    try {
      person = await this.directory.authenticate(username, password);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      // Not the person's fault: the try is given back, so an outage locks nobody out.
      attempt.succeeded();
      await this.refused(byName, username, 'ldap', ip, `directory unavailable: ${error.message}`, false);
      throw new ServiceUnavailableException(
        `The hub cannot reach the directory (LDAP) to check your password right now (${error.message}); try again in a moment, or ask whoever looks after the directory`,
      );
    }
    if (!person) {
      this.logger.warn(`Failed LDAP sign-in for "${username}" from ${ip}`);
      await refuse(byName, 'wrong username or password');
      throw new UnauthorizedException('Wrong username or password');
    }
    const role = roleFromGroups(person.groups, this.config.ldap!.groups);
    if (!role) {
      this.logger.warn(`LDAP sign-in for "${username}" refused: in none of the groups for Kidtime`);
      await refuse(byName, 'in none of the LDAP groups that may sign in');
      // The password was right, so saying why is safe, and it tells the family what to change.
      throw new ForbiddenException(
        'Your directory account is not in any of the groups allowed to use Kidtime; ask whoever looks after the directory to add you to one',
      );
    }
    const account = await this.externalAccount('ldap', person.dn, username, role, byName, ip, refuse);
    attempt.succeeded();
    return this.signIn(account, 'ldap', client);
  }

  /**
   * The account of a person another method vouched for (directory, identity provider or proxy): found by
   * that method's id for them (not by name, which a directory can reuse), created on first sign-in with no
   * password of its own, and given the role of their groups every time, so a change there applies at the
   * next sign-in. Public for the identity provider's service (./oidc), which ends in it as well.
   */
  async externalAccount(
    source: 'ldap' | 'proxy' | 'oidc',
    externalId: string,
    username: string,
    role: Role,
    byName: AccountEntity | null,
    ip: string,
    refuse: (account: AccountEntity | null, message: string) => Promise<void>,
  ): Promise<AccountEntity> {
    let account = await this.accounts.findByExternalId(source, externalId);
    if (!account) {
      if (byName) {
        // Someone else already has this name here (a local account, or one from another method). Never taken
        // over: that would hand its role and history to whoever the other system calls by the same name. 409
        // with the reason, not the generic 401: the person's identity has just been confirmed, so this tells an
        // outsider nothing, and a generic 401 would have the person retype a right password forever.
        await refuse(
          byName,
          `the name belongs to another account (${byName.source}); not linked to ${externalId}`,
        );
        throw new ConflictException(
          `The name "${username}" belongs to another Kidtime account already; an owner must rename or remove it before you can sign in this way`,
        );
      }
      const parsed = usernameSchema.safeParse(username);
      if (!parsed.success) {
        await refuse(null, `the ${source} name cannot be a Kidtime username`);
        throw new ForbiddenException(
          `Your name cannot be a Kidtime username: it ${parsed.error.issues[0]?.message ?? 'is not allowed'}`,
        );
      }
      account = await this.accounts.create({
        username: parsed.data,
        passwordHash: '',
        role,
        source,
        externalId,
      });
      this.logger.log(
        `Created account "${account.username}" (${role}) for ${externalId} on first ${source} sign-in`,
      );
      await this.audit.record(
        { type: 'account', id: account.id, name: account.username, channel: 'ui' },
        {
          action: 'account.create',
          result: 'ok',
          details: { username: account.username, role, source, from: ip },
        },
      );
      return account;
    }
    return this.syncRole(account, role);
  }

  /**
   * An identity provider's sign-in is believed for OIDC_SESSION_DAYS: the hub keeps no provider token to ask
   * it again, so after that the person goes back through the provider (usually at once, while its own
   * session lasts), and someone the provider removed or demoted cannot renew forever. `since` is when the
   * provider last signed them in. True for every other account.
   */
  confirmedLately(account: AccountEntity, since: Date, now: Date): boolean {
    if (account.source !== 'oidc' || !this.config.oidc) return true;
    return now.getTime() - since.getTime() <= this.config.oidc.sessionMaxAgeMs;
  }

  /** Gives an account the role its source says it has now, audited when it changes. */
  private async syncRole(account: AccountEntity, role: Role): Promise<AccountEntity> {
    if (account.role === role) return account;
    await this.accounts.update(account.id, { role });
    await this.audit.record(
      { type: 'account', id: account.id, name: account.username, channel: 'ui' },
      {
        action: 'account.role',
        result: 'ok',
        details: { username: account.username, from: account.role, to: role, source: account.source },
      },
    );
    return { ...account, role };
  }

  /**
   * What the system that vouches for a person says of them now, at every renewal and quick-PIN unlock: their
   * groups are read again (the directory's with the service account, or the proxy's headers), so someone
   * who left every Kidtime group is signed out everywhere within an access token's life, and a role change
   * applies without a new sign-in. An unreachable directory keeps them signed in: an outage must not sign
   * the family out.
   */
  async stillAllowed(
    account: AccountEntity,
    method: SessionMethod,
    client: ClientContext,
  ): Promise<AccountEntity> {
    let role: Role | null;
    if (account.source === 'ldap' && this.config.ldap && account.externalId) {
      let groups: string[] | null;
      try {
        groups = await this.directory.groupsOf(account.externalId);
      } catch (error) {
        if (!(error instanceof DirectoryUnavailableError)) throw error;
        this.logger.warn(
          `Kept "${account.username}" signed in without asking the directory, which cannot be reached (${error.message})`,
        );
        return account;
      }
      role = groups === null ? null : roleFromGroups(groups, this.config.ldap.groups);
    } else if (method === 'proxy' && this.config.proxy) {
      const verdict = this.trustedProxy().identify(client.address, client.headers ?? {});
      role = verdict.ok ? verdict.identity.role : null;
    } else {
      return account;
    }
    if (role) return this.syncRole(account, role);
    const ended = await this.signOuts.allSessionsBut(account.id, null, new Date());
    const vouching = account.source === 'ldap' ? 'the directory' : 'the sign-in proxy';
    this.logger.warn(
      `Signed "${account.username}" out everywhere: ${vouching} no longer puts them in a Kidtime group`,
    );
    await this.audit.record(
      { type: 'account', id: account.id, name: account.username, channel: 'ui' },
      {
        action: 'auth.logout',
        result: 'ok',
        details: { method, signedOut: ended.length, from: client.address },
        message: 'no longer in any group allowed to use Kidtime',
      },
    );
    throw new UnauthorizedException(
      'You are no longer in any group allowed to use Kidtime, so you have been signed out; ask whoever looks after your sign-in to add you again',
    );
  }

  /**
   * Sign-in through a trusted reverse proxy (Authelia, Authentik, oauth2-proxy …) that has already checked the
   * person: its user and groups headers are believed only from AUTH_PROXY_ADDRESSES. The session it starts
   * stays bound to the proxy: every later request must come through it naming the same person.
   */
  async proxyLogin(client: ClientContext): Promise<TokenPair> {
    const proxy = this.trustedProxy();
    const ip = client.address;
    const verdict = proxy.identify(ip, client.headers ?? {});
    const attempt = this.throttler.attempt(ip, verdict.ok ? verdict.identity.username : null);
    const refuse = async (account: AccountEntity | null, name: string, message: string) => {
      await this.refused(account, name, 'proxy', ip, message, attempt.exhausted);
    };
    if (!verdict.ok) {
      this.logger.warn(`Proxy sign-in refused from ${ip}: ${verdict.message}`);
      await refuse(null, '(proxy)', verdict.message);
      throw verdict.reason === 'untrusted'
        ? new ForbiddenException(
            "Signing in through the proxy works only through the proxy: open Kidtime at the address your household's sign-in page protects",
          )
        : new UnauthorizedException(`The sign-in proxy did not say who you are (${verdict.message})`);
    }
    const { username, role } = verdict.identity;
    const byName = await this.accounts.findByUsername(username);
    if (!role) {
      this.logger.warn(`Proxy sign-in for "${username}" refused: in none of the proxy groups for Kidtime`);
      await refuse(byName, username, 'in none of the proxy groups that may sign in');
      throw new ForbiddenException(
        'Your account at the sign-in proxy is not in any of the groups allowed to use Kidtime; ask whoever looks after it to add you to one',
      );
    }
    const account = await this.externalAccount('proxy', username, username, role, byName, ip, (a, m) =>
      refuse(a, username, m),
    );
    attempt.succeeded();
    return this.signIn(account, 'proxy', client);
  }

  private trustedProxy(): TrustedProxy {
    if (!this.config.proxy || !this.config.authMethods.includes('proxy')) {
      throw new ForbiddenException('Signing in through a proxy is switched off on this hub');
    }
    this.proxy ??= new TrustedProxy(this.config.proxy);
    return this.proxy;
  }

  /**
   * A proxy session is good only through the proxy, for the person it names: re-checked on every request
   * and renewal, so a token copied off the proxy's path, or the proxy signing the person out, ends it.
   */
  private checkProxyOrigin(username: string, origin: RequestOrigin | undefined): void {
    const proxy = this.config.proxy ? (this.proxy ??= new TrustedProxy(this.config.proxy)) : null;
    const named = proxy && origin ? proxy.username(origin.address, origin.headers) : null;
    if (named !== username) {
      throw new UnauthorizedException(
        'This sign-in came through the sign-in proxy and works only through it, for the same person; open Kidtime through the proxy',
      );
    }
  }

  /**
   * Starts a session for an account whose identity a sign-in method has established, and records it. Every
   * method (password, directory, identity provider, proxy, the quick PIN on `trustedDeviceId`) ends here.
   */
  async signIn(
    account: AccountEntity,
    method: SessionMethod,
    client: ClientContext,
    trustedDeviceId: string | null = null,
  ): Promise<TokenPair> {
    const now = new Date();
    const session = {
      id: randomUUID(),
      accountId: account.id,
      method,
      trustedDeviceId,
      client: client.userAgent ? shortenUserAgent(client.userAgent) : null,
      address: client.address,
      createdAt: now,
      lastUsedAt: now,
    };
    await this.sessions.insert(session);
    await this.audit.record(
      { type: 'account', id: account.id, name: account.username, channel: 'ui' },
      { action: 'auth.login', result: 'ok', details: { method, from: client.address } },
    );
    return this.issue(account, session);
  }

  /**
   * Records a refused sign-in; `lockedOut` when it used up the last attempt a throttle allows, which is
   * recorded too: the next tries are refused without a check.
   */
  async refused(
    account: AccountEntity | null,
    username: string,
    method: SessionMethod,
    ip: string,
    message: string,
    lockedOut: boolean,
  ): Promise<void> {
    const actor = { type: 'account' as const, id: account?.id ?? null, name: username, channel: 'ui' };
    await this.audit.record(actor, {
      action: 'auth.login',
      result: 'refused',
      details: { method, from: ip },
      message,
    });
    if (lockedOut) {
      this.logger.warn(`Sign-in for "${username}" from ${ip} is locked for a while after repeated failures`);
      await this.audit.record(actor, {
        action: 'auth.lockout',
        result: 'refused',
        details: { method, from: ip },
        message: 'too many failed attempts; further ones are refused for a while',
      });
    }
  }

  /**
   * Rotates a refresh token. A token is good for one rotation; presenting it again means someone else has
   * it too, so its whole family (every token descended from the same sign-in) is revoked.
   */
  async refresh(client: ClientContext, refreshToken: string): Promise<TokenPair> {
    const ip = client.address;
    const attempt = this.throttler.guess(ip);
    const now = new Date();
    const stored = await this.refreshTokens.findByHash(hashToken(refreshToken));
    if (!stored) throw new UnauthorizedException('Unknown refresh token; sign in again');
    attempt.succeeded();
    const session = await this.sessions.findById(stored.familyId);
    if (stored.revokedAt || !session || session.revokedAt)
      throw new UnauthorizedException('This session was signed out; sign in again');
    if (stored.expiresAt <= now) throw new UnauthorizedException('The session has expired; sign in again');
    const account = await this.accounts.findById(stored.accountId);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    // Before the token is used up: a renewal from off the proxy's path must not spend the real one's token.
    if (session.method === 'proxy')
      this.checkProxyOrigin(account.username, { address: ip, headers: client.headers ?? {} });
    // A quick-PIN session was confirmed when its phone was trusted, not when it was unlocked.
    const trust = session.trustedDeviceId
      ? await this.trustedDevices.findById(session.trustedDeviceId)
      : null;
    if (!this.confirmedLately(account, trust?.createdAt ?? session.createdAt, now)) {
      await this.signOuts.sessionsOf(account.id, [session.id], now);
      throw new UnauthorizedException(
        'Your sign-in through your identity provider has run its time; sign in with it again',
      );
    }
    const allowed = await this.stillAllowed(account, session.method, client);
    if (stored.usedAt || !(await this.refreshTokens.markUsed(stored.id, now))) {
      await this.signOuts.sessionsOf(stored.accountId, [stored.familyId], now);
      this.logger.warn(`Refresh token reused for account ${stored.accountId} from ${ip}: session revoked`);
      throw new UnauthorizedException(
        'Refresh token already used; the session has been signed out for safety',
      );
    }
    await this.sessions.touch(session.id, ip, now);
    return this.issue(allowed, session);
  }

  /** The caller's signed-in devices. */
  async listSessions(principal: Principal): Promise<SessionView[]> {
    const live = await this.sessions.listLive(principal.accountId, this.staleBefore(new Date()));
    return live.map((session) => toSessionView(session, principal.sessionId));
  }

  /** Signs one of the caller's sessions out (this one, or another device). */
  async signOut(principal: Principal, sessionId: string, ip: string): Promise<void> {
    const now = new Date();
    const session = await this.sessions.findById(sessionId);
    if (!(await this.sessions.revoke(principal.accountId, sessionId, now))) {
      throw new NotFoundException('No such signed-in session of yours (it may have ended already)');
    }
    await this.refreshTokens.revokeFamilies([sessionId], now);
    // Signing another device out ends its quick PIN too, or it would unlock again straight away; signing out
    // here (the app locking itself) keeps this phone's.
    if (sessionId !== principal.sessionId && session?.trustedDeviceId) {
      await this.signOuts.trust(session.trustedDeviceId, now);
    }
    await this.audit.record(accountActor(principal), {
      action: 'auth.logout',
      result: 'ok',
      details: { session: sessionId, current: sessionId === principal.sessionId, from: ip },
    });
  }

  /** Signs out every session of the caller but the one asking; returns how many. */
  async signOutOthers(principal: Principal, ip: string): Promise<number> {
    // Every other phone's quick PIN too: "everything else" includes what could unlock again.
    const { sessions: ended } = await this.signOuts.everythingBut(
      principal.accountId,
      principal.sessionId,
      new Date(),
    );
    await this.audit.record(accountActor(principal), {
      action: 'auth.logout',
      result: 'ok',
      details: { others: ended.length, from: ip },
    });
    return ended.length;
  }

  /**
   * Changes the caller's own password after checking the current one (throttled like a sign-in, since it
   * is a password guess too). Every session of the account is signed out; the caller gets a fresh one.
   */
  async changePassword(
    client: ClientContext,
    principal: Principal,
    request: ChangePasswordRequest,
  ): Promise<TokenPair> {
    const ip = client.address;
    const attempt = this.throttler.attempt(ip, principal.username);
    const account = await this.accounts.findById(principal.accountId);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    if (account.source !== 'local') {
      throw new ForbiddenException(
        `Your password is kept by ${SOURCE_NAMES[account.source]}; change it there`,
      );
    }
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
    // Phones trusted for the quick PIN were trusted by whoever knew the old password: all but this one end.
    const {
      sessions: ended,
      trusts: untrusted,
      keptTrust,
    } = await this.signOuts.everythingBut(account.id, principal.sessionId, new Date(), { endAsking: true });
    await this.audit.record(actor, {
      action: 'account.password',
      result: 'ok',
      details: { from: ip, signedOut: ended.length, untrusted: untrusted.length },
    });
    this.logger.log(`"${account.username}" changed their password; their other sessions are signed out`);
    return this.signIn(account, 'local', client, keptTrust);
  }

  /** Checks an access token presented outside HTTP (the UI's live socket); returns who it is and until when. */
  async verifyAccessToken(
    token: string,
    origin: RequestOrigin,
  ): Promise<{ principal: Principal; expiresAt: number }> {
    let claims: AccessTokenClaims & { exp: number };
    try {
      claims = await this.jwt.verifyAsync(token);
    } catch {
      throw new UnauthorizedException('Invalid or expired access token');
    }
    return { principal: await this.principalFor(claims, origin), expiresAt: claims.exp * 1000 };
  }

  /** Who an access token's claims name, if its session is still signed in and its account still exists. */
  async principalFor(claims: AccessTokenClaims, origin?: RequestOrigin): Promise<Principal> {
    if (claims.typ !== 'access') throw new UnauthorizedException('Not an access token');
    if (typeof claims.sid !== 'string' || !(await this.sessions.isLive(claims.sid)))
      throw new UnauthorizedException('This session was signed out; sign in again');
    const account = await this.accounts.findForToken(claims.sub);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    if (claims.via === 'proxy') this.checkProxyOrigin(account.username, origin);
    return {
      accountId: account.id,
      username: account.username,
      role: account.role,
      sessionId: claims.sid,
      secondFactorSetupNeeded: await this.totp.setupNeeded(account),
    };
  }

  /** A session nobody renewed for as long as a refresh token lives has expired. */
  private staleBefore(now: Date): Date {
    return new Date(now.getTime() - this.config.refreshTokenTtl * 1000);
  }

  private async issue(
    account: AccountEntity,
    session: Pick<SessionEntity, 'id' | 'method'>,
  ): Promise<TokenPair> {
    const sessionId = session.id;
    const claims: AccessTokenClaims = { sub: account.id, role: account.role, typ: 'access', sid: sessionId };
    if (session.method === 'proxy') claims.via = 'proxy';
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: this.config.accessTokenTtl });
    const refreshToken = randomToken();
    await this.refreshTokens.insert({
      id: randomUUID(),
      accountId: account.id,
      familyId: sessionId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtl * 1000),
    });
    return { accessToken, refreshToken, expiresIn: this.config.accessTokenTtl };
  }
}

const SOURCE_NAMES: Record<SignInMethod, string> = {
  local: 'this hub',
  ldap: 'your directory (LDAP)',
  oidc: 'your identity provider',
  proxy: 'your reverse proxy',
};

function toSessionView(session: SessionEntity, current: string | null): SessionView {
  return {
    id: session.id,
    method: session.method,
    client: session.client,
    address: session.address,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    current: session.id === current,
  };
}
