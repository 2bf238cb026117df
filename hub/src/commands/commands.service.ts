import {
  BadGatewayException,
  ConflictException,
  GatewayTimeoutException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type {
  Ack,
  CommandMessage,
  CommandQuery,
  CommandView,
  Operation,
  PlaytimeRequest,
  ResultMessage,
  ScheduleRequest,
  TimeRequest,
  TimeResponse,
} from '@kidtime/protocol';
import { operationLogin } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { commandExpiry } from './command-expiry';
import { printable } from '../common/printable';
import { DeviceLinks } from '../devices/device-links';
import { AuditService, SYSTEM_ACTOR, type AuditActor } from '../audit/audit.service';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
import type { DeviceEntity, DeviceTransport } from '../devices/device.entity';
import { DevicesService } from '../devices/devices.service';
import { ManagedUserRepository } from '../devices/managed-user.repository';
import { LiveEvents } from '../live/live-events';
import type { CommandChannel, CommandEntity } from './command.entity';
import { CommandRepository } from './command.repository';

export interface Delivery {
  queue: boolean;
  validForSeconds?: number | undefined;
}

/** Who asked for a command: recorded with it and in the audit log. */
export type CommandOrigin = AuditActor;

/** 200 with the verified result, or 202 (`queued`) for an offline PC. */
export interface CommandAnswer {
  queued: boolean;
  response: TimeResponse;
}

interface Outcome {
  command: CommandEntity;
  warning: string | null;
}

interface Waiter {
  /** The command as sent, so its result needs no read-back. */
  command: CommandEntity;
  settle: (outcome: Outcome) => void;
}

/** Outcomes of commands the hub applied itself over SSH are recorded as the hub's, through channel `ssh`. */
const SSH_ACTOR: AuditActor = { ...SYSTEM_ACTOR, channel: 'ssh' };

const isSsh = (transport: DeviceTransport) => transport === 'ssh';

/** How an agent's error code surfaces over HTTP. */
const STATUS_FOR_AGENT_ERROR: Record<string, number> = {
  'user-not-found': 404,
  'invalid-parameter': 400,
  'invalid-command': 400,
  busy: 409,
};

/**
 * Sends one change to a device and waits for the agent's verified result. Every command is persisted
 * before it is sent and keeps its outcome; results are matched by id and accepted only from the device
 * the command was sent to.
 */
/** How long a schedule or PlayTime change waits for an offline PC by default. */
const SETTINGS_VALID_FOR_SECONDS = 7 * 86_400;

/** How often queued commands are checked for expiry while their PC stays away. */
const EXPIRY_SWEEP_MS = 60_000;

@Injectable()
export class CommandsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CommandsService.name);
  private readonly waiters = new Map<string, Waiter>();
  /** One delivery run at a time per device, so commands go out in order. */
  private readonly deliveries = new Map<string, Promise<void>>();

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly commands: CommandRepository,
    private readonly devices: DevicesService,
    private readonly users: ManagedUserRepository,
    private readonly connections: DeviceLinks,
    private readonly audit: AuditService,
    private readonly live: LiveEvents,
  ) {}

  private sweeper: NodeJS.Timeout | null = null;

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.expireOverdue().catch((error: unknown) =>
        this.logger.error(`Expiring overdue commands failed: ${String(error)}`),
      );
    }, EXPIRY_SWEEP_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  async list(query: CommandQuery): Promise<CommandView[]> {
    const commands = await this.commands.list({
      limit: query.limit,
      ...(query.deviceId ? { deviceId: query.deviceId } : {}),
      ...(query.status ? { statuses: query.status } : {}),
    });
    return commands.map(toCommandView);
  }

  async get(id: string): Promise<CommandView> {
    const command = await this.commands.findById(id);
    if (!command) throw new NotFoundException(`No command with id ${id}`);
    return toCommandView(command);
  }

  async adjustTime(
    origin: CommandOrigin,
    deviceId: string,
    login: string,
    request: TimeRequest,
  ): Promise<CommandAnswer> {
    return this.run(
      origin,
      deviceId,
      { op: 'adjustTime', args: { login, mode: request.op, seconds: request.seconds } },
      request,
    );
  }

  /** A schedule or PlayTime change. Not "today only": by default it waits a week for a PC that is away. */
  async changeSettings(
    origin: CommandOrigin,
    deviceId: string,
    login: string,
    op: 'setSchedule' | 'setPlaytime',
    request: ScheduleRequest | PlaytimeRequest,
  ): Promise<CommandAnswer> {
    const { queue, validForSeconds, ...change } = request;
    return this.run(origin, deviceId, { op, args: { login, ...change } } as Operation, {
      queue,
      validForSeconds: validForSeconds ?? SETTINGS_VALID_FOR_SECONDS,
    });
  }

  private async run(
    origin: CommandOrigin,
    deviceId: string,
    operation: Operation,
    delivery: Delivery,
  ): Promise<CommandAnswer> {
    const device = await this.devices.require(deviceId);
    await this.requireUser(device, operationLogin(operation)!);
    const outcome = await this.execute(origin, device, operation, delivery);
    if ('queued' in outcome) {
      return {
        queued: true,
        response: { command: toCommandView(outcome.queued), state: null, warning: null },
      };
    }
    return {
      queued: false,
      response: {
        command: toCommandView(outcome.command),
        state: outcome.command.resultState,
        warning: outcome.warning,
      },
    };
  }

  /**
   * Called by a transport when an agent reports a command's outcome (or by the SSH link, `via` ssh, when it
   * applied one itself). Returns why it was refused, if it was.
   */
  async handleResult(
    deviceId: string,
    result: ResultMessage,
    via: DeviceTransport | null = null,
  ): Promise<string | null> {
    const command = this.waiters.get(result.id)?.command ?? (await this.commands.findById(result.id));
    if (!command || command.deviceId !== deviceId) {
      this.logger.warn(
        `Device ${deviceId} reported a result for command ${result.id}, which is not one of its commands`,
      );
      return `unknown command ${result.id}`;
    }
    const now = new Date();
    const state = result.data?.state ?? null;
    const outcome = {
      status:
        result.status === 'ok'
          ? ('applied' as const)
          : result.error.code === 'expired'
            ? ('expired' as const)
            : ('failed' as const),
      error: result.status === 'error' ? result.error : null,
      resultState: state,
      at: now,
    };
    if (!(await this.commands.complete(command.id, outcome))) return null; // a repeated result we already have
    this.publish({ ...command, status: outcome.status, error: outcome.error, completedAt: now });
    await this.audit.record(via === 'ssh' ? SSH_ACTOR : SYSTEM_ACTOR, {
      ...auditSubject(command),
      result: outcome.status,
      message: result.status === 'error' ? result.error.message : (result.data.warning ?? null),
    });
    if (state) {
      await this.users.saveState(deviceId, state, now);
      this.live.publish('state', { deviceId, login: state.login, state, at: now.toISOString() });
    }
    const warning = result.status === 'ok' ? (result.data.warning ?? null) : null;
    if (result.status === 'error') {
      this.logger.warn(
        `Command ${command.op} ${JSON.stringify(command.args)} failed on device ${deviceId}: ${printable(result.error.message)}`,
      );
    } else if (warning) {
      this.logger.warn(
        `Command ${command.op} ${JSON.stringify(command.args)} on device ${deviceId} applied with a warning: ${printable(warning)}`,
      );
    }
    const completed = {
      ...command,
      status: outcome.status,
      error: outcome.error,
      resultState: state,
      completedAt: now,
    };
    this.waiters.get(command.id)?.settle({ command: completed, warning });
    return null;
  }

  private async requireUser(device: DeviceEntity, login: string): Promise<void> {
    if (await this.users.find(device.id, login)) return;
    const known = (await this.users.listForDevice(device.id)).map((user) => user.login);
    throw new NotFoundException(
      `"${login}" is not a Timekpr-nExT user on ${device.name}` +
        (known.length > 0
          ? ` (its users: ${known.join(', ')})`
          : ' (its agent has not reported any users yet)'),
    );
  }

  private async execute(
    origin: CommandOrigin,
    device: DeviceEntity,
    operation: Operation,
    delivery: Delivery,
  ): Promise<Outcome | { queued: CommandEntity }> {
    const link = this.connections.get(device.id);
    if (!link && !delivery.queue) throw this.offline(device);
    const now = new Date();
    const command = await this.commands.insert({
      id: randomUUID(),
      deviceId: device.id,
      op: operation.op,
      args: operation.args,
      requestedBy: origin.type === 'account' ? origin.id : null,
      channel: origin.channel as CommandChannel,
      status: 'queued',
      expiresAt: commandExpiry(now, device.timezone, delivery.validForSeconds),
    });
    this.publish(command);
    if (operation.op === 'adjustTime' && operation.args.mode === 'set') {
      await this.supersedeQueuedTimeChanges(command, operation.args.login);
    }
    await this.audit.record(origin, {
      ...auditSubject(command),
      result: link ? 'ok' : 'queued',
      message: link ? null : `${device.name} is offline; queued until ${command.expiresAt.toISOString()}`,
    });
    if (!link) {
      this.logger.log(
        `${device.name} is offline: command ${command.id} queued until ${command.expiresAt.toISOString()}`,
      );
      return { queued: command };
    }

    const outcome = this.waitFor(command);
    try {
      let ack: Ack;
      try {
        ack = await link.sendCommand(toCommandMessage(command));
      } catch (error) {
        // Lost in transit (the PC went away): it stays queued and goes out when the agent is back.
        this.logger.warn(
          `Command ${command.id} to ${device.name} not delivered (${(error as Error).message})`,
        );
        if (delivery.queue) return { queued: command };
        await this.fail(command, 'not-delivered', (error as Error).message);
        throw this.offline(device);
      }
      if (!ack.ok) {
        await this.fail(command, 'refused', ack.error);
        throw new BadGatewayException({
          message: `${device.name} refused the command: ${ack.error}`,
          command: toCommandView((await this.commands.findById(command.id))!),
        });
      }
      // The agent may answer before "sent" is written; complete() accepts either state, markSent() then no-ops.
      const [, finished] = await Promise.all([this.markSent(command, link.transport), outcome.promise]);
      if (finished.command.status !== 'applied') throw this.failure(device, finished.command);
      return finished;
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.warn(`Command ${command.id} to ${device.name} (${device.id}) timed out`);
      throw new GatewayTimeoutException({
        message: `${device.name} did not answer within ${this.config.commandTimeoutMs / 1000} s; the change may still apply. Check GET /api/commands/${command.id}`,
        command: toCommandView((await this.commands.findById(command.id))!),
      });
    } finally {
      outcome.cancel();
    }
  }

  /**
   * Sends a device what it should have: queued commands in the order they were made, and commands sent
   * before but without an outcome (the agent dedupes by id and just reports those again). Called after
   * every hello. An expired command is never applied: if it was never sent it is marked expired here; if
   * it was sent, the agent is only asked for its outcome.
   */
  deliverPending(deviceId: string): Promise<void> {
    const run = (this.deliveries.get(deviceId) ?? Promise.resolve()).then(() => this.deliverNow(deviceId));
    const settled = run.catch((error: unknown) => {
      this.logger.error(`Delivering queued commands to device ${deviceId} failed: ${String(error)}`);
    });
    this.deliveries.set(deviceId, settled);
    void settled.finally(() => {
      if (this.deliveries.get(deviceId) === settled) this.deliveries.delete(deviceId);
    });
    return settled;
  }

  private async deliverNow(deviceId: string): Promise<void> {
    const pending = await this.commands.listPending(deviceId);
    if (pending.length === 0) return;
    let delivered = 0;
    for (const command of pending) {
      const link = this.connections.get(deviceId);
      if (!link) return;
      // Sent before and not answered: only the same kind of link can tell whether it was applied (the agent
      // remembers what it did, the SSH link judges from the command's journal), so it waits for that one.
      if (command.status === 'sent' && command.sentVia && isSsh(command.sentVia) !== isSsh(link.transport))
        continue;
      const expired = command.expiresAt.getTime() <= Date.now();
      if (expired && command.status === 'queued') {
        await this.expire(command, 'expired before the PC came back online');
        continue;
      }
      let ack: Ack;
      try {
        ack = await link.sendCommand({
          ...toCommandMessage(command),
          ...(expired ? { replayOnly: true } : {}),
        });
      } catch {
        return; // gone again: the rest waits for the next connection
      }
      if (!ack.ok) {
        await this.fail(command, 'refused', ack.error);
        continue;
      }
      await this.markSent(command, link.transport);
      delivered++;
    }
    if (delivered > 0) this.logger.log(`Delivered ${delivered} waiting command(s) to device ${deviceId}`);
  }

  /** Marks queued commands whose time has passed as expired, so their status tells the truth before the PC returns. */
  async expireOverdue(now = new Date()): Promise<number> {
    const overdue = (await this.commands.listQueued()).filter((command) => command.expiresAt <= now);
    for (const command of overdue) await this.expire(command, 'expired while the PC was offline');
    return overdue.length;
  }

  /** A "set" makes earlier queued changes of the same user's time pointless: applying them would surprise. */
  private async supersedeQueuedTimeChanges(latest: CommandEntity, login: string): Promise<void> {
    for (const earlier of await this.commands.listQueuedFor(latest.deviceId, 'adjustTime', login)) {
      if (earlier.id === latest.id) continue;
      const message = `replaced by a later "set" (command ${latest.id})`;
      const done = await this.commands.complete(earlier.id, {
        status: 'expired',
        error: { code: 'superseded', message },
        resultState: null,
        at: new Date(),
      });
      if (!done) continue;
      this.publish({ ...earlier, status: 'expired', error: { code: 'superseded', message } });
      await this.audit.record(SYSTEM_ACTOR, { ...auditSubject(earlier), result: 'expired', message });
    }
  }

  private async expire(command: CommandEntity, why: string): Promise<void> {
    const error = { code: 'expired', message: `${why} (valid until ${command.expiresAt.toISOString()})` };
    const at = new Date();
    const done = await this.commands.complete(command.id, {
      status: 'expired',
      error,
      resultState: null,
      at,
    });
    if (!done) return;
    this.publish({ ...command, status: 'expired', error, completedAt: at });
    this.logger.log(`Command ${command.id} for device ${command.deviceId} ${why}; it will not be applied`);
    await this.audit.record(SYSTEM_ACTOR, { ...auditSubject(command), result: 'expired', message: why });
  }

  private async fail(command: CommandEntity, code: string, message: string): Promise<void> {
    const at = new Date();
    const error = { code, message };
    const done = await this.commands.complete(command.id, { status: 'failed', error, resultState: null, at });
    if (!done) return;
    this.publish({ ...command, status: 'failed', error, completedAt: at });
    await this.audit.record(SYSTEM_ACTOR, { ...auditSubject(command), result: 'failed', message });
  }

  private async markSent(command: CommandEntity, via: DeviceTransport): Promise<void> {
    const at = new Date();
    if (await this.commands.markSent(command.id, at, via))
      this.publish({ ...command, status: 'sent', sentAt: at, sentVia: via });
  }

  /** Tells live watchers (the UI) a command's new status. */
  private publish(command: CommandEntity): void {
    this.live.publish('command', { command: toCommandView(command) });
  }

  private offline(device: DeviceEntity): ConflictException {
    const since = device.lastSeenAt ? ` since ${device.lastSeenAt.toISOString()}` : '';
    const agent =
      'its agent is not connected. Switch the PC on, or check "systemctl status kidtime-agent" on it';
    const ssh = `it does not answer over SSH (${device.ssh?.lastError ?? 'not reached yet'})`;
    const why =
      device.mode === 'ssh' ? ssh : device.mode === 'agent-then-ssh' ? `${agent}; and ${ssh}` : agent;
    return new ConflictException(`${device.name} is offline${since}: ${why}.`);
  }

  private failure(device: DeviceEntity, command: CommandEntity): HttpException {
    const code = command.error?.code ?? 'unknown';
    const status = STATUS_FOR_AGENT_ERROR[code] ?? 502;
    return new HttpException(
      {
        message: `${device.name}: ${command.error?.message ?? 'the agent reported a failure'}`,
        command: toCommandView(command),
      },
      status,
    );
  }

  private waitFor(command: CommandEntity): { promise: Promise<Outcome>; cancel: () => void } {
    const id = command.id;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<Outcome>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), this.config.commandTimeoutMs);
      this.waiters.set(id, { command, settle: resolve });
    });
    promise.catch(() => undefined);
    return {
      promise,
      cancel: () => {
        clearTimeout(timer);
        this.waiters.delete(id);
      },
    };
  }
}

export function toCommandView(command: CommandEntity): CommandView {
  return {
    id: command.id,
    deviceId: command.deviceId,
    op: command.op,
    args: command.args,
    status: command.status,
    error: command.error,
    requestedBy: command.requestedBy,
    channel: command.channel,
    createdAt: command.createdAt.toISOString(),
    expiresAt: command.expiresAt.toISOString(),
    completedAt: command.completedAt?.toISOString() ?? null,
  };
}

/** The wire form of a stored command; its op and args were validated against the allow-list when it was made. */
function toCommandMessage(command: CommandEntity): CommandMessage {
  return {
    id: command.id,
    expiresAt: command.expiresAt.toISOString(),
    op: command.op,
    args: command.args,
  } as CommandMessage;
}

const AUDIT_ACTION: Record<string, string> = { setSchedule: 'schedule.set', setPlaytime: 'playtime.set' };

/** What a command is about, for the audit log: `time.add` for LOGIN on DEVICE, with its arguments. */
function auditSubject(command: CommandEntity) {
  const args = command.args as { login?: string; mode?: string };
  return {
    action: command.op === 'adjustTime' ? `time.${args.mode}` : (AUDIT_ACTION[command.op] ?? command.op),
    deviceId: command.deviceId,
    login: args.login ?? null,
    commandId: command.id,
    details: command.args,
  };
}
