import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AccountRepository } from '../accounts/account.repository';
import { HUB_SECRETS, type HubSecrets } from '../config/tokens';
import type { AccessTokenClaims } from './auth.service';
import { jwtKey } from './jwt-key';
import type { Principal } from './current-account';

/** Accepts a bearer access token and loads its account, so role changes and removals apply at once. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(HUB_SECRETS) secrets: HubSecrets,
    private readonly accounts: AccountRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: jwtKey(secrets),
      algorithms: ['HS256'],
      issuer: 'kidtime',
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Principal> {
    if (claims.typ !== 'access') throw new UnauthorizedException('Not an access token');
    const account = await this.accounts.findForToken(claims.sub);
    if (!account) throw new UnauthorizedException('The account no longer exists');
    return { accountId: account.id, username: account.username, role: account.role };
  }
}
