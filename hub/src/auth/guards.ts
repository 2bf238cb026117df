import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type ExecutionContext,
  type CanActivate,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { SECOND_FACTOR_SETUP_NEEDED, type Role } from '@kidtime/protocol';
import type { Request } from 'express';
import { normalizeAddress } from '../common/client-address';
import { BEFORE_SECOND_FACTOR, IS_PUBLIC, NO_API_TOKEN, ROLES } from '../common/decorators';
import { API_TOKEN_PREFIX, ApiTokensService } from './api-tokens.service';
import type { Principal } from './current-account';

/**
 * Global: every route needs a valid access token (a person signed in) or API token (an automation) unless it
 * is marked @Public().
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiTokens: ApiTokensService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic(context)) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer?.startsWith(API_TOKEN_PREFIX)) {
      request.user = await this.apiTokens.authenticate(
        bearer,
        normalizeAddress(request.socket.remoteAddress),
      );
      return true;
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T>(error: unknown, principal: T, info: unknown): T {
    if (error || !principal) {
      const reason = info instanceof Error ? info.message : 'missing bearer token';
      throw error instanceof Error ? error : new UnauthorizedException(`Not signed in (${reason})`);
    }
    return principal;
  }

  private isPublic(context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) ??
      false
    );
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Global: @Roles(...) when given; otherwise reads for everyone and changes for owners and parents only. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const role = request.user?.role;
    if (!role) throw new UnauthorizedException('Not signed in');
    const token = request.user?.apiToken;
    if (
      token &&
      this.reflector.getAllAndOverride<boolean>(NO_API_TOKEN, [context.getHandler(), context.getClass()])
    ) {
      throw new ForbiddenException(
        'API tokens cannot do this (tokens, passwords, accounts and sign-ins): sign in to the app instead',
      );
    }
    if (
      request.user?.secondFactorSetupNeeded &&
      !this.reflector.getAllAndOverride<boolean>(BEFORE_SECOND_FACTOR, [
        context.getHandler(),
        context.getClass(),
      ])
    ) {
      throw new ForbiddenException({
        message:
          'This household requires two-step sign-in for password accounts: set up an authenticator app on the Account page first',
        secondFactor: SECOND_FACTOR_SETUP_NEEDED,
      });
    }
    const allowed =
      this.reflector.getAllAndOverride<Role[]>(ROLES, [context.getHandler(), context.getClass()]) ??
      (READ_METHODS.has(request.method) ? ['owner', 'parent', 'viewer'] : ['owner', 'parent']);
    if (!allowed.includes(role)) {
      throw new ForbiddenException(
        token
          ? `The API token "${token.name}" has the "${token.scope}" scope, which does not allow this`
          : role === 'viewer'
            ? 'Viewers can look but not change anything'
            : `This needs the ${allowed.join(' or ')} role`,
      );
    }
    return true;
  }
}
