import type { ChildView, CommandView, DeviceView, HubToUiEvents, ManagedUserView } from '@kidtime/protocol';
import { ApiError, listChildren, listDevices, listUsers, pendingCommands, type Session } from './api';
import type { LiveConnection, LiveListener } from './live';

/** One child's login on one PC, as the dashboard and the child page show it. */
export interface LoginView extends ManagedUserView {
  deviceId: string;
  /** `deviceId/login`. */
  key: string;
}

export const loginKey = (deviceId: string, login: string): string => `${deviceId}/${login}`;

const FINAL = new Set(['applied', 'failed', 'expired']);

/** How a finished command ended, in a parent's words. */
export function outcome(command: CommandView): string {
  switch (command.status) {
    case 'applied':
      return 'Done.';
    case 'expired':
      return 'The PC did not come back in time; that change was not applied.';
    case 'failed':
      return `Failed: ${command.error?.message ?? 'the PC reported an error'}`;
    default:
      return '';
  }
}

/**
 * What the hub knows about the household — PCs, the children's logins with timekpr's state, the children,
 * and the changes still on their way — read once and then kept current by the live updates. Every screen
 * reads it; it dispatches `change` when anything in it changed, and `finished` (a CommandFinishedEvent)
 * when a command the parent is waiting for ends.
 */
export class HubStore extends EventTarget {
  devices = new Map<string, DeviceView>();
  logins = new Map<string, LoginView>();
  children: ChildView[] = [];
  /**
   * The unfinished commands per login key, oldest first. All of them, not just the newest: a time change
   * from the dashboard must not hide a schedule change still waiting for the same PC.
   */
  pending = new Map<string, readonly CommandView[]>();
  loaded = false;
  error = '';
  private unsubscribe: (() => void) | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly session: Session,
    private readonly live: LiveConnection,
  ) {
    super();
  }

  /** Follows the live updates (and reads everything first, unless that was done already). */
  start(): void {
    this.unsubscribe ??= this.live.subscribe(this.onLive);
    this.live.addEventListener('change', this.onConnectionChange);
    if (!this.loaded) void this.load();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.live.removeEventListener('change', this.onConnectionChange);
  }

  /** The child a login belongs to, if a parent has said so. */
  childOf(key: string): ChildView | undefined {
    return this.children.find((child) => child.members.some((m) => loginKey(m.deviceId, m.login) === key));
  }

  /** Logins no child has yet, sorted by name. */
  unassigned(): LoginView[] {
    return [...this.logins.values()]
      .filter((login) => !this.childOf(login.key))
      .sort((a, b) => a.login.localeCompare(b.login));
  }

  /** A child's logins that the hub knows, in the child's order. */
  loginsOf(child: ChildView): LoginView[] {
    return child.members.flatMap((m) => this.logins.get(loginKey(m.deviceId, m.login)) ?? []);
  }

  /** Everything from scratch: at start, after something structural changed, and after the live connection was lost. */
  load(): Promise<void> {
    this.loading ??= this.read().finally(() => (this.loading = null));
    return this.loading;
  }

  /** A command just created through the API: shown as pending until its live updates finish it. */
  track(command: CommandView): void {
    const login = (command.args as { login?: string }).login;
    if (!login) return;
    const key = loginKey(command.deviceId, login);
    const commands = this.pending.get(key) ?? [];
    const known = commands.some((c) => c.id === command.id);
    const pending = new Map(this.pending);
    if (FINAL.has(command.status)) {
      // Only a command this page saw unfinished: a late live update of an old one is not news.
      if (!known) return;
      const left = commands.filter((c) => c.id !== command.id);
      if (left.length > 0) pending.set(key, left);
      else pending.delete(key);
      this.pending = pending;
      this.dispatchEvent(new CommandFinishedEvent(key, command));
    } else {
      pending.set(key, known ? commands.map((c) => (c.id === command.id ? command : c)) : [...commands, command]);
      this.pending = pending;
    }
    this.changed();
  }

  /** The newest unfinished command of one kind (`op`, e.g. 'setSchedule') for a login. */
  waiting(key: string, op: string): CommandView | undefined {
    return (this.pending.get(key) ?? []).filter((c) => c.op === op).at(-1);
  }

  /** A state the hub returned with a change: shown at once, before the live update arrives. */
  setState(key: string, state: LoginView['state']): void {
    const login = this.logins.get(key);
    if (!login || !state) return;
    this.logins = new Map(this.logins).set(key, { ...login, state, error: null });
    this.changed();
  }

  private async read(): Promise<void> {
    try {
      const [devices, children, pending] = await Promise.all([
        listDevices(this.session),
        listChildren(this.session),
        pendingCommands(this.session),
      ]);
      const perDevice = await Promise.all(devices.map((device) => listUsers(this.session, device.id)));
      const logins = new Map<string, LoginView>();
      devices.forEach((device, i) => {
        for (const user of perDevice[i] ?? []) {
          const key = loginKey(device.id, user.login);
          logins.set(key, { ...user, deviceId: device.id, key });
        }
      });
      this.devices = new Map(devices.map((d) => [d.id, d]));
      this.logins = logins;
      this.children = children;
      this.pending = new Map();
      for (const command of [...pending].reverse()) this.track(command);
      this.loaded = true;
      this.error = '';
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : String(error);
    }
    this.changed();
  }

  private async readChildren(): Promise<void> {
    try {
      this.children = await listChildren(this.session);
      this.changed();
    } catch {
      // the next full read (reconnect, or the next change) catches up
    }
  }

  private readonly onConnectionChange = () => {
    if (this.live.connected) void this.load();
  };

  private readonly onLive: LiveListener = (event, payload) => {
    if (event === 'device') {
      const { device, revoked } = payload as Parameters<HubToUiEvents['device']>[0];
      if (revoked || !this.devices.has(device.id)) {
        void this.load();
        return;
      }
      this.devices = new Map(this.devices).set(device.id, device);
    } else if (event === 'state') {
      const { deviceId, login, state, at } = payload as Parameters<HubToUiEvents['state']>[0];
      const key = loginKey(deviceId, login);
      const known = this.logins.get(key);
      if (!known) {
        void this.load();
        return;
      }
      this.logins = new Map(this.logins).set(key, { ...known, state, updatedAt: at, error: null });
    } else if (event === 'command') {
      this.track((payload as Parameters<HubToUiEvents['command']>[0]).command);
      return;
    } else if (event === 'child') {
      // Another parent (or this one in another tab) changed the children: read them again.
      void this.readChildren();
      return;
    } else {
      return;
    }
    this.changed();
  };

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

export class CommandFinishedEvent extends Event {
  constructor(
    readonly key: string,
    readonly command: CommandView,
  ) {
    super('finished');
  }
}
