/**
 * The one-time codes that hand an identity-provider sign-in to the web app, on a real SQLite file brought up
 * by the migrations: each redeems once, even when two requests race, and not after it expires.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../../accounts/account.entity';
import { AccountRepository } from '../../accounts/account.repository';
import { dataSourceOptions, tuneSqlite } from '../../database/data-source-options';
import { OidcExchangeEntity } from './oidc-exchange.entity';
import { OidcExchangeRepository } from './oidc-exchange.repository';

describe('OidcExchangeRepository (medium)', () => {
  let dir: string;
  let db: DataSource;
  let codes: OidcExchangeRepository;
  let accountId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-oidc-'));
    db = new DataSource({ ...dataSourceOptions(path.join(dir, 'kidtime.sqlite')), logging: false });
    await db.initialize();
    await db.runMigrations();
    await tuneSqlite(db);
    codes = new OidcExchangeRepository(db.getRepository(OidcExchangeEntity));
    const accounts = new AccountRepository(db.getRepository(AccountEntity));
    accountId = (
      await accounts.create({
        username: 'mum',
        passwordHash: '',
        role: 'owner',
        source: 'oidc',
        externalId: 'https://auth.home#1',
      })
    ).id;
  });

  afterAll(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const inAMinute = () => new Date(Date.now() + 60_000);
  const BROWSER = 'f'.repeat(64);

  it('redeems a code exactly once, even when two requests race', async () => {
    await codes.insert(
      { codeHash: 'a'.repeat(64), browserHash: BROWSER, accountId, expiresAt: inAMinute() },
      new Date(),
    );
    const results = await Promise.all([
      codes.redeem('a'.repeat(64), new Date()),
      codes.redeem('a'.repeat(64), new Date()),
    ]);
    expect(results.filter((result) => result?.accountId === accountId)).toHaveLength(1);
    expect(await codes.redeem('a'.repeat(64), new Date())).toBeNull();
  });

  it('does not redeem an expired or unknown code, and forgets expired ones', async () => {
    const past = new Date(Date.now() - 1000);
    await codes.insert(
      { codeHash: 'b'.repeat(64), browserHash: BROWSER, accountId, expiresAt: past },
      new Date(Date.now() - 5000),
    );
    expect(await codes.redeem('b'.repeat(64), new Date())).toBeNull();
    expect(await codes.redeem('c'.repeat(64), new Date())).toBeNull();
    await codes.insert(
      { codeHash: 'd'.repeat(64), browserHash: BROWSER, accountId, expiresAt: past },
      new Date(Date.now() - 5000),
    );
    await codes.insert(
      { codeHash: 'e'.repeat(64), browserHash: BROWSER, accountId, expiresAt: inAMinute() },
      new Date(),
    );
    expect(await db.getRepository(OidcExchangeEntity).countBy({ codeHash: 'd'.repeat(64) })).toBe(0);
  });

  it('goes with the account', async () => {
    await db.getRepository(AccountEntity).delete({ id: accountId });
    expect(await db.getRepository(OidcExchangeEntity).count()).toBe(0);
  });
});
