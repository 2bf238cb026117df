import { AGENTS_NAMESPACE, type Ack, type AgentToHubEvents, type HubToAgentEvents } from '@kidtime/protocol';
import { io, type Socket } from 'socket.io-client';
import { Backoff } from '../backoff';
import type { Logger } from '../logger';
import type { AgentTransport, OutboundEvent, OutboundMessage, TransportEvents } from './transport';

const SEND_TIMEOUT_MS = 10_000;
/** A connection up this long counts as healthy again. */
const STABLE_AFTER_MS = 60_000;

export interface SocketIoTransportOptions {
  hubUrl: string;
  deviceId: string;
  secret: string;
  backoff?: Backoff;
}

/**
 * socket.io to the hub's `/agents` namespace, authenticated with the device credential. socket.io's own
 * reconnection is off: our backoff (exponential, jittered, capped at 5 min) decides when to try again, the
 * same way for every transport.
 */
export class SocketIoTransport implements AgentTransport {
  readonly kind = 'ws';
  private socket: Socket<HubToAgentEvents, AgentToHubEvents> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly backoff: Backoff;

  constructor(
    private readonly options: SocketIoTransportOptions,
    private readonly logger: Logger,
  ) {
    this.backoff = options.backoff ?? new Backoff();
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  start(events: TransportEvents): void {
    const url = new URL(AGENTS_NAMESPACE, this.options.hubUrl).toString();
    const socket: Socket<HubToAgentEvents, AgentToHubEvents> = io(url, {
      auth: { deviceId: this.options.deviceId, secret: this.options.secret },
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
      timeout: 10_000,
    });
    this.socket = socket;

    socket.on('connect', () => {
      // Only a connection that lasts resets the backoff: two PCs fighting over one credential (a cloned
      // disk) or a hub that drops us at once must not turn into a reconnect loop.
      this.stableTimer = setTimeout(() => this.backoff.reset(), STABLE_AFTER_MS);
      this.logger.info(`Connected to the hub at ${this.options.hubUrl}`);
      events.connected();
    });
    socket.on('disconnect', (reason) => {
      if (this.stableTimer) clearTimeout(this.stableTimer);
      this.logger.warn(`Lost the connection to the hub (${reason})`);
      events.disconnected(reason);
      this.scheduleReconnect();
    });
    socket.on('connect_error', (error) => {
      this.logger.warn(`Cannot connect to the hub at ${this.options.hubUrl}: ${error.message}`);
      this.scheduleReconnect();
    });
    socket.on('command', (message, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      events.command(message).then(reply, (error: unknown) => reply({ ok: false, error: String(error) }));
    });
    socket.connect();
  }

  async send<E extends OutboundEvent>(event: E, message: OutboundMessage<E>): Promise<Ack> {
    const socket = this.socket;
    if (!socket?.connected) return { ok: false, error: 'not connected' };
    try {
      // socket.io's typed emit cannot follow a generic event name; the event map above is the contract.
      const emitter = socket.timeout(SEND_TIMEOUT_MS) as unknown as {
        emitWithAck(event: string, message: unknown): Promise<Ack>;
      };
      return await emitter.emitWithAck(event, message);
    } catch {
      return { ok: false, error: `no acknowledgement from the hub within ${SEND_TIMEOUT_MS / 1000} s` };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = this.backoff.next();
    this.logger.info(`Reconnecting in ${Math.round(delay / 1000)} s`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped && !this.socket?.connected) this.socket?.connect();
    }, delay);
  }
}
