/**
 * What a curious child (or a stolen credential) could try against the hub: setup from another machine,
 * password guessing, one device speaking for another, a revoked PC coming back, garbage on the socket.
 */
import { AGENTS_NAMESPACE, type Ack, type DeviceView, type EnrollmentCreated } from '@kidtime/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { ApiClient } from './support/api-client';
import { AgentProcess, HubProcess, nonLoopbackAddress } from './support/hub-process';
import { eventually } from './support/processes';

interface Credential {
  deviceId: string;
  secret: string;
}

describe('hub security against agents and strangers', () => {
  let hub: HubProcess;
  let api: ApiClient;
  const sockets: Socket[] = [];

  const enrollRaw = async (hostname: string): Promise<Credential> => {
    const code = (await api.post<EnrollmentCreated>('/api/enrollments', {})).body.code;
    const response = await new ApiClient(hub.url).post<Credential>('/api/agents/enroll', {
      code,
      hostname,
      agentVersion: 'test',
    });
    expect(response.status).toBe(201);
    return response.body;
  };

  const connect = (auth: unknown): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = io(`${hub.url}${AGENTS_NAMESPACE}`, {
        auth: auth as object,
        transports: ['websocket'],
        reconnection: false,
      });
      sockets.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => reject(error));
    });

  const emit = (socket: Socket, event: string, message: unknown): Promise<Ack> =>
    socket.timeout(5000).emitWithAck(event, message);

  beforeAll(async () => {
    hub = await HubProcess.start();
    api = new ApiClient(hub.url);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await hub?.stop();
  });

  it('refuses first-run setup from any address but the hub machine itself', async () => {
    const remote = new ApiClient(`http://${nonLoopbackAddress()}:${hub.port}`);
    const refused = await remote.post('/api/setup', { username: 'intruder', password: 'let-me-in-please' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('only allowed from the hub machine');
    // A forged forwarding header changes nothing.
    const forged = await fetch(`${remote.baseUrl}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.1' },
      body: JSON.stringify({ username: 'intruder', password: 'let-me-in-please' }),
    });
    expect(forged.status).toBe(403);
    expect((await remote.get('/api/setup')).body).toEqual({ setupNeeded: true, allowedHere: false });
    expect((await api.get('/api/setup')).body).toEqual({ setupNeeded: true, allowedHere: true });

    expect((await api.post('/api/setup', { username: 'mum', password: 'kitchen-phone-42' })).status).toBe(
      201,
    );
    await api.login('mum', 'kitchen-phone-42');
  });

  it('throttles password guessing with 429 and Retry-After', async () => {
    const guesser = new ApiClient(hub.url);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        (await guesser.post('/api/auth/login', { username: 'mum', password: `guess-${i}-xx` })).status,
      );
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const blocked = await guesser.post('/api/auth/login', { username: 'mum', password: 'kitchen-phone-42' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(60);
  });

  it('uses each enrollment code once and refuses made-up codes', async () => {
    const code = (
      await api.post<EnrollmentCreated>('/api/enrollments', { validMinutes: 5, deviceName: 'Study PC' })
    ).body.code;
    const stranger = new ApiClient(hub.url);
    const first = await stranger.post('/api/agents/enroll', {
      code: code.toLowerCase(),
      hostname: 'study',
      agentVersion: 'x',
    });
    expect(first.status).toBe(201);
    const second = await stranger.post('/api/agents/enroll', { code, hostname: 'study', agentVersion: 'x' });
    expect(second.status).toBe(403);
    expect(second.body.message).toContain('already been used');
    const madeUp = await stranger.post('/api/agents/enroll', {
      code: 'AAAA-BBBB-CCCC-DDDD',
      hostname: 'x',
      agentVersion: 'x',
    });
    expect(madeUp.status).toBe(403);
    const devices = (await api.get<DeviceView[]>('/api/devices')).body;
    expect(devices.map((d) => d.name)).toContain('Study PC');
  });

  it('refuses a socket with no, malformed or mismatched credentials', async () => {
    const a = await enrollRaw('pc-a');
    const b = await enrollRaw('pc-b');
    await expect(connect({})).rejects.toThrow('missing or malformed device credentials');
    await expect(connect({ deviceId: a.deviceId, secret: b.secret })).rejects.toThrow('wrong credential');
    await expect(connect({ deviceId: a.deviceId, secret: `${a.secret}x` })).rejects.toThrow(
      'wrong credential',
    );
    const ok = await connect(a);
    expect(ok.connected).toBe(true);
  });

  it('never lets one device answer for another device’s command', async () => {
    const a = await enrollRaw('pc-a2');
    const b = await enrollRaw('pc-b2');
    const socketA = await connect(a);
    const socketB = await connect(b);
    expect(
      await emit(socketB, 'hello', {
        agentVersion: '1',
        hostname: 'pc-b2',
        timekprVersion: '0.5.4',
        timezone: 'UTC',
        users: ['kid'],
      }),
    ).toEqual({ ok: true });

    let commandId = '';
    socketB.on('command', (command: { id: string }, ack: (a: Ack) => void) => {
      commandId = command.id;
      ack({ ok: true });
    });
    const pending = api.post(`/api/devices/${b.deviceId}/users/kid/time`, { op: 'add', seconds: 60 });
    await eventually('the command to reach device B', async () => (commandId ? true : undefined));

    const forged = { id: commandId, status: 'ok', data: { state: null } };
    const refused = await emit(socketA, 'result', forged);
    expect(refused).toEqual({ ok: false, error: `unknown command ${commandId}` });

    const failure = {
      id: commandId,
      status: 'error',
      error: { code: 'user-not-found', message: 'User "kid" configuration is not found' },
    };
    expect(await emit(socketB, 'result', failure)).toEqual({ ok: true });
    const response = await pending;
    expect(response.status).toBe(404);
    expect(response.body.message).toBe('pc-b2: User "kid" configuration is not found');
    expect(response.body.command).toMatchObject({ id: commandId, status: 'failed' });
  });

  it('answers invalid messages with an error and stays up', async () => {
    const socket = await connect(await enrollRaw('pc-c'));
    const bad = await emit(socket, 'hello', { hostname: 42, users: ['ROOT; reboot'] });
    expect(bad.ok).toBe(false);
    expect(bad.ok === false && bad.error).toMatch(/^invalid hello: /);
    expect((await emit(socket, 'state', 'not an object')).ok).toBe(false);
    expect((await emit(socket, 'result', { id: 'x', status: 'maybe' })).ok).toBe(false);
    expect(socket.connected).toBe(true);
    expect((await api.get('/api/health')).status).toBe(200);
  });

  it('disconnects a revoked device and never lets its agent back in', async () => {
    const code = (await api.post<EnrollmentCreated>('/api/enrollments', {})).body.code;
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-agent-'));
    const config = path.join(configDir, 'agent.json');
    await AgentProcess.enroll(hub.url, code, config);
    const { deviceId } = JSON.parse(fs.readFileSync(config, 'utf8')) as { deviceId: string };
    const agent = AgentProcess.start(config);
    try {
      await eventually('the agent to connect', async () =>
        (await api.get<DeviceView>(`/api/devices/${deviceId}`)).body.online ? true : undefined,
      );
      expect((await api.request('DELETE', `/api/devices/${deviceId}`)).status).toBe(204);
      await agent.process.waitForOutput(/Lost the connection to the hub/);
      await agent.process.waitForOutput(/Cannot connect to the hub .*unknown or revoked device/, 15_000);
      expect((await api.get(`/api/devices/${deviceId}`)).status).toBe(404);
      const { secret } = JSON.parse(fs.readFileSync(config, 'utf8')) as { secret: string };
      await expect(connect({ deviceId, secret })).rejects.toThrow('revoked');
    } finally {
      await agent.stop();
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  });
});
