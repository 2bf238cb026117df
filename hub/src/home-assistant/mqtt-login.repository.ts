import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { MqttLoginEntity } from './mqtt-login.entity';

export interface NewMqttLogin {
  username: string;
  secretHash: string;
  createdBy: string | null;
  createdAt: Date;
}

@Injectable()
export class MqttLoginRepository {
  constructor(@InjectRepository(MqttLoginEntity) private readonly logins: Repository<MqttLoginEntity>) {}

  findByUsername(username: string): Promise<MqttLoginEntity | null> {
    return this.logins.findOneBy({ username });
  }

  /**
   * Creates the login, or replaces the one of that username: a new row (a new id), so nothing still under way
   * for the old login (its last-login write) can touch the new one.
   */
  put(login: NewMqttLogin): Promise<MqttLoginEntity> {
    return this.logins.manager.transaction(async (manager) => {
      await manager.delete(MqttLoginEntity, { username: login.username });
      return manager.save(manager.create(MqttLoginEntity, { id: randomUUID(), ...login, lastLoginAt: null }));
    });
  }

  /** False when there was no such login. */
  async delete(username: string): Promise<boolean> {
    const result = await this.logins.delete({ username });
    return (result.affected ?? 0) > 0;
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.logins.update({ id }, { lastLoginAt: at });
  }
}
