import {
  BadGatewayException,
  ConflictException,
  GatewayTimeoutException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { CommandView, Operation, ResultMessage, TimeRequest, TimeResponse } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { AgentConnections } from '../agents/agent-connections';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
import type { DeviceEntity } from '../devices/device.entity';
import { DevicesService } from '../devices/devices.service';
import { ManagedUserRepository } from '../devices/managed-user.repository';
import type { CommandChannel, CommandEntity } from './command.entity';
import { CommandRepository } from './command.repository';

export interface CommandOrigin {
  accountId: string | null;
  channel: CommandChannel;
}

interface Outcome {
  command: CommandEntity;
  warning: string | null;
}

interface Waiter {
  deviceId: string;
  settle: (outcome: Outcome) => void;
}

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
@Injectable()
export class CommandsService {
  private readonly logger = new Logger(CommandsService.name);
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly commands: CommandRepository,
    private readonly devices: DevicesService,
    private readonly users: ManagedUserRepository,
    private readonly connections: AgentConnections,
  ) {}

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
  ): Promise<TimeResponse> {
    const device = await this.devices.require(deviceId);
    await this.requireUser(device, login);
    const { command, warning } = await this.execute(origin, device, {
      op: 'adjustTime',
      args: { login, mode: request.op, seconds: request.seconds },
    });
    return { command: toCommandView(command), state: command.resultState, warning };
  }

  /** Called by a transport when an agent reports a command's outcome. Returns why it was refused, if it was. */
  async handleResult(deviceId: string, result: ResultMessage): Promise<string | null> {
    const command = await this.commands.findById(result.id);
    if (!command || command.deviceId !== deviceId) {
      this.logger.warn(
        `Device ${deviceId} reported a result for command ${result.id}, which is not one of its commands`,
      );
      return `unknown command ${result.id}`;
    }
    const now = new Date();
    const state = result.data?.state ?? null;
    const outcome = {
      status: result.status === 'ok' ? ('applied' as const) : ('failed' as const),
      error: result.status === 'error' ? result.error : null,
      resultState: state,
      at: now,
    };
    if (!(await this.commands.complete(command.id, outcome))) return null; // a repeated result we already have
    if (state) await this.users.saveState(deviceId, state, now);
    const warning = result.status === 'ok' ? (result.data.warning ?? null) : null;
    if (result.status === 'error') {
      this.logger.warn(
        `Command ${command.op} ${JSON.stringify(command.args)} failed on device ${deviceId}: ${result.error.message}`,
      );
    } else if (warning) {
      this.logger.warn(
        `Command ${command.op} ${JSON.stringify(command.args)} on device ${deviceId} applied with a warning: ${warning}`,
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

  private async execute(origin: CommandOrigin, device: DeviceEntity, operation: Operation): Promise<Outcome> {
    const link = this.connections.get(device.id);
    if (!link) {
      const since = device.lastSeenAt ? ` since ${device.lastSeenAt.toISOString()}` : '';
      throw new ConflictException(
        `${device.name} is offline${since}: its agent is not connected. Switch the PC on, or check "systemctl status kidtime-agent" on it.`,
      );
    }
    const now = Date.now();
    const command = await this.commands.insert({
      id: randomUUID(),
      deviceId: device.id,
      op: operation.op,
      args: operation.args,
      requestedBy: origin.accountId,
      channel: origin.channel,
      status: 'queued',
      expiresAt: new Date(now + this.config.commandTimeoutMs),
    });
    const outcome = this.waitFor(command.id, device.id);
    try {
      const ack = await link.sendCommand({
        id: command.id,
        expiresAt: command.expiresAt.toISOString(),
        ...operation,
      });
      if (!ack.ok) throw new Error(ack.error);
      // The agent may answer before "sent" is written; complete() accepts either state, markSent() then no-ops.
      const [, finished] = await Promise.all([
        this.commands.markSent(command.id, new Date()),
        outcome.promise,
      ]);
      if (finished.command.status === 'failed') throw this.failure(device, finished.command);
      return finished;
    } catch (error) {
      if (error instanceof HttpException) throw error;
      const reason = (error as Error).message;
      const timedOut = reason === 'timeout';
      this.logger.warn(
        `Command ${command.id} to ${device.name} (${device.id}) ${timedOut ? 'timed out' : `failed: ${reason}`}`,
      );
      if (timedOut) {
        throw new GatewayTimeoutException({
          message: `${device.name} did not answer within ${this.config.commandTimeoutMs / 1000} s; the change may still apply. Check GET /api/commands/${command.id}`,
          command: toCommandView((await this.commands.findById(command.id))!),
        });
      }
      await this.commands.complete(command.id, {
        status: 'failed',
        error: { code: 'not-delivered', message: reason },
        resultState: null,
        at: new Date(),
      });
      throw new BadGatewayException({
        message: `${device.name} did not accept the command: ${reason}`,
        command: toCommandView((await this.commands.findById(command.id))!),
      });
    } finally {
      outcome.cancel();
    }
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

  private waitFor(id: string, deviceId: string): { promise: Promise<Outcome>; cancel: () => void } {
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<Outcome>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), this.config.commandTimeoutMs);
      this.waiters.set(id, { deviceId, settle: resolve });
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
