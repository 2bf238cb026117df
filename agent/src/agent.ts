import os from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  TimekprError,
  UsageBook,
  commandMessageSchema,
  describeZodError,
  type Ack,
  type CommandMessage,
  type ManagedUserState,
  type ResultMessage,
  type TimekprClient,
  type UsersSnapshot,
} from '@kidtime/protocol';
import type { Logger } from './logger';
import { toResult, type AgentStateStore } from './state-store';
import { installedTimekprVersion } from './timekpr-version';
import type { AgentTransport } from './transport/transport';
import { agentVersion } from './version';

export interface AgentOptions {
  transport: AgentTransport;
  timekpr: TimekprClient;
  store: AgentStateStore;
  logger: Logger;
  stateIntervalMs: number;
  hostname?: string;
  /** The installed Timekpr-nExT version; read from its files by default. */
  timekprVersion?: () => string | null;
}

/** The soonest the agent reads again to catch a child's time running out. */
const RUN_OUT_RECHECK_MIN_MS = 3_000;

/**
 * The agent's life: announce itself on every (re)connect, report every user's state on connect and
 * periodically (and the changed user's with every command's result), and apply the hub's commands one at a time, exactly once each.
 * Every reading also goes into the usage book, which is kept on disk and sent to the hub whenever it is reachable.
 */
export class Agent {
  private stateTimer: NodeJS.Timeout | null = null;
  private work: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly usage: UsageBook;

  constructor(private readonly options: AgentOptions) {
    this.usage = new UsageBook(
      {
        maxGapMs: options.stateIntervalMs * 3,
        timezone: localTimezone(),
        newEpoch: randomUUID,
        onDropped: (days) =>
          options.logger.warn(
            `The hub has been unreachable for long: dropped the oldest usage records (${days.join(', ')})`,
          ),
      },
      options.store.usage,
    );
  }

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
      timekprVersion: (this.options.timekprVersion ?? installedTimekprVersion)(),
      timezone: localTimezone(),
      users,
    });
    if (!hello.ok) logger.warn(`The hub did not accept hello: ${hello.error}`);
    await this.reportState();
    for (const result of this.options.store.undelivered()) await this.deliver(result);
    await this.flushUsage();
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
    // The result carries the user's fresh state, which the hub stores and shows: no separate state report,
    // and no re-reading of every user (timekpra is busy ~75 ms per user and would delay the next tap).
    const state = result.status === 'ok' ? result.data.state : (result.data?.state ?? null);
    if (state) await this.recordUsage([state]);
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

  /** Reads every managed user, books their usage and, when the hub is there, reports them all. */
  private async reportState(): Promise<void> {
    try {
      const snapshot = await this.options.timekpr.readAll();
      if (this.options.transport.connected) await this.sendState(snapshot.users, snapshot.errors);
      await this.recordUsage(snapshot.users);
    } catch (error) {
      this.options.logger.error(`Cannot read Timekpr-nExT state: ${(error as Error).message}`);
    }
  }

  private async recordUsage(users: ManagedUserState[]): Promise<void> {
    if (!this.usage.observe(users, new Date())) return;
    this.options.store.saveUsage(this.usage.snapshot());
    await this.flushUsage();
  }

  /** Sends the usage the hub does not have yet, in batches; what is not acknowledged stays on disk. */
  private async flushUsage(): Promise<void> {
    const { transport, logger, store } = this.options;
    for (let batch = this.usage.pending(); batch.length > 0; batch = this.usage.pending()) {
      if (!transport.connected) return;
      const ack = await transport.send('usage', { records: batch });
      if (!ack.ok && (ack.error === 'not connected' || ack.error.startsWith('hub error'))) return;
      if (!ack.ok) logger.warn(`The hub refused usage records: ${ack.error}; they are dropped`);
      this.usage.acknowledge(batch);
      store.saveUsage(this.usage.snapshot());
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
    let delay = this.options.stateIntervalMs * jitter;
    // A child about to run out: read again just after, so the hub learns of it within seconds.
    const runOut = this.usage.soonestRunOutMs(Date.now());
    if (runOut !== null) delay = Math.min(delay, Math.max(RUN_OUT_RECHECK_MIN_MS, runOut + 2_000));
    this.stateTimer = setTimeout(() => {
      this.enqueue(async () => {
        await this.reportState();
        this.scheduleState();
      });
    }, delay);
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

function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
