import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ChangeJournal, CommandStatus, ManagedUserState, ResultError } from '@kidtime/protocol';
import { In, Repository } from 'typeorm';
import { CommandEntity } from './command.entity';
import type { DeviceTransport } from '../devices/device.entity';

export type NewCommand = Pick<
  CommandEntity,
  'id' | 'deviceId' | 'op' | 'args' | 'requestedBy' | 'channel' | 'expiresAt' | 'status'
>;

@Injectable()
export class CommandRepository {
  constructor(@InjectRepository(CommandEntity) private readonly commands: Repository<CommandEntity>) {}

  /** One INSERT; the entity is built here so nothing needs reading back. */
  async insert(command: NewCommand): Promise<CommandEntity> {
    const entity = this.commands.create({
      ...command,
      error: null,
      resultState: null,
      createdAt: new Date(),
      sentAt: null,
      completedAt: null,
      sentVia: null,
      journal: null,
    });
    // TypeORM types simple-json columns as deep partials; the entity is complete here.
    await this.commands.insert(entity as never);
    return entity;
  }

  findById(id: string): Promise<CommandEntity | null> {
    return this.commands.findOneBy({ id });
  }

  /** Newest first, optionally of one device and some statuses. */
  list(filter: { deviceId?: string; statuses?: CommandStatus[]; limit: number }): Promise<CommandEntity[]> {
    return this.commands.find({
      where: {
        ...(filter.deviceId ? { deviceId: filter.deviceId } : {}),
        ...(filter.statuses ? { status: In(filter.statuses) } : {}),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: filter.limit,
    });
  }

  /** Commands of a device that still need delivering or an outcome, oldest first. */
  listPending(deviceId: string): Promise<CommandEntity[]> {
    return this.commands.find({
      where: { deviceId, status: In(['queued', 'sent']) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** Queued (never delivered) commands of every device; few, since they expire within a day. */
  listQueued(): Promise<CommandEntity[]> {
    return this.commands.find({ where: { status: 'queued' }, order: { createdAt: 'ASC' } });
  }

  /** Queued time changes of one user, for a later "set" to supersede. */
  async listQueuedFor(deviceId: string, op: string, login: string): Promise<CommandEntity[]> {
    const queued = await this.commands.find({ where: { deviceId, op, status: 'queued' } });
    return queued.filter((command) => command.args.login === login);
  }

  /** Queued → sent; false when the command had moved on already (an agent can answer before this is written). */
  async markSent(id: string, at: Date, via: DeviceTransport): Promise<boolean> {
    const result = await this.commands.update(
      { id, status: 'queued' },
      { status: 'sent', sentAt: at, sentVia: via },
    );
    return (result.affected ?? 0) === 1;
  }

  async journal(id: string): Promise<ChangeJournal | null> {
    return (
      (await this.commands.findOne({ where: { id }, select: { id: true, journal: true } }))?.journal ?? null
    );
  }

  /** Written before a relative change goes to the PC over SSH. */
  async setJournal(id: string, journal: ChangeJournal): Promise<void> {
    await this.commands.update({ id }, { journal });
  }

  /** Records the outcome once: a command that already finished keeps its first outcome. */
  async complete(
    id: string,
    outcome: {
      status: CommandStatus;
      error: ResultError | null;
      resultState: ManagedUserState | null;
      at: Date;
    },
  ): Promise<boolean> {
    const result = await this.commands.update(
      { id, status: In(['queued', 'sent']) },
      {
        status: outcome.status,
        error: outcome.error,
        resultState: outcome.resultState,
        completedAt: outcome.at,
      },
    );
    return (result.affected ?? 0) === 1;
  }
}
