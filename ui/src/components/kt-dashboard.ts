import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CommandView, DeviceView, HubToUiEvents, ManagedUserView } from '@kidtime/protocol';
import { ApiError, changeTime, listChildren, listDevices, listUsers, pendingCommands } from '../data/api';
import { hubContext, type HubContext } from '../data/context';
import { duration } from '../data/format';
import type { LiveListener } from '../data/live';
import { sharedStyles } from './shared-styles';
import type { TimeChangeEvent } from './kt-user-card';
import './kt-user-card';

const key = (deviceId: string, login: string) => `${deviceId}/${login}`;
const FINAL = new Set(['applied', 'failed', 'expired']);

/** Every child's login on every PC, kept current by the hub's live updates. */
@customElement('kt-dashboard')
export class KtDashboard extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .cards {
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr));
      }
      .empty {
        background: var(--kt-card);
        border: 1px dashed var(--kt-border);
        border-radius: 1rem;
        padding: 1rem;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _devices = new Map<string, DeviceView>();
  @state() private _users = new Map<string, ManagedUserView & { deviceId: string }>();
  @state() private _children = new Map<string, string>();
  @state() private _pending = new Map<string, CommandView>();
  @state() private _messages = new Map<string, string>();
  @state() private _error = '';
  @state() private _loaded = false;
  private _unsubscribe: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this._unsubscribe = this._hub.live.subscribe(this._onLive);
    this._hub.live.addEventListener('change', this._onConnectionChange);
    void this._load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._unsubscribe?.();
    this._hub.live.removeEventListener('change', this._onConnectionChange);
  }

  override render() {
    if (this._error) return html`<p role="alert">${this._error}</p>`;
    if (!this._loaded) return html`<p class="muted" role="status">Loading…</p>`;
    const readOnly = this._hub.account.role === 'viewer';
    const users = [...this._users.values()].sort((a, b) =>
      (this._children.get(key(a.deviceId, a.login)) ?? a.login).localeCompare(
        this._children.get(key(b.deviceId, b.login)) ?? b.login,
      ),
    );
    if (users.length === 0)
      return html`<div class="empty">
        <h2>No PCs yet</h2>
        <p>
          Add a child's PC: create an enrollment code (<code>POST /api/enrollments</code>, see the README) and
          run the install command it gives on that PC. It appears here by itself.
        </p>
      </div>`;
    return html`<div class="cards" @kt-time-change=${this._onTimeChange}>
      ${users.map((user) => {
        const id = key(user.deviceId, user.login);
        return html`<kt-user-card
          .device=${this._devices.get(user.deviceId)!}
          .user=${user}
          .childName=${this._children.get(id) ?? null}
          .pending=${this._pending.get(id) ?? null}
          .message=${this._messages.get(id) ?? ''}
          ?readOnly=${readOnly}
        ></kt-user-card>`;
      })}
    </div>`;
  }

  /** Everything from scratch: on start, and after the live connection was lost (updates may have been missed). */
  private async _load(): Promise<void> {
    try {
      const { session } = this._hub;
      const [devices, children, pending] = await Promise.all([
        listDevices(session),
        listChildren(session),
        pendingCommands(session),
      ]);
      const users = new Map<string, ManagedUserView & { deviceId: string }>();
      for (const device of devices) {
        for (const user of await listUsers(session, device.id))
          users.set(key(device.id, user.login), { ...user, deviceId: device.id });
      }
      this._devices = new Map(devices.map((d) => [d.id, d]));
      this._users = users;
      this._children = new Map(
        children.flatMap((child) =>
          child.members.map((m) => [key(m.deviceId, m.login), child.name] as const),
        ),
      );
      this._pending = new Map();
      for (const command of [...pending].reverse()) this._track(command);
      this._loaded = true;
      this._error = '';
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    }
  }

  private readonly _onConnectionChange = () => {
    if (this._hub.live.connected) void this._load();
  };

  private readonly _onLive: LiveListener = (event, payload) => {
    if (event === 'device') {
      const { device, revoked } = payload as { device: DeviceView; revoked?: boolean };
      if (revoked || !this._devices.has(device.id)) {
        void this._load();
        return;
      }
      this._devices = new Map(this._devices).set(device.id, device);
    } else if (event === 'state') {
      const { deviceId, login, state, at } = payload as Parameters<HubToUiEvents['state']>[0];
      const id = key(deviceId, login);
      const user = this._users.get(id);
      if (!user) {
        void this._load();
        return;
      }
      this._users = new Map(this._users).set(id, { ...user, state, updatedAt: at, error: null });
    } else if (event === 'command') {
      this._track((payload as { command: CommandView }).command);
    }
  };

  /** Keeps the newest unfinished command per login; says in words how a finished one ended. */
  private _track(command: CommandView): void {
    const login = (command.args as { login?: string }).login;
    if (!login) return;
    const id = key(command.deviceId, login);
    const pending = new Map(this._pending);
    if (FINAL.has(command.status)) {
      if (pending.get(id)?.id !== command.id) return;
      pending.delete(id);
      this._say(
        id,
        command.status === 'applied'
          ? 'Done.'
          : command.status === 'expired'
            ? 'The PC did not come back in time; that change was not applied.'
            : `Failed: ${command.error?.message ?? 'the PC reported an error'}`,
      );
    } else {
      pending.set(id, command);
    }
    this._pending = pending;
  }

  private async _onTimeChange(event: TimeChangeEvent): Promise<void> {
    const id = key(event.deviceId, event.login);
    this._say(id, 'Sending…');
    try {
      const { status, body } = await changeTime(this._hub.session, event.deviceId, event.login, event.change);
      if (status === 202) {
        this._track(body.command);
        this._say(id, 'The PC is offline: queued, it will apply when the PC comes back.');
        return;
      }
      const user = this._users.get(id);
      if (user && body.state) this._users = new Map(this._users).set(id, { ...user, state: body.state });
      this._say(id, body.state ? `Done: ${duration(body.state.timeLeftToday)} left.` : 'Done.');
      if (body.warning) this._say(id, `Done, but: ${body.warning}`);
    } catch (error) {
      this._say(id, error instanceof ApiError ? error.message : String(error));
    }
  }

  private _say(id: string, message: string): void {
    this._messages = new Map(this._messages).set(id, message);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-dashboard': KtDashboard;
  }
}
