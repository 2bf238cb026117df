import * as sqlite3 from 'sqlite3';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { serializeTransactions } from './serialized-transactions';

/**
 * SQLite in WAL mode (readers never block the writer) with a busy timeout so concurrent writers wait
 * instead of failing. The schema only comes from migrations.
 */
export function dataSourceOptions(databasePath: string): DataSourceOptions {
  return {
    type: 'sqlite',
    // TypeORM calls sqlite3.verbose(), which records a stack trace and inspects every parameter of every
    // query (a fifth of the hub's CPU under load); SQLite's own error messages say enough.
    driver: { ...sqlite3, verbose: () => sqlite3 },
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
 * Transactions take turns on SQLite's single connection (see serializeTransactions).
 */
export async function tuneSqlite(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'sqlite') return;
  serializeTransactions(dataSource);
  await dataSource.query('PRAGMA synchronous = NORMAL');
}
