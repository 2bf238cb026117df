/**
 * Children through the real HTTP stack on SQLite. Managed users normally come from agents; here they are
 * put in place through the repository, as an agent's hello would.
 */
import type { INestApplication } from '@nestjs/common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHubApp } from '../app.factory';
import { loadHubConfig } from '../config/hub-config';
import { loadOrCreateSecrets } from '../config/secrets';
import { ManagedUserRepository } from '../devices/managed-user.repository';

interface Reply {
  status: number;
  body: Record<string, unknown> & { message?: string };
}

describe('children API (medium)', () => {
  let app: INestApplication;
  let dataDir: string;
  let base: string;
  let token: string;
  const devices: string[] = [];

  const call = async (method: string, url: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(base + url, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Reply['body'] };
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-children-'));
    const config = loadHubConfig({ KIDTIME_DATA_DIR: dataDir, LOG_LEVEL: 'error', KIDTIME_UI_DIR: dataDir });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    await call('POST', '/api/setup', { username: 'mum', password: 'kitchen-phone-42' });
    token = (await call('POST', '/api/auth/login', { username: 'mum', password: 'kitchen-phone-42' })).body
      .accessToken as string;
    // Two Steam Decks, both with the login "deck".
    for (const hostname of ['deck-a', 'deck-b']) {
      const code = (await call('POST', '/api/enrollments', {})).body.code as string;
      const enrolled = await call('POST', '/api/agents/enroll', { code, hostname, agentVersion: 'test' });
      devices.push(enrolled.body.deviceId as string);
    }
    const users = app.get(ManagedUserRepository);
    await users.ensure(devices[0]!, ['deck', 'guest']);
    await users.ensure(devices[1]!, ['deck']);
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets the same login on two PCs belong to two children', async () => {
    const ada = await call('POST', '/api/children', {
      name: 'Ada',
      members: [{ deviceId: devices[0], login: 'deck' }],
    });
    expect(ada.status).toBe(201);
    const ben = await call('POST', '/api/children', {
      name: 'Ben',
      members: [{ deviceId: devices[1], login: 'deck' }],
    });
    expect(ben.status).toBe(201);
    const list = (await call('GET', '/api/children')).body as unknown as Array<{
      name: string;
      members: Array<{ deviceId: string; deviceName: string }>;
    }>;
    expect(list.map((c) => [c.name, c.members.map((m) => m.deviceName)])).toEqual([
      ['Ada', ['deck-a']],
      ['Ben', ['deck-b']],
    ]);
  });

  it('refuses a login that belongs to another child, unknown logins, duplicates and bad input', async () => {
    const taken = await call('POST', '/api/children', {
      name: 'Cy',
      members: [{ deviceId: devices[0], login: 'deck' }],
    });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toContain('already belongs to Ada');
    const unknown = await call('POST', '/api/children', {
      name: 'Cy',
      members: [{ deviceId: devices[0], login: 'nobody' }],
    });
    expect(unknown.status).toBe(404);
    expect((await call('POST', '/api/children', { name: 'Ada' })).status).toBe(409);
    const twice = await call('POST', '/api/children', {
      name: 'Cy',
      members: [
        { deviceId: devices[0], login: 'guest' },
        { deviceId: devices[0], login: 'guest' },
      ],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.message).toContain('same login twice');
    const bad = await call('POST', '/api/children', {
      name: '',
      members: [{ deviceId: 'x', login: 'Guest; rm' }],
    });
    expect(bad.status).toBe(400);
    expect((await call('GET', '/api/children')).body).toHaveLength(2);
  });

  it('renames, replaces logins, and releases them when the child is removed', async () => {
    const [ada] = (await call('GET', '/api/children')).body as unknown as Array<{ id: string }>;
    const renamed = await call('PATCH', `/api/children/${ada!.id}`, {
      name: 'Ada L.',
      members: [{ deviceId: devices[0], login: 'guest' }],
    });
    expect(renamed.body).toMatchObject({ name: 'Ada L.', members: [{ login: 'guest' }] });
    // "deck" on deck-a is free again and can go to someone else.
    const cy = await call('POST', '/api/children', {
      name: 'Cy',
      members: [{ deviceId: devices[0], login: 'deck' }],
    });
    expect(cy.status).toBe(201);
    expect((await call('DELETE', `/api/children/${ada!.id}`)).status).toBe(204);
    expect((await call('GET', `/api/children/${ada!.id}`)).status).toBe(404);
    const again = await call('POST', '/api/children', {
      name: 'Dee',
      members: [{ deviceId: devices[0], login: 'guest' }],
    });
    expect(again.status).toBe(201);
  });

  it('changes time only on the child’s own logins, one result per login', async () => {
    const children = (await call('GET', '/api/children')).body as unknown as Array<{
      id: string;
      name: string;
    }>;
    const ben = children.find((c) => c.name === 'Ben')!;
    const foreign = await call('POST', `/api/children/${ben.id}/time`, {
      op: 'add',
      seconds: 60,
      members: [{ deviceId: devices[0], login: 'guest' }],
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toContain("not Ben's");
    // No agent is connected in this test: the change is queued for Ben's PC.
    const queued = await call('POST', `/api/children/${ben.id}/time`, { op: 'add', seconds: 60 });
    expect(queued.status).toBe(200);
    expect(queued.body.results).toEqual([
      expect.objectContaining({
        deviceId: devices[1],
        login: 'deck',
        status: 202,
        command: expect.objectContaining({ status: 'queued' }),
      }),
    ]);
    const refused = await call('POST', `/api/children/${ben.id}/time`, {
      op: 'add',
      seconds: 60,
      queue: false,
    });
    expect(refused.body.results).toEqual([
      expect.objectContaining({ status: 409, error: expect.stringContaining('offline') }),
    ]);
  });

  it('creates children sent at the same moment, each with its logins and its audit entry', async () => {
    // SQLite has one connection: without transactions taking turns, the second BEGIN failed with a 500.
    const logins = Array.from({ length: 8 }, (_, i) => `kid${i}`);
    await app.get(ManagedUserRepository).ensure(devices[1]!, logins);
    const created = await Promise.all(
      logins.map((login, i) =>
        call('POST', '/api/children', {
          name: `Twin ${i}`,
          members: [{ deviceId: devices[1], login }],
        }),
      ),
    );
    expect(created.map((reply) => reply.status)).toEqual(logins.map(() => 201));
    const list = (await call('GET', '/api/children')).body as unknown as Array<{
      name: string;
      members: Array<{ login: string }>;
    }>;
    for (const [i, login] of logins.entries()) {
      expect(list.find((child) => child.name === `Twin ${i}`)?.members).toEqual([
        expect.objectContaining({ login }),
      ]);
    }
    const audit = (await call('GET', '/api/audit?action=child.create&limit=100')).body as unknown as Array<{
      details: { name?: string };
    }>;
    expect(audit.filter((entry) => entry.details?.name?.startsWith('Twin ')).length).toBe(logins.length);
  });
});
