/**
 * The quick PIN through the real HTTP stack on a real SQLite file: trusting a phone, unlocking with the PIN
 * only together with the phone's secret, wrong PINs used up and the trust ended, an owner revoking a lost
 * phone, a password change ending the other trusts, expiry, and what a token may not do.
 */
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHubApp } from '../../app.factory';
import { loadHubConfig } from '../../config/hub-config';
import { loadOrCreateSecrets } from '../../config/secrets';
import { TrustedDeviceEntity } from './trusted-device.entity';

type Body = Record<string, unknown>;
const PASSWORDS: Record<string, string> = {
  dad: 'garden-shed-99',
  gran: 'knitting-circle-7',
  uncle: 'fishing-boat-31',
};
interface Trust {
  id: string;
  secret: string;
}

describe('quick PIN on trusted phones (medium)', () => {
  let app: INestApplication;
  let dataDir: string;
  let base: string;
  let owner: string;

  const call = async (method: string, url: string, token: string | null, body?: unknown) => {
    const response = await fetch(base + url, {
      method,
      headers: {
        'content-type': 'application/json',
        'user-agent':
          'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Body };
  };
  const signIn = async (username: string, password: string) =>
    (await call('POST', '/api/auth/login', null, { username, password })).body as {
      accessToken: string;
      refreshToken: string;
    };
  const trust = async (token: string, pin: string, extra: Body = {}) => {
    const reply = await call('POST', '/api/auth/trusted-devices', token, { pin, ...extra });
    expect(reply.status).toBe(201);
    return reply.body as unknown as Trust & Body;
  };
  const unlock = (device: Trust, pin: string) =>
    call('POST', '/api/auth/pin', null, { deviceId: device.id, secret: device.secret, pin });
  const audit = async (action: string) =>
    (await call('GET', `/api/audit?action=${action}`, owner)).body as unknown as Array<{
      result: string;
      message: string | null;
      actor: { name: string };
    }>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-medium-'));
    const config = loadHubConfig({ KIDTIME_DATA_DIR: dataDir, LOG_LEVEL: 'error', KIDTIME_UI_DIR: dataDir });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await call('POST', '/api/setup', null, { username: 'mum', password: 'kitchen-phone-42' });
    owner = (await signIn('mum', 'kitchen-phone-42')).accessToken;
    for (const username of ['dad', 'gran', 'uncle']) {
      const reply = await call('POST', '/api/accounts', owner, {
        username,
        password: PASSWORDS[username],
        role: 'parent',
      });
      expect(reply.status).toBe(201);
    }
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses PINs a child guesses first, and any shape but 4 to 8 digits', async () => {
    const { accessToken } = await signIn('dad', 'garden-shed-99');
    for (const pin of ['1234', '0000', '9876', '7777777', '4567', '123', '123456789', '12a4', ' 2580']) {
      const reply = await call('POST', '/api/auth/trusted-devices', accessToken, { pin });
      expect([pin, reply.status]).toEqual([pin, 400]);
      expect(reply.body.message).toMatch(/pin: /);
    }
  });

  it('unlocks a new session on the trusted phone with its PIN, and never without the phone’s secret', async () => {
    const { accessToken } = await signIn('dad', 'garden-shed-99');
    const phone = await trust(accessToken, '2580');
    expect(phone).toMatchObject({
      name: 'Chrome 126 on Android',
      username: 'dad',
      current: true,
      failedAttempts: 0,
    });
    expect(phone.secret.length).toBeGreaterThanOrEqual(40);
    const days = (Date.parse(phone.expiresAt as string) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);

    const unlocked = await unlock(phone, '2580');
    expect(unlocked.status).toBe(200);
    const pinToken = unlocked.body.accessToken as string;
    expect((await call('GET', '/api/auth/me', pinToken)).body).toMatchObject({ username: 'dad' });
    const sessions = (await call('GET', '/api/auth/sessions', pinToken)).body as unknown as Array<Body>;
    expect(sessions.find((s) => s.current)).toMatchObject({ method: 'pin' });
    const listed = (await call('GET', '/api/auth/trusted-devices', pinToken)).body as unknown as Array<Body>;
    expect(listed).toEqual([expect.objectContaining({ id: phone.id, current: true })]);
    expect(listed[0]!.lastUsedAt).not.toBeNull();
    expect(listed[0]).not.toHaveProperty('secret');

    // The right PIN with a wrong secret, or for another phone, is refused, and says the trust is gone.
    const forged = await unlock({ id: phone.id, secret: `${phone.secret.slice(0, -2)}xx` }, '2580');
    expect(forged).toMatchObject({ status: 401, body: { trust: 'gone' } });
    const unknown = await unlock(
      { id: '6f1c1c43-7c53-4a49-9a1c-1f0d5d1f1b11', secret: phone.secret },
      '2580',
    );
    expect(unknown).toMatchObject({ status: 401, body: { trust: 'gone' } });
    // Neither used up a try of the real phone.
    expect((await unlock(phone, '2580')).status).toBe(200);
    expect((await audit('auth.login')).filter((e) => e.message === 'not a trusted phone')).toHaveLength(2);
  });

  it('counts wrong PINs, gives the tries back on the right one, and ends the trust after the last', async () => {
    const { accessToken } = await signIn('gran', 'knitting-circle-7');
    const phone = await trust(accessToken, '314159');
    expect(await unlock(phone, '000000')).toMatchObject({
      status: 401,
      body: { message: 'Wrong PIN; 4 tries left', attemptsLeft: 4 },
    });
    expect((await unlock(phone, '314159')).status).toBe(200);
    // A burst of wrong guesses at once: no more than the five tries are ever checked, and then it is over.
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => unlock(phone, String(100000 + i))));
    expect(burst.every((r) => r.status === 401)).toBe(true);
    expect(burst.filter((r) => r.body.trust === 'gone').length).toBeGreaterThanOrEqual(7);
    const [stored] = await app
      .get(DataSource)
      .query(`SELECT "failedAttempts", "revokedAt" FROM "trusted_device" WHERE "id" = ?`, [phone.id]);
    expect(stored.failedAttempts).toBe(5);
    expect(stored.revokedAt).not.toBeNull();
    const checked = (await audit('auth.login')).filter(
      (e) => e.actor.name === 'gran' && e.message?.startsWith('wrong PIN'),
    );
    expect(checked).toHaveLength(1 + 5);
    const after = await unlock(phone, '314159');
    expect(after).toMatchObject({ status: 401, body: { trust: 'gone' } });
    expect(after.body.message).toMatch(/no longer trusted/);
    // The session the phone was trusted from ends with the trust; the password still signs gran in.
    expect((await call('GET', '/api/auth/me', accessToken)).status).toBe(401);
    const lockouts = (await audit('auth.lockout')).filter((e) => e.actor.name === 'gran');
    expect(lockouts.length).toBeGreaterThanOrEqual(1);
    const again = await signIn('gran', 'knitting-circle-7');
    expect((await call('GET', '/api/auth/trusted-devices', again.accessToken)).body).toEqual([]);
  });

  it('lets an owner end a lost phone’s trust, which signs out what it unlocked', async () => {
    const { accessToken } = await signIn('uncle', 'fishing-boat-31');
    const phone = await trust(accessToken, '86420', { name: 'Uncle’s old phone' });
    const pinToken = (await unlock(phone, '86420')).body.accessToken as string;
    // The owner sees everyone's phones; a parent sees only their own and cannot end others'.
    const all = (await call('GET', '/api/auth/trusted-devices', owner)).body as unknown as Array<Body>;
    expect(all.map((d) => d.username)).toEqual(expect.arrayContaining(['dad', 'uncle']));
    const dad = await signIn('dad', 'garden-shed-99');
    const dadsView = (await call('GET', '/api/auth/trusted-devices', dad.accessToken))
      .body as unknown as Body[];
    expect(dadsView.every((d) => d.username === 'dad')).toBe(true);
    expect((await call('DELETE', `/api/auth/trusted-devices/${phone.id}`, dad.accessToken)).status).toBe(404);

    expect((await call('DELETE', `/api/auth/trusted-devices/${phone.id}`, owner)).status).toBe(204);
    expect((await call('GET', '/api/auth/me', pinToken)).status).toBe(401);
    expect(await unlock(phone, '86420')).toMatchObject({ status: 401, body: { trust: 'gone' } });
    // The session uncle trusted the phone from was a password sign-in on it: it is signed out too.
    expect((await call('GET', '/api/auth/me', accessToken)).status).toBe(401);
    expect((await audit('auth.untrust'))[0]).toMatchObject({ result: 'ok', actor: { name: 'mum' } });
    expect((await call('DELETE', `/api/auth/trusted-devices/${phone.id}`, owner)).status).toBe(404);
  });

  it('ends every other trust when the password changes, and keeps the phone it was changed on', async () => {
    const laptop = await signIn('dad', 'garden-shed-99');
    const other = await trust(laptop.accessToken, '97531');
    const phoneSession = await signIn('dad', 'garden-shed-99');
    const phone = await trust(phoneSession.accessToken, '24680');
    const unlocked = (await unlock(phone, '24680')).body.accessToken as string;
    const changed = await call('POST', '/api/auth/password', unlocked, {
      currentPassword: 'garden-shed-99',
      newPassword: 'greenhouse-roof-100',
    });
    expect(changed.status).toBe(200);
    expect(await unlock(other, '97531')).toMatchObject({ status: 401, body: { trust: 'gone' } });
    expect((await unlock(phone, '24680')).status).toBe(200);
    const listed = (await call('GET', '/api/auth/trusted-devices', changed.body.accessToken as string))
      .body as unknown as Body[];
    expect(listed).toEqual([expect.objectContaining({ id: phone.id, current: true })]);
  });

  it('keeps the parent signed in on the phone where they stop using the PIN', async () => {
    const { accessToken } = await signIn('mum', 'kitchen-phone-42');
    const phone = await trust(accessToken, '19283');
    const elsewhere = (await unlock(phone, '19283')).body.accessToken as string;
    expect((await call('DELETE', `/api/auth/trusted-devices/${phone.id}`, accessToken)).status).toBe(204);
    expect((await call('GET', '/api/auth/me', accessToken)).status).toBe(200);
    expect((await call('GET', '/api/auth/me', elsewhere)).status).toBe(401);
  });

  it('ends a phone’s PIN when that phone is signed out from elsewhere, or with all other devices', async () => {
    const laptop = await signIn('mum', 'kitchen-phone-42');
    const phoneSession = await signIn('mum', 'kitchen-phone-42');
    const phone = await trust(phoneSession.accessToken, '46802');
    const phoneId = (
      (await call('GET', '/api/auth/sessions', phoneSession.accessToken)).body as unknown as Body[]
    ).find((s) => s.current)!.id as string;
    expect((await call('DELETE', `/api/auth/sessions/${phoneId}`, laptop.accessToken)).status).toBe(204);
    expect(await unlock(phone, '46802')).toMatchObject({ status: 401, body: { trust: 'gone' } });

    const again = await signIn('mum', 'kitchen-phone-42');
    const second = await trust(again.accessToken, '46802');
    expect((await unlock(second, '46802')).status).toBe(200);
    expect((await call('DELETE', '/api/auth/sessions', laptop.accessToken)).status).toBe(200);
    expect(await unlock(second, '46802')).toMatchObject({ status: 401, body: { trust: 'gone' } });
    // The laptop that asked keeps going; every other session of mum's has ended.
    expect((await call('GET', '/api/auth/me', laptop.accessToken)).status).toBe(200);
    owner = laptop.accessToken;
  });

  it('keeps the PIN of the phone that signs itself out (the app locking)', async () => {
    const { accessToken } = await signIn('mum', 'kitchen-phone-42');
    const phone = await trust(accessToken, '57913');
    const unlocked = (await unlock(phone, '57913')).body.accessToken as string;
    expect((await call('POST', '/api/auth/logout', unlocked)).status).toBe(204);
    expect((await unlock(phone, '57913')).status).toBe(200);
  });

  it('asks for the password again once the trust has expired', async () => {
    const { accessToken } = await signIn('mum', 'kitchen-phone-42');
    const phone = await trust(accessToken, '55012');
    await app
      .get(DataSource)
      .getRepository(TrustedDeviceEntity)
      .update({ id: phone.id }, { expiresAt: new Date(Date.now() - 1000) });
    const reply = await unlock(phone, '55012');
    expect(reply).toMatchObject({ status: 401, body: { trust: 'gone' } });
    expect(reply.body.message).toMatch(/expired/);
  });

  it('lets no API token trust a phone, list or end trusts', async () => {
    const token = (await call('POST', '/api/tokens', owner, { name: 'HA', scope: 'admin' })).body
      .token as string;
    expect((await call('POST', '/api/auth/trusted-devices', token, { pin: '2580' })).status).toBe(403);
    expect((await call('GET', '/api/auth/trusted-devices', token)).status).toBe(403);
  });

  it('drops the quick PIN of a password account once password sign-in is switched off', async () => {
    const { accessToken } = await signIn('dad', 'greenhouse-roof-100');
    const phone = await trust(accessToken, '73019');
    await app.close();
    const config = loadHubConfig({
      KIDTIME_DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      KIDTIME_UI_DIR: dataDir,
      AUTH_METHODS: 'proxy',
      AUTH_PROXY_ADDRESSES: '127.0.0.2',
      AUTH_PROXY_OWNER_GROUPS: 'kidtime-owners',
    });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const reply = await unlock(phone, '73019');
    expect(reply).toMatchObject({ status: 401, body: { trust: 'gone' } });
    expect(reply.body.message).toMatch(/switched off/);
  });

  it('refuses malformed unlock requests with the field named', async () => {
    for (const body of [
      {},
      { deviceId: 'x', secret: 's', pin: '1' },
      { deviceId: 1, secret: [], pin: null },
    ]) {
      const reply = await call('POST', '/api/auth/pin', null, body);
      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(/deviceId/);
    }
  });
});
