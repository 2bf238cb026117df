import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import {
  SECOND_FACTOR_NEEDED,
  type RecoveryCodes,
  type SignInMethod,
  type TotpSetup,
  type TotpStatus,
} from '@kidtime/protocol';
import { randomBytes } from 'node:crypto';
import { toString as qrCode } from 'qrcode';
import type { AccountEntity } from '../../accounts/account.entity';
import { AccountRepository } from '../../accounts/account.repository';
import { AuditService, accountActor, type AuditActor } from '../../audit/audit.service';
import { CredentialCipher, CredentialError } from '../../common/credential-cipher';
import { hashToken } from '../../common/secure-token';
import { HUB_SECRETS, type HubSecrets } from '../../config/tokens';
import { HouseholdSettingsRepository } from '../../settings/household-settings.repository';
import type { Principal } from '../current-account';
import { LoginThrottler } from '../login-throttler';
import { PasswordHasher } from '../password-hasher';
import { SignOuts } from '../sign-outs';
import { base32Decode, base32Encode, groupSecret, matchingStep, otpauthUri } from './totp';
import { TotpRepository } from './totp.repository';

/** The household setting: a second factor is required of every password (local) account. */
export const REQUIRE_SECOND_FACTOR = 'auth.requireSecondFactor';
const RECOVERY_CODE_COUNT = 10;
const SECRET_BYTES = 20;

/** The time TOTP codes are checked against; a class so tests can move it. */
@Injectable()
export class TotpClock {
  now(): number {
    return Date.now();
  }
}

/** What the sign-in path does with the answer of a refused second factor. */
export interface SignInHooks {
  /** The password was right and no code came: the attempt was neither a success nor a failure. */
  uncounted(): void;
  /** Records the refusal (and a lockout). */
  refuse(message: string): Promise<void>;
}

const PROVIDERS: Record<SignInMethod, string> = {
  local: 'this hub',
  ldap: 'your directory (LDAP)',
  oidc: 'your identity provider',
  proxy: 'your sign-in proxy',
};

/** A recovery code as people type it: `abcde-fgh23`, any case, with or without the dash. */
const normalizeRecoveryCode = (code: string): string => code.toLowerCase().replace(/[^a-z2-7]/g, '');
const isRecoveryCode = (code: string): boolean => /[a-z]/i.test(code);

/**
 * Two-step sign-in for accounts whose password this hub keeps: an authenticator app's codes (TOTP) and
 * single-use recovery codes, and the household rule that requires them. Accounts of a directory, an
 * identity provider or a proxy sign in there, with whatever second factor that offers.
 */
@Injectable()
export class TotpService {
  private readonly logger = new Logger(TotpService.name);
  private readonly cipher: CredentialCipher;

  constructor(
    @Inject(HUB_SECRETS) secrets: HubSecrets,
    private readonly totps: TotpRepository,
    private readonly settings: HouseholdSettingsRepository,
    private readonly accounts: AccountRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttler: LoginThrottler,
    private readonly signOuts: SignOuts,
    private readonly audit: AuditService,
    private readonly clock: TotpClock,
  ) {
    this.cipher = new CredentialCipher(secrets.credentialKey, {
      what: 'authenticator secret',
      remedy: 'an owner can turn two-step sign-in off for the account, then it can be set up again',
    });
  }

  /** Whether the household requires a second factor of password accounts. */
  required(): Promise<boolean> {
    return this.settings.get(REQUIRE_SECOND_FACTOR, false);
  }

  async isEnabled(accountId: string): Promise<boolean> {
    return Boolean((await this.totps.find(accountId))?.enabledAt);
  }

  /** The account must set up a second factor before anything else (the household requires one). */
  async setupNeeded(account: AccountEntity): Promise<boolean> {
    return account.source === 'local' && (await this.required()) && !(await this.isEnabled(account.id));
  }

  /** For `/api/auth/me`: whether the account has a second factor, and whether the household requires one of it. */
  async flags(account: {
    id: string;
    source: SignInMethod;
  }): Promise<{ totp: boolean; totpRequired: boolean }> {
    return {
      totp: await this.isEnabled(account.id),
      totpRequired: account.source === 'local' && (await this.required()),
    };
  }

  enabledAmong(accountIds: string[]): Promise<Set<string>> {
    return this.totps.enabledAmong(accountIds);
  }

  async status(principal: Principal): Promise<TotpStatus> {
    const account = await this.account(principal.accountId);
    const row = await this.totps.find(account.id);
    const enabled = Boolean(row?.enabledAt);
    return {
      available: account.source === 'local',
      enabled,
      enabledAt: row?.enabledAt?.toISOString() ?? null,
      recoveryCodesLeft: enabled ? await this.totps.countUnusedRecoveryCodes(account.id) : 0,
      required: await this.required(),
    };
  }

  /**
   * The second step of a password sign-in, after the password was found right. Returns when the account
   * has no second factor or the code is good; otherwise records the refusal and throws 401 with
   * `secondFactor: 'totp'`, so the app shows the code field. A code works once.
   */
  async checkSignIn(account: AccountEntity, code: string | undefined, hooks: SignInHooks): Promise<void> {
    const row = await this.totps.find(account.id);
    if (!row?.enabledAt) return;
    if (code === undefined) {
      hooks.uncounted();
      throw new UnauthorizedException({
        message: 'Enter the 6-digit code from your authenticator app',
        secondFactor: SECOND_FACTOR_NEEDED,
      });
    }
    const problem = await this.checkCode(account, row.secret, code);
    if (problem) {
      this.logger.warn(`Sign-in for "${account.username}" refused: ${problem}`);
      await hooks.refuse(problem);
      throw new UnauthorizedException({
        message: isRecoveryCode(code)
          ? 'That recovery code is wrong or was used already'
          : 'That code is wrong or was used already: enter the code your authenticator app shows now',
        secondFactor: SECOND_FACTOR_NEEDED,
      });
    }
  }

  /** Starts setting up an authenticator app: a new secret, pending until a code from the app enables it. */
  async setup(principal: Principal, password: string, ip: string): Promise<TotpSetup> {
    const account = await this.localAccount(principal);
    await this.checkPassword(account, principal, password, ip, 'setup');
    if (await this.isEnabled(account.id)) {
      throw new ConflictException(
        'Two-step sign-in is on already; turn it off first to move it to another authenticator app',
      );
    }
    const secret = base32Encode(randomBytes(SECRET_BYTES));
    await this.totps.savePending(account.id, this.seal(account.id, secret), new Date());
    const uri = otpauthUri(account.username, secret);
    return {
      secret,
      secretGrouped: groupSecret(secret),
      uri,
      qrSvg: await qrCode(uri, { type: 'svg', margin: 2 }),
    };
  }

  /** A first code from the app turns two-step sign-in on; the account's other sessions are signed out. */
  async enable(principal: Principal, code: string, ip: string): Promise<RecoveryCodes> {
    const account = await this.localAccount(principal);
    const row = await this.totps.find(account.id);
    if (!row) throw new ConflictException('Start the set-up first: it gives the secret for your app');
    if (row.enabledAt) throw new ConflictException('Two-step sign-in is on already');
    const step = matchingStep(this.open(account.id, row.secret), code.replace(/\s/g, ''), this.clock.now());
    if (step === null) {
      await this.record(principal, 'refused', { change: 'enable', from: ip }, 'wrong code');
      throw new BadRequestException(
        "That code does not match: enter the code the app shows now (and check the phone's clock is set automatically)",
      );
    }
    await this.totps.enable(account.id, step, new Date());
    const recoveryCodes = await this.newRecoveryCodes(account.id);
    const signedOut = await this.endSessions(account.id, principal.sessionId);
    await this.record(principal, 'ok', { change: 'enabled', from: ip, signedOut });
    this.logger.log(`"${account.username}" turned two-step sign-in on; their other sessions are signed out`);
    return { recoveryCodes };
  }

  /** Turns two-step sign-in off, with the password and a code (or a recovery code). */
  async disable(principal: Principal, password: string, code: string, ip: string): Promise<void> {
    const account = await this.localAccount(principal);
    const attempt = this.throttler.attempt(ip, account.username);
    const row = await this.totps.find(account.id);
    if (!row?.enabledAt) throw new ConflictException('Two-step sign-in is not on for your account');
    const wrongPassword = !(await this.hasher.verify(account.passwordHash, password));
    const problem = wrongPassword ? 'wrong password' : await this.checkCode(account, row.secret, code);
    if (problem) {
      await this.record(principal, 'refused', { change: 'disable', from: ip }, problem);
      throw new ForbiddenException(
        wrongPassword ? 'The current password is wrong' : 'That code is wrong or was used already',
      );
    }
    attempt.succeeded();
    await this.totps.remove(account.id);
    const signedOut = await this.endSessions(account.id, principal.sessionId);
    await this.record(principal, 'ok', { change: 'disabled', from: ip, signedOut });
    this.logger.log(`"${account.username}" turned two-step sign-in off; their other sessions are signed out`);
  }

  /** New recovery codes for a code from the app; the old ones stop working. */
  async renewRecoveryCodes(principal: Principal, code: string, ip: string): Promise<RecoveryCodes> {
    const account = await this.localAccount(principal);
    const attempt = this.throttler.attempt(ip, account.username);
    const row = await this.totps.find(account.id);
    if (!row?.enabledAt) throw new ConflictException('Two-step sign-in is not on for your account');
    const problem = await this.checkCode(account, row.secret, code.replace(/\s/g, ''));
    if (problem) {
      await this.record(principal, 'refused', { change: 'recovery-codes', from: ip }, problem);
      throw new ForbiddenException('That code is wrong or was used already');
    }
    attempt.succeeded();
    const recoveryCodes = await this.newRecoveryCodes(account.id);
    await this.record(principal, 'ok', { change: 'recovery-codes', from: ip });
    return { recoveryCodes };
  }

  /**
   * An owner turns two-step sign-in off for someone who lost their phone (and their recovery codes): that
   * person is signed out everywhere, and signs in with their password alone, then sets it up again.
   */
  async disableFor(owner: Principal, accountId: string, ip: string): Promise<void> {
    if (accountId === owner.accountId) {
      throw new BadRequestException('To turn off your own, use "Turn off" with your password and a code');
    }
    const account = await this.accounts.findById(accountId);
    if (!account) throw new NotFoundException(`No account with id ${accountId}`);
    if (!(await this.isEnabled(account.id))) {
      throw new ConflictException(`Two-step sign-in is not on for "${account.username}"`);
    }
    await this.totps.remove(account.id);
    const signedOut = await this.endSessions(account.id, null);
    await this.audit.record(accountActor(owner), {
      action: 'account.totp',
      result: 'ok',
      details: { change: 'disabled', username: account.username, from: ip, signedOut },
    });
    this.logger.log(`"${owner.username}" turned two-step sign-in off for "${account.username}"`);
  }

  /**
   * The household rule. An owner with a password account turns it on only with a second factor of their
   * own, so they show it works and are not sent to set-up themselves the moment it applies.
   */
  async setRequired(owner: Principal, required: boolean, ip: string): Promise<TotpStatus> {
    const account = await this.account(owner.accountId);
    if (required && account.source === 'local' && !(await this.isEnabled(account.id))) {
      throw new ConflictException(
        'Set up two-step sign-in for yourself first: then everyone with a password can be asked to',
      );
    }
    const before = await this.required();
    await this.settings.set(REQUIRE_SECOND_FACTOR, required);
    if (before !== required) {
      await this.audit.record(accountActor(owner), {
        action: 'settings.second-factor',
        result: 'ok',
        details: { required, from: ip },
      });
      this.logger.log(
        `"${owner.username}" ${required ? 'now requires' : 'no longer requires'} a second factor for password accounts`,
      );
    }
    return this.status(owner);
  }

  /** Null when `code` (an app's code or a recovery code) is good and now used up; otherwise why not. */
  private async checkCode(account: AccountEntity, sealed: string, code: string): Promise<string | null> {
    if (isRecoveryCode(code)) {
      const hash = hashToken(normalizeRecoveryCode(code));
      if (!(await this.totps.spendRecoveryCode(account.id, hash, new Date()))) return 'wrong recovery code';
      const left = await this.totps.countUnusedRecoveryCodes(account.id);
      this.logger.log(`"${account.username}" used a recovery code; ${left} left`);
      await this.audit.record(
        { type: 'account', id: account.id, name: account.username, channel: 'ui' },
        {
          action: 'account.totp',
          result: 'ok',
          details: { change: 'recovery-code', left },
          message: `recovery code used, ${left} left`,
        },
      );
      return null;
    }
    const now = this.clock.now();
    const step = matchingStep(this.open(account.id, sealed), code.replace(/\s/g, ''), now);
    if (step === null) return 'wrong code';
    if (!(await this.totps.spendStep(account.id, step))) return 'code used already';
    return null;
  }

  /** Checks the current password (throttled like a sign-in: it is a password guess too). */
  private async checkPassword(
    account: AccountEntity,
    principal: Principal,
    password: string,
    ip: string,
    change: string,
  ): Promise<void> {
    const attempt = this.throttler.attempt(ip, account.username);
    if (!(await this.hasher.verify(account.passwordHash, password))) {
      await this.record(principal, 'refused', { change, from: ip }, 'wrong password');
      // 403, not 401: the caller is signed in; a 401 would make the app renew its token and retry.
      throw new ForbiddenException('The current password is wrong');
    }
    attempt.succeeded();
  }

  private async newRecoveryCodes(accountId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const raw = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
      return `${raw.slice(0, 5)}-${raw.slice(5)}`;
    });
    await this.totps.replaceRecoveryCodes(
      accountId,
      codes.map((code) => hashToken(normalizeRecoveryCode(code))),
      new Date(),
    );
    return codes;
  }

  /**
   * Signs out the account's sessions (all, or all but `keep`), and ends the quick PIN of every phone but
   * `keep`'s: each was trusted before this change. Returns how many sessions ended.
   */
  private async endSessions(accountId: string, keep: string | null): Promise<number> {
    return (await this.signOuts.everythingBut(accountId, keep, new Date())).sessions.length;
  }

  private async account(accountId: string): Promise<AccountEntity> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    return account;
  }

  private async localAccount(principal: Principal): Promise<AccountEntity> {
    const account = await this.account(principal.accountId);
    if (account.source !== 'local') {
      throw new ForbiddenException(
        `You sign in through ${PROVIDERS[account.source]}: a second factor is set up there, not in Kidtime`,
      );
    }
    return account;
  }

  private seal(accountId: string, secret: string): string {
    return this.cipher.seal(secret, `totp:${accountId}`);
  }

  /**
   * The secret of an account. When it cannot be read (the data directory's key was replaced), the person is
   * told what still works: recovery codes are checked without it.
   */
  private open(accountId: string, sealed: string): Buffer {
    try {
      return base32Decode(String(this.cipher.open(sealed, `totp:${accountId}`)));
    } catch (error) {
      if (!(error instanceof CredentialError)) throw error;
      this.logger.error(`Two-step sign-in of account ${accountId} cannot be checked: ${error.message}`);
      throw new ServiceUnavailableException(
        'The hub cannot read your authenticator secret (its key in the data directory changed): use a recovery code, or ask an owner to turn two-step sign-in off for you',
      );
    }
  }

  private async record(
    principal: Principal,
    result: 'ok' | 'refused',
    details: Record<string, unknown>,
    message?: string,
  ): Promise<void> {
    const actor: AuditActor = accountActor(principal);
    await this.audit.record(actor, { action: 'account.totp', result, details, message: message ?? null });
  }
}
