import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@kidtime/protocol';

/** Who is calling, as established by the JWT guard. */
export interface Principal {
  accountId: string;
  username: string;
  role: Role;
  /** The signed-in session the access token belongs to. */
  sessionId: string | null;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ user: Principal }>().user;
});
