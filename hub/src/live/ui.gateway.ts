import { Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { UI_NAMESPACE, type HubToUiEvents } from '@kidtime/protocol';
import type { Namespace, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/current-account';
import { normalizeAddress } from '../common/client-address';
import { SOCKET_SERVER_OPTIONS } from '../common/socket-server-options';
import { LiveEvents } from './live-events';

type UiSocket = Socket<
  Record<string, never>,
  HubToUiEvents,
  Record<string, never>,
  { principal: Principal; expiresAt: number }
>;

/**
 * socket.io namespace for the UI: authenticated with the access token in the handshake, then it only
 * receives. Every account sees the whole household (viewers included: they may look, not change). When the
 * token expires the socket is told so and closed; the UI refreshes its token and connects again.
 */
@WebSocketGateway({ ...SOCKET_SERVER_OPTIONS, namespace: UI_NAMESPACE })
export class UiGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(UiGateway.name);
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly auth: AuthService,
    private readonly live: LiveEvents,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.auth
        .verifyAccessToken(typeof token === 'string' ? token : '', {
          address: normalizeAddress(socket.handshake.address),
          headers: socket.handshake.headers,
        })
        .then(({ principal, expiresAt }) => {
          if (principal.secondFactorSetupNeeded) {
            this.logger.debug(
              `Live updates refused to "${principal.username}": two-step sign-in not set up yet`,
            );
            next(new Error('second factor required: set up two-step sign-in on the Account page first'));
            return;
          }
          const ui = socket as UiSocket;
          ui.data.principal = principal;
          ui.data.expiresAt = expiresAt;
          next();
        })
        .catch((error: unknown) => {
          const from = normalizeAddress(socket.handshake.address);
          this.logger.debug(`UI connection refused from ${from}: ${(error as Error).message}`);
          next(new Error('unauthorized: sign in again'));
        });
    });
    this.unsubscribe = this.live.subscribe(({ event, payload }) => {
      (namespace as unknown as Namespace<Record<string, never>, HubToUiEvents>).emit(event, payload as never);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
  }

  handleConnection(socket: UiSocket): void {
    const remaining = socket.data.expiresAt - Date.now();
    this.expiryTimers.set(
      socket.id,
      setTimeout(
        () => {
          socket.emit('unauthorized', { reason: 'access token expired' });
          socket.disconnect(true);
        },
        Math.max(0, remaining),
      ),
    );
  }

  handleDisconnect(socket: UiSocket): void {
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
  }
}
