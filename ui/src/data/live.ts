import { UI_NAMESPACE, type HubToUiEvents } from '@kidtime/protocol/live';
import { io, type Socket } from 'socket.io-client';
import type { Session } from './api';

export type LiveListener = <E extends keyof HubToUiEvents>(
  event: E,
  payload: Parameters<HubToUiEvents[E]>[0],
) => void;

/**
 * The hub's live updates (socket.io namespace `/ui`). Reconnects by itself; the access token is read at every
 * (re)connect, and when the hub says it expired, the session is refreshed first. `connected` tells the UI
 * whether what it shows is live.
 */
export class LiveConnection extends EventTarget {
  private socket: Socket<HubToUiEvents> | null = null;
  private readonly listeners = new Set<LiveListener>();
  connected = false;

  constructor(private readonly session: Session) {
    super();
  }

  start(): void {
    if (this.socket) return;
    const socket: Socket<HubToUiEvents> = io(UI_NAMESPACE, {
      auth: (send) => send({ token: this.session.accessToken }),
      transports: ['websocket'],
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 10_000,
    });
    socket.on('connect', () => this.setConnected(true));
    socket.on('disconnect', () => this.setConnected(false));
    socket.on('connect_error', () => {
      this.setConnected(false);
      // Refused (expired token): refresh, then try again; the manager does not retry a refused handshake.
      if (!socket.active) void this.session.refresh().then((ok) => ok && socket.connect());
    });
    socket.on('unauthorized', () => void this.session.refresh().then((ok) => ok && socket.connect()));
    const forward =
      <E extends 'device' | 'state' | 'command' | 'usage' | 'child'>(event: E) =>
      (payload: Parameters<HubToUiEvents[E]>[0]) => {
        for (const listener of this.listeners) listener(event, payload);
      };
    socket.on('device', forward('device'));
    socket.on('state', forward('state'));
    socket.on('command', forward('command'));
    socket.on('usage', forward('usage'));
    socket.on('child', forward('child'));
    this.socket = socket;
  }

  /** After signing in again: the socket gave up when the old session ended. */
  reconnect(): void {
    if (this.socket && !this.socket.connected) this.socket.connect();
  }

  stop(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.setConnected(false);
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.dispatchEvent(new Event('change'));
  }
}
