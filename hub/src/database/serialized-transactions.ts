import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * TypeORM's SQLite driver has one connection and one query runner for the whole process, so transactions
 * are not isolated from each other or from other statements:
 * - two transactions started at the same moment both see "no transaction yet" and both send BEGIN; the
 *   second fails with "cannot start a transaction within a transaction" (two parents creating children at
 *   once got a 500 and a half-made child);
 * - a statement from another request sent while a transaction is open runs inside it, and is undone if that
 *   transaction rolls back.
 *
 * This makes `manager.transaction()` (which `dataSource.transaction()` calls) take turns, oldest first, and
 * holds every statement from outside the open transaction until it has ended. A transaction opened inside
 * another one (same async context) does not wait for itself; TypeORM turns it into a savepoint as before.
 * Code must not call `save()` outside a transaction: it opens one of its own past this gate.
 */
export function serializeTransactions(dataSource: DataSource): void {
  if (dataSource.options.type !== 'sqlite') return;
  const manager = dataSource.manager as EntityManager & { [SERIALIZED]?: true };
  if (manager[SERIALIZED]) return;
  manager[SERIALIZED] = true;

  const insideTransaction = new AsyncLocalStorage<true>();
  /** Resolves when the open transaction has ended; null when none is open. */
  let open: Promise<unknown> | null = null;
  let tail: Promise<unknown> = Promise.resolve();

  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) => {
    if (insideTransaction.getStore()) return transaction(...args);
    const turn = tail.then(() => {
      const run = insideTransaction.run(true, () => transaction(...args));
      const ended: Promise<unknown> = run.then(
        () => (open === ended ? (open = null) : undefined),
        () => (open === ended ? (open = null) : undefined),
      );
      open = ended;
      return run;
    });
    tail = turn.catch(() => undefined);
    return turn;
  }) as EntityManager['transaction'];

  // The driver's one runner: every query of the process goes through it.
  const runner: QueryRunner = dataSource.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = (async (...args: unknown[]) => {
    if (!insideTransaction.getStore()) {
      while (open) await open; // another transaction may have started by the time this one ended
    }
    return query(...args);
  }) as QueryRunner['query'];
}

const SERIALIZED = Symbol('kidtime.serializedTransactions');
