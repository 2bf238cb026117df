/**
 * Home Assistant's login at the embedded broker through the real HTTP stack on SQLite, with real mqtt.js
 * clients (MQTT 3.1.1) against the hub's broker on a free loopback port: who may make it, that its password
 * is shown once and kept only as a hash, and that replacing or removing it shuts Home Assistant out at once.
 */
import type { AuditEntryView, HaLoginCreated, HomeAssistantStatus } from '@kidtime/protocol';
import { createBroker } from 'aedes';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createHubApp } from '../app.factory';
import { loadHubConfig } from '../config/hub-config';
import { loadOrCreateSecrets } from '../config/secrets';

interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T & { message?: string };
}

const OWNER = { username: 'mum', password: 'kitchen-phone-42' };
const PARENT = { username: 'dad', password: 'garden-shed-77', role: 'parent' };
const VIEWER = { username: 'grandpa', password: 'rocking-chair-77', role: 'viewer' };

/** A hub on SQLite in its own data directory, listening on loopback; `env` adds to the defaults. */
async function startHub(env: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-ha-login-'));
  const config = loadHubConfig({
    KIDTIME_DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    KIDTIME_UI_DIR: dataDir,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    ...env,
  });
  const app = await createHubApp(config, loadOrCreateSecrets(config));
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as net.AddressInfo).port}`;
  const call = async <T = Record<string, unknown>>(
    method: string,
    url: string,
    token?: string,
    body?: unknown,
  ): Promise<Reply<T>> => {
    const response = await fetch(base + url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Reply<T>['body'] };
  };
  const signIn = async (who: { username: string; password: string }) =>
    (await call('POST', '/api/auth/login', undefined, { username: who.username, password: who.password }))
      .body.accessToken as string;
  await call('POST', '/api/setup', undefined, OWNER);
  const owner = await signIn(OWNER);
  const close = async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { app, dataDir, call, signIn, owner, close };
}

/** Connects with MQTT 3.1.1 and no reconnection; rejects with the broker's refusal (its CONNACK code in `code`). */
function mqttConnect(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = connect(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...options,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
    client.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
}

/** The CONNACK return code of a refused login (4 bad username or password, 5 not authorized). */
async function refusal(url: string, options: IClientOptions): Promise<number | string> {
  try {
    const client = await mqttConnect(url, options);
    await client.endAsync(true);
    return 'accepted';
  } catch (error) {
    return (error as { code?: number }).code ?? String(error);
  }
}

/** The granted QoS, 128 for a refused filter (mqtt.js turns that SUBACK into an error). */
async function subscribe(client: MqttClient, filter: string): Promise<number> {
  try {
    return (await client.subscribeAsync(filter, { qos: 1 }))[0]!.qos;
  } catch (error) {
    if (/Subscribe error/.test((error as Error).message)) return 128;
    throw error;
  }
}

const closed = (client: MqttClient, ms = 5_000) =>
  new Promise<void>((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`the connection was not dropped within ${ms} ms`)), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe("Home Assistant's MQTT login (medium)", () => {
  let hub: Awaited<ReturnType<typeof startHub>>;
  let parent: string;
  let viewer: string;
  let brokerUrl: string;
  const clients: MqttClient[] = [];
  const ha = (password: string, clientId = `ha-${randomUUID().slice(0, 8)}`) =>
    mqttConnect(brokerUrl, { username: 'homeassistant', password, clientId }).then((client) => {
      clients.push(client);
      return client;
    });

  beforeAll(async () => {
    hub = await startHub();
    for (const account of [PARENT, VIEWER]) {
      expect((await hub.call('POST', '/api/accounts', hub.owner, account)).status).toBe(201);
    }
    parent = await hub.signIn(PARENT);
    viewer = await hub.signIn(VIEWER);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    await hub?.close();
  });

  it('tells every signed-in role how Home Assistant connects, before any login exists', async () => {
    for (const token of [hub.owner, parent, viewer]) {
      const status = await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', token);
      expect(status.status).toBe(200);
      expect(status.body).toEqual({
        mqtt: 'embedded',
        loginUnavailable: null,
        discovery: true,
        discoveryPrefix: 'homeassistant',
        baseTopic: 'kidtime',
        broker: { url: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/) as string },
        login: null,
      });
      brokerUrl = status.body.broker!.url;
    }
    expect((await hub.call('GET', '/api/home-assistant')).status).toBe(401);
  });

  it('lets only the owner create or remove it', async () => {
    for (const token of [parent, viewer]) {
      expect((await hub.call('POST', '/api/home-assistant/login', token)).status).toBe(403);
      expect((await hub.call('DELETE', '/api/home-assistant/login', token)).status).toBe(403);
    }
    expect((await hub.call('DELETE', '/api/home-assistant/login', hub.owner)).status).toBe(404);
    const unknownOption = await hub.call('POST', '/api/home-assistant/login', hub.owner, { username: 'x' });
    expect(unknownOption.status).toBe(400);
    expect(
      (await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', hub.owner)).body.login,
    ).toBeNull();
  });

  let password = '';

  it('shows the password once, and keeps only its hash', async () => {
    const created = await hub.call<HaLoginCreated>('POST', '/api/home-assistant/login', hub.owner);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      username: 'homeassistant',
      password: expect.any(String),
      broker: { url: brokerUrl },
    });
    password = created.body.password;
    expect(password.length).toBeGreaterThanOrEqual(32);

    for (const token of [hub.owner, viewer]) {
      const status = await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', token);
      expect(status.body.login).toEqual({
        username: 'homeassistant',
        createdAt: expect.any(String),
        lastLoginAt: null,
      });
      expect(JSON.stringify(status.body)).not.toContain(password);
    }

    const rows = await hub.app
      .get(DataSource)
      .query<Array<Record<string, unknown>>>('SELECT * FROM mqtt_login');
    expect(rows).toEqual([
      expect.objectContaining({ username: 'homeassistant', secretHash: sha256(password), lastLoginAt: null }),
    ]);
    const me = (await hub.call('GET', '/api/auth/me', hub.owner)).body;
    expect(rows[0]!.createdBy).toBe(me.id);
    // Nowhere in the database, audit log included, nor in what SQLite has not yet folded into the file.
    for (const file of ['kidtime.sqlite', 'kidtime.sqlite-wal']) {
      const bytes = path.join(hub.dataDir, file);
      if (fs.existsSync(bytes)) expect(fs.readFileSync(bytes).includes(password)).toBe(false);
    }
    const audit = await hub.call<AuditEntryView[]>('GET', '/api/audit?action=home-assistant', hub.owner);
    expect(audit.body.map((entry) => [entry.action, entry.actor.name, entry.result])).toEqual([
      ['home-assistant.login.create', 'mum', 'ok'],
    ]);
  });

  let first: MqttClient;

  it("lets Home Assistant log in with it and gives it Home Assistant's rights", async () => {
    first = await ha(password);
    expect(await subscribe(first, 'homeassistant/#')).toBe(1);
    expect(await subscribe(first, 'kidtime/hub/status')).toBe(1);
    expect(await subscribe(first, 'kidtime/agent/+/state')).toBe(128);
    expect(await subscribe(first, '#')).toBe(128);
    const status = await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', viewer);
    expect(Date.parse(status.body.login!.lastLoginAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a wrong password, and client ids that would take over the hub or a PC', async () => {
    const as = (pass: string, clientId: string) =>
      refusal(brokerUrl, { username: 'homeassistant', password: pass, clientId });
    expect(await as('not-the-password', 'ha-client')).toBe(4);
    expect(await as(`${password}x`, 'ha-client')).toBe(4);
    expect(await as(password, 'kidtime-hub')).toBe(5);
    expect(await as(password, 'kidtime-hub-tool')).toBe(5);
    expect(await as(password, randomUUID())).toBe(5);
    expect(first.connected).toBe(true);
  });

  let second: MqttClient;

  it('replaces it: the old password is refused and its connection dropped, the new one works', async () => {
    const dropped = closed(first);
    const replaced = await hub.call<HaLoginCreated>('POST', '/api/home-assistant/login', hub.owner, {});
    expect(replaced.status).toBe(201);
    expect(replaced.body.password).not.toBe(password);
    await dropped;
    expect(await refusal(brokerUrl, { username: 'homeassistant', password, clientId: 'ha-old' })).toBe(4);
    const status = await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', hub.owner);
    expect(status.body.login?.lastLoginAt).toBeNull();

    password = replaced.body.password;
    second = await ha(password);
    expect(await subscribe(second, 'homeassistant/#')).toBe(1);
    const audit = await hub.call<AuditEntryView[]>('GET', '/api/audit?action=home-assistant', hub.owner);
    expect(audit.body.map((entry) => entry.action)).toEqual([
      'home-assistant.login.replace',
      'home-assistant.login.create',
    ]);
  });

  it('removes it: the connection is dropped and the password refused', async () => {
    const dropped = closed(second);
    expect((await hub.call('DELETE', '/api/home-assistant/login', hub.owner)).status).toBe(204);
    await dropped;
    expect(await refusal(brokerUrl, { username: 'homeassistant', password, clientId: 'ha-again' })).toBe(4);
    expect((await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', viewer)).body.login).toBeNull();
    expect((await hub.call('DELETE', '/api/home-assistant/login', hub.owner)).status).toBe(404);
    const audit = await hub.call<AuditEntryView[]>('GET', '/api/audit?action=home-assistant', hub.owner);
    expect(audit.body[0]).toMatchObject({ action: 'home-assistant.login.remove', details: { dropped: 1 } });
  });
});

describe("Home Assistant's MQTT login without the embedded broker (medium)", () => {
  it('is refused with an external broker, and says to make it there', async () => {
    // A bare broker standing in for Home Assistant's Mosquitto.
    const broker = createBroker();
    const server = net.createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const hub = await startHub({
      MQTT_URL: `mqtt://127.0.0.1:${port}`,
      MQTT_USERNAME: 'kidtime-hub',
      MQTT_PASSWORD: 'x',
    });
    try {
      const refused = await hub.call('POST', '/api/home-assistant/login', hub.owner);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain("create Home Assistant's login at that broker");
      expect(refused.body.message).toContain("the README's ACL");
      const status = await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', hub.owner);
      expect(status.body).toMatchObject({
        mqtt: 'external',
        loginUnavailable: refused.body.message,
        discovery: true,
        broker: { url: `mqtt://127.0.0.1:${port}` },
        login: null,
      });
    } finally {
      await hub.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      server.close();
    }
  });

  it('is refused with MQTT switched off, and says how to switch it on', async () => {
    const hub = await startHub({ MQTT_EMBEDDED: 'false' });
    try {
      const refused = await hub.call('POST', '/api/home-assistant/login', hub.owner);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('MQTT is switched off');
      expect(refused.body.message).toContain('MQTT_EMBEDDED=false');
      const status = await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', hub.owner);
      expect(status.body).toEqual({
        mqtt: 'off',
        loginUnavailable: refused.body.message,
        discovery: false,
        discoveryPrefix: null,
        baseTopic: null,
        broker: null,
        login: null,
      });
    } finally {
      await hub.close();
    }
  });

  it("is refused when the embedded broker's port was taken, with the reason", async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    const hub = await startHub({ MQTT_PORT: String(taken) });
    try {
      const refused = await hub.call('POST', '/api/home-assistant/login', hub.owner);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain(`port ${taken} is in use by another program`);
      const status = await hub.call<HomeAssistantStatus>('GET', '/api/home-assistant', hub.owner);
      expect(status.body).toMatchObject({ mqtt: 'off', discovery: false, broker: null, login: null });
    } finally {
      await hub.close();
      squatter.close();
    }
  });
});
