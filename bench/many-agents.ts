/**
 * Many agents on one hub: how many simulated agents one hub process holds with heartbeats and periodic
 * state reports, what holding them costs it (RSS, CPU), how long they take to connect, and how long one
 * time change fanned out to many of them at once takes until every HTTP request is answered 200 with the
 * agent's result.
 *
 *   node bench/run.mjs many-agents [--levels 1000,2500,5000] [--idle 30] [--fanout 1000]
 *                                  [--fanout-concurrency 1000,50] [--json FILE] …   (after `npm run build`)
 *
 * Starts the built hub on 127.0.0.1 with a temporary data directory and enrolls the devices through the
 * API (a one-time code each, exchanged at /api/agents/enroll as the real agent does). The simulated agents
 * run in --workers separate node processes: each agent is its own socket.io connection speaking the agent
 * protocol (hello and a state report on connect, a state report every --state-interval, and for a command:
 * ack, --apply-ms of pretend timekpr work, result, state report), without timekpr. With --children, a child
 * owning the PC's first login is added for each PC, as a parent would. The hub's own event loop is watched
 * by bench/lib/event-loop-probe.mjs, preloaded into it. Everything is stopped at the end, on errors and on
 * Ctrl-C. Needs no root. See docs/benchmarks.md ("Many agents on one hub", "Home Assistant bridge cost").
 */
import {
  checkInterrupted,
  onCleanup,
  runBenchmark,
  sleepInterruptibly,
  stats,
  UsageError,
  withTimeout,
  type Stats,
  wholeNumber,
} from './lib/harness';
import {
  AGENTS_NAMESPACE,
  parseUserinfo,
  type Ack,
  type AckCallback,
  type AgentEnrollResponse,
  type AgentToHubEvents,
  type ChildView,
  type CommandMessage,
  type EnrollmentCreated,
  type HubToAgentEvents,
  type ManagedUserState,
  type TimeResponse,
} from '@kidtime/protocol';
import { execFile, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { ApiClient } from '../test/support/api-client';
import { HubProcess, ROOT } from '../test/support/hub-process';
import { sleep } from '../test/support/processes';

/**
 * The agents gateway's socket.io ping interval (hub/src/agents/agents.gateway.ts), for when no handshake was
 * seen; otherwise the interval the hub announced applies (an idle window longer than it pings every agent).
 */
const HUB_PING_INTERVAL_MS = 10_000;
/** socket.io connect timeout and the agent's own send timeout (agent/src/transport/socketio-transport.ts). */
const CONNECT_TIMEOUT_MS = 20_000;
const SEND_TIMEOUT_MS = 10_000;
/** Bounds on whole phases, so a stuck hub fails the run instead of hanging it. */
const ENROLL_REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_STEP_TIMEOUT_MS = 240_000;
const FANOUT_REQUEST_TIMEOUT_MS = 60_000;
const WORKER_REPLY_TIMEOUT_MS = 30_000;
/** Pause after a connect step before the idle window, so the last hellos and state reports are stored. */
const SETTLE_MS = 3_000;
const RELOGIN_AFTER_MS = 10 * 60_000; // access tokens live 15 min
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux
const LOOP_SNAPSHOT_TIMEOUT_MS = 15_000;
const FIXTURES = path.join(ROOT, 'protocol/src/timekpr/__fixtures__');
const LOOP_PROBE = path.join(ROOT, 'bench/lib/event-loop-probe.mjs');
const USERINFO_FIXTURES = ['idle', 'configured', 'active'] as const;
const AGENT_VERSION = '0.1.0-sim';

// ---------------------------------------------------------------------------------------------
// options

interface Options {
  levels: number[];
  idleSeconds: number;
  fanout: number;
  fanoutConcurrency: number[];
  connectConcurrency: number;
  enrollConcurrency: number;
  workers: number;
  stateIntervalSeconds: number;
  applyMs: number;
  users: number;
  userinfo: (typeof USERINFO_FIXTURES)[number];
  children: number;
  /** HA_DISCOVERY for the hub; null leaves the hub's default (on). */
  haDiscovery: boolean | null;
  json: string | null;
  hubNodeOptions: string | null;
}

const USAGE = `usage: node bench/run.mjs many-agents [options]
  --levels LIST              connected agents at which to measure, ascending (default 1000,2500,5000; each 1-20000)
  --idle S                   seconds each level is held idle while RSS and CPU are measured (default 30, 5-600)
  --fanout N                 agents one time change is fanned out to at each level (default 1000, 0-20000;
                             capped at the level; 0 = none)
  --fanout-concurrency LIST  HTTP requests in flight during a fan-out, one fan-out per entry (default 1000,50:
                             all at once on 1000 connections, then 50 keep-alive connections)
  --connect-concurrency N    agents connecting at the same time (default 100, 1-20000)
  --enroll-concurrency N     enrollments in flight (default 16, 1-25: the hub counts in-flight enrollments
                             from one address against its limit of 30)
  --workers N                node processes running the simulated agents (default 2, 1-16)
  --state-interval S         each agent's periodic state report, seconds (default 45 as the real agent, 5-3600)
  --apply-ms MS              pretend timekpr time per command in the agent (default 150: the real agent's p50
                             "apply" in the add-time benchmark; 0-10000)
  --users N                  timekpr users per simulated PC (default 1, 1-20)
  --userinfo NAME            the users' state: protocol/src/timekpr/__fixtures__/userinfo-NAME.txt, one of
                             idle (default: timekpr's defaults, all hours allowed), configured, active
  --children N               add a child for each of the first N PCs (default 0, 0-20000), owning its first
                             login, through POST /api/children once the PC has reported it
  --ha-discovery true|false  HA_DISCOVERY for the hub (default: not set, the hub's default, which is on)
  --json FILE                also write the results as JSON
  --hub-node-options=OPTS    NODE_OPTIONS for the hub process, e.g. --hub-node-options="--require ./profile.js"`;

function intList(flag: string, value: string, min: number, max: number): number[] {
  const list = value.split(',').map((item) => wholeNumber(flag, item.trim(), min, max));
  if (list.length === 0 || list.length > 10) throw new UsageError(`${flag} needs 1-10 numbers`);
  return list;
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        levels: { type: 'string', default: '1000,2500,5000' },
        idle: { type: 'string', default: '30' },
        fanout: { type: 'string', default: '1000' },
        'fanout-concurrency': { type: 'string', default: '1000,50' },
        'connect-concurrency': { type: 'string', default: '100' },
        'enroll-concurrency': { type: 'string', default: '16' },
        workers: { type: 'string', default: '2' },
        'state-interval': { type: 'string', default: '45' },
        'apply-ms': { type: 'string', default: '150' },
        users: { type: 'string', default: '1' },
        userinfo: { type: 'string', default: 'idle' },
        children: { type: 'string', default: '0' },
        'ha-discovery': { type: 'string' },
        json: { type: 'string' },
        'hub-node-options': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.help) throw new UsageError('');
  const levels = intList('--levels', parsed.levels, 1, 20_000);
  if (levels.some((level, i) => i > 0 && level <= levels[i - 1]!))
    throw new UsageError('--levels must be ascending');
  const userinfo = USERINFO_FIXTURES.find((name) => name === parsed.userinfo);
  if (!userinfo) throw new UsageError(`--userinfo must be one of ${USERINFO_FIXTURES.join(', ')}`);
  const haDiscovery = parsed['ha-discovery'];
  if (haDiscovery !== undefined && haDiscovery !== 'true' && haDiscovery !== 'false')
    throw new UsageError('--ha-discovery must be true or false');
  return {
    levels,
    idleSeconds: wholeNumber('--idle', parsed.idle, 5, 600),
    fanout: wholeNumber('--fanout', parsed.fanout, 0, 20_000),
    fanoutConcurrency: intList('--fanout-concurrency', parsed['fanout-concurrency'], 1, 20_000),
    connectConcurrency: wholeNumber('--connect-concurrency', parsed['connect-concurrency'], 1, 20_000),
    enrollConcurrency: wholeNumber('--enroll-concurrency', parsed['enroll-concurrency'], 1, 25),
    workers: wholeNumber('--workers', parsed.workers, 1, 16),
    stateIntervalSeconds: wholeNumber('--state-interval', parsed['state-interval'], 5, 3600),
    applyMs: wholeNumber('--apply-ms', parsed['apply-ms'], 0, 10_000),
    users: wholeNumber('--users', parsed.users, 1, 20),
    userinfo,
    children: wholeNumber('--children', parsed.children, 0, 20_000),
    haDiscovery: haDiscovery === undefined ? null : haDiscovery === 'true',
    json: parsed.json ? path.resolve(parsed.json) : null,
    hubNodeOptions: parsed['hub-node-options'] ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// messages between the benchmark and its agent workers (node IPC)

interface AgentCredential {
  deviceId: string;
  secret: string;
  hostname: string;
}

interface AgentConfig {
  hubUrl: string;
  /** One per timekpr user of the PC; each agent keeps its own copy of the changing numbers. */
  users: ManagedUserState[];
  stateIntervalMs: number;
  applyMs: number;
}

interface WorkerStats {
  connected: number;
  /** Since the worker started: connections the hub or the network closed. */
  disconnects: number;
  disconnectReasons: Record<string, number>;
  /** Since the last stats request: heartbeats (the hub's pings), agents that got at least one, state reports. */
  pings: number;
  agentsPinged: number;
  statesOk: number;
  statesRefused: number;
  stateAckMs: number[];
  /** Since the worker started. */
  commands: number;
  duplicateCommands: number;
  resultsRefused: number;
  /** What the hub announced in the engine.io handshake (the first agent's). */
  handshake: { pingInterval: number; pingTimeout: number; maxPayload: number } | null;
  errors: string[];
}

interface Received {
  deviceId: string;
  commandIds: string[];
  /** Date.now() when the first command of the round arrived. */
  firstAt: number;
}

type ToWorker =
  | { type: 'connect'; config: AgentConfig; agents: AgentCredential[]; concurrency: number }
  | { type: 'stats' }
  | { type: 'round' }
  | { type: 'round-report' }
  | { type: 'stop' };

type FromWorker =
  | { type: 'connected'; ok: number; failed: number; errors: string[] }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'round-started' }
  | { type: 'round-report'; received: Received[] }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

// ---------------------------------------------------------------------------------------------
// the worker: simulated agents

type AgentSocket = Socket<HubToAgentEvents, AgentToHubEvents>;

class Simulator {
  readonly agents: SimulatedAgent[] = [];
  readonly stats: WorkerStats = emptyWorkerStats();
  /** Commands received since the last `round` message, by device. */
  round: Map<string, Received> | null = null;

  constructor(readonly config: AgentConfig) {}

  note(error: string): void {
    if (this.stats.errors.length < 10) this.stats.errors.push(error);
  }

  /** Connects these agents, at most `concurrency` at a time; the ones that fail are dropped. */
  async connect(credentials: AgentCredential[], concurrency: number): Promise<FromWorker> {
    let ok = 0;
    const errors: string[] = [];
    await pool(credentials, concurrency, async (credential) => {
      const agent = new SimulatedAgent(credential, this);
      try {
        await agent.connect();
        this.agents.push(agent);
        ok++;
      } catch (error) {
        agent.stop();
        if (errors.length < 10) errors.push(`${credential.hostname}: ${(error as Error).message}`);
      }
    });
    return { type: 'connected', ok, failed: credentials.length - ok, errors };
  }

  /** Hands out the window counters and starts a new window. */
  takeStats(): WorkerStats {
    const stats = {
      ...this.stats,
      connected: this.agents.filter((agent) => agent.connected).length,
      agentsPinged: this.agents.filter((agent) => agent.takePinged()).length,
      disconnectReasons: { ...this.stats.disconnectReasons },
      stateAckMs: [...this.stats.stateAckMs],
      errors: [...this.stats.errors],
    };
    Object.assign(this.stats, { pings: 0, statesOk: 0, statesRefused: 0, stateAckMs: [] });
    return stats;
  }

  stop(): void {
    for (const agent of this.agents) agent.stop();
  }
}

function emptyWorkerStats(): WorkerStats {
  return {
    connected: 0,
    disconnects: 0,
    disconnectReasons: {},
    pings: 0,
    agentsPinged: 0,
    statesOk: 0,
    statesRefused: 0,
    stateAckMs: [],
    commands: 0,
    duplicateCommands: 0,
    resultsRefused: 0,
    handshake: null,
    errors: [],
  };
}

/** One PC's agent, minus timekpr: the same events, in the same order, as agent/src/agent.ts sends them. */
class SimulatedAgent {
  private socket: AgentSocket | null = null;
  private stateTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private pinged = false;
  private readonly users: ManagedUserState[];
  private readonly seen = new Set<string>();

  constructor(
    readonly credential: AgentCredential,
    private readonly sim: Simulator,
  ) {
    // Shallow copies: only top-level numbers change; the schedule objects are shared, never mutated.
    this.users = sim.config.users.map((user) => ({ ...user }));
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Whether the hub pinged this agent since the last call. */
  takePinged(): boolean {
    const pinged = this.pinged;
    this.pinged = false;
    return pinged;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      // forceNew: one WebSocket per agent, as on real PCs (socket.io would otherwise multiplex them all).
      const socket: AgentSocket = io(new URL(AGENTS_NAMESPACE, this.sim.config.hubUrl).toString(), {
        auth: { deviceId: this.credential.deviceId, secret: this.credential.secret },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        timeout: CONNECT_TIMEOUT_MS,
      });
      this.socket = socket;
      // The manager opened its engine in io(): its handshake says which ping interval and payload limit apply.
      socket.io.engine?.once('handshake', ({ pingInterval, pingTimeout, maxPayload }) => {
        this.sim.stats.handshake ??= { pingInterval, pingTimeout, maxPayload };
      });
      socket.io.on('ping', () => {
        this.sim.stats.pings++;
        this.pinged = true;
      });
      socket.on('command', (message, ack) => this.onCommand(message, ack));
      socket.once('connect_error', (error) => reject(new Error(`connect: ${error.message}`)));
      socket.once('connect', () => this.announce().then(resolve, reject));
      socket.on('disconnect', (reason) => {
        if (this.stateTimer) clearTimeout(this.stateTimer);
        if (this.stopping) return;
        this.sim.stats.disconnects++;
        this.sim.stats.disconnectReasons[reason] = (this.sim.stats.disconnectReasons[reason] ?? 0) + 1;
      });
    });
  }

  stop(): void {
    this.stopping = true;
    if (this.stateTimer) clearTimeout(this.stateTimer);
    this.socket?.disconnect();
  }

  /** hello, then every user's state; ready once the hub has acknowledged both. */
  private async announce(): Promise<void> {
    const hello = await this.send('hello', {
      agentVersion: AGENT_VERSION,
      hostname: this.credential.hostname,
      timekprVersion: '0.5.4',
      timezone: 'UTC',
      users: this.users.map((user) => user.login),
    });
    if (!hello.ok) throw new Error(`hello refused: ${hello.error}`);
    const state = await this.sendState(this.users);
    if (!state.ok) throw new Error(`state refused: ${state.error}`);
    this.scheduleState(true);
  }

  /**
   * The real agent reports every ~45 s ± 25 %. The first report after connecting is at a random point of
   * one interval, so the reports of agents that connected together are spread as those of long-running ones.
   */
  private scheduleState(first: boolean): void {
    if (this.stopping) return;
    const interval = this.sim.config.stateIntervalMs;
    const delay = first ? Math.random() * interval : interval * (0.75 + Math.random() * 0.5);
    this.stateTimer = setTimeout(() => {
      void this.sendState(this.users).then(() => this.scheduleState(false));
    }, delay);
  }

  private onCommand(message: CommandMessage, ack: AckCallback): void {
    this.sim.stats.commands++;
    const round = this.sim.round;
    if (round) {
      const received = round.get(this.credential.deviceId);
      if (received) received.commandIds.push(message.id);
      else
        round.set(this.credential.deviceId, {
          deviceId: this.credential.deviceId,
          commandIds: [message.id],
          firstAt: Date.now(),
        });
    }
    if (this.seen.has(message.id)) {
      // Counted, never applied twice (the real agent then reports the known outcome again).
      this.sim.stats.duplicateCommands++;
      ack({ ok: true });
      return;
    }
    this.seen.add(message.id);
    ack({ ok: true });
    void this.apply(message);
  }

  /** Pretend timekpr work, then the result with the read-back state (as the agent does, no separate report). */
  private async apply(command: CommandMessage): Promise<void> {
    if (this.sim.config.applyMs > 0) await sleep(this.sim.config.applyMs);
    const user =
      command.op === 'adjustTime' ? this.users.find((u) => u.login === command.args.login) : undefined;
    if (!user || command.op !== 'adjustTime') {
      this.sim.note(`unexpected command ${command.op} for ${this.credential.hostname}`);
      await this.send('result', {
        id: command.id,
        status: 'error',
        error: { code: 'user-not-found', message: 'not simulated' },
      });
      return;
    }
    const { mode, seconds } = command.args;
    if (mode === 'set') user.timeLeftToday = seconds;
    else {
      const sign = mode === 'add' ? 1 : -1;
      user.timeLeftToday += sign * seconds;
      user.timeSpentBalance -= sign * seconds;
    }
    const result = await this.send('result', { id: command.id, status: 'ok', data: { state: { ...user } } });
    if (!result.ok) {
      this.sim.stats.resultsRefused++;
      this.sim.note(`result refused: ${result.error}`);
    }
  }

  private async sendState(users: ManagedUserState[]): Promise<Ack> {
    const started = performance.now();
    const ack = await this.send('state', { at: new Date().toISOString(), users, errors: [] });
    if (ack.ok) {
      this.sim.stats.statesOk++;
      this.sim.stats.stateAckMs.push(performance.now() - started);
    } else if (!this.stopping) {
      this.sim.stats.statesRefused++;
      this.sim.note(`state refused: ${ack.error}`);
    }
    return ack;
  }

  private async send<E extends 'hello' | 'state' | 'result'>(
    event: E,
    message: Parameters<AgentToHubEvents[E]>[0],
  ): Promise<Ack> {
    const socket = this.socket;
    if (!socket?.connected) return { ok: false, error: 'not connected' };
    try {
      // As in the agent: socket.io's typed emit cannot follow a generic event name.
      const emitter = socket.timeout(SEND_TIMEOUT_MS) as unknown as {
        emitWithAck(event: string, message: unknown): Promise<Ack>;
      };
      return await emitter.emitWithAck(event, message);
    } catch (error) {
      // socket.io rejects on its timeout, and at once when the connection drops while waiting.
      return { ok: false, error: `no acknowledgement: ${(error as Error).message}` };
    }
  }
}

function runWorker(): void {
  let sim: Simulator | null = null;
  const reply = (message: FromWorker) => process.send?.(message);
  const quit = () => {
    sim?.stop();
    // Let the close frames go out before the process ends.
    setTimeout(() => process.exit(0), 300).unref();
  };
  // Ctrl-C reaches the whole process group: the benchmark decides when the agents go.
  process.on('SIGINT', () => undefined);
  process.on('disconnect', quit); // the benchmark is gone
  process.on('message', (message: ToWorker) => {
    const handle = async (): Promise<FromWorker | null> => {
      switch (message.type) {
        case 'connect':
          sim ??= new Simulator(message.config);
          return sim.connect(message.agents, message.concurrency);
        case 'stats':
          return { type: 'stats', stats: sim?.takeStats() ?? emptyWorkerStats() };
        case 'round':
          if (sim) sim.round = new Map();
          return { type: 'round-started' };
        case 'round-report':
          return { type: 'round-report', received: [...(sim?.round?.values() ?? [])] };
        case 'stop':
          reply({ type: 'stopped' });
          quit();
          return null;
      }
    };
    handle().then(
      (answer) => answer && reply(answer),
      (error: Error) => reply({ type: 'error', message: error.stack ?? error.message }),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// the benchmark's side of a worker

class AgentWorker {
  readonly child: ChildProcess;
  private pending: { type: string; settle: (message: FromWorker | Error) => void } | null = null;
  private readonly exited: Promise<void>;

  constructor(readonly index: number) {
    // The bundle runs itself again (process.argv[1] is the bundled file) in worker mode.
    this.child = fork(process.argv[1]!, ['--worker'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: process.execArgv,
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.on('message', (message: FromWorker) => {
      const pending = this.pending;
      if (!pending) return;
      if (message.type === 'error') pending.settle(new Error(`worker ${index}: ${message.message}`));
      else if (message.type === pending.type) pending.settle(message);
    });
    this.child.once('exit', (code, signal) => {
      this.pending?.settle(new Error(`worker ${index} exited (${signal ?? code})`));
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** One question at a time: sends the message and waits for the answer of the given type. */
  ask<T extends FromWorker['type']>(
    message: ToWorker,
    answer: T,
    timeoutMs = WORKER_REPLY_TIMEOUT_MS,
  ): Promise<Extract<FromWorker, { type: T }>> {
    if (this.pending) return Promise.reject(new Error(`worker ${this.index} is still answering`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.pending?.settle(new Error(`worker ${this.index}: no ${answer} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending = {
        type: answer,
        settle: (result) => {
          clearTimeout(timer);
          this.pending = null;
          if (result instanceof Error) reject(result);
          else resolve(result as Extract<FromWorker, { type: T }>);
        },
      };
      this.child.send(message);
    });
  }

  /** Asks the worker to close its agents' connections and exit; SIGKILL (its own pid only) if it does not. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// clean-up (the registry is in lib/harness.ts)

/** The hub's output so far, for the failure message. */
let hubLog: (() => string) | null = null;

/**
 * HubProcess.start() leaves the hub running when it does not come up in time. Stops the hubs that are this
 * process's own children (by pid, read from /proc) and removes their temporary data directories.
 */
async function stopStrayHubs(): Promise<void> {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let stat: string, cmdline: string, environ: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone, or not ours to read
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== process.pid || !cmdline.includes(path.join(ROOT, 'hub/dist/main.js'))) continue;
    const dataDir = /(?:^|\0)KIDTIME_DATA_DIR=([^\0]*)/.exec(environ)?.[1];
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}/stat`); i++) await sleep(50);
    if (fs.existsSync(`/proc/${pid}/stat`)) process.kill(pid, 'SIGKILL');
    if (dataDir && path.basename(dataDir).startsWith('kidtime-hub-') && path.dirname(dataDir) === os.tmpdir())
      fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// measuring

/** Runs `work` for every item, at most `concurrency` at a time. */
async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  const runner = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, runner));
}

interface ProcSample {
  rssKb: number | null;
  hwmKb: number | null;
  /** utime + stime, ms */
  cpuMs: number | null;
}

function procSample(pid: number): ProcSample {
  const field = (status: string, key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  };
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
    return { rssKb: field(status, 'VmRSS'), hwmKb: field(status, 'VmHWM'), cpuMs: ticks * CLOCK_TICK_MS };
  } catch {
    return { rssKb: null, hwmKb: null, cpuMs: null };
  }
}

/** CPU % of one core used between two samples taken `ms` apart. */
function cpuPercent(before: ProcSample, after: ProcSample, ms: number): number | null {
  return before.cpuMs === null || after.cpuMs === null ? null : ((after.cpuMs - before.cpuMs) / ms) * 100;
}

/** Whole-machine busy and total jiffies from /proc/stat, to tell whether the 2 cores were saturated. */
function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
  return { busy: total - idle, total };
}

function machineBusyPercent(before: ReturnType<typeof machineCpu>, after: ReturnType<typeof machineCpu>) {
  const total = after.total - before.total;
  return total > 0 ? ((after.busy - before.busy) / total) * 100 : null;
}

/** This network namespace's count of connections dropped because a listen queue was full. */
function listenOverflows(): number | null {
  const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const header = lines.find((line) => line.startsWith('TcpExt:'));
  const values = lines.filter((line) => line.startsWith('TcpExt:'))[1];
  const index = header?.split(' ').indexOf('ListenOverflows') ?? -1;
  return values && index > 0 ? Number(values.split(' ')[index]) : null;
}

/** What the hub's event loop did in one window (bench/lib/event-loop-probe.mjs). */
interface LoopWindow {
  /** Share of the window the loop was busy (event-loop utilization), 0-1. */
  utilization: number;
  /** How late a timer due every 10 ms fired, ms (mean null without samples). */
  delayMs: { samples: number; mean: number | null; p50: number; p99: number; max: number };
}

/**
 * Asks the probe preloaded into the hub for the event loop's last window (SIGWINCH; it answers in a file, once
 * its loop gets to the signal). Signals only when the probe said it is loaded.
 */
class LoopProbe {
  private seq = 0;
  private loaded = false;

  constructor(
    readonly file: string,
    private readonly pid: number,
  ) {}

  /** The hub's environment that loads the probe, with any NODE_OPTIONS of the caller after it. */
  static env(file: string, nodeOptions: string | null): NodeJS.ProcessEnv {
    const probe = `--import=${JSON.stringify(pathToFileURL(LOOP_PROBE).href)}`;
    return {
      KIDTIME_BENCH_LOOP_FILE: file,
      NODE_OPTIONS: nodeOptions ? `${probe} ${nodeOptions}` : probe,
    };
  }

  private read(): (Partial<LoopWindow> & { seq: number; pid: number }) | null {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<LoopWindow> & {
        seq: number;
        pid: number;
      };
    } catch {
      return null;
    }
  }

  /** Ends the current window and starts the next; null when the probe is not there or does not answer. */
  async window(): Promise<LoopWindow | null> {
    if (!this.loaded) {
      const first = this.read();
      if (first?.pid !== this.pid) return null;
      this.loaded = true;
    }
    const seq = ++this.seq;
    process.kill(this.pid, 'SIGWINCH');
    const deadline = Date.now() + LOOP_SNAPSHOT_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const snapshot = this.read();
      if (snapshot && snapshot.seq >= seq && snapshot.utilization !== undefined && snapshot.delayMs) {
        this.seq = snapshot.seq;
        return { utilization: snapshot.utilization, delayMs: snapshot.delayMs };
      }
      await sleep(20);
    }
    log(`  the hub's event-loop probe did not answer within ${LOOP_SNAPSHOT_TIMEOUT_MS} ms`);
    return null;
  }
}

const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

function openFilesLimit(): number | null {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  if (!match) return null;
  return match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

// ---------------------------------------------------------------------------------------------
// the hub's API

/**
 * The bench's parent session; logs in again before the 15-minute access token runs out. Concurrent callers
 * share one login: parallel logins of one user count against the hub's sign-in throttle.
 */
class Parent {
  private loggedInAt = 0;
  private login: Promise<void> | null = null;

  constructor(
    readonly api: ApiClient,
    private readonly password: string,
  ) {}

  async token(): Promise<string> {
    if (!this.api.token || Date.now() - this.loggedInAt > RELOGIN_AFTER_MS) {
      this.login ??= this.api
        .login('bench', this.password)
        .then(() => {
          this.loggedInAt = Date.now();
        })
        .finally(() => {
          this.login = null;
        });
      await this.login;
    }
    return this.api.token!;
  }
}

/**
 * Enrolls `count` more devices (numbered from `first`) the way a parent and the agent's installer do;
 * returns their credentials.
 */
async function enrollDevices(
  parent: Parent,
  first: number,
  count: number,
  concurrency: number,
): Promise<AgentCredential[]> {
  const credentials: AgentCredential[] = new Array(count);
  const agentApi = new ApiClient(parent.api.baseUrl); // no parent token, as on the PC
  let done = 0;
  await pool(credentials, concurrency, async (_, i) => {
    checkInterrupted();
    await parent.token();
    const enrollment = await withTimeout(
      parent.api.post<EnrollmentCreated>('/api/enrollments', {}),
      ENROLL_REQUEST_TIMEOUT_MS,
      'POST /api/enrollments',
    );
    if (enrollment.status !== 201)
      throw new Error(`POST /api/enrollments: ${enrollment.status} ${JSON.stringify(enrollment.body)}`);
    const hostname = `sim-pc-${String(first + i + 1).padStart(5, '0')}`;
    const enrolled = await withTimeout(
      agentApi.post<AgentEnrollResponse>('/api/agents/enroll', {
        code: enrollment.body.code,
        hostname,
        agentVersion: AGENT_VERSION,
      }),
      ENROLL_REQUEST_TIMEOUT_MS,
      'POST /api/agents/enroll',
    );
    if (enrolled.status !== 201)
      throw new Error(`POST /api/agents/enroll: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
    credentials[i] = { deviceId: enrolled.body.deviceId, secret: enrolled.body.secret, hostname };
    if (++done % 1000 === 0) log(`  ${done}/${count} enrolled`);
  });
  return credentials;
}

/**
 * Adds a child for each of these PCs, owning its first login, as a parent does in the web app (the login must
 * have been reported by the PC's agent). Returns how long it took. One at a time: concurrent POST
 * /api/children fail (500, "cannot start a transaction within a transaction": ManagedUserRepository's
 * assignToChild opens a transaction on the hub's one SQLite connection).
 */
async function addChildren(
  parent: Parent,
  pcs: { credential: AgentCredential; index: number }[],
  login: string,
): Promise<number> {
  const started = performance.now();
  for (const { credential, index } of pcs) {
    checkInterrupted();
    await parent.token();
    const created = await withTimeout(
      parent.api.post<ChildView>('/api/children', {
        name: `Kid ${String(index + 1).padStart(5, '0')}`,
        members: [{ deviceId: credential.deviceId, login }],
      }),
      ENROLL_REQUEST_TIMEOUT_MS,
      'POST /api/children',
    );
    if (created.status !== 201)
      throw new Error(`POST /api/children: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return performance.now() - started;
}

/** The timekpr users of every simulated PC: one `timekpra --userinfo` fixture, under another login each. */
function userStates(count: number, name: Options['userinfo']): ManagedUserState[] {
  const file = path.join(FIXTURES, `userinfo-${name}.txt`);
  const fixture = fs.readFileSync(file, 'utf8');
  const original = /^# Configuration for user (\S+):$/m.exec(fixture)?.[1];
  if (!original) throw new Error(`${file} has no "# Configuration for user" line`);
  return Array.from({ length: count }, (_, i) => {
    const login = `kid${i + 1}`;
    return parseUserinfo(fixture.replace(`user ${original}:`, `user ${login}:`), login);
  });
}

interface HttpAnswer {
  status: number;
  body: unknown;
  error: string | null;
  /** performance.now() when its TCP connection was up (at once for a reused keep-alive one). */
  connectedAt: number | null;
}

/** One POST over a given http.Agent, so a fan-out controls how many connections it uses. */
function post(
  base: URL,
  urlPath: string,
  token: string,
  body: unknown,
  agent: http.Agent,
): Promise<HttpAnswer> {
  const payload = JSON.stringify(body);
  let connectedAt: number | null = null;
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: base.hostname,
        port: base.port,
        path: urlPath,
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: response.statusCode ?? 0, body: parsed, error: null, connectedAt });
        });
        response.on('error', (error) =>
          resolve({ status: 0, body: null, error: error.message, connectedAt }),
        );
      },
    );
    // A connect that waits for a SYN retransmission (a full listen queue) shows up as ≥ 1 s here.
    request.on('socket', (socket) => {
      if (!socket.connecting) connectedAt = performance.now();
      else socket.once('connect', () => (connectedAt = performance.now()));
    });
    request.setTimeout(FANOUT_REQUEST_TIMEOUT_MS, () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve({ status: 0, body: null, error: error.message, connectedAt }));
    request.end(payload);
  });
}

// ---------------------------------------------------------------------------------------------
// phases

interface ConnectResult {
  agents: number;
  added: number;
  ms: number;
  failed: number;
  errors: string[];
  hubAfter: ProcSample;
}

/** Connects the next agents, spread over the workers; done when every new agent's hello and state are acked. */
async function connectAgents(
  workers: AgentWorker[],
  config: AgentConfig,
  fresh: AgentCredential[],
  concurrency: number,
): Promise<Omit<ConnectResult, 'agents' | 'hubAfter'>> {
  const perWorker = workers.map((_, w) => fresh.filter((__, i) => i % workers.length === w));
  const started = performance.now();
  const answers = await Promise.all(
    workers.map((worker, w) =>
      worker.ask(
        {
          type: 'connect',
          config,
          agents: perWorker[w]!,
          concurrency: Math.max(1, Math.ceil(concurrency / workers.length)),
        },
        'connected',
        CONNECT_STEP_TIMEOUT_MS,
      ),
    ),
  );
  return {
    added: fresh.length,
    ms: performance.now() - started,
    failed: sum(answers.map((a) => a.failed)),
    errors: answers.flatMap((a) => a.errors).slice(0, 10),
  };
}

async function workerStats(workers: AgentWorker[]): Promise<WorkerStats[]> {
  return (await Promise.all(workers.map((worker) => worker.ask({ type: 'stats' }, 'stats')))).map(
    (answer) => answer.stats,
  );
}

interface IdleResult {
  seconds: number;
  connected: number;
  hub: { rssKb: number | null; hwmKb: number | null; cpuPercent: number | null };
  hubLoop: LoopWindow | null;
  workers: { rssKb: number; cpuPercent: number };
  machineBusyPercent: number | null;
  heartbeats: number;
  /** Agents the hub pinged at least once in the window: all of them, when the window is longer than pingInterval. */
  agentsPinged: number;
  pingIntervalMs: number;
  statesOk: number;
  statesRefused: number;
  stateAckMs: Stats | null;
  disconnects: number;
  disconnectReasons: Record<string, number>;
  handshake: WorkerStats['handshake'];
  errors: string[];
}

/** Holds the connected agents for `seconds` with heartbeats and state reports, measuring what it costs. */
async function measureIdle(
  hubPid: number,
  workers: AgentWorker[],
  seconds: number,
  loop: LoopProbe,
): Promise<IdleResult> {
  await workerStats(workers); // starts a new window
  await loop.window();
  const hub0 = procSample(hubPid);
  const workers0 = workers.map((worker) => procSample(worker.pid));
  const machine0 = machineCpu();
  const started = performance.now();
  await sleepInterruptibly(seconds * 1000);
  const ms = performance.now() - started;
  const hub1 = procSample(hubPid);
  const workers1 = workers.map((worker) => procSample(worker.pid));
  const machine1 = machineCpu();
  const hubLoop = await loop.window();
  const window = await workerStats(workers);
  const connected = sum(window.map((s) => s.connected));
  const disconnectReasons: Record<string, number> = {};
  for (const s of window) {
    for (const [reason, n] of Object.entries(s.disconnectReasons))
      disconnectReasons[reason] = (disconnectReasons[reason] ?? 0) + n;
  }
  const handshake = window.find((s) => s.handshake)?.handshake ?? null;
  return {
    seconds: ms / 1000,
    connected,
    hub: { rssKb: hub1.rssKb, hwmKb: hub1.hwmKb, cpuPercent: cpuPercent(hub0, hub1, ms) },
    hubLoop,
    workers: {
      rssKb: sum(workers1.map((s) => s.rssKb ?? 0)),
      cpuPercent: sum(workers.map((_, w) => cpuPercent(workers0[w]!, workers1[w]!, ms) ?? 0)),
    },
    machineBusyPercent: machineBusyPercent(machine0, machine1),
    heartbeats: sum(window.map((s) => s.pings)),
    agentsPinged: sum(window.map((s) => s.agentsPinged)),
    pingIntervalMs: handshake?.pingInterval ?? HUB_PING_INTERVAL_MS,
    statesOk: sum(window.map((s) => s.statesOk)),
    statesRefused: sum(window.map((s) => s.statesRefused)),
    stateAckMs: stats(window.flatMap((s) => s.stateAckMs)),
    disconnects: sum(window.map((s) => s.disconnects)),
    disconnectReasons,
    handshake,
    errors: window.flatMap((s) => s.errors).slice(0, 10),
  };
}

interface FanoutResult {
  agents: number;
  targets: number;
  concurrency: number;
  /** From the first request sent until the last answer arrived, ms. */
  wallMs: number;
  /** Each request from when it was sent until its answer, ms (only 200 answers). */
  latencyMs: Stats | null;
  /** When each agent got its command, ms after the first request was sent. */
  deliveredMs: Stats | null;
  /** How long each request's TCP connect took, ms; and how many took over a second (SYN retransmitted). */
  tcpConnectMs: Stats | null;
  slowConnects: number;
  /** Connections the kernel dropped from a full listen queue during the fan-out (TcpExt ListenOverflows). */
  listenOverflows: number | null;
  statuses: Record<string, number>;
  failures: string[];
  accounting: {
    exactlyOnce: number;
    missing: number;
    duplicated: number;
    notTargeted: number;
    wrongCommandId: number;
  };
  hubCpuMs: number | null;
  hubCpuPercent: number | null;
  hubLoop: LoopWindow | null;
  machineBusyPercent: number | null;
  /** process.hrtime in µs (CLOCK_MONOTONIC, the clock of V8 CPU profiles), to find the window in a profile. */
  monotonicUs: { start: number; end: number };
  aimMet: boolean | null;
}

/**
 * Adds 60 s for kid1 on each target PC, every request its own POST …/time, at most `concurrency` in flight
 * (each on its own connection; the connections are new for every fan-out), and checks that every target's
 * agent got exactly its one command.
 */
async function fanOut(
  hubUrl: string,
  parent: Parent,
  workers: AgentWorker[],
  targets: AgentCredential[],
  agents: number,
  concurrency: number,
  hubPid: number,
  loop: LoopProbe,
): Promise<FanoutResult> {
  const token = await parent.token();
  await Promise.all(workers.map((worker) => worker.ask({ type: 'round' }, 'round-started')));
  await loop.window();
  const base = new URL(hubUrl);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const answers: Array<{ start: number; end: number; answer: HttpAnswer }> = new Array(targets.length);
  const overflows0 = listenOverflows();
  const hub0 = procSample(hubPid);
  const machine0 = machineCpu();
  const mono0 = monotonicUs();
  const epoch0 = Date.now();
  const t0 = performance.now();
  try {
    await pool(targets, concurrency, async (target, i) => {
      const start = performance.now() - t0;
      const answer = await post(
        base,
        `/api/devices/${target.deviceId}/users/kid1/time`,
        token,
        { op: 'add', seconds: 60 },
        httpAgent,
      );
      answers[i] = { start, end: performance.now() - t0, answer };
    });
  } finally {
    httpAgent.destroy();
  }
  const wallMs = performance.now() - t0;
  const overflows1 = listenOverflows();
  const mono1 = monotonicUs();
  const hub1 = procSample(hubPid);
  const machine1 = machineCpu();
  const hubLoop = await loop.window();
  checkInterrupted();

  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  const commandIds = new Map<string, string>();
  answers.forEach(({ answer }, i) => {
    const key = answer.error ? 'error' : String(answer.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    const response = answer.body as Partial<TimeResponse> | null;
    if (answer.status === 200 && response?.command?.status === 'applied') {
      commandIds.set(targets[i]!.deviceId, response.command.id);
    } else if (failures.length < 10) {
      failures.push(
        `${targets[i]!.hostname}: ${answer.error ?? `${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`}`,
      );
    }
  });

  const received = new Map<string, Received>();
  for (const worker of workers) {
    for (const r of (await worker.ask({ type: 'round-report' }, 'round-report')).received)
      received.set(r.deviceId, r);
  }
  const targetIds = new Set(targets.map((t) => t.deviceId));
  const accounting = { exactlyOnce: 0, missing: 0, duplicated: 0, notTargeted: 0, wrongCommandId: 0 };
  for (const target of targets) {
    const got = received.get(target.deviceId)?.commandIds ?? [];
    if (got.length === 0) accounting.missing++;
    else if (got.length > 1) accounting.duplicated++;
    else accounting.exactlyOnce++;
    const expected = commandIds.get(target.deviceId);
    if (expected && got[0] !== expected) accounting.wrongCommandId++;
  }
  for (const deviceId of received.keys()) if (!targetIds.has(deviceId)) accounting.notTargeted++;

  const ok = answers.filter(({ answer }) => answer.status === 200);
  const connectMs = answers.flatMap(({ start, answer }) =>
    answer.connectedAt === null ? [] : [answer.connectedAt - t0 - start],
  );
  const allGood = ok.length === targets.length && accounting.exactlyOnce === targets.length;
  return {
    agents,
    targets: targets.length,
    concurrency,
    wallMs,
    latencyMs: stats(ok.map(({ start, end }) => end - start)),
    deliveredMs: stats([...received.values()].map((r) => r.firstAt - epoch0)),
    tcpConnectMs: stats(connectMs),
    slowConnects: connectMs.filter((ms) => ms >= 1000).length,
    listenOverflows: overflows0 === null || overflows1 === null ? null : overflows1 - overflows0,
    statuses,
    failures,
    accounting,
    hubCpuMs: hub0.cpuMs === null || hub1.cpuMs === null ? null : hub1.cpuMs - hub0.cpuMs,
    hubCpuPercent: cpuPercent(hub0, hub1, wallMs),
    hubLoop,
    machineBusyPercent: machineBusyPercent(machine0, machine1),
    monotonicUs: { start: mono0, end: mono1 },
    // The aim is about 1,000 commands sent at once; bounded fan-outs are reported, not judged.
    aimMet: targets.length === 1000 && concurrency >= targets.length ? allGood && wallMs <= 3000 : null,
  };
}

// ---------------------------------------------------------------------------------------------
// the run

interface LevelResult {
  agents: number;
  connect: ConnectResult;
  /** Children added at this level (one per new PC, up to --children), and how long that took. */
  childrenAdded: { count: number; ms: number };
  idle: IdleResult;
  fanouts: FanoutResult[];
}

async function main(options: Options): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'hub/dist/main.js')))
    throw new Error('hub/dist/main.js is missing: run "npm run build" first');
  const maxAgents = options.levels[options.levels.length - 1]!;
  const maxConcurrency = Math.max(...options.fanoutConcurrency);
  // The hub holds one socket per agent plus one per HTTP connection; a worker one per agent it runs.
  const filesNeeded = maxAgents + Math.min(maxConcurrency, options.fanout) + 256;
  const filesLimit = openFilesLimit();
  if (filesLimit !== null && filesLimit < filesNeeded) {
    throw new Error(
      `the open-files limit is ${filesLimit} and the hub needs about ${filesNeeded}: raise it (ulimit -n ${filesNeeded}) and run again`,
    );
  }

  // What the hub process runs: the checkout may change while the benchmark does.
  const commit = await gitDescribe();
  const distBuiltAt = newestMtime(path.join(ROOT, 'hub/dist')).toISOString();
  log(`Starting the hub…`);
  // LOG_LEVEL=log (the product's default): HubProcess waits for the "listening on" line, logged at that level.
  const loopFile = path.join(os.tmpdir(), `kidtime-bench-loop-${process.pid}.json`);
  onCleanup('the event-loop probe file', async () => fs.rmSync(loopFile, { force: true }));
  const hub = await HubProcess.start({
    HOST: '127.0.0.1',
    LOG_LEVEL: 'log',
    // The embedded MQTT broker (on by default) on a free loopback port, as in the tests.
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    ...(options.haDiscovery === null ? {} : { HA_DISCOVERY: String(options.haDiscovery) }),
    ...LoopProbe.env(loopFile, options.hubNodeOptions),
  }).catch(async (error: unknown) => {
    await stopStrayHubs();
    throw error;
  });
  onCleanup('the hub', () => hub.stop());
  hubLog = () => hub.process.log;
  const hubPid = hub.process.child.pid ?? 0;
  const loop = new LoopProbe(loopFile, hubPid);
  if (!(await loop.window()))
    log(`  the hub did not load ${path.relative(ROOT, LOOP_PROBE)}: no event-loop numbers`);
  checkInterrupted();
  const hubStart = procSample(hubPid);

  const api = new ApiClient(hub.url);
  const password = `kitchen-timer-${process.pid}-${Date.now()}`;
  const setup = await api.post('/api/setup', { username: 'bench', password });
  if (setup.status !== 201) throw new Error(`POST /api/setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  const parent = new Parent(api, password);

  const config: AgentConfig = {
    hubUrl: hub.url,
    users: userStates(options.users, options.userinfo),
    stateIntervalMs: options.stateIntervalSeconds * 1000,
    applyMs: options.applyMs,
  };
  // The biggest message an agent sends: its state report of every user (as JSON, near its wire size).
  const stateReportBytes = Buffer.byteLength(
    JSON.stringify({ at: new Date().toISOString(), users: config.users, errors: [] }),
  );
  const workers = Array.from({ length: options.workers }, (_, i) => new AgentWorker(i));
  for (const worker of workers) onCleanup(`agent worker ${worker.index}`, () => worker.stop());

  const credentials: AgentCredential[] = [];
  let enrollMs = 0;
  let hubAfterEnroll = hubStart;

  const levels: LevelResult[] = [];
  let connected = 0;
  for (const level of options.levels) {
    checkInterrupted();
    // Enrolled as needed, so a hub that cannot hold the first level is found out quickly.
    log(
      `Enrolling devices ${credentials.length + 1}-${level} through the API (${options.enrollConcurrency} at a time)…`,
    );
    const enrollStarted = performance.now();
    credentials.push(
      ...(await enrollDevices(
        parent,
        credentials.length,
        level - credentials.length,
        options.enrollConcurrency,
      )),
    );
    enrollMs += performance.now() - enrollStarted;
    hubAfterEnroll = procSample(hubPid);
    log(`Connecting agents ${connected + 1}-${level}…`);
    const step = await connectAgents(
      workers,
      config,
      credentials.slice(connected, level),
      options.connectConcurrency,
    );
    const previous = connected;
    connected = level;
    const connect: ConnectResult = { ...step, agents: level, hubAfter: procSample(hubPid) };
    log(
      `  ${step.added - step.failed}/${step.added} connected in ${(step.ms / 1000).toFixed(1)} s` +
        (step.failed > 0 ? `; failures: ${step.errors.join('; ')}` : ''),
    );
    const limit = (await workerStats(workers)).find((s) => s.handshake)?.handshake?.maxPayload;
    if (limit !== undefined && limit < stateReportBytes) {
      // engine.io closes the connection on a bigger message: the agent's state report never gets through.
      log(
        `  the hub accepts messages of at most ${limit} bytes, and this state report is ${stateReportBytes} bytes`,
      );
    }
    // The children of the PCs that just connected (their agents have reported the login by now).
    const childless = credentials
      .map((credential, index) => ({ credential, index }))
      .slice(previous, Math.min(level, options.children));
    const childrenAdded = { count: 0, ms: 0 };
    if (childless.length > 0 && step.failed === 0) {
      log(`Adding children ${previous + 1}-${previous + childless.length}, one per PC…`);
      childrenAdded.ms = await addChildren(parent, childless, config.users[0]!.login);
      childrenAdded.count = childless.length;
      log(`  ${childless.length} added in ${(childrenAdded.ms / 1000).toFixed(1)} s`);
    }
    await sleepInterruptibly(SETTLE_MS);
    log(`Holding ${level} agents idle for ${options.idleSeconds} s…`);
    const idle = await measureIdle(hubPid, workers, options.idleSeconds, loop);
    log(
      `  hub ${mb(idle.hub.rssKb)}, ${f1(idle.hub.cpuPercent)} % CPU, ${describeLoop(idle.hubLoop)}; ${idle.connected} connected, ` +
        `${idle.agentsPinged} pinged (${idle.heartbeats} heartbeats), ${idle.statesOk} state reports, ${idle.disconnects} disconnects`,
    );
    const fanouts: FanoutResult[] = [];
    // Commands to agents that are not there would only be queued (202): no fan-out then.
    const targets = step.failed > 0 ? [] : credentials.slice(0, Math.min(options.fanout, level));
    for (const concurrency of targets.length > 0 ? options.fanoutConcurrency : []) {
      checkInterrupted();
      const inFlight = Math.min(concurrency, targets.length);
      log(`Fan-out: ${targets.length} time changes, ${inFlight} in flight…`);
      const result = await fanOut(hub.url, parent, workers, targets, level, inFlight, hubPid, loop);
      fanouts.push(result);
      log(
        `  all answered in ${(result.wallMs / 1000).toFixed(2)} s; p50 ${f0(result.latencyMs?.p50)} ms, ` +
          `p95 ${f0(result.latencyMs?.p95)} ms; ${describeLoop(result.hubLoop)}; ${JSON.stringify(result.statuses)}; ` +
          `exactly once: ${result.accounting.exactlyOnce}/${targets.length}; ` +
          `${result.slowConnects} TCP connects took ≥ 1 s (listen-queue overflows: ${result.listenOverflows ?? '?'})`,
      );
      await sleepInterruptibly(SETTLE_MS); // the agents' post-command state reports
    }
    levels.push({ agents: level, connect, childrenAdded, idle, fanouts });
    if (step.failed > 0) {
      log('Some agents could not connect: not going further.');
      break;
    }
  }

  const hubEnd = procSample(hubPid);
  const top = levels[levels.length - 1]!;
  const heldAll =
    top.agents >= 5000 &&
    top.idle.connected === top.agents &&
    top.idle.disconnects === 0 &&
    top.idle.statesRefused === 0 &&
    // Every agent must have had a heartbeat, when the window was long enough for one.
    (top.idle.seconds * 1000 < 1.2 * top.idle.pingIntervalMs || top.idle.agentsPinged === top.agents);
  const fanoutAims = levels.flatMap((l) => l.fanouts).filter((f) => f.aimMet !== null);
  const report = {
    benchmark: 'many-agents',
    command: `node bench/run.mjs many-agents ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: new Date(Date.now() - performance.now()).toISOString(),
    options,
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? null,
      memTotalGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      kernel: os.release(),
      node: process.version,
      openFilesLimit: filesLimit,
    },
    hubBuild: {
      commit,
      distBuiltAt,
    },
    stateReportBytes,
    enroll: {
      devices: credentials.length,
      ms: enrollMs,
      perSecond: credentials.length / (enrollMs / 1000),
    },
    hub: { start: hubStart, afterEnroll: hubAfterEnroll, end: hubEnd },
    levels,
    aims: {
      hold5000: heldAll,
      fanout1000Within3s: fanoutAims.length > 0 ? fanoutAims.every((f) => f.aimMet) : null,
    },
  };
  console.log(markdown(report));
  if (options.json) {
    fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`JSON written to ${options.json}`);
  }
  const problems = levels.some(
    (l) =>
      l.connect.failed > 0 ||
      l.idle.disconnects > 0 ||
      l.fanouts.some((f) => f.accounting.exactlyOnce !== f.targets || (f.statuses['200'] ?? 0) !== f.targets),
  );
  if (problems) process.exitCode = 1;
}

/** When the hub was last built: the newest .js file under hub/dist (its build is incremental). */
function newestMtime(dir: string): Date {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.js'))
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return new Date(newest);
}

function gitDescribe(): Promise<string | null> {
  return new Promise((resolve) =>
    execFile('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { timeout: 10_000 }, (error, stdout) =>
      resolve(error ? null : stdout.trim()),
    ),
  );
}

function log(message: string): void {
  console.error(message);
}

const describeLoop = (w: LoopWindow | null) =>
  w
    ? `event loop busy ${(w.utilization * 100).toFixed(0)} %, late by p99 ${w.delayMs.p99} ms / max ${w.delayMs.max} ms`
    : 'event loop not watched';
const f0 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(0));
const f1 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(1));
const mb = (kb: number | null | undefined) =>
  kb === null || kb === undefined ? '–' : `${(kb / 1024).toFixed(0)} MiB`;

function markdown(r: {
  command: string;
  startedAt: string;
  options: Options;
  machine: Record<string, unknown>;
  hubBuild: { commit: string | null; distBuiltAt: string };
  stateReportBytes: number;
  enroll: { devices: number; ms: number; perSecond: number };
  hub: { start: ProcSample; afterEnroll: ProcSample; end: ProcSample };
  levels: LevelResult[];
  aims: { hold5000: boolean; fanout1000Within3s: boolean | null };
}): string {
  const m = r.machine;
  const o = r.options;
  const handshake = r.levels.find((l) => l.idle.handshake)?.idle.handshake;
  const children = sum(r.levels.map((l) => l.childrenAdded.count));
  const loopBusy = (w: LoopWindow | null) => (w ? `${f0(w.utilization * 100)} %` : '–');
  const loopDelay = (w: LoopWindow | null) => (w ? `${f0(w.delayMs.p99)} / ${f0(w.delayMs.max)} ms` : '–');
  const lines = [
    `## many-agents benchmark — ${r.startedAt}`,
    '',
    `\`${r.command}\` — ${m.cpus} CPUs (${m.cpuModel}), ${m.memTotalGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}; ` +
      `${o.workers} agent worker processes, ${o.users} timekpr user(s) per PC, state report every ${o.stateIntervalSeconds} s ± 25 %, ` +
      `${o.applyMs} ms pretend timekpr per command. Enrolled ${r.enroll.devices} devices in ${(r.enroll.ms / 1000).toFixed(1)} s ` +
      `(${r.enroll.perSecond.toFixed(0)}/s); hub RSS ${mb(r.hub.start.rssKb)} at start, ${mb(r.hub.end.rssKb)} at the end (peak ${mb(r.hub.end.hwmKb)}).`,
    '',
    `Hub build: commit ${r.hubBuild.commit ?? '?'}, hub/dist built ${r.hubBuild.distBuiltAt}. ` +
      (handshake
        ? `It told the agents: ping every ${handshake.pingInterval} ms, timeout ${handshake.pingTimeout} ms, ` +
          `messages up to ${handshake.maxPayload} bytes`
        : 'No agent saw its handshake') +
      `; a state report of ${o.users} user(s) (--userinfo ${o.userinfo}) is ${r.stateReportBytes} bytes. ` +
      `Home Assistant discovery: ${o.haDiscovery === null ? "the hub's default" : `HA_DISCOVERY=${o.haDiscovery}`}; ` +
      `${children} children (one per PC, owning its first login).`,
    '',
    '| agents | connect step | hub RSS | hub CPU idle | hub loop busy | loop delay p99 / max | agents CPU | agents pinged (heartbeats) | state reports (p95 ack) | disconnects so far |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const l of r.levels) {
    const i = l.idle;
    lines.push(
      `| ${l.agents} | +${l.connect.added - l.connect.failed} in ${(l.connect.ms / 1000).toFixed(1)} s` +
        `${l.connect.failed > 0 ? ` (${l.connect.failed} failed)` : ''} | ${mb(i.hub.rssKb)} | ${f1(i.hub.cpuPercent)} % ` +
        `| ${loopBusy(i.hubLoop)} | ${loopDelay(i.hubLoop)} | ${f1(i.workers.cpuPercent)} % | ${i.agentsPinged} (${i.heartbeats}) | ${i.statesOk}` +
        `${i.statesRefused > 0 ? ` (+${i.statesRefused} refused)` : ''} (${f0(i.stateAckMs?.p95)} ms) | ${i.disconnects} |`,
    );
  }
  lines.push(
    '',
    `Idle windows of ${o.idleSeconds} s (the hub pings each agent every ${(r.levels[0]?.idle.pingIntervalMs ?? HUB_PING_INTERVAL_MS) / 1000} s); ` +
      "CPU in % of one core, from /proc/<pid>/stat; loop busy: the share of the time the hub's event loop ran " +
      'callbacks (event-loop utilization); loop delay: how late a timer due every 10 ms fired in the hub.',
    '',
    '| agents | fan-out | in flight | all answered | p50 | p95 | max | command at agent (p95 / last) | hub CPU | hub loop busy | loop delay p99 / max | machine busy | TCP connects ≥ 1 s | answers | exactly once |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- | --: |',
  );
  for (const f of r.levels.flatMap((l) => l.fanouts)) {
    lines.push(
      `| ${f.agents} | ${f.targets} | ${f.concurrency} | ${(f.wallMs / 1000).toFixed(2)} s | ${f0(f.latencyMs?.p50)} ms ` +
        `| ${f0(f.latencyMs?.p95)} ms | ${f0(f.latencyMs?.max)} ms | ${f0(f.deliveredMs?.p95)} / ${f0(f.deliveredMs?.max)} ms ` +
        `| ${f0(f.hubCpuPercent)} % | ${loopBusy(f.hubLoop)} | ${loopDelay(f.hubLoop)} | ${f0(f.machineBusyPercent)} % | ${f.slowConnects} | ${Object.entries(
          f.statuses,
        )
          .map(([status, n]) => `${n}× ${status}`)
          .join(', ')} | ${f.accounting.exactlyOnce}/${f.targets} |`,
    );
  }
  if (handshake && handshake.maxPayload < r.stateReportBytes) {
    lines.push(
      '',
      `**The hub closes the connection of every agent whose state report is over ${handshake.maxPayload} bytes** ` +
        `(engine.io's maxHttpBufferSize); this one is ${r.stateReportBytes} bytes.`,
    );
  }
  const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'MISSED');
  lines.push(
    '',
    `Aim "5,000 agents on one hub": ${verdict(r.aims.hold5000)}. ` +
      `Aim "1,000-agent fan-out acknowledged ≤ 3 s" (all 1,000 requests at once): ${verdict(r.aims.fanout1000Within3s)}.`,
  );
  for (const f of r.levels.flatMap((l) => l.fanouts)) {
    for (const failure of f.failures.slice(0, 3))
      lines.push(`- ${f.agents} agents, ${f.concurrency} in flight: ${failure}`);
    const a = f.accounting;
    if (a.missing || a.duplicated || a.notTargeted || a.wrongCommandId)
      lines.push(`- ${f.agents} agents, ${f.concurrency} in flight: accounting ${JSON.stringify(a)}`);
  }
  for (const l of r.levels) {
    for (const error of [...l.connect.errors, ...l.idle.errors].slice(0, 3))
      lines.push(`- ${l.agents} agents: ${error}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

if (process.argv[2] === '--worker' && process.send) runWorker();
else
  runBenchmark({
    name: 'many-agents',
    usage: USAGE,
    stopping: 'the agents and the hub',
    parse: parseOptions,
    main,
    explain: () => {
      const output = hubLog?.().trim();
      if (output) console.error(`hub output (last 3000 characters):\n${output.slice(-3000)}`);
    },
  });
