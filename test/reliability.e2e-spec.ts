/**
 * Reliability across real processes: commands that pile up for a stopped agent, a hub killed with commands in
 * flight, an agent killed in the middle of a command, a hub restart, and a gateway fed thousands of malformed
 * messages. Every change is checked against timekpr's own counters: applied exactly once, or not at all.
 */
import {
  AGENTS_NAMESPACE,
  type Ack,
  type AgentEnrollResponse,
  type CommandView,
  type DeviceView,
  type EnrollmentCreated,
  type TimeResponse,
} from '@kidtime/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { ApiClient } from './support/api-client';
import { AgentProcess, type EnrolledAgent, type HubProcess } from './support/hub-process';
import { startHousehold, type Household } from './support/household';
import { eventually, sleep } from './support/processes';
import type { TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid8';
const FINAL = new Set(['applied', 'failed', 'expired']);

describe('reliability', () => {
  let home: Household;
  let lab: TimekprLabHandle;
  let hub: HubProcess;
  let api: ApiClient;
  let pc: EnrolledAgent;
  let deviceId: string;

  const balance = async () => Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE);
  const addTime = (seconds: number, extra: Record<string, unknown> = {}) =>
    api.request<TimeResponse & { message: string }>('POST', `/api/devices/${deviceId}/users/${KID}/time`, {
      op: 'add',
      seconds,
      ...extra,
    });
  const commands = async () =>
    (await api.get<CommandView[]>(`/api/commands?deviceId=${deviceId}&limit=1000`)).body;
  const online = (want: boolean, timeoutMs = 15_000) =>
    eventually(
      `the PC to be ${want ? 'online' : 'offline'}`,
      async () =>
        (await api.get<DeviceView>(`/api/devices/${deviceId}`)).body.online === want ? true : undefined,
      timeoutMs,
    );
  const settled = (ids: readonly string[], timeoutMs = 60_000) =>
    eventually(
      'every command to reach a final state',
      async () => {
        const byId = new Map((await commands()).map((c) => [c.id, c]));
        const all = ids.map((id) => byId.get(id));
        return all.every((c) => c && FINAL.has(c.status)) ? (all as CommandView[]) : undefined;
      },
      timeoutMs,
    );

  beforeAll(async () => {
    home = await startHousehold(KID);
    ({ lab, hub, api, enrolled: pc } = home);
    deviceId = pc.device.id;
  });

  afterAll(() => home?.close());

  it('applies 100 commands queued for a stopped agent exactly once each, or reports them expired', async () => {
    await pc.agent.stop();
    await online(false);
    const before = await balance();
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      // Every tenth may wait only 10 s: those expire before the PC is back and must never apply.
      const response = await addTime(60, i % 10 === 9 ? { validForSeconds: 10 } : {});
      expect(response.status).toBe(202);
      ids.push(response.body.command.id);
    }
    await sleep(11_000);
    pc.agent = AgentProcess.start(pc.configPath);
    const done = await settled(ids, 90_000);
    const count = (status: string) => done.filter((c) => c.status === status).length;
    expect([count('applied'), count('expired'), count('failed')]).toEqual([90, 10, 0]);
    expect(
      done.filter((c) => c.status === 'expired').every((c) => (c.args as { seconds: number }).seconds === 60),
    ).toBe(true);
    expect(await balance()).toBe(before - 90 * 60);
  }, 150_000);

  it('after a kill -9 of the hub with commands in flight, every command ends definite and none is lost or doubled', async () => {
    const before = await balance();
    const answers = Array.from({ length: 10 }, () => addTime(30).catch(() => null));
    await sleep(250);
    await hub.kill();
    const replies = await Promise.all(answers);
    await hub.restart();
    await online(true, 30_000);
    // The commands the hub persisted before it died; acknowledged ones are among them.
    const stored = (await commands()).filter((c) => (c.args as { seconds: number }).seconds === 30);
    const acknowledged = replies.filter((r) => r?.status === 200).map((r) => r!.body.command.id);
    expect(stored.map((c) => c.id)).toEqual(expect.arrayContaining(acknowledged));
    const done = await settled(stored.map((c) => c.id));
    const applied = done.filter((c) => c.status === 'applied').length;
    expect(applied).toBeGreaterThanOrEqual(acknowledged.length);
    expect(await balance()).toBe(before - applied * 30);
  }, 120_000);

  it('knows the outcome of a command whose agent was killed with -9 in the middle of it', async () => {
    const before = await balance();
    const pending = addTime(45);
    const id = await eventually('the command to be sent', async () => {
      const sent = (await commands()).find(
        (c) => c.status === 'sent' && (c.args as { seconds: number }).seconds === 45,
      );
      return sent?.id;
    });
    await pc.agent.kill();
    pc.agent = AgentProcess.start(pc.configPath);
    const [done] = await settled([id]);
    expect(done!.status).toBe('applied');
    await pending;
    expect(await balance()).toBe(before - 45);
  }, 90_000);

  it('is reached again by all its agents within seconds of a hub restart, not all at the same instant', async () => {
    // Four more PCs (the same machine's timekpr), so the restart is met by a household of five agents.
    const others: Array<{ agent: AgentProcess; dir: string }> = [];
    try {
      for (let i = 0; i < 4; i++) {
        const code = (await api.post<EnrollmentCreated>('/api/enrollments', {})).body.code;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-agent-'));
        await AgentProcess.enroll(hub.url, code, path.join(dir, 'agent.json'));
        others.push({ agent: AgentProcess.start(path.join(dir, 'agent.json')), dir });
      }
      const allOnline = (timeoutMs: number) =>
        eventually(
          'all five PCs to be online',
          async () => {
            const devices = (await api.get<DeviceView[]>('/api/devices')).body;
            return devices.filter((d) => d.online).length === 5 ? true : undefined;
          },
          timeoutMs,
        );
      await allOnline(20_000);

      await hub.kill();
      await sleep(2_000);
      const restartedAt = Date.now();
      await hub.restart();
      await allOnline(30_000);
      expect(Date.now() - restartedAt).toBeLessThan(20_000);
      const agents = [pc.agent, ...others.map((o) => o.agent)];
      for (const agent of agents) expect(agent.log).toMatch(/Reconnecting in \d+ s/);
      // When each agent got back in: jittered back-off spreads them out rather than all in one instant.
      const back = agents.map((agent) => {
        const times = [...agent.log.matchAll(/^(\S+) INFO Connected to the hub/gm)].map((m) =>
          Date.parse(m[1]!),
        );
        return Math.min(...times.filter((t) => t >= restartedAt));
      });
      expect(Math.max(...back) - Math.min(...back)).toBeGreaterThan(50);
      expect((await addTime(15)).status).toBe(200);
    } finally {
      for (const { agent, dir } of others) {
        await agent.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 90_000);

  it('survives thousands of malformed agent messages: each refused with a reason, other agents unaffected', async () => {
    const enrollment = await api.post<EnrollmentCreated>('/api/enrollments', {});
    const fuzzDevice = (
      await api.post<AgentEnrollResponse>('/api/agents/enroll', {
        code: enrollment.body.code,
        hostname: 'fuzzer',
        agentVersion: 'fuzz',
      })
    ).body;
    const socket: Socket = io(hub.url + AGENTS_NAMESPACE, {
      auth: { deviceId: fuzzDevice.deviceId, secret: fuzzDevice.secret },
      transports: ['websocket'],
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const random = seeded(20261123);
    const events = ['hello', 'state', 'result', 'usage'] as const;
    let refused = 0;
    try {
      for (let i = 0; i < 3000; i++) {
        const event = events[i % events.length]!;
        let payload = fuzzPayload(random, event);
        // Above the 1 MB message limit the hub closes the connection instead: that is checked below.
        if (JSON.stringify(payload).length > 900_000) payload = 'too big';
        const ack = (await socket.timeout(5_000).emitWithAck(event, payload)) as Ack;
        expect(typeof ack.ok).toBe('boolean');
        if (!ack.ok) {
          refused++;
          expect(ack.error.length).toBeGreaterThan(0);
        }
      }
      expect(socket.connected).toBe(true);
      const closed = new Promise((resolve) => socket.once('disconnect', resolve));
      socket.emit('state', { at: 'x'.repeat(2_000_000) });
      await closed;
    } finally {
      socket.disconnect();
    }
    expect(refused).toBeGreaterThan(2900);
    expect((await api.get<{ status: string }>('/api/health')).body.status).toBe('ok');
    const before = await balance();
    expect((await addTime(20)).status).toBe(200);
    expect(await balance()).toBe(before - 20);
  }, 120_000);
});

/** A small deterministic generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID: Record<string, () => Record<string, unknown>> = {
  hello: () => ({ agentVersion: '1', hostname: 'pc', timekprVersion: null, timezone: 'UTC', users: ['kid'] }),
  state: () => ({ at: new Date().toISOString(), users: [], errors: [] }),
  result: () => ({ id: '3f0c7a52-8f1e-4d7e-9d3a-2b9f0c1e5a11', status: 'ok', data: { state: null } }),
  usage: () => ({
    records: [
      {
        epoch: '3f0c7a52-8f1e-4d7e-9d3a-2b9f0c1e5a11',
        seq: 1,
        login: 'kid',
        day: '2026-11-23',
        timezone: 'UTC',
        spentSeconds: 10,
        playtimeSeconds: null,
        intervals: [],
        ranOutAt: [],
      },
    ],
  }),
};

/** Random JSON, or a valid message with one field replaced by random JSON. */
function fuzzPayload(random: () => number, event: string): unknown {
  if (random() < 0.5) return randomValue(random, 0);
  const message = VALID[event]!();
  const keys = Object.keys(message);
  message[keys[Math.floor(random() * keys.length)]!] = randomValue(random, 0);
  return message;
}

function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 6 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return [0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, 86_401][Math.floor(random() * 7)];
    case 3:
      return ['', 'kid; reboot', '$(id)', '../../etc/passwd', '\u0000\u001b[2J', 'é'.repeat(300)][
        Math.floor(random() * 6)
      ];
    case 4:
      return 'x'.repeat(Math.floor(random() * 100_000));
    case 5:
      return new Date(random() * 4e12).toISOString();
    case 6:
      return Array.from({ length: Math.floor(random() * 5) }, () => randomValue(random, depth + 1));
    case 7:
      return Object.fromEntries(
        ['__proto__', 'constructor', 'users', 'records', 'id', 'status', 'at'].map((key) => [
          key,
          randomValue(random, depth + 1),
        ]),
      );
    default: {
      // Deep nesting.
      let value: unknown = 'deep';
      for (let i = 0; i < 200; i++) value = { a: value };
      return value;
    }
  }
}
