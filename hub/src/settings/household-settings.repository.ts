import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { HouseholdSettingEntity } from './household-setting.entity';

/** The household's settings (JSON values by key), read on many requests: kept in memory after the first read. */
@Injectable()
export class HouseholdSettingsRepository {
  private readonly logger = new Logger(HouseholdSettingsRepository.name);
  private readonly cache = new Map<string, unknown>();

  constructor(
    @InjectRepository(HouseholdSettingEntity) private readonly settings: Repository<HouseholdSettingEntity>,
  ) {}

  /** The stored value, or `fallback` when there is none or it is not of the fallback's type. */
  async get<T extends boolean | number | string>(key: string, fallback: T): Promise<T> {
    if (!this.cache.has(key)) {
      const row = await this.settings.findOneBy({ key });
      this.cache.set(key, row ? this.parse(key, row.value, fallback) : fallback);
    }
    return this.cache.get(key) as T;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.settings.upsert({ key, value: JSON.stringify(value), updatedAt: new Date() }, ['key']);
    this.cache.set(key, value);
  }

  /** A value edited by hand into something else must not take every request down with it. */
  private parse<T>(key: string, text: string, fallback: T): T {
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value === typeof fallback) return value as T;
    } catch {
      // reported below
    }
    this.logger.error(
      `The household setting "${key}" holds ${JSON.stringify(text.slice(0, 40))}, not a ${typeof fallback}: using ${String(fallback)} until an owner sets it again`,
    );
    return fallback;
  }
}
