import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CommandView, ManagedUserState, TimeResponse } from '@kidtime/protocol';
import type { Session } from '../data/api';
import type { HubContext } from '../data/context';
import { type Editing, edit, ended, follow, isDirty, queued, reset, startEditing } from '../data/draft';
import type { CommandFinishedEvent, LoginView } from '../data/store';
import { type SaveOutcome, answered, failure } from '../data/save-outcome';

/** What makes a settings editor: its command, how the PC's state becomes a draft, and how a change is sent. */
export interface DraftKind<T, R> {
  /** The op of the commands that carry these settings, e.g. 'setSchedule'. */
  op: string;
  fromState(state: ManagedUserState): T;
  /** Only what changed; null when there is nothing to send. */
  request(base: T, draft: T): R | null;
  send(
    session: Session,
    deviceId: string,
    login: string,
    change: R,
  ): Promise<{ status: number; body: TimeResponse }>;
}

/**
 * A settings editor's draft of one login's settings, kept apart from the PC's state (see data/draft.ts for
 * the rules), and its saving: the host renders `editing` and `outcome`, calls `follow` when its login
 * changes, and `edit`, `reset` and `save` for what the parent does.
 */
export class DraftController<T extends object, R> implements ReactiveController {
  editing: Editing<T> | null = null;
  outcome: SaveOutcome = { kind: 'none' };
  private login: LoginView | null = null;
  /** The login the draft is of; only a login with a state has a draft. */
  private key = '';

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hub: () => HubContext | undefined,
    private readonly kind: DraftKind<T, R>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.hub()?.store.addEventListener('finished', this.onFinished);
  }

  hostDisconnected(): void {
    this.hub()?.store.removeEventListener('finished', this.onFinished);
  }

  get dirty(): boolean {
    return this.editing !== null && isDirty(this.editing);
  }

  /** The newest change of this kind still on its way to the PC. */
  waiting(): CommandView | undefined {
    return this.login ? this.hub()?.store.waiting(this.login.key, this.kind.op) : undefined;
  }

  /** The login (or its state) changed: another login starts afresh; a new state follows the draft rules. */
  follow(login: LoginView | null): void {
    this.login = login;
    if (!login?.state) return;
    const seen = this.kind.fromState(login.state);
    if (!this.editing || login.key !== this.key) {
      this.key = login.key;
      this.set(startEditing(seen), { kind: 'none' });
      return;
    }
    this.set(follow(this.editing, seen, this.waiting() !== undefined));
  }

  edit(change: Partial<T>): void {
    if (!this.editing) return;
    this.set(edit(this.editing, change), this.outcome.kind === 'sending' ? this.outcome : { kind: 'none' });
  }

  reset(): void {
    if (this.editing) this.set(reset(this.editing), { kind: 'none' });
  }

  async save(): Promise<void> {
    const login = this.login;
    const hub = this.hub();
    const draft = this.editing?.draft;
    const change = this.editing && draft ? this.kind.request(this.editing.base, draft) : null;
    if (!login || !hub || !draft || !change) return;
    this.set(this.editing, { kind: 'sending' });
    try {
      const { status, body } = await this.kind.send(hub.session, login.deviceId, login.login, change);
      if (status === 202) {
        // Shown as sent until the PC confirms; a state read meanwhile still has the old settings.
        if (this.editing) this.set(queued(this.editing, draft));
        hub.store.track(body.command);
      } else if (body.state) {
        // What timekpr read back is the truth, also when it differs from what was sent (the warning says so).
        this.set(startEditing(this.kind.fromState(body.state)));
        hub.store.setState(login.key, body.state);
      }
      this.set(this.editing, answered(status, body));
    } catch (error) {
      this.set(this.editing, failure(error));
    }
  }

  private readonly onFinished = (event: Event) => {
    const { key, command } = event as CommandFinishedEvent;
    if (key !== this.login?.key || command.op !== this.kind.op || !this.editing) return;
    this.set(ended(this.editing, command.status === 'applied'), { kind: 'finished', command });
  };

  private set(editing: Editing<T> | null, outcome: SaveOutcome = this.outcome): void {
    this.editing = editing;
    this.outcome = outcome;
    this.host.requestUpdate();
  }
}
