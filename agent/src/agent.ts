import os from 'node:os';
import {
  TimekprError,
  commandMessageSchema,
  describeZodError,
  type Ack,
  type CommandMessage,
  type ManagedUserState,
  type ResultMessage,
} from '@kidtime/protocol';
import type { Logger } from './logger';
import { toResult, type AgentStateStore } from './state-store';
import type { TimekprClient, UsersSnapshot } from './timekpr-client';
import type { AgentTransport } from './transport/transport';
import { agentVersion } from './version';

export interface AgentOptions {
  transport: AgentTransport;
  timekpr: TimekprClient;
  store: AgentStateStore;
  logger: Logger;
  stateIntervalMs: number;
  hostname?: string;
}

/**
 * The agent's life: announce itself on every (re)connect, report every user's state on connect and
 * periodically, the changed user's state after every command, and apply the hub's commands one at a time, exactly once each.
 */
export class Agent {
  private stateTimer: NodeJS.Timeout | null = null;
  private work: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: AgentOptions) {}

  start(): void {
    this.options.transport.start({
      connected: () => this.enqueue(() => this.onConnected()),
      disconnected: () => undefined,
      command: (message) => this.onCommand(message),
    });
    this.scheduleState();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.stateTimer) clearTimeout(this.stateTimer);
    await this.options.transport.stop();
    await this.work.catch(() => undefined);
  }

  private async onConnected(): Promise<void> {
    const { timekpr, transport, logger } = this.options;
    let users: string[] = [];
    try {
      users = await timekpr.listLogins();
      if (timekpr.ignoredLogins.length > 0) {
        logger.warn(
          `Not managing ${timekpr.ignoredLogins.map((l) => JSON.stringify(l.slice(0, 40))).join(', ')}: ` +
            'Kidtime handles lowercase Linux login names (letters, digits, "_", ".", "-")',
        );
      }
    } catch (error) {
      logger.error(`Cannot list Timekpr-nExT users: ${(error as Error).message}`);
    }
    const hello = await transport.send('hello', {
      agentVersion,
      hostname: (this.options.hostname ?? os.hostname()).slice(0, 100),
      timekprVersion: timekpr.version(),
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
      users,
    });
    if (!hello.ok) logger.warn(`The hub did not accept hello: ${hello.error}`);
    await this.reportState();
    for (const result of this.options.store.undelivered()) await this.deliver(result);
  }

  private async onCommand(raw: unknown): Promise<Ack> {
    const parsed = commandMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const error = `invalid command: ${describeZodError(parsed.error, 'command')}`;
      this.options.logger.warn(`Refused a command from the hub: ${error}`);
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) {
        void this.deliver({ id, status: 'error', error: { code: 'invalid-command', message: error } });
      }
      return { ok: false, error };
    }
    const command = parsed.data;
    const known = this.options.store.outcome(command.id);
    if (known) {
      // Already applied (or refused): never apply twice; just tell the hub again.
      void this.deliver(toResult(known));
      return { ok: true };
    }
    this.enqueue(() => this.execute(command));
    return { ok: true };
  }

  private async execute(command: CommandMessage): Promise<void> {
    const { timekpr, logger, store } = this.options;
    if (store.outcome(command.id)) return;
    const started = Date.now();
    let result: ResultMessage;
    try {
      const interrupted = store.inProgress?.id === command.id ? store.inProgress : null;
      const recovered = interrupted ? await timekpr.wasApplied(interrupted) : null;
      if (recovered?.applied) {
        result = {
          id: command.id,
          status: 'ok',
          data: {
            state: recovered.state,
            warning: 'the agent restarted while applying this change; timekpr shows it applied',
          },
        };
        logger.warn(`${describe(command)} was interrupted by a restart; timekpr shows it applied`);
      } else if (command.replayOnly) {
        result = {
          id: command.id,
          status: 'error',
          error: { code: 'expired', message: 'expired before this PC applied it' },
        };
      } else {
        const { state, warning } = await timekpr.apply(command, (entry) =>
          store.begin({ id: command.id, ...entry }),
        );
        result = { id: command.id, status: 'ok', data: warning ? { state, warning } : { state } };
        logger.info(`Applied ${describe(command)} in ${Date.now() - started} ms`);
        if (warning) logger.warn(`Applied ${describe(command)} but: ${warning}`);
      }
    } catch (error) {
      const code = error instanceof TimekprError ? error.kind : 'agent-error';
      const message = (error as Error).message;
      const state = error instanceof TimekprError ? error.state : null;
      logger.error(`Failed ${describe(command)}: ${message}`);
      result = {
        id: command.id,
        status: 'error',
        error: { code, message },
        ...(state ? { data: { state } } : {}),
      };
    }
    store.record(result);
    await this.deliver(result);
    // The result already carries the user's fresh state; re-reading every user here would keep timekpra
    // busy for ~75 ms per user and delay the parent's next tap.
    if (result.status === 'ok' && result.data.state) await this.sendState([result.data.state]);
  }

  private async deliver(result: ResultMessage): Promise<void> {
    const ack = await this.options.transport.send('result', result);
    if (ack.ok) {
      this.options.store.markDelivered(result.id);
    } else if (ack.error !== 'not connected') {
      this.options.logger.warn(`The hub did not take the result of command ${result.id}: ${ack.error}`);
      this.options.store.markDelivered(result.id); // refused, not lost in transit: resending would not help
    }
  }

  /** Reads every managed user and reports them all. */
  private async reportState(): Promise<void> {
    if (!this.options.transport.connected) return;
    try {
      const snapshot = await this.options.timekpr.readAll();
      await this.sendState(snapshot.users, snapshot.errors);
    } catch (error) {
      this.options.logger.error(`Cannot read Timekpr-nExT state: ${(error as Error).message}`);
    }
  }

  private async sendState(users: ManagedUserState[], errors: UsersSnapshot['errors'] = []): Promise<void> {
    const ack = await this.options.transport.send('state', { at: new Date().toISOString(), users, errors });
    if (!ack.ok && ack.error !== 'not connected') {
      this.options.logger.warn(`The hub did not accept the state report: ${ack.error}`);
    }
  }

  private scheduleState(): void {
    if (this.stopped) return;
    const jitter = 0.75 + Math.random() * 0.5;
    this.stateTimer = setTimeout(() => {
      this.enqueue(() => this.reportState());
      this.scheduleState();
    }, this.options.stateIntervalMs * jitter);
    this.stateTimer.unref?.();
  }

  /** One thing at a time: commands and state reads never interleave. */
  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((error: unknown) => {
      this.options.logger.error(`Unexpected agent error: ${(error as Error).stack ?? String(error)}`);
    });
  }
}

function describe(command: CommandMessage): string {
  return command.op === 'adjustTime'
    ? `${command.args.mode} ${command.args.seconds} s for ${command.args.login} (command ${command.id})`
    : `${command.op} (command ${command.id})`;
}
