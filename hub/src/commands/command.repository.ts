import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { CommandStatus, ManagedUserState, ResultError } from '@kidtime/protocol';
import { In, Repository } from 'typeorm';
import { CommandEntity } from './command.entity';

export type NewCommand = Pick<
  CommandEntity,
  'id' | 'deviceId' | 'op' | 'args' | 'requestedBy' | 'channel' | 'expiresAt' | 'status'
>;

@Injectable()
export class CommandRepository {
  constructor(@InjectRepository(CommandEntity) private readonly commands: Repository<CommandEntity>) {}

  insert(command: NewCommand): Promise<CommandEntity> {
    return this.commands.save(
      this.commands.create({ ...command, error: null, resultState: null, sentAt: null, completedAt: null }),
    );
  }

  findById(id: string): Promise<CommandEntity | null> {
    return this.commands.findOneBy({ id });
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.commands.update({ id, status: 'queued' }, { status: 'sent', sentAt: at });
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
