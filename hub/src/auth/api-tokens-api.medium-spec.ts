/**
 * API tokens through the real HTTP stack on a real SQLite file: scopes on every class of route, what no
 * token can do, revocation, expiry, guessing, and the audit of what tokens change.
 */
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHubApp } from '../app.factory';
import { loadHubConfig } from '../config/hub-config';
import { loadOrCreateSecrets } from '../config/secrets';
import { roleWithin } from './api-tokens.service';

type Body = Record<string, unknown>;

describe('API tokens (medium)', () => {
  let app: INestApplication;
  let dataDir: string;
  let base: string;
  let owner: string;
  let parent: string;

  const call = async (method: string, url: string, token: string, body?: unknown) => {
    const response = await fetch(base + url, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Body };
  };
  const signIn = async (username: string, password: string) => {
    const response = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return ((await response.json()) as { accessToken: string }).accessToken;
  };
  const mint = async (as: string, name: string, scope: string, extra: Body = {}) => {
    const reply = await call('POST', '/api/tokens', as, { name, scope, ...extra });
    expect(reply.status).toBe(201);
    return reply.body as { id: string; token: string };
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-medium-'));
    const config = loadHubConfig({ KIDTIME_DATA_DIR: dataDir, LOG_LEVEL: 'error', KIDTIME_UI_DIR: dataDir });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await fetch(`${base}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'mum', password: 'kitchen-phone-42' }),
    });
    owner = await signIn('mum', 'kitchen-phone-42');
    await call('POST', '/api/accounts', owner, {
      username: 'dad',
      password: 'garden-shed-99',
      role: 'parent',
    });
    parent = await signIn('dad', 'garden-shed-99');
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('caps a token’s role by its scope', () => {
    expect(roleWithin('owner', 'read')).toBe('viewer');
    expect(roleWithin('owner', 'control')).toBe('parent');
    expect(roleWithin('owner', 'admin')).toBe('owner');
    expect(roleWithin('viewer', 'admin')).toBe('viewer');
    expect(roleWithin('parent', 'admin')).toBe('parent');
  });

  it('shows the secret once and keeps only its hash', async () => {
    const created = await mint(owner, 'Home Assistant', 'control');
    expect(created.token).toMatch(/^kt_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'Home Assistant',
      scope: 'control',
      username: 'mum',
      expiresAt: null,
    });
    const list = (await call('GET', '/api/tokens', owner)).body as unknown as Body[];
    const listed = list.find((t) => t.id === created.id)!;
    expect(listed).not.toHaveProperty('token');
    expect(listed.prefix).toBe(`${created.token.slice(0, 8)}…`);
    const db = app.get(DataSource);
    const rows = (await db.query('SELECT * FROM api_token')) as Body[];
    expect(JSON.stringify(rows)).not.toContain(created.token);
  });

  it('lets a read token look and nothing more', async () => {
    const { token } = await mint(owner, 'Dashboard', 'read');
    expect((await call('GET', '/api/devices', token)).status).toBe(200);
    expect((await call('GET', '/api/auth/me', token)).body).toMatchObject({ username: 'mum' });
    const change = await call('POST', '/api/children', token, { name: 'Ana' });
    expect(change.status).toBe(403);
    expect(change.body.message).toBe(
      'The API token "Dashboard" has the "read" scope, which does not allow this',
    );
  });

  it('lets a control token change things, recorded as the token', async () => {
    const { id, token } = await mint(owner, 'Bedtime automation', 'control');
    const created = await call('POST', '/api/children', token, { name: 'Ben' });
    expect(created.status).toBe(201);
    const audit = (await call('GET', '/api/audit?action=child.create', owner)).body as unknown as Array<{
      actor: Body;
      channel: string;
    }>;
    expect(audit[0]).toMatchObject({
      actor: { type: 'api-token', id, name: 'Bedtime automation (mum)' },
      channel: 'api-token',
    });
  });

  it('never lets a token make tokens, change a password, manage accounts or sign-ins', async () => {
    const { token } = await mint(owner, 'Everything', 'admin');
    const refused = [
      await call('POST', '/api/tokens', token, { name: 'Child token', scope: 'read' }),
      await call('GET', '/api/tokens', token),
      await call('POST', '/api/auth/password', token, {
        currentPassword: 'x',
        newPassword: 'new-password-1',
      }),
      await call('GET', '/api/accounts', token),
      await call('POST', '/api/accounts', token, {
        username: 'eve',
        password: 'another-pass-1',
        role: 'owner',
      }),
      await call('GET', '/api/auth/sessions', token),
      await call('DELETE', '/api/auth/sessions', token),
      await call('POST', '/api/home-assistant/login', token, {}),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403, 403]);
    expect(refused[0]!.body.message).toContain('API tokens cannot do this');
  });

  it('gives no one a wider scope than their role', async () => {
    const reply = await call('POST', '/api/tokens', parent, { name: 'Sneaky', scope: 'admin' });
    expect(reply.status).toBe(403);
    expect(reply.body.message).toBe('scope: a parent can create tokens up to the "control" scope');
    const bad = await call('POST', '/api/tokens', parent, { name: 'x', scope: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('scope');
  });

  it('stops a revoked token at once; an owner can revoke anyone’s, a parent only their own', async () => {
    const dads = await mint(parent, 'Dad’s script', 'control');
    const mums = await mint(owner, 'Mum’s script', 'read');
    expect((await call('DELETE', `/api/tokens/${mums.id}`, parent)).status).toBe(404);
    expect((await call('DELETE', `/api/tokens/${dads.id}`, owner)).status).toBe(204);
    const after = await call('GET', '/api/devices', dads.token);
    expect(after.status).toBe(401);
    expect(after.body.message).toBe('The API token "Dad’s script" was revoked');
    expect((await call('DELETE', `/api/tokens/${dads.id}`, owner)).status).toBe(404);
    expect((await call('GET', '/api/devices', mums.token)).status).toBe(200);
  });

  it('refuses an expired token and records when a token was last used', async () => {
    const { id, token } = await mint(owner, 'Short-lived', 'read', { expiresInDays: 1 });
    expect((await call('GET', '/api/devices', token)).status).toBe(200);
    const listed = ((await call('GET', '/api/tokens', owner)).body as unknown as Body[]).find(
      (t) => t.id === id,
    )!;
    expect(listed).toMatchObject({ lastUsedFrom: '127.0.0.1' });
    expect(listed.lastUsedAt).toEqual(expect.any(String));
    await app
      .get(DataSource)
      .query(`UPDATE api_token SET expiresAt = datetime('now', '-1 minute') WHERE id = ?`, [id]);
    await new Promise((resolve) => setTimeout(resolve, 5_100)); // the token cache's lifetime
    const expired = await call('GET', '/api/devices', token);
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(
      /^The API token "Short-lived" expired on \d{4}-\d\d-\d\d; create a new one$/,
    );
  });

  it('throttles guessing tokens like guessing passwords', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await call('GET', '/api/devices', `kt_guess${i}`)).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});
