import {
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { TokenPair } from '@kidtime/protocol';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AccountEntity } from '../../accounts/account.entity';
import { AccountRepository } from '../../accounts/account.repository';
import { printable } from '../../common/printable';
import { hashToken, randomToken, tokenMatches } from '../../common/secure-token';
import { OIDC_CALLBACK_PATH, type HubConfig, type OidcConfig } from '../../config/hub-config';
import { HUB_CONFIG, HUB_SECRETS, type HubSecrets } from '../../config/tokens';
import type { ClientContext } from '../../common/client-address';
import { AuthService } from '../auth.service';
import { LoginThrottler } from '../login-throttler';
import { IdTokenError, verifyIdToken, type IdTokenClaims } from './id-token';
import { OidcClient, ProviderRefusedError, ProviderUnavailableError } from './oidc-client';
import { OidcExchangeRepository } from './oidc-exchange.repository';
import { groupsFromClaim, roleFromRules, type OidcPerson } from './oidc-roles';
import {
  PENDING_LOGIN_COOKIE,
  PENDING_LOGIN_TTL_MS,
  PendingLoginSeal,
  pendingLoginKey,
  type PendingLogin,
} from './pending-login';

/** How long the web app has to redeem the one-time code it is sent back with. */
const EXCHANGE_TTL_MS = 60_000;
/** The cookie that ties a one-time code to the browser the sign-in finished in. */
export const EXCHANGE_BROWSER_COOKIE = 'kidtime_oidc_browser';
/** A UI route to return to: the hash routes the app has, nothing that could leave the hub. */
const THEN_PATTERN = /^#\/[A-Za-z0-9_\-./%]{0,150}$/;

/** A sign-in the hub refused at the callback, with what to tell the person (it names no secret). */
export class OidcRefusal extends Error {
  override readonly name = 'OidcRefusal';
}

/** The query the provider sends the browser back with. */
export interface CallbackQuery {
  code?: unknown;
  state?: unknown;
  iss?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/**
 * Sign-in with an OpenID Connect provider (Authelia, Authentik, Keycloak …): the authorization code flow with
 * PKCE, state and nonce; the ID token checked here; the person linked by issuer and subject, given the role of
 * their groups or verified e-mail address; and the web app handed a one-time code instead of tokens in a URL.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private readonly seal: PendingLoginSeal;

  constructor(
    @Inject(HUB_CONFIG) private readonly hubConfig: HubConfig,
    @Inject(HUB_SECRETS) secrets: HubSecrets,
    private readonly client: OidcClient,
    private readonly auth: AuthService,
    private readonly accounts: AccountRepository,
    private readonly exchanges: OidcExchangeRepository,
    private readonly throttler: LoginThrottler,
  ) {
    this.seal = new PendingLoginSeal(pendingLoginKey(secrets.jwtSigningKey));
  }

  private get config(): OidcConfig {
    if (!this.hubConfig.oidc || !this.hubConfig.authMethods.includes('oidc')) {
      throw new NotFoundException('Signing in with an identity provider (OIDC) is switched off on this hub');
    }
    return this.hubConfig.oidc;
  }

  get enabled(): boolean {
    return this.hubConfig.oidc !== null && this.hubConfig.authMethods.includes('oidc');
  }

  /** Starts a sign-in: where to send the browser, and the sealed cookie that remembers this sign-in. */
  async start(then: unknown): Promise<{ location: string; cookie: string }> {
    const config = this.config;
    const pending: PendingLogin = {
      state: randomToken(32),
      nonce: randomToken(32),
      verifier: randomToken(48),
      then: typeof then === 'string' && THEN_PATTERN.test(then) ? then : '#/',
      expiresAt: Date.now() + PENDING_LOGIN_TTL_MS,
    };
    const challenge = createHash('sha256').update(pending.verifier).digest('base64url');
    let location: string;
    try {
      location = await this.client.authorizationUrl({ ...pending, challenge });
    } catch (error) {
      if (!(error instanceof ProviderUnavailableError)) throw error;
      this.logger.error(
        `Cannot start an OIDC sign-in: ${error.message}. Check OIDC_ISSUER=${config.issuer} and that the hub can reach it`,
      );
      throw new ServiceUnavailableException(
        `The hub cannot reach the identity provider at ${config.issuer} right now (${error.message}); try again in a moment, or ask whoever runs it`,
      );
    }
    return { location, cookie: this.cookie(this.seal.seal(pending), PENDING_LOGIN_TTL_MS / 1000) };
  }

  /** The Set-Cookie value that forgets the pending sign-in. */
  get clearCookie(): string {
    return this.cookie('', 0);
  }

  /** The Set-Cookie value that ties a one-time code to this browser (or, empty, forgets it). */
  browserCookie(value: string): string {
    return this.cookie(value, value ? EXCHANGE_TTL_MS / 1000 : 0, EXCHANGE_BROWSER_COOKIE);
  }

  /**
   * Finishes a sign-in the provider sent back: returns where to send the browser (the web app, with a
   * one-time code). Throws OidcRefusal (or an HttpException) with what to tell the person; every refusal is
   * audited.
   */
  async callback(
    query: CallbackQuery,
    sealed: string | null,
    client: ClientContext,
  ): Promise<{ location: string; browser: string }> {
    const config = this.config;
    const ip = client.address;
    const again = 'Start again from the Kidtime sign-in page.';
    if (!sealed) {
      // No sign-in was started in this browser: a link or a page elsewhere sent it here. Nobody's attempt, so
      // it is neither audited nor counted (a page could otherwise fill the log, or use up the throttle).
      this.logger.debug(`OIDC callback from ${ip} without a pending sign-in: ignored`);
      throw new OidcRefusal(
        `This sign-in could not be finished: it was not started in this browser (or took longer than 10 minutes). ${again}`,
      );
    }
    // Counted apart from passwords and tokens: a failure here never stops a parent's other sign-ins.
    const attempt = this.throttler.guess(ip, 'oidc');
    const refuse = async (account: AccountEntity | null, name: string, why: string, tell: string) => {
      this.logger.warn(`OIDC sign-in from ${ip} refused (issuer ${config.issuer}): ${why}`);
      await this.auth.refused(account, name, 'oidc', ip, why, attempt.exhausted);
      return new OidcRefusal(tell);
    };

    if (query.error !== undefined) {
      // What the provider says goes into the log, the audit and the page: a plain OAuth error code only, and
      // the description as one printable line.
      const code =
        typeof query.error === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(query.error) ? query.error : null;
      const description =
        typeof query.error_description === 'string' ? `: ${printable(query.error_description, 200)}` : '';
      const said = code ? `${code}${description}` : 'an error that is not an OAuth error code';
      throw await refuse(
        null,
        '(oidc)',
        `the provider answered ${said}`,
        code === 'access_denied'
          ? `The identity provider did not sign you in (you may have cancelled). ${again}`
          : `The identity provider refused the sign-in (${said}). ${again}`,
      );
    }
    const pending = this.seal.unseal(sealed);
    if ('refused' in pending) {
      throw await refuse(
        null,
        '(oidc)',
        pending.refused,
        `This sign-in could not be finished: ${pending.refused} (was it started in another browser or tab?). ${again}`,
      );
    }
    if (typeof query.state !== 'string' || !sameSecret(query.state, pending.state)) {
      throw await refuse(
        null,
        '(oidc)',
        'the state sent back does not match this browser’s sign-in',
        `This sign-in could not be finished: it does not belong to this browser. ${again}`,
      );
    }
    if (query.iss !== undefined && query.iss !== config.issuer) {
      throw await refuse(
        null,
        '(oidc)',
        `the answer names issuer ${JSON.stringify(query.iss)}, not ${config.issuer}`,
        `This sign-in came back from another identity provider. ${again}`,
      );
    }
    if (typeof query.code !== 'string' || query.code === '' || query.code.length > 2048) {
      throw await refuse(
        null,
        '(oidc)',
        'the provider sent no code',
        `The identity provider sent no sign-in code. ${again}`,
      );
    }

    let claims: IdTokenClaims & Record<string, unknown>;
    try {
      const tokens = await this.client.exchangeCode(query.code, pending.verifier);
      claims = await verifyIdToken(
        tokens.idToken,
        { issuer: config.issuer, clientId: config.clientId, nonce: pending.nonce },
        (refresh) => this.client.signingKeys(refresh),
      );
      if (tokens.accessToken && this.wantsUserinfo(claims)) {
        const info = await this.client.userinfo(tokens.accessToken);
        if (info && info.sub !== claims.sub) {
          throw new IdTokenError('the userinfo endpoint describes another person than the ID token');
        }
        // The ID token's own claims win; userinfo only adds what it left out (groups, e-mail).
        claims = { ...info, ...claims };
      }
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        throw await refuse(
          null,
          '(oidc)',
          `provider unavailable: ${error.message}`,
          `The hub cannot reach the identity provider at ${config.issuer} right now (${error.message}). Try again in a moment.`,
        );
      }
      if (error instanceof ProviderRefusedError || error instanceof IdTokenError) {
        throw await refuse(
          null,
          '(oidc)',
          error.message,
          `The sign-in could not be checked: ${error.message}. ${again}`,
        );
      }
      throw error;
    }

    const person = personFrom(claims, config.groupsClaim);
    const externalId = `${claims.iss}#${claims.sub}`;
    if (externalId.length > 500) {
      throw await refuse(
        null,
        '(oidc)',
        'the issuer and subject are too long to keep',
        'Your identity provider account cannot be used with Kidtime (its id is too long).',
      );
    }
    const linked = await this.accounts.findByExternalId('oidc', externalId);
    const username = linked?.username ?? usernameFrom(claims, person);
    const name = username ?? claims.sub;
    const role = roleFromRules(person, config) ?? (config.selfRegistration ? 'viewer' : null);
    if (!role) {
      throw await refuse(
        linked,
        name,
        `in none of the groups or verified e-mail addresses that may sign in (groups: ${person.groups.slice(0, 10).join(', ') || 'none'}; e-mail ${person.email ?? 'none'}${person.email && !person.emailVerified ? ', not verified' : ''})`,
        'Your account at the identity provider is not one Kidtime lets in: ask whoever runs Kidtime to add your group or e-mail address.',
      );
    }
    if (!username) {
      throw await refuse(
        null,
        name,
        'the provider gave no preferred_username or verified e-mail to name a new account by',
        'Your identity provider did not say what to call you (no username or verified e-mail address); ask whoever runs it.',
      );
    }
    const byName = linked ? null : await this.accounts.findByUsername(username);
    const account = await this.auth.externalAccount(
      'oidc',
      externalId,
      username,
      role,
      byName,
      ip,
      (a, why) => this.auth.refused(a, username, 'oidc', ip, why, attempt.exhausted),
    );
    attempt.succeeded();
    const code = randomToken(32);
    // The code works only with this browser's cookie: a code someone else finished a sign-in with, sent to a
    // parent as a link, cannot swap the parent's session for theirs.
    const browser = randomToken(32);
    const now = new Date();
    await this.exchanges.insert(
      {
        codeHash: hashToken(code),
        browserHash: hashToken(browser),
        accountId: account.id,
        expiresAt: new Date(now.getTime() + EXCHANGE_TTL_MS),
      },
      now,
    );
    this.logger.log(`OIDC sign-in of "${account.username}" (${account.role}) through ${config.issuer}`);
    return {
      location: this.appUrl(
        `#/signed-in?code=${encodeURIComponent(code)}&then=${encodeURIComponent(pending.then)}`,
      ),
      browser,
    };
  }

  /** Redeems the one-time code the web app was sent back with: the session's tokens, once. */
  async exchange(code: string, browser: string | null, client: ClientContext): Promise<TokenPair> {
    void this.config; // 404 when OIDC is off
    const ip = client.address;
    const attempt = this.throttler.guess(ip);
    const stored = await this.exchanges.redeem(hashToken(code), new Date());
    if (stored && !(browser && tokenMatches(browser, stored.browserHash))) {
      this.logger.warn(`OIDC sign-in code from ${ip} refused: it was made for another browser`);
      await this.auth.refused(
        null,
        '(oidc)',
        'oidc',
        ip,
        'sign-in code from another browser',
        attempt.exhausted,
      );
      throw new UnauthorizedException(
        'This sign-in link belongs to another browser; sign in here with your identity provider',
      );
    }
    const account = stored ? await this.accounts.findById(stored.accountId) : null;
    if (!account) {
      this.logger.warn(`OIDC sign-in code from ${ip} refused: unknown, used already or expired`);
      await this.auth.refused(
        null,
        '(oidc)',
        'oidc',
        ip,
        'sign-in code unknown, used already or expired',
        attempt.exhausted,
      );
      throw new UnauthorizedException(
        'This sign-in link has been used already or has expired; sign in again',
      );
    }
    attempt.succeeded();
    return this.auth.signIn(account, 'oidc', client);
  }

  /** Where the web app is told a refusal: its sign-in page, with the reason. */
  errorUrl(error: unknown): string {
    let message: string;
    if (error instanceof OidcRefusal) message = error.message;
    else if (error instanceof HttpException) {
      const body = error.getResponse();
      message =
        typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string'
          ? body.message
          : error.message;
    } else {
      this.logger.error(
        `OIDC sign-in failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      message = 'The sign-in failed on the hub; try again, and if it keeps failing, look at the hub’s log.';
    }
    return this.appUrl(`#/signed-in?error=${encodeURIComponent(message)}`);
  }

  /** The provider's sign-out page to send the browser to after signing out here, when that is configured. */
  async providerLogoutUrl(): Promise<string | null> {
    if (!this.enabled || !this.config.providerLogout) return null;
    try {
      return await this.client.endSessionUrl(this.appUrl('')); // no fragment: providers refuse one
    } catch (error) {
      this.logger.warn(`No sign-out at the identity provider: ${(error as Error).message}`);
      return null;
    }
  }

  /** Claims the rules or a new account need that the ID token left out (providers keep them for userinfo). */
  private wantsUserinfo(claims: Record<string, unknown>): boolean {
    return ['preferred_username', 'email', 'email_verified', this.config.groupsClaim].some(
      (claim) => claims[claim] === undefined,
    );
  }

  /** The web app's address: the redirect URL without the callback route. */
  private appUrl(fragment: string): string {
    return `${this.config.redirectUrl.slice(0, -OIDC_CALLBACK_PATH.length)}/${fragment}`;
  }

  private cookie(value: string, maxAgeSeconds: number, name = PENDING_LOGIN_COOKIE): string {
    const url = new URL(this.config.redirectUrl);
    const path = url.pathname.slice(0, -'/callback'.length);
    const secure = url.protocol === 'https:' ? '; Secure' : '';
    return `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
  }
}

function personFrom(claims: Record<string, unknown>, groupsClaim: string): OidcPerson {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
  return {
    groups: groupsFromClaim(claims[groupsClaim]),
    email: email || null,
    // Some providers send the boolean as a string.
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
  };
}

/** A new account's name: the provider's preferred_username, else the local part of a verified e-mail. */
function usernameFrom(claims: Record<string, unknown>, person: OidcPerson): string | null {
  const preferred = claims.preferred_username;
  if (typeof preferred === 'string' && preferred.trim() !== '') return preferred.trim().toLowerCase();
  if (person.email && person.emailVerified) return person.email.split('@')[0] || null;
  return null;
}

/** Compares two secrets in constant time (by their hashes, so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  const hash = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(hash(a), hash(b));
}
