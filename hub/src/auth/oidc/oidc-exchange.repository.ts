import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { OidcExchangeEntity } from './oidc-exchange.entity';

@Injectable()
export class OidcExchangeRepository {
  constructor(@InjectRepository(OidcExchangeEntity) private readonly codes: Repository<OidcExchangeEntity>) {}

  /** Stores a code, and forgets the ones that have expired meanwhile. */
  async insert(code: Omit<OidcExchangeEntity, 'account'>, now: Date): Promise<void> {
    await this.codes.delete({ expiresAt: LessThan(now) });
    await this.codes.insert(code);
  }

  /**
   * Uses a code up: the one request whose DELETE removes the row gets it, so two at once cannot both redeem
   * it. null when unknown, already used, or expired.
   */
  async redeem(codeHash: string, now: Date): Promise<OidcExchangeEntity | null> {
    const code = await this.codes.findOneBy({ codeHash });
    if (!code) return null;
    const result = await this.codes.delete({ codeHash });
    if ((result.affected ?? 0) !== 1 || code.expiresAt <= now) return null;
    return code;
  }
}
