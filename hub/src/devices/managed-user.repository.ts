import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ManagedUserState } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { In, Repository } from 'typeorm';
import { ManagedUserEntity } from './managed-user.entity';

/** Far more Linux logins than any family PC has. */
export const MAX_USERS_PER_DEVICE = 100;

@Injectable()
export class ManagedUserRepository {
  constructor(@InjectRepository(ManagedUserEntity) private readonly users: Repository<ManagedUserEntity>) {}

  listForDevice(deviceId: string): Promise<ManagedUserEntity[]> {
    return this.users.find({ where: { deviceId }, order: { login: 'ASC' } });
  }

  find(deviceId: string, login: string): Promise<ManagedUserEntity | null> {
    return this.users.findOneBy({ deviceId, login });
  }

  /**
   * Makes sure these logins exist for the device; logins the device no longer reports are kept (history).
   * A device has at most MAX_USERS_PER_DEVICE, so a misbehaving agent cannot grow the database without end;
   * returns the logins refused for that reason.
   */
  async ensure(deviceId: string, logins: readonly string[]): Promise<string[]> {
    if (logins.length === 0) return [];
    const known = new Set((await this.listForDevice(deviceId)).map((user) => user.login));
    const missing = logins.filter((login) => !known.has(login));
    const room = Math.max(0, MAX_USERS_PER_DEVICE - known.size);
    const refused = missing.slice(room);
    missing.splice(room);
    if (missing.length === 0) return refused;
    await this.users
      .createQueryBuilder()
      .insert()
      .values(
        missing.map((login) => ({
          id: randomUUID(),
          deviceId,
          login,
          state: null,
          stateAt: null,
          error: null,
        })),
      )
      .orIgnore()
      .execute();
    return refused;
  }

  listForChild(childId: string): Promise<ManagedUserEntity[]> {
    return this.users.find({ where: { childId }, relations: { device: true }, order: { login: 'ASC' } });
  }

  /** Makes exactly these managed users the child's (others it had are released). */
  async assignToChild(childId: string, ids: readonly string[]): Promise<void> {
    await this.users.manager.transaction(async (tx) => {
      await tx.update(ManagedUserEntity, { childId }, { childId: null });
      if (ids.length > 0) await tx.update(ManagedUserEntity, { id: In([...ids]) }, { childId });
    });
  }

  async saveState(deviceId: string, state: ManagedUserState, at: Date): Promise<void> {
    // Usually one UPDATE; the user is created only the first time the device reports it.
    const result = await this.users.update(
      { deviceId, login: state.login },
      { state, stateAt: at, error: null },
    );
    if ((result.affected ?? 0) > 0) return;
    if ((await this.ensure(deviceId, [state.login])).length > 0) return;
    await this.users.update({ deviceId, login: state.login }, { state, stateAt: at, error: null });
  }

  async saveError(deviceId: string, login: string, error: string): Promise<void> {
    if ((await this.ensure(deviceId, [login])).length > 0) return;
    await this.users.update({ deviceId, login }, { error: error.slice(0, 500) });
  }
}
