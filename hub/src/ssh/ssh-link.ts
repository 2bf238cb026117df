import {
  TimekprClient,
  TimekprError,
  commandMessageSchema,
  describeZodError,
  retryWhileBusy,
  type Ack,
  type ChangeJournal,
  type CommandMessage,
  type ResultMessage,
  type RunTimekpra,
  type UsersSnapshot,
} from '@kidtime/protocol';
import type { AgentLink } from '../devices/device-links';
import { timekpraCommandLine } from './remote-command';
import { SshConnectionError, SshSession, type SshTarget } from './ssh-client.adapter';
import type { HostKeyInfo } from './ssh-keys';

/** Everything a link needs to reach its PC; read again at each connection, so new settings apply. */
export interface SshEndpoint extends Omit<SshTarget, 'acceptHostKey' | 'connectTimeoutMs'> {
  timekpraPath: string;
  /** The PC's time zone, for its weekday when verifying a change. */
  timezone: string;
  /** The pinned host key (base64 wire form), or null for the first connection. */
  pinnedHostKey: string | null;
  /** Without a pinned key: the fingerprint the first key must have, or null to trust the first one. */
  expectedFingerprint: string | null;
}

export interface SshLinkOptions {
  deviceId: string;
  endpoint: () => Promise<SshEndpoint>;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** A connection unused this long is closed. */
  idleCloseMs: number;
  /** A connection just logged in (the host key it showed, to pin on first use). */
  connected: (hostKey: HostKeyInfo) => Promise<void>;
  /** The connection failed or dropped: the PC is not reachable over SSH now. */
  lost: (error: SshConnectionError) => void;
  /** A command's outcome, as an agent would report it. */
  result: (result: ResultMessage) => Promise<unknown>;
  /** The journal of a relative change, kept with its command so a crash in between can be judged. */
  journal: {
    read(commandId: string): Promise<ChangeJournal | null>;
    write(commandId: string, entry: ChangeJournal): Promise<void>;
  };
  log: { debug(message: string): void; warn(message: string): void };
}

const BUSY_RETRIES = 5;
/** The PC's SSH guard refuses with this exit code; 127 is "command not found". */
const GUARD_REFUSED = 126;
const NOT_FOUND = 127;

/**
 * The hub's way to a PC without (or without a working) agent: one reused SSH connection, one timekpra call at
 * a time, and the agent's own TimekprClient on top, so operations are the same allow-list, parsed by the same
 * parser and verified by reading back in the same way. It is an AgentLink: commands reach it through the same
 * path as an agent's, and it reports their outcomes as an agent does.
 */
export class SshLink implements AgentLink, RunTimekpra {
  readonly transport = 'ssh' as const;
  readonly timekpr: TimekprClient;
  private session: SshSession | null = null;
  private connecting: Promise<SshSession> | null = null;
  private work: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<string>();
  private endpointNow: SshEndpoint | null = null;
  private stopped = false;

  constructor(private readonly options: SshLinkOptions) {
    this.timekpr = new TimekprClient(this, Date.now, () => isoWeekdayIn(this.endpointNow?.timezone));
  }

  /** Logs in (or reuses the connection): rejects with why the PC cannot be reached. */
  async connect(): Promise<SshSession> {
    if (this.session?.open) return this.session;
    if (this.stopped) throw new SshConnectionError('closed', 'SSH is switched off for this PC');
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** Reads every managed user, between commands (never in the middle of one). */
  readAll(): Promise<UsersSnapshot> {
    return this.enqueue(async () => {
      await this.connect();
      return this.timekpr.readAll();
    });
  }

  /**
   * Takes a command as an agent would: refused at once if it is not on the allow-list, otherwise acknowledged
   * once the PC is reachable and applied in turn; its outcome comes through `result`. A command already under
   * way is not started twice.
   */
  async sendCommand(raw: CommandMessage): Promise<Ack> {
    const parsed = commandMessageSchema.safeParse(raw);
    if (!parsed.success)
      return { ok: false, error: `invalid command: ${describeZodError(parsed.error, 'command')}` };
    const command = parsed.data;
    await this.connect(); // unreachable: the caller keeps the command queued
    if (this.inFlight.has(command.id)) return { ok: true };
    this.inFlight.add(command.id);
    void this.enqueue(() => this.execute(command)).finally(() => this.inFlight.delete(command.id));
    return { ok: true };
  }

  /** One timekpra call over the connection (TimekprClient's runner): timekpra's stdout, or why it failed. */
  async run(args: readonly string[]): Promise<string> {
    const endpoint = this.endpointNow ?? (await this.options.endpoint());
    const line = timekpraCommandLine(endpoint.timekpraPath, args);
    return retryWhileBusy(
      async () => {
        const session = await this.connect();
        const { code, stdout, stderr } = await session.exec(line, this.options.commandTimeoutMs);
        this.touch();
        if (code === 0 || code === null) return stdout;
        throw remoteFailure(code, stderr, endpoint.timekpraPath);
      },
      BUSY_RETRIES,
      (attempt) => this.options.log.debug(`timekpra is busy on the PC, retry ${attempt}/${BUSY_RETRIES}`),
    );
  }

  disconnect(reason: string): void {
    this.options.log.debug(`closing SSH connection: ${reason}`);
    this.closeSession();
  }

  /** Closes the connection and refuses to open another (the PC's SSH settings were removed). */
  stop(): void {
    this.stopped = true;
    this.closeSession();
  }

  private async open(): Promise<SshSession> {
    const endpoint = await this.options.endpoint();
    this.endpointNow = endpoint;
    let session: SshSession;
    try {
      session = await SshSession.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.username,
        password: endpoint.password,
        privateKey: endpoint.privateKey,
        passphrase: endpoint.passphrase,
        connectTimeoutMs: this.options.connectTimeoutMs,
        acceptHostKey: (key) =>
          endpoint.pinnedHostKey !== null
            ? key.key === endpoint.pinnedHostKey
            : endpoint.expectedFingerprint === null || key.fingerprint === endpoint.expectedFingerprint,
      });
    } catch (error) {
      const failure =
        error instanceof SshConnectionError ? error : new SshConnectionError('protocol', String(error));
      this.options.lost(failure);
      throw failure;
    }
    if (this.stopped) {
      session.close();
      throw new SshConnectionError('closed', 'SSH is switched off for this PC');
    }
    this.session = session;
    session.onClose((reason) => {
      if (this.session !== session) return;
      this.session = null;
      if (!this.stopped && reason !== 'closed by the hub')
        this.options.lost(new SshConnectionError('closed', `the connection dropped (${reason})`));
    });
    await this.options.connected(session.hostKey);
    this.touch();
    return session;
  }

  private async execute(command: CommandMessage): Promise<void> {
    let result: ResultMessage;
    try {
      const journal = await this.options.journal.read(command.id);
      const recovered = journal ? await this.timekpr.wasApplied(journal) : null;
      if (recovered?.applied) {
        result = {
          id: command.id,
          status: 'ok',
          data: {
            state: recovered.state,
            warning:
              'the hub restarted or lost the connection while applying this change; timekpr shows it applied',
          },
        };
      } else if (command.replayOnly) {
        result = {
          id: command.id,
          status: 'error',
          error: { code: 'expired', message: 'expired before it could be applied' },
        };
      } else {
        const { state, warning } = await this.timekpr.apply(command, (entry) =>
          this.options.journal.write(command.id, entry),
        );
        result = { id: command.id, status: 'ok', data: warning ? { state, warning } : { state } };
      }
    } catch (error) {
      if (error instanceof SshConnectionError) {
        // Lost on the way: whether it applied is judged from its journal when the PC is back.
        this.options.log.warn(
          `Command ${command.id} interrupted: ${error.message}; it is retried when the PC is back`,
        );
        return;
      }
      const state = error instanceof TimekprError ? error.state : null;
      result = {
        id: command.id,
        status: 'error',
        error: {
          code: error instanceof TimekprError ? error.kind : 'ssh-error',
          message: (error as Error).message,
        },
        ...(state ? { data: { state } } : {}),
      };
    }
    await this.options.result(result);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task);
    this.work = run.catch(() => undefined);
    return run;
  }

  /** Keeps the connection while it is used; closes it after a quiet spell. */
  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.disconnect('idle'), this.options.idleCloseMs);
    this.idleTimer.unref();
  }

  private closeSession(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const session = this.session;
    this.session = null;
    session?.close();
  }
}

/** What a non-zero exit over SSH means, in words (timekpra itself exits 0 even when it reports an error). */
function remoteFailure(code: number, stderr: string, timekpraPath: string): TimekprError {
  const said = stderr.trim().split('\n').filter(Boolean).at(-1)?.slice(0, 300) ?? '';
  if (code === GUARD_REFUSED && said.includes('kidtime-ssh-guard'))
    return new TimekprError('exec-failed', `the PC's SSH guard refused the call: ${said}`);
  if (code === NOT_FOUND || /not found|No such file/i.test(said))
    return new TimekprError(
      'exec-failed',
      `${timekpraPath} not found on the PC: is timekpr-next installed there?`,
    );
  if (/dbus/i.test(said))
    return new TimekprError('daemon-unreachable', `timekpra cannot reach timekprd on the PC: ${said}`);
  return new TimekprError(
    'exec-failed',
    `timekpra failed on the PC (exit code ${code}): ${said || 'no message'}`,
  );
}

const weekdayFormats = new Map<string, Intl.DateTimeFormat>();

/** ISO weekday (1 = Monday) now in a time zone; the hub's own when the zone is unknown. */
export function isoWeekdayIn(timezone: string | undefined): number {
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  try {
    const zone = timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    let format = weekdayFormats.get(zone);
    if (!format) {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' });
      weekdayFormats.set(zone, format);
    }
    return names.indexOf(format.format(new Date())) + 1 || 1;
  } catch {
    const day = new Date().getDay();
    return day === 0 ? 7 : day;
  }
}
