/**
 * Signed-in devices through the real HTTP stack on a real SQLite file: listing them, signing one or all out
 * (their tokens stop at once), and what the audit log keeps of sign-ins and lockouts.
 */
import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHubApp } from '../app.factory';
import { loadHubConfig } from '../config/hub-config';
import { loadOrCreateSecrets } from '../config/secrets';

type Body = Record<string, unknown>;

const PHONE_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const LAPTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('sessions API (medium)', () => {
  let app: INestApplication;
  let dataDir: string;
  let base: string;

  const call = async (
    method: string,
    url: string,
    { body, token, ua }: { body?: unknown; token?: string; ua?: string } = {},
  ): Promise<{ status: number; body: Body }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (ua) headers['user-agent'] = ua;
    const response = await fetch(base + url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Body };
  };
  const signIn = async (ua: string) => {
    const reply = await call('POST', '/api/auth/login', {
      body: { username: 'mum', password: 'kitchen-phone-42' },
      ua,
    });
    expect(reply.status).toBe(200);
    return reply.body as { accessToken: string; refreshToken: string };
  };
  const sessions = async (token: string) =>
    (await call('GET', '/api/auth/sessions', { token })).body as unknown as Array<Body>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-medium-'));
    const config = loadHubConfig({ KIDTIME_DATA_DIR: dataDir, LOG_LEVEL: 'error', KIDTIME_UI_DIR: dataDir });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await call('POST', '/api/setup', { body: { username: 'mum', password: 'kitchen-phone-42' } });
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells the login page which methods are on', async () => {
    expect((await call('GET', '/api/auth/options')).body).toEqual({
      methods: ['local'],
      passwordForm: true,
      oidc: null,
    });
  });

  it('lists signed-in devices by browser and system, marking the one asking', async () => {
    const phone = await signIn(PHONE_UA);
    await signIn(LAPTOP_UA);
    const list = await sessions(phone.accessToken);
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list[0]).toMatchObject({ client: 'Firefox 133 on Linux', method: 'local', current: false });
    expect(list.find((s) => s.current)).toMatchObject({
      client: 'Chrome 131 on Android',
      address: '127.0.0.1',
    });
    expect(Object.keys(list[0]!).sort()).toEqual(
      ['address', 'client', 'createdAt', 'current', 'id', 'lastUsedAt', 'method'].sort(),
    );
  });

  it('signs one device out: its access token stops at once and its refresh token is refused', async () => {
    const phone = await signIn(PHONE_UA);
    const laptop = await signIn(LAPTOP_UA);
    const laptopId = (await sessions(laptop.accessToken)).find((s) => s.current)!.id as string;
    expect(
      (await call('DELETE', `/api/auth/sessions/${laptopId}`, { token: phone.accessToken })).status,
    ).toBe(204);
    const after = await call('GET', '/api/auth/me', { token: laptop.accessToken });
    expect(after.status).toBe(401);
    expect(after.body.message).toContain('signed out');
    const renew = await call('POST', '/api/auth/refresh', { body: { refreshToken: laptop.refreshToken } });
    expect(renew.status).toBe(401);
    expect(renew.body.message).toBe('This session was signed out; sign in again');
    expect((await call('GET', '/api/auth/me', { token: phone.accessToken })).status).toBe(200);
    // Again, or a session that is not there: 404, never a silent success.
    expect(
      (await call('DELETE', `/api/auth/sessions/${laptopId}`, { token: phone.accessToken })).status,
    ).toBe(404);
    expect((await call('DELETE', '/api/auth/sessions/not-a-uuid', { token: phone.accessToken })).status).toBe(
      400,
    );
  });

  it('does not let one account sign out another account’s session', async () => {
    const mum = await signIn(PHONE_UA);
    await call('POST', '/api/accounts', {
      body: { username: 'dad', password: 'garden-shed-99', role: 'parent' },
      token: mum.accessToken,
    });
    const dad = (
      await call('POST', '/api/auth/login', { body: { username: 'dad', password: 'garden-shed-99' } })
    ).body as { accessToken: string };
    const mumSession = (await sessions(mum.accessToken)).find((s) => s.current)!.id as string;
    expect(
      (await call('DELETE', `/api/auth/sessions/${mumSession}`, { token: dad.accessToken })).status,
    ).toBe(404);
    expect((await call('GET', '/api/auth/me', { token: mum.accessToken })).status).toBe(200);
  });

  it('signs out every other device, then this one', async () => {
    const others = [await signIn(LAPTOP_UA), await signIn(LAPTOP_UA)];
    const phone = await signIn(PHONE_UA);
    const reply = await call('DELETE', '/api/auth/sessions', { token: phone.accessToken });
    expect(reply.status).toBe(200);
    expect(reply.body.signedOut).toBeGreaterThanOrEqual(2);
    for (const other of others)
      expect((await call('GET', '/api/auth/me', { token: other.accessToken })).status).toBe(401);
    expect((await sessions(phone.accessToken)).map((s) => s.current)).toEqual([true]);
    expect((await call('POST', '/api/auth/logout', { token: phone.accessToken })).status).toBe(204);
    expect((await call('GET', '/api/auth/me', { token: phone.accessToken })).status).toBe(401);
  });

  it('refuses an access token without a session (signed before sessions existed)', async () => {
    const mum = await signIn(PHONE_UA);
    const me = (await call('GET', '/api/auth/me', { token: mum.accessToken })).body;
    const old = await app.get(JwtService).signAsync({ sub: me.id, role: 'owner', typ: 'access' });
    expect((await call('GET', '/api/auth/me', { token: old })).status).toBe(401);
  });

  it('records sign-ins with their method, and a lockout once', async () => {
    for (let i = 0; i < 6; i++)
      await call('POST', '/api/auth/login', { body: { username: 'dad', password: `wrong-guess-${i}` } });
    const mum = await signIn(PHONE_UA);
    const audit = (await call('GET', '/api/audit?limit=500', { token: mum.accessToken }))
      .body as unknown as Array<{
      action: string;
      actor: { name: string };
      result: string;
      details: Body;
    }>;
    expect(audit.find((e) => e.action === 'auth.login' && e.result === 'ok')?.details).toEqual({
      method: 'local',
      from: '127.0.0.1',
    });
    expect(audit.filter((e) => e.action === 'auth.lockout').map((e) => e.actor.name)).toEqual(['dad']);
    expect(audit.filter((e) => e.action === 'auth.logout').length).toBeGreaterThanOrEqual(2);
  });
});
