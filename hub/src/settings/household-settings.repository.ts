import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { HouseholdSettingEntity } from './household-setting.entity';

/** The household's settings (JSON values by key), read on many requests: kept in memory after the first read. */
@Injectable()
export class HouseholdSettingsRepository {
  private readonly cache = new Map<string, unknown>();

  constructor(
    @InjectRepository(HouseholdSettingEntity) private readonly settings: Repository<HouseholdSettingEntity>,
  ) {}

  async get<T>(key: string, fallback: T): Promise<T> {
    if (!this.cache.has(key)) {
      const row = await this.settings.findOneBy({ key });
      this.cache.set(key, row ? (JSON.parse(row.value) as unknown) : fallback);
    }
    return this.cache.get(key) as T;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.settings.upsert({ key, value: JSON.stringify(value), updatedAt: new Date() }, ['key']);
    this.cache.set(key, value);
  }
}
