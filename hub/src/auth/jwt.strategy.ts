import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { normalizeAddress } from '../common/client-address';
import { HUB_SECRETS, type HubSecrets } from '../config/tokens';
import { AuthService, type AccessTokenClaims } from './auth.service';
import { jwtKey } from './jwt-key';
import type { Principal } from './current-account';

/**
 * Accepts a bearer access token and loads its account and session, so role changes, removals and sign-outs
 * apply at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(HUB_SECRETS) secrets: HubSecrets,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: jwtKey(secrets),
      algorithms: ['HS256'],
      issuer: 'kidtime',
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  validate(request: Request, claims: AccessTokenClaims): Promise<Principal> {
    return this.auth.principalFor(claims, {
      address: normalizeAddress(request.socket.remoteAddress),
      headers: request.headers,
    });
  }
}
