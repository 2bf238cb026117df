import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, Repository } from 'typeorm';
import { RefreshTokenEntity } from './refresh-token.entity';

@Injectable()
export class RefreshTokenRepository {
  constructor(
    @InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>,
  ) {}

  async insert(
    token: Omit<RefreshTokenEntity, 'createdAt' | 'usedAt' | 'revokedAt' | 'account'>,
  ): Promise<void> {
    await this.tokens.insert({ ...token, usedAt: null, revokedAt: null });
  }

  findByHash(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.tokens.findOneBy({ tokenHash });
  }

  /** Marks a token used; false when another request used it first (so each token rotates exactly once). */
  async markUsed(id: string, at: Date): Promise<boolean> {
    const result = await this.tokens.update({ id, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: at });
    return (result.affected ?? 0) === 1;
  }

  /** Forgets tokens that expired before `now`: they can no longer sign anyone in. Returns how many. */
  async deleteExpired(now: Date): Promise<number> {
    const result = await this.tokens.delete({ expiresAt: LessThan(now) });
    return result.affected ?? 0;
  }

  /** The tokens of the given sessions can no longer renew them. */
  async revokeFamilies(familyIds: string[], at: Date): Promise<void> {
    if (familyIds.length === 0) return;
    await this.tokens.update({ familyId: In(familyIds), revokedAt: IsNull() }, { revokedAt: at });
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: at });
  }
}
