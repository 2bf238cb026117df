import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type ExecutionContext,
  type CanActivate,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Role } from '@kidtime/protocol';
import type { Request } from 'express';
import { IS_PUBLIC, ROLES } from '../common/decorators';
import type { Principal } from './current-account';

/** Global: every route needs a valid access token unless it is marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (this.isPublic(context)) return true;
    return super.canActivate(context);
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
    const allowed =
      this.reflector.getAllAndOverride<Role[]>(ROLES, [context.getHandler(), context.getClass()]) ??
      (READ_METHODS.has(request.method) ? ['owner', 'parent', 'viewer'] : ['owner', 'parent']);
    if (!allowed.includes(role)) {
      throw new ForbiddenException(
        role === 'viewer'
          ? 'Viewers can look but not change anything'
          : `This needs the ${allowed.join(' or ')} role`,
      );
    }
    return true;
  }
}
