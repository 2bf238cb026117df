import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity';

/**
 * How long a token read for a request is reused. A revocation through this hub applies at once (it clears
 * the entry); another hub sharing the database (Postgres, later) sees it within this time.
 */
const TOKEN_TTL_MS = 5_000;

@Injectable()
export class ApiTokenRepository {
  private readonly recent = new Map<string, { token: ApiTokenEntity | null; at: number }>();

  constructor(@InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>) {}

  async insert(token: Omit<ApiTokenEntity, 'account' | 'lastUsedAt' | 'lastUsedFrom' | 'revokedAt'>) {
    await this.tokens.insert({ ...token, lastUsedAt: null, lastUsedFrom: null, revokedAt: null });
  }

  /** The token with this hash, read once per few seconds, not on every request of a burst. */
  async findByHash(tokenHash: string): Promise<ApiTokenEntity | null> {
    const hit = this.recent.get(tokenHash);
    if (hit && Date.now() - hit.at < TOKEN_TTL_MS) return hit.token;
    const token = await this.tokens.findOneBy({ tokenHash });
    if (this.recent.size >= 1000) this.recent.clear();
    this.recent.set(tokenHash, { token, at: Date.now() });
    return token;
  }

  findById(id: string): Promise<ApiTokenEntity | null> {
    return this.tokens.findOneBy({ id });
  }

  /** Tokens not revoked, newest first: one account's, or everyone's. */
  listActive(accountId: string | null): Promise<Array<ApiTokenEntity & { account: { username: string } }>> {
    return this.tokens.find({
      where: { revokedAt: IsNull(), ...(accountId ? { accountId } : {}) },
      relations: { account: true },
      order: { createdAt: 'DESC' },
    }) as Promise<Array<ApiTokenEntity & { account: { username: string } }>>;
  }

  async markUsed(token: ApiTokenEntity, from: string, at: Date): Promise<void> {
    await this.tokens.update({ id: token.id }, { lastUsedAt: at, lastUsedFrom: from });
    token.lastUsedAt = at;
    token.lastUsedFrom = from;
  }

  async revoke(token: ApiTokenEntity, at: Date): Promise<boolean> {
    const result = await this.tokens.update({ id: token.id, revokedAt: IsNull() }, { revokedAt: at });
    this.recent.delete(token.tokenHash);
    return (result.affected ?? 0) > 0;
  }
}
