import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, MoreThan, Not, Repository } from 'typeorm';
import { SessionEntity } from './session.entity';

/**
 * How long "this session is live" is believed for an access token. Signing out through this hub applies at
 * once (it clears the entry); another hub sharing the database (Postgres, later) sees it within this time.
 */
const LIVE_TTL_MS = 5_000;

@Injectable()
export class SessionRepository {
  private readonly recent = new Map<string, { live: boolean; at: number }>();

  constructor(@InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>) {}

  async insert(session: Omit<SessionEntity, 'account' | 'revokedAt'>): Promise<void> {
    await this.sessions.insert({ ...session, revokedAt: null });
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  /** Whether an access token's session is still signed in: read once per few seconds, not per request. */
  async isLive(id: string): Promise<boolean> {
    const hit = this.recent.get(id);
    if (hit && Date.now() - hit.at < LIVE_TTL_MS) return hit.live;
    const session = await this.sessions.findOneBy({ id });
    const live = session !== null && session.revokedAt === null;
    if (this.recent.size >= 1000) this.recent.clear();
    this.recent.set(id, { live, at: Date.now() });
    return live;
  }

  async setTrustedDevice(id: string, trustedDeviceId: string): Promise<void> {
    await this.sessions.update({ id }, { trustedDeviceId });
  }

  async touch(id: string, address: string, at: Date): Promise<void> {
    await this.sessions.update({ id }, { address, lastUsedAt: at });
  }

  /** An account's signed-in sessions, most recently used first: those renewed within `since`. */
  listLive(accountId: string, since: Date): Promise<SessionEntity[]> {
    return this.sessions.find({
      where: { accountId, revokedAt: IsNull(), lastUsedAt: MoreThan(since) },
      order: { lastUsedAt: 'DESC' },
    });
  }

  /** Signs one session out; false when it was not signed in (or is not the account's). */
  async revoke(accountId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.sessions.update({ id, accountId, revokedAt: IsNull() }, { revokedAt: at });
    this.recent.delete(id);
    return (result.affected ?? 0) > 0;
  }

  /** Signs out every session of an account, but `keep`; returns the ids signed out. */
  async revokeAccount(accountId: string, at: Date, keep: string | null = null): Promise<string[]> {
    const where = { accountId, revokedAt: IsNull(), ...(keep ? { id: Not(keep) } : {}) };
    const ids = (await this.sessions.find({ where, select: { id: true } })).map((s) => s.id);
    if (ids.length === 0) return [];
    await this.sessions.update(where, { revokedAt: at });
    for (const id of ids) this.recent.delete(id);
    return ids;
  }

  /** Signs out the sessions on trusted phones whose trust ended, but `keep`; returns their ids. */
  async revokeUnlockedOn(
    trustedDeviceIds: string[],
    at: Date,
    keep: string | null = null,
  ): Promise<string[]> {
    if (trustedDeviceIds.length === 0) return [];
    const where = {
      trustedDeviceId: In(trustedDeviceIds),
      revokedAt: IsNull(),
      ...(keep ? { id: Not(keep) } : {}),
    };
    const ids = (await this.sessions.find({ where, select: { id: true } })).map((s) => s.id);
    if (ids.length === 0) return [];
    await this.sessions.update(where, { revokedAt: at });
    for (const id of ids) this.recent.delete(id);
    return ids;
  }

  /** Forgets sessions nobody renewed since `before`: their refresh tokens have expired. */
  async deleteStale(before: Date): Promise<number> {
    const result = await this.sessions.delete({ lastUsedAt: LessThan(before) });
    return result.affected ?? 0;
  }
}
