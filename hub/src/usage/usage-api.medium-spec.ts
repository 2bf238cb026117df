/**
 * Usage records on SQLite: ingest as an agent's `usage` event would (through UsageService), read through
 * the real HTTP stack.
 */
import type { INestApplication } from '@nestjs/common';
import type { UsageDayView, UsageRecord } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHubApp } from '../app.factory';
import { loadHubConfig } from '../config/hub-config';
import { loadOrCreateSecrets } from '../config/secrets';
import { ManagedUserRepository } from '../devices/managed-user.repository';
import { UsageService } from './usage.service';

describe('usage records (medium)', () => {
  let app: INestApplication;
  let dataDir: string;
  let base: string;
  let token: string;
  let usage: UsageService;
  const devices: string[] = [];
  const epoch = randomUUID();
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);

  const record = (overrides: Partial<UsageRecord>): UsageRecord => ({
    epoch,
    seq: 1,
    login: 'deck',
    day: today,
    timezone: 'Europe/Paris',
    spentSeconds: 600,
    playtimeSeconds: null,
    intervals: [{ start: '2026-11-23T15:00:00.000Z', end: '2026-11-23T15:10:00.000Z' }],
    ranOutAt: [],
    ...overrides,
  });

  const get = async (url: string) => {
    const response = await fetch(base + url, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: response.status,
      text: await response.text(),
      type: response.headers.get('content-type'),
    };
  };
  const days = async (url: string) => JSON.parse((await get(url)).text) as UsageDayView[];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-usage-'));
    const config = loadHubConfig({ KIDTIME_DATA_DIR: dataDir, LOG_LEVEL: 'error', KIDTIME_UI_DIR: dataDir });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const post = async (url: string, body: unknown) =>
      (await (
        await fetch(base + url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, unknown>;
    await post('/api/setup', { username: 'mum', password: 'kitchen-phone-42' });
    token = (await post('/api/auth/login', { username: 'mum', password: 'kitchen-phone-42' }))
      .accessToken as string;
    for (const hostname of ['deck-a', 'deck-b']) {
      const code = (await post('/api/enrollments', {})).code as string;
      devices.push(
        (await post('/api/agents/enroll', { code, hostname, agentVersion: 'test' })).deviceId as string,
      );
    }
    await app.get(ManagedUserRepository).ensure(devices[0]!, ['deck']);
    await app.get(ManagedUserRepository).ensure(devices[1]!, ['deck']);
    await post('/api/children', { name: 'Ada', members: [{ deviceId: devices[0], login: 'deck' }] });
    usage = app.get(UsageService);
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a day once however often it is delivered, and never lets an older picture win', async () => {
    const first = record({ seq: 5, spentSeconds: 600 });
    expect(await usage.ingest(devices[0]!, { records: [first] })).toBeNull();
    expect(await usage.ingest(devices[0]!, { records: [first] })).toBeNull();
    expect(await usage.ingest(devices[0]!, { records: [record({ seq: 3, spentSeconds: 100 })] })).toBeNull();
    const stored = await days(`/api/usage?deviceId=${devices[0]}&login=deck`);
    expect(stored.map((d) => [d.day, d.spentSeconds, d.childName, d.deviceName])).toEqual([
      [today, 600, 'Ada', 'deck-a'],
    ]);
    await usage.ingest(devices[0]!, { records: [record({ seq: 6, spentSeconds: 900 })] });
    expect((await days(`/api/usage?deviceId=${devices[0]}`))[0]!.spentSeconds).toBe(900);
    // A reinstalled agent starts a new epoch at seq 1: its report is newer, not older.
    await usage.ingest(devices[0]!, {
      records: [record({ epoch: randomUUID(), seq: 1, spentSeconds: 960 })],
    });
    expect((await days(`/api/usage?deviceId=${devices[0]}`))[0]!.spentSeconds).toBe(960);
  });

  it('refuses records for logins the PC never reported or days far from today, keeping the rest', async () => {
    const reason = await usage.ingest(devices[1]!, {
      records: [
        record({ seq: 1, day: yesterday, spentSeconds: 1200 }),
        record({ seq: 2, login: 'intruder' }),
        record({ seq: 3, day: '2001-01-01' }),
      ],
    });
    expect(reason).toContain('intruder');
    expect(reason).toContain('2001-01-01: day too far from today');
    expect((await days(`/api/usage?deviceId=${devices[1]}`)).map((d) => [d.login, d.day])).toEqual([
      ['deck', yesterday],
    ]);
  });

  it("lists a child's days only, a date range, and CSV", async () => {
    const ada = (await days('/api/usage')).filter((d) => d.childName === 'Ada');
    const childId = ada[0]!.childId!;
    expect((await days(`/api/usage?childId=${childId}`)).map((d) => d.deviceName)).toEqual(['deck-a']);
    expect(await days(`/api/usage?from=${today}&to=${today}&deviceId=${devices[1]}`)).toEqual([]);
    const csv = await get(`/api/usage?format=csv&childId=${childId}`);
    expect(csv.type).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe(
      'day,child,device,login,spent_seconds,playtime_seconds,active_intervals,ran_out_at,timezone',
    );
    expect(csv.text).toContain(
      `${today},Ada,deck-a,deck,960,,2026-11-23T15:00:00.000Z/2026-11-23T15:10:00.000Z,,Europe/Paris`,
    );
  });

  it('answers 400 naming the parameter for bad queries', async () => {
    for (const [query, reason] of [
      ['from=yesterday', 'from'],
      ['login=deck', 'login needs deviceId'],
      ['from=2026-02-01&to=2026-01-01', 'from must not be after to'],
      ['from=2024-01-01&to=2026-01-01', 'at most 366 days'],
      ['childId=not-a-uuid', 'childId'],
      ['format=xml', 'format'],
    ]) {
      const response = await get(`/api/usage?${query}`);
      expect([query, response.status]).toEqual([query, 400]);
      expect(response.text).toContain(reason);
    }
  });
});
