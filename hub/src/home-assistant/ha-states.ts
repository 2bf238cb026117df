import type { ChildView, DeviceView } from '@kidtime/protocol';
import { localDayStart } from '../commands/command-expiry';

/**
 * The states Home Assistant's entities read (retained JSON on `<base>/ha/child/<id>/state` and
 * `<base>/ha/pc/<id>/state`). Minutes, because that is what a parent sets and reads; `null` where nothing is
 * known, which Home Assistant shows as "Unknown".
 */

export interface ChildLoginState {
  pc: string;
  login: string;
  online: boolean;
  active: boolean;
  time_left: number | null;
  time_spent: number | null;
  updated_at: string | null;
}

export interface ChildState {
  /** Of the login in use now; otherwise the most any of the child's logins has left today. */
  time_left: number | null;
  /** On all the child's PCs today. */
  time_spent: number;
  /** While the child is using a PC: when its time there runs out. */
  runs_out_at: string | null;
  active: boolean;
  /** The PCs' names, for the entity's state; details per login in `logins`. */
  pcs: string;
  logins: ChildLoginState[];
}

export interface PcState {
  online: boolean;
  last_seen: string | null;
  agent_version: string | null;
  connection: string;
}

const TRANSPORT_NAMES: Record<NonNullable<DeviceView['transport']>, string> = {
  ws: 'WebSocket',
  mqtt: 'MQTT',
  ssh: 'SSH',
};

const minutes = (seconds: number) => Math.max(0, Math.floor(seconds / 60));

export function childState(
  child: ChildView,
  devices: ReadonlyMap<string, DeviceView>,
  now: Date,
): ChildState {
  let runsOut: number | null = null;
  // A revoked PC is not in `devices`: its logins no longer count.
  const members = child.members.filter((member) => devices.has(member.deviceId));
  const logins = members.map((member): ChildLoginState => {
    const device = devices.get(member.deviceId);
    const online = device?.online ?? false;
    const readAt = member.updatedAt ? new Date(member.updatedAt) : null;
    // A reading from before the PC's midnight is yesterday's: today's time is not known yet.
    const today =
      member.state !== null && readAt !== null && readAt >= localDayStart(now, device?.timezone ?? null);
    const state = today ? member.state : null;
    // An offline PC's last reading may still say "in use": it is not, now.
    const active = online && (state?.active ?? false);
    if (active && state && readAt) {
      const left = Math.min(state.timeLeftToday, state.timeLeftContinuous ?? Infinity);
      const at = readAt.getTime() + Math.max(0, left) * 1000;
      runsOut = runsOut === null ? at : Math.min(runsOut, at);
    }
    return {
      pc: member.deviceName,
      login: member.login,
      online,
      active,
      time_left: state ? minutes(state.timeLeftToday) : null,
      time_spent: state ? minutes(state.timeSpentToday) : null,
      updated_at: member.updatedAt,
    };
  });
  const inUse = logins.find((login) => login.active && login.time_left !== null);
  const known = logins.map((login) => login.time_left).filter((left): left is number => left !== null);
  return {
    time_left: inUse ? inUse.time_left : known.length > 0 ? Math.max(...known) : null,
    time_spent: logins.reduce((sum, login) => sum + (login.time_spent ?? 0), 0),
    runs_out_at: runsOut === null ? null : new Date(runsOut).toISOString(),
    active: logins.some((login) => login.active),
    pcs: clip([...new Set(logins.map((login) => login.pc))].join(', ') || 'none', 255),
    logins,
  };
}

export function pcState(device: DeviceView): PcState {
  return {
    online: device.online,
    last_seen: device.lastSeen,
    agent_version: device.agentVersion,
    connection: device.online && device.transport ? TRANSPORT_NAMES[device.transport] : 'offline',
  };
}

/** Home Assistant refuses states longer than 255 characters. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
