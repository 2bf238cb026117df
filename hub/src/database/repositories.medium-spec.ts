/**
 * Repositories against a real SQLite file brought up by the migrations (as in production).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { AccountRepository } from '../accounts/account.repository';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { AuditRepository } from '../audit/audit.repository';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { RefreshTokenRepository } from '../auth/refresh-token.repository';
import { CommandEntity } from '../commands/command.entity';
import { CommandRepository } from '../commands/command.repository';
import { DeviceEntity } from '../devices/device.entity';
import { DeviceRepository } from '../devices/device.repository';
import { EnrollmentEntity } from '../devices/enrollment.entity';
import { EnrollmentRepository } from '../devices/enrollment.repository';
import { ManagedUserEntity } from '../devices/managed-user.entity';
import { MAX_USERS_PER_DEVICE, ManagedUserRepository } from '../devices/managed-user.repository';
import { dataSourceOptions, tuneSqlite } from './data-source-options';
import { MIGRATIONS } from './migrations';

describe('repositories on SQLite (medium)', () => {
  let dir: string;
  let db: DataSource;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-repo-'));
    db = new DataSource({ ...dataSourceOptions(path.join(dir, 'kidtime.sqlite')), logging: false });
    await db.initialize();
    await db.runMigrations();
    await tuneSqlite(db);
  });

  afterAll(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gets exactly the entities’ schema from the migrations', async () => {
    const pending = await db.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('runs in WAL mode with foreign keys enforced', async () => {
    expect(await db.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await db.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    expect(await db.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]); // NORMAL
  });

  it('keeps usernames unique', async () => {
    const accounts = new AccountRepository(db.getRepository(AccountEntity));
    await accounts.create({ username: 'mum', passwordHash: 'x', role: 'owner' });
    await expect(accounts.create({ username: 'mum', passwordHash: 'y', role: 'parent' })).rejects.toThrow(
      /UNIQUE/,
    );
    expect(await accounts.countByRole('owner')).toBe(1);
  });

  it('rotates a refresh token exactly once even when two requests race', async () => {
    const accounts = new AccountRepository(db.getRepository(AccountEntity));
    const tokens = new RefreshTokenRepository(db.getRepository(RefreshTokenEntity));
    const account = await accounts.create({
      username: `dad-${randomUUID().slice(0, 8)}`,
      passwordHash: 'x',
      role: 'parent',
    });
    const familyId = randomUUID();
    const id = randomUUID();
    await tokens.insert({
      id,
      accountId: account.id,
      familyId,
      tokenHash: 'a'.repeat(64),
      expiresAt: new Date(Date.now() + 60_000),
    });
    const outcomes = await Promise.all([tokens.markUsed(id, new Date()), tokens.markUsed(id, new Date())]);
    expect(outcomes.sort()).toEqual([false, true]);

    await tokens.revokeFamily(familyId, new Date());
    expect((await tokens.findByHash('a'.repeat(64)))?.revokedAt).toBeInstanceOf(Date);
    // Removing the account removes its tokens.
    await accounts.delete(account.id);
    expect(await tokens.findByHash('a'.repeat(64))).toBeNull();
  });

  it('forgets expired refresh tokens and keeps the others', async () => {
    const accounts = new AccountRepository(db.getRepository(AccountEntity));
    const tokens = new RefreshTokenRepository(db.getRepository(RefreshTokenEntity));
    const account = await accounts.create({
      username: `mum-${randomUUID().slice(0, 8)}`,
      passwordHash: 'x',
      role: 'parent',
    });
    const token = (hash: string, expiresAt: Date) =>
      tokens.insert({
        id: randomUUID(),
        accountId: account.id,
        familyId: randomUUID(),
        tokenHash: hash,
        expiresAt,
      });
    await token('b'.repeat(64), new Date(Date.now() - 1_000));
    await token('c'.repeat(64), new Date(Date.now() + 60_000));
    expect(await tokens.deleteExpired(new Date())).toBeGreaterThanOrEqual(1);
    expect(await tokens.findByHash('b'.repeat(64))).toBeNull();
    expect(await tokens.findByHash('c'.repeat(64))).not.toBeNull();
  });

  it('lets an enrollment code be consumed once', async () => {
    const enrollments = new EnrollmentRepository(db.getRepository(EnrollmentEntity));
    await enrollments.create({
      codeHash: 'b'.repeat(64),
      createdBy: null,
      deviceName: 'Study PC',
      expiresAt: new Date(Date.now() + 60_000),
    });
    const enrollment = (await enrollments.findByCodeHash('b'.repeat(64)))!;
    expect(enrollment.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const outcomes = await Promise.all([
      enrollments.consume(enrollment.id, new Date()),
      enrollments.consume(enrollment.id, new Date()),
    ]);
    expect(outcomes.sort()).toEqual([false, true]);
  });

  it('keeps managed users per device, and the last state reported', async () => {
    const devices = new DeviceRepository(db.getRepository(DeviceEntity));
    const users = new ManagedUserRepository(db.getRepository(ManagedUserEntity));
    const a = await devices.create({
      name: 'Deck A',
      hostname: 'steamdeck',
      credentialHash: 'c'.repeat(64),
      agentVersion: '1',
    });
    const b = await devices.create({
      name: 'Deck B',
      hostname: 'steamdeck',
      credentialHash: 'd'.repeat(64),
      agentVersion: '1',
    });
    await users.ensure(a.id, ['deck']);
    await users.ensure(a.id, ['deck', 'guest']);
    await users.ensure(b.id, ['deck']);
    expect((await users.listForDevice(a.id)).map((u) => u.login)).toEqual(['deck', 'guest']);
    expect((await users.listForDevice(b.id)).map((u) => u.login)).toEqual(['deck']);

    const state = { login: 'deck', timeLeftToday: 1234 } as never;
    await users.saveState(a.id, state, new Date());
    expect((await users.find(a.id, 'deck'))?.state).toEqual(state);
    expect((await users.find(b.id, 'deck'))?.state).toBeNull();

    expect(await devices.revoke(a.id, new Date())).toBe(true);
    expect(await devices.revoke(a.id, new Date())).toBe(false);
    expect(await devices.findActive(a.id)).toBeNull();
    expect((await devices.listActive()).map((d) => d.id)).toContain(b.id);
  });

  it('caps how many users one device can create', async () => {
    const devices = new DeviceRepository(db.getRepository(DeviceEntity));
    const users = new ManagedUserRepository(db.getRepository(ManagedUserEntity));
    const device = await devices.create({
      name: 'Flood',
      hostname: 'flood',
      credentialHash: 'f'.repeat(64),
      agentVersion: '1',
    });
    const logins = Array.from({ length: MAX_USERS_PER_DEVICE + 20 }, (_, i) => `u${i}`);
    expect(await users.ensure(device.id, logins)).toHaveLength(20);
    await users.saveState(device.id, { login: 'one-too-many' } as never, new Date());
    expect(await users.listForDevice(device.id)).toHaveLength(MAX_USERS_PER_DEVICE);
  });

  it('filters and pages the audit log by time, whatever the process time zone', async () => {
    const audit = new AuditRepository(db.getRepository(AuditEntryEntity));
    const base = Date.parse('2026-03-29T00:30:00.000Z'); // a DST change night in Europe
    for (let i = 0; i < 5; i++) {
      await audit.append({
        id: `00000000-0000-4000-8000-00000000000${i}`,
        at: new Date(base + i * 3_600_000),
        actorType: 'account',
        actorId: null,
        actorName: 'mum',
        channel: 'ui',
        action: i % 2 ? 'time.add' : 'device.rename',
        deviceId: null,
        login: 'kid',
        commandId: null,
        details: { i },
        result: 'ok',
        message: null,
      });
    }
    const window = await audit.query({
      from: new Date(base + 3_600_000),
      to: new Date(base + 4 * 3_600_000),
      limit: 10,
    });
    expect(window.map((e) => e.details?.i)).toEqual([3, 2, 1]);
    expect(window[0]!.at.toISOString()).toBe('2026-03-29T03:30:00.000Z');
    const adds = await audit.query({ action: 'time.', limit: 10 });
    expect(adds.map((e) => e.details?.i)).toEqual([3, 1]);
    const page = await audit.query({ limit: 2, before: { at: window[0]!.at, id: window[0]!.id } });
    expect(page.map((e) => e.details?.i)).toEqual([2, 1]);
  });

  it('records a command’s outcome once', async () => {
    const devices = new DeviceRepository(db.getRepository(DeviceEntity));
    const commands = new CommandRepository(db.getRepository(CommandEntity));
    const device = await devices.create({
      name: 'PC',
      hostname: 'pc',
      credentialHash: 'e'.repeat(64),
      agentVersion: '1',
    });
    const id = randomUUID();
    await commands.insert({
      id,
      deviceId: device.id,
      op: 'adjustTime',
      args: { login: 'kid' },
      requestedBy: null,
      channel: 'ui',
      status: 'queued',
      expiresAt: new Date(Date.now() + 1000),
    });
    await commands.markSent(id, new Date(), 'ws');
    expect(
      await commands.complete(id, { status: 'applied', error: null, resultState: null, at: new Date() }),
    ).toBe(true);
    expect(
      await commands.complete(id, {
        status: 'failed',
        error: { code: 'x', message: 'late' },
        resultState: null,
        at: new Date(),
      }),
    ).toBe(false);
    expect(await commands.findById(id)).toMatchObject({
      status: 'applied',
      error: null,
      args: { login: 'kid' },
    });
  });

  it('keeps existing PCs and logins when upgrading an older database', async () => {
    const file = path.join(dir, 'upgrade.sqlite');
    const old = new DataSource({
      ...dataSourceOptions(file),
      migrations: MIGRATIONS.slice(0, 2),
      logging: false,
    });
    await old.initialize();
    await old.runMigrations();
    await old.query(`INSERT INTO "device" ("id", "name", "hostname") VALUES ('d1', 'Study PC', 'study')`);
    await old.query(
      `INSERT INTO "managed_user" ("id", "deviceId", "login", "state") VALUES ('u1', 'd1', 'kid', '{"login":"kid"}')`,
    );
    await old.destroy();

    const upgraded = new DataSource({ ...dataSourceOptions(file), logging: false });
    await upgraded.initialize();
    await upgraded.runMigrations();
    const users = new ManagedUserRepository(upgraded.getRepository(ManagedUserEntity));
    expect(await users.find('d1', 'kid')).toMatchObject({
      login: 'kid',
      childId: null,
      state: { login: 'kid' },
    });
    expect((await upgraded.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    await upgraded.destroy();
  });

  it('runs transactions one at a time, and keeps other writes out of one that rolls back', async () => {
    const devices = new DeviceRepository(db.getRepository(DeviceEntity));
    const device = await devices.create({
      name: 'Race PC',
      hostname: 'race',
      credentialHash: null,
      agentVersion: null,
    });
    const users = new ManagedUserRepository(db.getRepository(ManagedUserEntity));
    const logins = Array.from({ length: 10 }, (_, i) => `racer${i}`);
    await users.ensure(device.id, logins);
    const ids = (await users.listForDevice(device.id)).map((user) => user.id);
    // Ten transactions at once used to collide on SQLite's single connection.
    await Promise.all(
      ids
        .map(() => users.assignToChild(randomUUID(), ids.slice(0, 1)))
        .map((p) => p.catch((e: unknown) => e)),
    ).then((outcomes) =>
      expect(outcomes.filter((o) => o instanceof Error).map(String)).toEqual(
        // no child rows exist: every assignment fails on its foreign key, none on "transaction within a transaction"
        ids.map(() => expect.stringContaining('FOREIGN KEY')),
      ),
    );

    // A write made while another transaction is open and then rolls back is not undone with it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const failing = db.transaction(async (tx) => {
      await tx.update(DeviceEntity, { id: device.id }, { name: 'rolled back' });
      await held;
      throw new Error('changed my mind');
    });
    const outside = devices.update(device.id, { hostname: 'kept' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await expect(failing).rejects.toThrow('changed my mind');
    await outside;
    expect(await devices.findActive(device.id)).toMatchObject({ name: 'Race PC', hostname: 'kept' });
  });
});
