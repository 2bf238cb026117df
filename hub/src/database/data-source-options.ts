import type { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/**
 * SQLite in WAL mode (readers never block the writer) with a busy timeout so concurrent writers wait
 * instead of failing. The schema only comes from migrations.
 */
export function dataSourceOptions(databasePath: string): DataSourceOptions {
  return {
    type: 'sqlite',
    database: databasePath,
    enableWAL: true,
    busyTimeout: 5000,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
  };
}

/**
 * In WAL mode, synchronous=NORMAL is SQLite's recommended setting: a crash of the hub loses nothing, a
 * power cut can lose only the last moments' commits, and each write no longer waits for an fsync.
 */
export async function tuneSqlite(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type === 'sqlite') await dataSource.query('PRAGMA synchronous = NORMAL');
}
