/**
 * Sign-in, setup and accounts through the real HTTP stack (guards, pipes, filter) on a real SQLite file.
 */
import type { INestApplication } from '@nestjs/common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHubApp } from '../app.factory';
import { loadHubConfig } from '../config/hub-config';
import { loadOrCreateSecrets } from '../config/secrets';

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

describe('auth API (medium)', () => {
  let app: INestApplication;
  let dataDir: string;
  let base: string;

  const call = async (method: string, url: string, body?: unknown, token?: string): Promise<Reply> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(base + url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
      headers: response.headers,
    };
  };
  const login = (username: string, password: string) =>
    call('POST', '/api/auth/login', { username, password });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-medium-'));
    const config = loadHubConfig({ KIDTIME_DATA_DIR: dataDir, LOG_LEVEL: 'error', KIDTIME_UI_DIR: dataDir });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the first owner once, from the hub machine', async () => {
    expect((await call('GET', '/api/setup')).body).toEqual({ setupNeeded: true, allowedHere: true });
    const viaProxy = await fetch(`${base}/api/setup`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(await viaProxy.json()).toEqual({ setupNeeded: true, allowedHere: false });
    const proxied = await fetch(`${base}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ username: 'mallory', password: 'kitchen-phone-42' }),
    });
    expect(proxied.status).toBe(403);
    const short = await call('POST', '/api/setup', { username: 'mum', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.message).toBe('password: must be at least 8 characters');
    const created = await call('POST', '/api/setup', { username: 'Mum', password: 'kitchen-phone-42' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'mum', role: 'owner' });
    expect(created.body).not.toHaveProperty('passwordHash');
    const again = await call('POST', '/api/setup', { username: 'dad', password: 'kitchen-phone-42' });
    expect(again.status).toBe(409);
    expect((await call('GET', '/api/setup')).body).toEqual({ setupNeeded: false, allowedHere: true });
  });

  it('stores an argon2id hash, never the password', async () => {
    // WAL mode: recent writes are still in the -wal file.
    const file = path.join(dataDir, 'kidtime.sqlite');
    const db = Buffer.concat([
      fs.readFileSync(file),
      fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`) : Buffer.alloc(0),
    ]);
    expect(db.includes('kitchen-phone-42')).toBe(false);
    expect(db.includes('$argon2id$')).toBe(true);
  });

  it('signs in and tells who is signed in', async () => {
    const ok = await login('MUM', 'kitchen-phone-42');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ expiresIn: 900 });
    const me = await call('GET', '/api/auth/me', undefined, ok.body.accessToken as string);
    expect(me.body).toMatchObject({ username: 'mum', role: 'owner' });
  });

  it('refuses a wrong password and a missing or forged token with 401', async () => {
    const wrong = await login('mum', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      statusCode: 401,
      message: 'Wrong username or password',
      error: 'Unauthorized',
    });
    expect((await login('nobody', 'whatever-password')).body.message).toBe('Wrong username or password');
    expect((await call('GET', '/api/auth/me')).status).toBe(401);
    expect((await call('GET', '/api/auth/me', undefined, 'eyJhbGciOiJub25lIn0.e30.')).status).toBe(401);
  });

  it('rotates refresh tokens and revokes the family when one is reused', async () => {
    const first = (await login('mum', 'kitchen-phone-42')).body;
    const second = await call('POST', '/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    const third = await call('POST', '/api/auth/refresh', { refreshToken: second.body.refreshToken });
    expect(third.status).toBe(200);

    const replay = await call('POST', '/api/auth/refresh', { refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.message).toContain('already used');
    // The thief's replay signed the whole session out, including the newest token.
    expect((await call('POST', '/api/auth/refresh', { refreshToken: third.body.refreshToken })).status).toBe(
      401,
    );
    expect((await call('POST', '/api/auth/refresh', { refreshToken: 'made-up' })).status).toBe(401);
  });

  it('throttles a username after repeated failures with 429 and Retry-After', async () => {
    await call(
      'POST',
      '/api/accounts',
      { username: 'dad', password: 'garden-shed-99' },
      (await login('mum', 'kitchen-phone-42')).body.accessToken as string,
    );
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login('dad', `wrong-${i}-password`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const blocked = await login('dad', 'garden-shed-99');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.body.message).toContain('Too many failed attempts');
    expect((await login('mum', 'kitchen-phone-42')).status).toBe(200);
  });

  it('counts parallel guesses too: a burst gets no more tries than the limit', async () => {
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login('grandad', `burst-guess-${i}`)),
    );
    const statuses = burst.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it('lets only owners manage accounts, and never removes the last owner', async () => {
    const owner = (await login('mum', 'kitchen-phone-42')).body.accessToken as string;
    const viewer = await call(
      'POST',
      '/api/accounts',
      { username: 'grandma', password: 'knitting-club-5', role: 'viewer' },
      owner,
    );
    expect(viewer.status).toBe(201);
    const duplicate = await call(
      'POST',
      '/api/accounts',
      { username: 'grandma', password: 'knitting-club-6' },
      owner,
    );
    expect(duplicate.status).toBe(409);
    const bad = await call(
      'POST',
      '/api/accounts',
      { username: 'x', password: 'long-enough-1', role: 'admin' },
      owner,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('role');

    const grandma = (await login('grandma', 'knitting-club-5')).body.accessToken as string;
    expect((await call('GET', '/api/accounts', undefined, grandma)).status).toBe(403);
    expect((await call('GET', '/api/devices', undefined, grandma)).status).toBe(200);

    const accounts = (await call('GET', '/api/accounts', undefined, owner)).body as unknown as Array<{
      id: string;
      username: string;
    }>;
    const mum = accounts.find((a) => a.username === 'mum')!;
    const demote = await call('PATCH', `/api/accounts/${mum.id}`, { role: 'parent' }, owner);
    expect(demote.status).toBe(403);
    expect(demote.body.message).toContain('only owner');
    expect((await call('DELETE', `/api/accounts/${mum.id}`, undefined, owner)).status).toBe(403);

    const gm = accounts.find((a) => a.username === 'grandma')!;
    expect((await call('PATCH', `/api/accounts/${gm.id}`, { role: 'parent' }, owner)).body).toMatchObject({
      role: 'parent',
    });
    expect((await call('DELETE', `/api/accounts/${gm.id}`, undefined, owner)).status).toBe(204);
    // A removed account's token stops working at once.
    expect((await call('GET', '/api/auth/me', undefined, grandma)).status).toBe(401);
  });

  it('lets anyone, a viewer too, change their own password and signs out their other sessions', async () => {
    const owner = (await login('mum', 'kitchen-phone-42')).body.accessToken as string;
    await call(
      'POST',
      '/api/accounts',
      { username: 'uncle', password: 'fishing-trip-9', role: 'viewer' },
      owner,
    );
    const phone = (await login('uncle', 'fishing-trip-9')).body as {
      accessToken: string;
      refreshToken: string;
    };
    const laptop = (await login('uncle', 'fishing-trip-9')).body as { accessToken: string };
    const change = (body: unknown) => call('POST', '/api/auth/password', body, laptop.accessToken);

    const wrong = await change({ currentPassword: 'not-it-at-all', newPassword: 'camping-trip-10' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toBe('The current password is wrong');
    expect((await change({ currentPassword: 'fishing-trip-9', newPassword: 'short' })).body.message).toBe(
      'newPassword: must be at least 8 characters',
    );
    expect(
      (await change({ currentPassword: 'fishing-trip-9', newPassword: 'uncle-is-back' })).body.message,
    ).toBe('password: must not contain the username');

    const changed = await change({ currentPassword: 'fishing-trip-9', newPassword: 'camping-trip-10' });
    expect(changed.status).toBe(200);
    expect(changed.body).toHaveProperty('refreshToken');
    expect((await login('uncle', 'fishing-trip-9')).status).toBe(401);
    expect((await login('uncle', 'camping-trip-10')).status).toBe(200);
    // The phone's session is over; the new pair from the change keeps working.
    expect((await call('POST', '/api/auth/refresh', { refreshToken: phone.refreshToken })).status).toBe(401);
    const renewed = await call('POST', '/api/auth/refresh', { refreshToken: changed.body.refreshToken });
    expect(renewed.status).toBe(200);
  });

  it('keeps an audit log of who changed what, readable as JSON and CSV', async () => {
    const token = (await login('mum', 'kitchen-phone-42')).body.accessToken as string;
    const reply = await call('GET', '/api/audit?limit=500', undefined, token);
    expect(reply.status).toBe(200);
    const entries = reply.body as unknown as Array<{
      action: string;
      actor: { name: string };
      result: string;
      details: Record<string, unknown>;
    }>;
    const actions = entries.map((e) => `${e.actor.name}:${e.action}:${e.result}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'mum:account.setup:ok',
        'mum:auth.login:refused',
        'mum:account.create:ok',
        'mum:account.role:ok',
        'mum:account.remove:ok',
      ]),
    );
    expect(entries.find((e) => e.action === 'account.role')?.details).toMatchObject({
      username: 'grandma',
      from: 'viewer',
      to: 'parent',
    });
    // Newest first.
    expect(actions.indexOf('mum:account.remove:ok')).toBeLessThan(actions.indexOf('mum:account.setup:ok'));

    const filtered = (await call('GET', '/api/audit?action=account.&limit=2', undefined, token))
      .body as unknown as Array<{ id: string; action: string }>;
    expect(filtered).toHaveLength(2);
    expect(filtered.every((e) => e.action.startsWith('account.'))).toBe(true);
    const next = (
      await call('GET', `/api/audit?action=account.&limit=2&cursor=${filtered[1]!.id}`, undefined, token)
    ).body as unknown as Array<{ id: string }>;
    expect(next.map((e) => e.id)).not.toContain(filtered[0]!.id);

    const csv = await fetch(`${base}/api/audit?format=csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'at,actor,actorType,channel,action,deviceId,login,result,message,commandId,details',
    );
    expect(lines.some((line) => line.includes(',account.setup,'))).toBe(true);

    const bad = await call('GET', '/api/audit?limit=5000&from=yesterday', undefined, token);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('limit');
    expect((await call('POST', '/api/audit', {}, token)).status).toBe(404);
  });

  it('gives every error the same shape with a request id', async () => {
    const response = await call(
      'GET',
      '/api/devices/not-a-uuid',
      undefined,
      (await login('mum', 'kitchen-phone-42')).body.accessToken as string,
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(response.body.requestId).toEqual(response.headers.get('x-request-id'));
  });

  it('serves the web app: hashed files cached for good, the rest revalidated, client routes to index.html', async () => {
    fs.mkdirSync(path.join(dataDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'index.html'), '<!doctype html><title>Kidtime</title>');
    const script = `export const text = ${JSON.stringify('a parent adds time. '.repeat(200))};`;
    fs.writeFileSync(path.join(dataDir, 'assets', 'index-Abc123.js'), script);
    const asset = await fetch(`${base}/assets/index-Abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(await asset.text()).toBe(script);
    const index = await fetch(`${base}/`);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const route = await fetch(`${base}/child/123`, { headers: { accept: 'text/html' } });
    expect(await route.text()).toContain('<title>Kidtime</title>');
    expect((await fetch(`${base}/api/nope`, { headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await fetch(`${base}/icon-512.png`)).status).toBe(404);
  });

  it('serves the OpenAPI description', async () => {
    const response = await fetch(`${base}/api/docs/openapi.json`);
    const doc = (await response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/devices/{id}/users/{login}/time']),
    );
  });
});
