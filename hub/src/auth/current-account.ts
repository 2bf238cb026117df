import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ApiTokenScope, Role } from '@kidtime/protocol';

/** Who is calling, as established by the JWT guard. */
export interface Principal {
  accountId: string;
  username: string;
  role: Role;
  /** The signed-in session the access token belongs to; null for an API token. */
  sessionId: string | null;
  /** The API token the request came with; `role` is then capped by its scope. */
  apiToken?: { id: string; name: string; scope: ApiTokenScope };
  /** The household requires a second factor and this account has none yet: only set-up routes are open. */
  secondFactorSetupNeeded?: boolean;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ user: Principal }>().user;
});
