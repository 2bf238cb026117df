/**
 * Another program (often a Mosquitto already on the machine) holds the embedded broker's port: the hub still
 * starts and serves the web app and socket.io agents, and refuses MQTT enrolments with a reason.
 */
import type { INestApplication } from '@nestjs/common';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHubApp } from '../app.factory';
import { loadHubConfig } from '../config/hub-config';
import { loadOrCreateSecrets } from '../config/secrets';

describe('embedded MQTT broker whose port is taken (medium)', () => {
  let app: INestApplication;
  let dataDir: string;
  let base: string;
  const squatter = net.createServer();

  const call = async (method: string, url: string, body?: unknown, token?: string) => {
    const response = await fetch(base + url, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-medium-'));
    const config = loadHubConfig({
      KIDTIME_DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      KIDTIME_UI_DIR: dataDir,
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: String(taken),
    });
    app = await createHubApp(config, loadOrCreateSecrets(config));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    squatter.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts anyway, and an agent asking for MQTT is told why it cannot have it', async () => {
    expect((await call('GET', '/api/health')).status).toBe(200);
    await call('POST', '/api/setup', { username: 'mum', password: 'kitchen-phone-42' });
    const token = (await call('POST', '/api/auth/login', { username: 'mum', password: 'kitchen-phone-42' }))
      .body.accessToken as string;
    const code = (await call('POST', '/api/enrollments', {}, token)).body.code as string;
    const overMqtt = await call('POST', '/api/agents/enroll', {
      code,
      hostname: 'study-pc',
      agentVersion: '0.1.0',
      transport: 'mqtt',
    });
    expect(overMqtt.status).toBe(409);
    expect(overMqtt.body.message).toContain('MQTT is off on this hub');
    // The code was not used up: the same PC can enroll over socket.io with it.
    const overWs = await call('POST', '/api/agents/enroll', {
      code,
      hostname: 'study-pc',
      agentVersion: '0.1.0',
    });
    expect(overWs.status).toBe(201);
  });
});
