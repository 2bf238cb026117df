import {
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type {
  PinUnlockRequest,
  TokenPair,
  TrustDeviceRequest,
  TrustedDeviceCreated,
  TrustedDeviceView,
} from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { AccountRepository } from '../../accounts/account.repository';
import { AuditService, accountActor } from '../../audit/audit.service';
import { hashToken, randomToken, tokenMatches } from '../../common/secure-token';
import type { HubConfig } from '../../config/hub-config';
import { HUB_CONFIG } from '../../config/tokens';
import type { ClientContext } from '../../common/client-address';
import { AuthService } from '../auth.service';
import type { Principal } from '../current-account';
import { LoginThrottler } from '../login-throttler';
import { PasswordHasher } from '../password-hasher';
import { SessionRepository } from '../session.repository';
import { SignOuts } from '../sign-outs';
import { shortenUserAgent } from '../user-agent';
import type { TrustedDeviceEntity } from './trusted-device.entity';
import { TrustedDeviceRepository } from './trusted-device.repository';

/** What the phone is told when its trust is over: it forgets it and shows the password form. */
const TRUST_GONE = 'gone';

/**
 * The quick PIN: a parent trusts the phone they are signed in on and picks a short PIN; later the app on that
 * phone unlocks with the PIN instead of the password. The PIN alone is worth nothing: the phone's random
 * secret must come with it. Wrong PINs are counted on the trust itself (so every hub sharing the database
 * counts the same ones), and after a few the trust ends and the password is needed again.
 */
@Injectable()
export class TrustedDevicesService {
  private readonly logger = new Logger(TrustedDevicesService.name);

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly devices: TrustedDeviceRepository,
    private readonly sessions: SessionRepository,
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttler: LoginThrottler,
    private readonly auth: AuthService,
    private readonly signOuts: SignOuts,
    private readonly audit: AuditService,
  ) {}

  /** Trusts the phone this session is on; trusting it again replaces its PIN. */
  async trust(
    client: ClientContext,
    principal: Principal,
    request: TrustDeviceRequest,
  ): Promise<TrustedDeviceCreated> {
    const session = principal.sessionId ? await this.sessions.findById(principal.sessionId) : null;
    if (!session) throw new UnauthorizedException('This session was signed out; sign in again');
    if (session.method === 'proxy') {
      throw new ForbiddenException(
        'You signed in through the sign-in proxy, which signs you in on this phone already; a PIN here would go around it',
      );
    }
    const now = new Date();
    if (session.trustedDeviceId) await this.end(session.trustedDeviceId, now);
    const secret = randomToken();
    const device = {
      id: randomUUID(),
      accountId: principal.accountId,
      name: request.name ?? (client.userAgent ? shortenUserAgent(client.userAgent) : null) ?? 'A phone',
      secretHash: hashToken(secret),
      pinHash: await this.hasher.hash(request.pin),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.pin.trustDays * 86_400_000),
    };
    await this.devices.insert(device);
    await this.sessions.setTrustedDevice(session.id, device.id);
    await this.audit.record(accountActor(principal), {
      action: 'auth.trust',
      result: 'ok',
      details: { id: device.id, name: device.name, expiresAt: device.expiresAt, from: client.address },
    });
    this.logger.log(`"${principal.username}" trusted "${device.name}" for the quick PIN`);
    const view = toView({ ...device, lastUsedAt: null, failedAttempts: 0 }, principal.username, device.id);
    return { ...view, secret };
  }

  /**
   * Unlocks with the PIN on a trusted phone: a new session, as a sign-in would start. A wrong PIN uses up one
   * of the trust's tries, taken before the PIN is checked so parallel guesses cannot exceed them; the last
   * wrong one ends the trust. Unknown phones count against the address like wrong passwords.
   */
  async unlock(client: ClientContext, request: PinUnlockRequest): Promise<TokenPair> {
    const ip = client.address;
    const attempt = this.throttler.guess(ip);
    const device = await this.devices.findById(request.deviceId);
    if (!device || !tokenMatches(request.secret, device.secretHash)) {
      this.logger.warn(`Quick PIN from ${ip} for a phone this hub does not trust`);
      await this.auth.refused(null, '(unknown phone)', 'pin', ip, 'not a trusted phone', attempt.exhausted);
      throw gone('This phone is not trusted for the quick PIN (any more); sign in with your password');
    }
    attempt.succeeded(); // the phone is genuine: its PIN tries are counted on its trust, below
    const account = await this.accounts.findById(device.accountId);
    const now = new Date();
    if (!account || device.revokedAt || device.expiresAt <= now) {
      throw gone(
        device.revokedAt || !account
          ? 'This phone is no longer trusted for the quick PIN; sign in with your password'
          : 'The quick PIN on this phone has expired; sign in with your password and set it again',
      );
    }
    if (!this.config.authMethods.includes(account.source)) {
      // The way this account signs in was switched off since the phone was trusted: the PIN goes with it.
      throw gone(`Signing in with ${account.source} is switched off on this hub, and so is its quick PIN`);
    }
    const max = this.config.pin.maxAttempts;
    if (!(await this.devices.takeAttempt(device.id, max))) {
      // Parallel guesses that came after the last try: nothing was checked, and the trust is over.
      await this.end(device.id, now);
      throw gone(`Wrong PIN ${max} times: this phone must sign in with the password again`);
    }
    if (await this.hasher.verify(device.pinHash, request.pin)) {
      await this.devices.unlocked(device.id, now);
      // As at a renewal: a provider's sign-in is believed only for OIDC_SESSION_DAYS after the phone was
      // trusted, and a directory person who left every Kidtime group is refused.
      if (!this.auth.confirmedLately(account, device.createdAt, now)) {
        await this.end(device.id, now);
        throw gone('Your sign-in through your identity provider has run its time; sign in with it again');
      }
      const allowed = await this.auth.stillAllowed(account, 'pin', client);
      return this.auth.signIn(allowed, 'pin', client, device.id);
    }
    const left = max - ((await this.devices.findById(device.id))?.failedAttempts ?? max);
    const refuse = (message: string, lockedOut: boolean) =>
      this.auth.refused(account, account.username, 'pin', ip, message, lockedOut);
    if (left > 0) {
      this.logger.warn(`Wrong quick PIN for "${account.username}" on "${device.name}" from ${ip}`);
      await refuse(`wrong PIN on "${device.name}", ${left} tries left`, false);
      throw new UnauthorizedException({ message: `Wrong PIN; ${tries(left)} left`, attemptsLeft: left });
    }
    await this.end(device.id, now);
    this.logger.warn(
      `Quick PIN for "${account.username}" on "${device.name}" locked after ${max} wrong PINs; it needs the password again`,
    );
    await refuse(`wrong PIN on "${device.name}"; the phone is no longer trusted`, true);
    throw gone(`Wrong PIN ${max} times: this phone must sign in with the password again`);
  }

  /** The caller's trusted phones; an owner sees everyone's, to revoke a lost one. */
  async list(principal: Principal): Promise<TrustedDeviceView[]> {
    const current = await this.currentDevice(principal);
    const rows = await this.devices.listActive(
      principal.role === 'owner' ? null : principal.accountId,
      new Date(),
    );
    return rows.map((row) => toView(row, row.account.username, current));
  }

  /** Ends a trust (the caller's own, or anyone's for an owner) and signs out what it unlocked. */
  async revoke(principal: Principal, id: string, ip: string): Promise<void> {
    const device = await this.devices.findById(id);
    const mayRevoke = device && (device.accountId === principal.accountId || principal.role === 'owner');
    if (!device || !mayRevoke || device.revokedAt)
      throw new NotFoundException(`No trusted phone with id ${id}`);
    // The parent stopping the PIN on the phone in their hand stays signed in on it.
    const signedOut = await this.end(device.id, new Date(), principal.sessionId);
    await this.audit.record(accountActor(principal), {
      action: 'auth.untrust',
      result: 'ok',
      details: { id: device.id, name: device.name, signedOut, from: ip },
    });
    this.logger.log(`"${principal.username}" ended the quick PIN on "${device.name}"`);
  }

  private async currentDevice(principal: Principal): Promise<string | null> {
    if (!principal.sessionId) return null;
    return (await this.sessions.findById(principal.sessionId))?.trustedDeviceId ?? null;
  }

  /** Ends a trust and the sessions on the phone (but `keep`); returns how many were signed out. */
  private end(id: string, at: Date, keep: string | null = null): Promise<number> {
    return this.signOuts.trust(id, at, keep);
  }
}

function gone(message: string): UnauthorizedException {
  return new UnauthorizedException({ message, trust: TRUST_GONE });
}

function tries(count: number): string {
  return count === 1 ? '1 try' : `${count} tries`;
}

function toView(
  device: Omit<TrustedDeviceEntity, 'account' | 'secretHash' | 'pinHash' | 'revokedAt' | 'accountId'>,
  username: string,
  current: string | null,
): TrustedDeviceView {
  return {
    id: device.id,
    name: device.name,
    username,
    createdAt: device.createdAt.toISOString(),
    lastUsedAt: device.lastUsedAt?.toISOString() ?? null,
    expiresAt: device.expiresAt.toISOString(),
    failedAttempts: device.failedAttempts,
    current: device.id === current,
  };
}
