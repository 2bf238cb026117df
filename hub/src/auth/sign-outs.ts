import { Injectable } from '@nestjs/common';
import { TrustedDeviceRepository } from './pin/trusted-device.repository';
import { RefreshTokenRepository } from './refresh-token.repository';
import { SessionRepository } from './session.repository';

/** What "everything else" ended: the sessions, the phones' trusts, and the trust of the phone asking (kept). */
export interface EndedElsewhere {
  sessions: string[];
  trusts: string[];
  keptTrust: string | null;
}

/**
 * Ending sign-ins, the one place that does it: sessions go with their refresh tokens, a phone's quick-PIN
 * trust with the sessions on that phone. "Everything else" — a password or second-factor change, "sign out
 * all other devices" — ends both, but for the session asking and the phone it is on.
 */
@Injectable()
export class SignOuts {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly trustedDevices: TrustedDeviceRepository,
  ) {}

  /** Ends these sessions of the account with their refresh tokens. */
  async sessionsOf(accountId: string, ids: string[], at: Date): Promise<void> {
    for (const id of ids) await this.sessions.revoke(accountId, id, at);
    await this.refreshTokens.revokeFamilies(ids, at);
  }

  /** Ends every session of the account but `keep`, with their refresh tokens; their ids. */
  async allSessionsBut(accountId: string, keep: string | null, at: Date): Promise<string[]> {
    const ended = await this.sessions.revokeAccount(accountId, at, keep);
    await this.refreshTokens.revokeFamilies(ended, at);
    return ended;
  }

  /**
   * Every session of the account but `asking` (that one too with `endAsking`), and every phone's trust but
   * the one `asking` is on: each was trusted before the change that asks for this.
   */
  async everythingBut(
    accountId: string,
    asking: string | null,
    at: Date,
    { endAsking = false } = {},
  ): Promise<EndedElsewhere> {
    const keptTrust = (asking ? await this.sessions.findById(asking) : null)?.trustedDeviceId ?? null;
    const sessions = await this.allSessionsBut(accountId, endAsking ? null : asking, at);
    const trusts = await this.trustedDevices.revokeAccount(accountId, at, keptTrust);
    return { sessions, trusts, keptTrust };
  }

  /** Ends a phone's trust and signs out the sessions on it but `keep`; how many were signed out. */
  async trust(trustedDeviceId: string, at: Date, keep: string | null = null): Promise<number> {
    await this.trustedDevices.revoke(trustedDeviceId, at);
    const ended = await this.sessions.revokeUnlockedOn([trustedDeviceId], at, keep);
    await this.refreshTokens.revokeFamilies(ended, at);
    return ended.length;
  }
}
