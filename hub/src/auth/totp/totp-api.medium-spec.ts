/**
 * Two-step sign-in through the real HTTP stack (guards, pipes, filter, throttle) on a real SQLite file. The
 * TOTP clock is moved by the test, so each sign-in gets a fresh time step without waiting 30 s.
 */
import type { INestApplication } from '@nestjs/common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UI_NAMESPACE } from '@kidtime/protocol';
import { io } from 'socket.io-client';
import { AccountRepository } from '../../accounts/account.repository';
import { createHubApp } from '../../app.factory';
import { loadHubConfig } from '../../config/hub-config';
import { loadOrCreateSecrets } from '../../config/secrets';
import { base32Decode, totpAt } from './totp';
import { TotpClock } from './totp.service';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

describe('two-step sign-in API (medium)', () => {
  let app: INestApplication;
  let dataDir: string;
  let base: string;
  let now = Date.UTC(2026, 11, 1, 12, 0, 0);
  let owner = '';

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
    };
  };
  const login = (username: string, password: string, code?: string) =>
    call('POST', '/api/auth/login', { username, password, ...(code === undefined ? {} : { code }) });
  /** The code of the next time step: moves the clock on by one step first. */
  const nextCode = (secret: string): string => {
    now += 30_000;
    return totpAt(base32Decode(secret), now);
  };
  const tokens = (reply: Reply) => reply.body as { accessToken: string; refreshToken: string };
  const createAccount = async (username: string, password: string, role = 'parent') => {
    const created = await call('POST', '/api/accounts', { username, password, role }, owner);
    expect(created.status).toBe(201);
    return created.body as { id: string };
  };
  /** Sets up and enables an authenticator for a signed-in account; its secret. */
  const enableTotp = async (token: string, password: string): Promise<string> => {
    const setup = await call('POST', '/api/auth/totp/setup', { password }, token);
    expect(setup.status).toBe(200);
    const secret = setup.body.secret as string;
    const enabled = await call('POST', '/api/auth/totp/enable', { code: nextCode(secret) }, token);
    expect(enabled.status).toBe(200);
    return secret;
  };
  /** How the live updates answer a token: 'connected', or the refusal. */
  const liveAnswer = async (token: string): Promise<string> => {
    const socket = io(base + UI_NAMESPACE, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
    });
    try {
      return await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error) => resolve(error.message));
      });
    } finally {
      socket.disconnect();
    }
  };
  const audit = async (token: string) =>
    (await call('GET', '/api/audit?limit=500', undefined, token)).body as unknown as Array<{
      action: string;
      actor: { name: string };
      result: string;
      message: string | null;
      details: Record<string, unknown> | null;
    }>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-medium-'));
    const config = loadHubConfig({ KIDTIME_DATA_DIR: dataDir, LOG_LEVEL: 'error', KIDTIME_UI_DIR: dataDir });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    jest.spyOn(app.get(TotpClock), 'now').mockImplementation(() => now);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    expect((await call('POST', '/api/setup', { username: 'mum', password: 'kitchen-phone-42' })).status).toBe(
      201,
    );
    owner = tokens(await login('mum', 'kitchen-phone-42')).accessToken;
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('one parent turns it on and uses it', () => {
    let dad: string;
    let secret: string;
    let recoveryCodes: string[];

    beforeAll(async () => {
      await createAccount('dad', 'garden-shed-99');
      dad = tokens(await login('dad', 'garden-shed-99')).accessToken;
    });

    it('needs the password to set up, and gives the secret, its URI and a QR code', async () => {
      const wrong = await call('POST', '/api/auth/totp/setup', { password: 'not-the-password' }, dad);
      expect(wrong.status).toBe(403);
      expect(wrong.body.message).toBe('The current password is wrong');
      const setup = await call('POST', '/api/auth/totp/setup', { password: 'garden-shed-99' }, dad);
      expect(setup.status).toBe(200);
      secret = setup.body.secret as string;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(setup.body.secretGrouped).toBe(secret.match(/.{4}/g)!.join(' '));
      expect(setup.body.uri).toBe(
        `otpauth://totp/Kidtime:dad?secret=${secret}&issuer=Kidtime&algorithm=SHA1&digits=6&period=30`,
      );
      expect(setup.body.qrSvg).toContain('<svg');
      // Pending: signing in still needs the password only.
      expect((await login('dad', 'garden-shed-99')).status).toBe(200);
    });

    it('refuses to enable with a wrong code, and keeps the secret sealed at rest', async () => {
      const wrong = await call(
        'POST',
        '/api/auth/totp/enable',
        { code: totpAt(base32Decode(secret), now - 3_600_000) },
        dad,
      );
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toContain('does not match');
      expect((await call('POST', '/api/auth/totp/enable', { code: 'abc' }, dad)).status).toBe(400);
      expect((await call('GET', '/api/auth/totp', undefined, dad)).body).toMatchObject({ enabled: false });
      const file = path.join(dataDir, 'kidtime.sqlite');
      const db = Buffer.concat([
        fs.readFileSync(file),
        fs.existsSync(`${file}-wal`) ? fs.readFileSync(`${file}-wal`) : Buffer.alloc(0),
      ]);
      expect(db.includes(secret)).toBe(false);
    });

    it('enables with a code from the app, gives 10 recovery codes and signs out the other sessions', async () => {
      const other = tokens(await login('dad', 'garden-shed-99'));
      // A phone trusted for the quick PIN before the second step was on: its PIN must not go around it.
      const phone = await call('POST', '/api/auth/trusted-devices', { pin: '2580' }, other.accessToken);
      expect(phone.status).toBe(201);
      const enabled = await call('POST', '/api/auth/totp/enable', { code: nextCode(secret) }, dad);
      expect(enabled.status).toBe(200);
      recoveryCodes = enabled.body.recoveryCodes as string[];
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
      expect((await call('POST', '/api/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(
        401,
      );
      expect((await call('GET', '/api/auth/me', undefined, other.accessToken)).status).toBe(401);
      const unlock = await call('POST', '/api/auth/pin', {
        deviceId: phone.body.id,
        secret: phone.body.secret,
        pin: '2580',
      });
      expect(unlock).toMatchObject({ status: 401, body: { trust: 'gone' } });
      expect((await call('GET', '/api/auth/me', undefined, dad)).body).toMatchObject({
        username: 'dad',
        totp: true,
        totpRequired: false,
      });
      expect((await call('GET', '/api/auth/totp', undefined, dad)).body).toMatchObject({
        enabled: true,
        recoveryCodesLeft: 10,
      });
    });

    it('asks for the code only after a right password, and never says so to a wrong one', async () => {
      const missing = await login('dad', 'garden-shed-99');
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({
        statusCode: 401,
        message: 'Enter the 6-digit code from your authenticator app',
        secondFactor: 'totp',
      });
      const wrongPassword = await login('dad', 'not-the-password');
      const wrongPasswordWithCode = await login('dad', 'not-the-password', '123456');
      for (const reply of [wrongPassword, wrongPasswordWithCode]) {
        expect(reply.status).toBe(401);
        expect(reply.body.message).toBe('Wrong username or password');
        expect(reply.body).not.toHaveProperty('secondFactor');
      }
      expect((await login('dad', 'garden-shed-99', 'twelve')).status).toBe(400);
    });

    it('signs in with the code once: the same code again is refused', async () => {
      const code = nextCode(secret);
      const ok = await login('dad', 'garden-shed-99', code.replace(/^(\d{3})/, '$1 '));
      expect(ok.status).toBe(200);
      expect(ok.body).toHaveProperty('accessToken');
      const replay = await login('dad', 'garden-shed-99', code);
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({ secondFactor: 'totp' });
      expect(replay.body.message).toContain('used already');
    });

    it('lets a recovery code in once, and records how many are left', async () => {
      const [first] = recoveryCodes;
      const ok = await login('dad', 'garden-shed-99', first!.toUpperCase());
      expect(ok.status).toBe(200);
      expect((await login('dad', 'garden-shed-99', first)).status).toBe(401);
      const entries = await audit(owner);
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            action: 'account.totp',
            result: 'ok',
            message: 'recovery code used, 9 left',
          }),
          expect.objectContaining({
            action: 'account.totp',
            result: 'ok',
            details: expect.objectContaining({ change: 'enabled', signedOut: 2 }),
          }),
        ]),
      );
    });

    it('is closed to API tokens, whatever their scope', async () => {
      const created = await call('POST', '/api/tokens', { name: 'Home Assistant', scope: 'control' }, dad);
      expect(created.status).toBe(201);
      const token = created.body.token as string;
      for (const [method, url, body] of [
        ['GET', '/api/auth/totp', undefined],
        ['POST', '/api/auth/totp/setup', { password: 'garden-shed-99' }],
        ['POST', '/api/auth/totp/disable', { password: 'garden-shed-99', code: '123456' }],
      ] as const) {
        const reply = await call(method, url, body, token);
        expect(reply.status).toBe(403);
        expect(reply.body.message).toContain('API tokens cannot do this');
      }
    });

    it('turns off with the password and a code, signing out the other sessions', async () => {
      const other = tokens(await login('dad', 'garden-shed-99', nextCode(secret)));
      const wrongCode = await call(
        'POST',
        '/api/auth/totp/disable',
        { password: 'garden-shed-99', code: '000000' },
        dad,
      );
      expect(wrongCode.status).toBe(403);
      expect(wrongCode.body.message).toContain('code is wrong');
      const off = await call(
        'POST',
        '/api/auth/totp/disable',
        { password: 'garden-shed-99', code: nextCode(secret) },
        dad,
      );
      expect(off.status).toBe(204);
      expect((await call('GET', '/api/auth/me', undefined, other.accessToken)).status).toBe(401);
      expect((await call('GET', '/api/auth/me', undefined, dad)).body).toMatchObject({ totp: false });
      expect((await login('dad', 'garden-shed-99')).status).toBe(200);
    });
  });

  it('throttles wrong codes like wrong passwords, then locks the sign-in out', async () => {
    await createAccount('aunt', 'tea-and-cake-7');
    const secret = await enableTotp(
      tokens(await login('aunt', 'tea-and-cake-7')).accessToken,
      'tea-and-cake-7',
    );
    // Asking for the code costs nothing: the password was right.
    for (let i = 0; i < 6; i++) expect((await login('aunt', 'tea-and-cake-7')).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login('aunt', 'tea-and-cake-7', `00000${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Locked: the right code is not even checked.
    expect((await login('aunt', 'tea-and-cake-7', nextCode(secret))).status).toBe(429);
    const entries = await audit(owner);
    expect(
      entries.filter((e) => e.actor.name === 'aunt' && e.action === 'auth.login' && e.result === 'refused'),
    ).toHaveLength(5);
    expect(entries.some((e) => e.actor.name === 'aunt' && e.action === 'auth.lockout')).toBe(true);
  });

  it('lets an owner require it: without one, only set-up is open; owners can turn off a lost phone', async () => {
    const early = await call('PUT', '/api/auth/totp/requirement', { required: true }, owner);
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('for yourself first');
    const mumSecret = await enableTotp(owner, 'kitchen-phone-42');
    const on = await call('PUT', '/api/auth/totp/requirement', { required: true }, owner);
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ required: true, enabled: true });

    const uncle = await createAccount('uncle', 'fishing-trip-9', 'viewer');
    const signedIn = await login('uncle', 'fishing-trip-9');
    expect(signedIn.status).toBe(200);
    const token = tokens(signedIn).accessToken;
    const blocked = await call('GET', '/api/devices', undefined, token);
    expect(blocked.status).toBe(403);
    expect(blocked.body).toMatchObject({ secondFactor: 'setup-required' });
    expect(blocked.body.message).toContain('requires two-step sign-in');
    expect((await call('GET', '/api/auth/me', undefined, token)).body).toMatchObject({
      totp: false,
      totpRequired: true,
    });
    expect((await call('GET', '/api/auth/sessions', undefined, token)).status).toBe(200);
    expect(await liveAnswer(token)).toContain('second factor required');
    const secret = await enableTotp(token, 'fishing-trip-9');
    expect((await call('GET', '/api/devices', undefined, token)).status).toBe(200);
    expect(await liveAnswer(token)).toBe('connected');
    expect((await login('uncle', 'fishing-trip-9', nextCode(secret))).status).toBe(200);

    // Uncle lost his phone: the owner turns his second factor off; he is signed out everywhere.
    expect((await call('DELETE', `/api/accounts/${uncle.id}/totp`, undefined, token)).status).toBe(403);
    expect((await call('DELETE', `/api/accounts/${uncle.id}/totp`, undefined, owner)).status).toBe(204);
    expect((await call('GET', '/api/auth/me', undefined, token)).status).toBe(401);
    expect((await call('DELETE', `/api/accounts/${uncle.id}/totp`, undefined, owner)).status).toBe(409);
    const list = (await call('GET', '/api/accounts', undefined, owner)).body as unknown as Array<{
      username: string;
      totp: boolean;
    }>;
    expect(list.find((a) => a.username === 'uncle')?.totp).toBe(false);
    expect(list.find((a) => a.username === 'mum')?.totp).toBe(true);
    const again = tokens(await login('uncle', 'fishing-trip-9')).accessToken;
    expect((await call('GET', '/api/devices', undefined, again)).status).toBe(403);

    expect((await call('PUT', '/api/auth/totp/requirement', { required: false }, owner)).status).toBe(200);
    expect((await call('GET', '/api/devices', undefined, again)).status).toBe(200);
    const entries = await audit(owner);
    expect(
      entries.filter((e) => e.action === 'settings.second-factor').map((e) => e.details?.required),
    ).toEqual([false, true]);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'account.totp',
          actor: expect.objectContaining({ name: 'mum' }),
          details: expect.objectContaining({ change: 'disabled', username: 'uncle' }),
        }),
      ]),
    );
    expect((await login('mum', 'kitchen-phone-42', nextCode(mumSecret))).status).toBe(200);
  });

  it('documents its routes in the OpenAPI description, with the login code', async () => {
    const doc = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/totp',
        '/api/auth/totp/setup',
        '/api/auth/totp/enable',
        '/api/auth/totp/disable',
        '/api/auth/totp/recovery-codes',
        '/api/auth/totp/requirement',
        '/api/accounts/{id}/totp',
      ]),
    );
    const login = doc.paths['/api/auth/login']?.post?.requestBody?.content['application/json']?.schema;
    expect(login).toMatchObject({ properties: { code: { type: 'string' } } });
  });

  it('refuses accounts whose password lives elsewhere, with who to ask', async () => {
    const cousin = await createAccount('cousin', 'board-games-3');
    const token = tokens(await login('cousin', 'board-games-3')).accessToken;
    await app.get(AccountRepository).update(cousin.id, { source: 'ldap', externalId: 'uid=cousin,dc=home' });
    const reply = await call('POST', '/api/auth/totp/setup', { password: 'board-games-3' }, token);
    expect(reply.status).toBe(403);
    expect(reply.body.message).toContain('your directory (LDAP)');
    expect((await call('GET', '/api/auth/totp', undefined, token)).body).toMatchObject({ available: false });
  });
});
