import { parseUserinfo, type Ack, type TimekprClient } from '@kidtime/protocol';
import { Agent } from './agent';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from './logger';
import { AgentStateStore } from './state-store';
import type { AgentTransport, OutboundEvent, TransportEvents } from './transport/transport';

const COMMAND_ID = '3f0c7a52-8f1e-4d7e-9d3a-2b9f0c1e5a11';
const command = {
  id: COMMAND_ID,
  expiresAt: '2030-01-01T00:00:00.000Z',
  op: 'adjustTime',
  args: { login: 'kid', mode: 'add', seconds: 60 },
};
const kidState = {
  ...parseUserinfo(
    fs.readFileSync(
      path.join(__dirname, '../../protocol/src/timekpr/__fixtures__/userinfo-active.txt'),
      'utf8',
    ),
    'kidtest1',
  ),
  login: 'kid',
};

class FakeTransport implements AgentTransport {
  readonly kind = 'ws';
  connected = false;
  sent: Array<{ event: OutboundEvent; message: unknown }> = [];
  events!: TransportEvents;
  refuse: string | null = null;

  start(events: TransportEvents): void {
    this.events = events;
  }
  async stop(): Promise<void> {}
  async send(event: OutboundEvent, message: unknown): Promise<Ack> {
    if (!this.connected) return { ok: false, error: 'not connected' };
    this.sent.push({ event, message });
    return this.refuse ? { ok: false, error: this.refuse } : { ok: true };
  }
  connect(): void {
    this.connected = true;
    this.events.connected();
  }
  of(event: OutboundEvent) {
    return this.sent.filter((s) => s.event === event).map((s) => s.message as Record<string, unknown>);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('Agent', () => {
  let transport: FakeTransport;
  let apply: jest.Mock;
  let readAll: jest.Mock;
  let wasApplied: jest.Mock;
  let agent: Agent;
  let dir: string;
  let store: AgentStateStore;
  const logger = createLogger('error', () => undefined);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-agent-spec-'));
    store = new AgentStateStore(path.join(dir, 'agent-state.json'), logger);
    transport = new FakeTransport();
    apply = jest.fn().mockResolvedValue({ state: kidState, warning: null });
    wasApplied = jest.fn();
    readAll = jest.fn().mockResolvedValue({ users: [kidState], errors: [] });
    const timekpr = {
      listLogins: jest.fn().mockResolvedValue(['kid']),
      ignoredLogins: [],
      readAll,
      apply,
      wasApplied,
    } as unknown as TimekprClient;
    agent = new Agent({
      transport,
      timekpr,
      store,
      logger,
      stateIntervalMs: 60_000,
      hostname: 'kids-pc',
      timekprVersion: () => '0.5.4',
    });
    agent.start();
  });
  afterEach(async () => {
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('announces itself and reports state on every (re)connect', async () => {
    transport.connect();
    await settle();
    expect(transport.sent.map((s) => s.event)).toEqual(['hello', 'state', 'usage']);
    expect(transport.of('hello')[0]).toMatchObject({
      hostname: 'kids-pc',
      timekprVersion: '0.5.4',
      users: ['kid'],
    });
    transport.connect();
    await settle();
    expect(transport.of('hello')).toHaveLength(2);
  });

  it('books usage while the hub is away and sends it when it is back; keeps it through a hub error', async () => {
    await (agent as unknown as { reportState(): Promise<void> }).reportState();
    expect(store.usage?.days).toHaveLength(1);
    transport.refuse = 'hub error while handling the message';
    transport.connect();
    await settle();
    expect(transport.of('usage').length).toBeGreaterThan(0);
    transport.refuse = null;
    transport.sent = [];
    transport.connect();
    await settle();
    const [usage] = transport.of('usage') as Array<{ records: Array<Record<string, unknown>> }>;
    expect(usage!.records).toEqual([
      expect.objectContaining({
        login: 'kid',
        spentSeconds: kidState.timeSpentToday,
        day: expect.any(String),
      }),
    ]);
    transport.sent = [];
    transport.connect();
    await settle();
    // Acknowledged: only a new picture of the day (the live reading on connect) goes out again.
    expect(transport.of('usage').flatMap((u) => u.records as unknown[])).toHaveLength(1);
  });

  it('applies a command and sends its result with the fresh state, and nothing else but its usage', async () => {
    transport.connect();
    await settle();
    transport.sent = [];
    expect(await transport.events.command(command)).toEqual({ ok: true });
    await settle();
    expect(apply).toHaveBeenCalledWith(
      expect.objectContaining({ id: COMMAND_ID, op: 'adjustTime' }),
      expect.any(Function),
    );
    expect(transport.sent.map((s) => s.event)).toEqual(['result', 'usage']);
    expect(transport.of('result')[0]).toEqual({ id: COMMAND_ID, status: 'ok', data: { state: kidState } });
    // The result carries the changed user's state: no separate report, no second round of timekpra reads.
    expect(readAll).toHaveBeenCalledTimes(1);
  });

  it('passes on a warning about a change it could not confirm exactly', async () => {
    apply.mockResolvedValue({ state: kidState, warning: 'time was also changed on the PC' });
    transport.connect();
    await transport.events.command(command);
    await settle();
    expect(transport.of('result')[0]).toEqual({
      id: COMMAND_ID,
      status: 'ok',
      data: { state: kidState, warning: 'time was also changed on the PC' },
    });
  });

  it('applies a command delivered twice only once, and repeats its result', async () => {
    transport.connect();
    await transport.events.command(command);
    await settle();
    await transport.events.command(command);
    await settle();
    expect(apply).toHaveBeenCalledTimes(1);
    expect(transport.of('result')).toHaveLength(2);
  });

  it('turns a timekpr failure into an error result with its code', async () => {
    const { TimekprError } = await import('@kidtime/protocol');
    apply.mockRejectedValue(
      new TimekprError('daemon-unreachable', 'FAILED to obtain connection to timekpr.'),
    );
    transport.connect();
    await transport.events.command(command);
    await settle();
    expect(transport.of('result')[0]).toEqual({
      id: COMMAND_ID,
      status: 'error',
      error: { code: 'daemon-unreachable', message: 'FAILED to obtain connection to timekpr.' },
    });
  });

  it.each([
    [{ ...command, op: 'runShell', args: { cmd: 'id' } }],
    [{ ...command, args: { login: 'kid; reboot', mode: 'add', seconds: 60 } }],
    [{ ...command, args: { login: 'kid', mode: 'add', seconds: 1e9 } }],
    [null],
    ['adjustTime'],
  ])('refuses an invalid command without running anything: %j', async (bad) => {
    transport.connect();
    const ack = await transport.events.command(bad);
    await settle();
    expect(ack.ok).toBe(false);
    expect(apply).not.toHaveBeenCalled();
  });

  it('keeps a result it could not deliver and sends it after reconnecting', async () => {
    await transport.events.command(command); // not connected yet
    await settle();
    expect(transport.of('result')).toHaveLength(0);
    transport.connect();
    await settle();
    expect(transport.of('result')).toEqual([expect.objectContaining({ id: COMMAND_ID, status: 'ok' })]);
  });

  it('remembers applied commands across a restart, so a redelivered command is never applied again', async () => {
    transport.connect();
    await transport.events.command(command);
    await settle();
    await agent.stop();

    const reloaded = new AgentStateStore(path.join(dir, 'agent-state.json'), logger);
    reloaded.load();
    const second = new FakeTransport();
    const again = new Agent({
      transport: second,
      timekpr: {
        apply,
        readAll,
        listLogins: jest.fn().mockResolvedValue([]),
      } as unknown as TimekprClient,
      store: reloaded,
      logger,
      stateIntervalMs: 60_000,
      timekprVersion: () => null,
    });
    again.start();
    second.connect();
    await second.events.command(command);
    await settle();
    expect(apply).toHaveBeenCalledTimes(1);
    expect(second.of('result')).toEqual([{ id: COMMAND_ID, status: 'ok', data: { state: null } }]);
    await again.stop();
  });

  it('reports a command that expired before it was applied, without applying it', async () => {
    transport.connect();
    await transport.events.command({ ...command, replayOnly: true });
    await settle();
    expect(apply).not.toHaveBeenCalled();
    expect(transport.of('result')[0]).toMatchObject({
      id: COMMAND_ID,
      status: 'error',
      error: { code: 'expired' },
    });
  });

  it('after a crash mid-change, asks timekpr whether it took effect instead of applying it twice', async () => {
    store.begin({ id: COMMAND_ID, login: 'kid', beforeBalance: 1000, expectedBalance: 940, startedAt: 0 });
    wasApplied.mockResolvedValue({ applied: true, state: kidState });
    transport.connect();
    await transport.events.command(command);
    await settle();
    expect(apply).not.toHaveBeenCalled();
    expect(transport.of('result')[0]).toMatchObject({
      status: 'ok',
      data: { warning: expect.stringContaining('restarted') },
    });
    expect(store.inProgress).toBeNull();

    wasApplied.mockResolvedValue({ applied: false, state: kidState });
    const other = { ...command, id: '7d5c2a52-8f1e-4d7e-9d3a-2b9f0c1e5a22' };
    store.begin({ id: other.id, login: 'kid', beforeBalance: 1000, expectedBalance: 940, startedAt: 0 });
    await transport.events.command(other);
    await settle();
    expect(apply).toHaveBeenCalledTimes(1);
  });
});
