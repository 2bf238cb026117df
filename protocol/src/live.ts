import type { CommandView, DeviceView } from './api';
import type { ManagedUserState } from './timekpr/user-state';

/**
 * Live updates for the UI: socket.io namespace `/ui`, handshake `auth: { token: ACCESS_TOKEN }`. The hub only
 * pushes; every change still goes through the REST API. A client that reconnects should re-read what it shows.
 */
export const UI_NAMESPACE = '/ui';

export interface HubToUiEvents {
  /** A PC came online, went offline, or was renamed or revoked (`revoked: true`). */
  device: (event: { device: DeviceView; revoked?: boolean }) => void;
  /** A managed user's state as its agent just read it from timekpr. */
  state: (event: { deviceId: string; login: string; state: ManagedUserState; at: string }) => void;
  /** A command was created or changed status (queued → sent → applied | failed | expired). */
  command: (event: { command: CommandView }) => void;
  /** New usage for a login-day; `ranOut` when the child's time ran out just now. */
  usage: (event: {
    deviceId: string;
    login: string;
    day: string;
    spentSeconds: number;
    ranOut: boolean;
  }) => void;
  /** A child was added, renamed, given other logins or removed (`removed: true`): re-read it. */
  child: (event: { id: string; removed: boolean }) => void;
  /** The access token expired or the account was removed: refresh and connect again. */
  unauthorized: (event: { reason: string }) => void;
}

export type LiveEvent = {
  [E in keyof HubToUiEvents]: { event: E; payload: Parameters<HubToUiEvents[E]>[0] };
}[keyof HubToUiEvents];
