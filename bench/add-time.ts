/**
 * Add-time round trip: the hub (HTTP → SQLite → socket.io → agent → timekpra → back) against the same
 * `timekpra --settimeleft` + `timekpra --userinfo` run directly, in one run, on this machine.
 *
 *   node bench/run.mjs add-time [--iterations 100] [--warmup 10] [--stale 0] [--json FILE]
 *
 * Starts its own Timekpr lab (system bus if none, logind mock, the real timekprd), the built hub on a
 * loopback port with a temporary data directory, and the enrolled agent bundle; stops all of it at the
 * end, on errors and on Ctrl-C. Needs root and `npm run build`. See docs/benchmarks.md.
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
import type { DeviceView, EnrollmentCreated, ManagedUserView, TimeResponse } from '@kidtime/protocol';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiClient } from '../test/support/api-client';
import { AgentProcess, HubProcess, ROOT } from '../test/support/hub-process';
import { eventually, sleep } from '../test/support/processes';
import { FRESH_STATE_MS } from '../protocol/src/timekpr/client';
import {
  isProcessAlive,
  startTimekprLab,
  stopLab,
  type LabState,
  type TimekprLab,
} from '../test/support/timekpr-lab';

const TIMEKPRA = '/usr/bin/timekpra';
/** The agent treats a state read this recent as the "before" of a relative change. */
const AGENT_FRESH_STATE_MS = FRESH_STATE_MS;
/** A sample starts only after no timekpra has run and the hub and agent used no CPU for this long. */
const QUIET_MS = 200;
const IDLE_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 60_000;
const TIMEKPRA_TIMEOUT_MS = 30_000;
const MAX_FAILURES = 5;
const MAX_BUSY_RETRIES = 3;
const RELOGIN_AFTER_MS = 10 * 60_000; // access tokens live 15 min
const STATE_FILE = path.join(os.tmpdir(), 'kidtime-bench-add-time.json');

// ---------------------------------------------------------------------------------------------
// options

interface Options {
  iterations: number;
  warmup: number;
  stale: number;
  json: string | null;
  user: string;
  directUser: string;
  stateIntervalSeconds: number;
}

const USAGE = `usage: node bench/run.mjs add-time [options]
  --iterations N      measured ABAB pairs (default 100, 1-10000)
  --warmup N          unmeasured pairs first (default 10, 0-1000)
  --stale N           extra pairs each taken after ${AGENT_FRESH_STATE_MS / 1000 + 1} s idle, when the agent's cached
                      state is stale and it reads before writing (default 0, 0-20)
  --json FILE         also write the results and every sample as JSON
  --user LOGIN        test user for the hub path (default ktbench1)
  --direct-user LOGIN test user for the direct path (default ktbench2); both are created if missing and
                      reset to the same timekpr settings. Two users, because a change made behind the
                      agent's back would make its next verification fail (see docs/benchmarks.md)
  --state-interval S  the agent's periodic state report interval (default 3600, 10-3600; the product's is 45)`;

function parseOptions(argv: string[]): Options {
  const options: Options = {
    iterations: 100,
    warmup: 10,
    stale: 0,
    json: null,
    user: 'ktbench1',
    directUser: 'ktbench2',
    stateIntervalSeconds: 3600,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes('=')
      ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)]
      : [flag, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '--iterations':
        options.iterations = wholeNumber(name, value(), 1, 10_000);
        break;
      case '--warmup':
        options.warmup = wholeNumber(name, value(), 0, 1000);
        break;
      case '--stale':
        options.stale = wholeNumber(name, value(), 0, 20);
        break;
      case '--state-interval':
        options.stateIntervalSeconds = wholeNumber(name, value(), 10, 3600);
        break;
      case '--json': {
        const file = value();
        if (!file) throw new UsageError('--json needs a file name');
        options.json = path.resolve(file);
        break;
      }
      case '--user':
      case '--direct-user': {
        const login = value() ?? '';
        if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(login))
          throw new UsageError(`--user: invalid login ${JSON.stringify(login)}`);
        if (name === '--user') options.user = login;
        else options.directUser = login;
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (options.user === options.directUser) throw new UsageError('--user and --direct-user must differ');
  return options;
}

// ---------------------------------------------------------------------------------------------
// clean-up (the registry is in lib/harness.ts)

/** Bench-owned record of what is running, so a run killed with SIGKILL is cleaned up by the next one. */
interface BenchState {
  benchPid: number;
  lab: LabState | null;
  hubPid: number | null;
  agentPid: number | null;
}

function writeBenchState(state: BenchState): void {
  fs.writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** SIGTERM (then SIGKILL) a pid a previous run recorded, only while it still runs the expected program. */
async function stopRecorded(pid: number | null, expected: string): Promise<void> {
  if (pid === null || !isProcessAlive(pid) || !cmdline(pid).includes(expected)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isProcessAlive(pid); i++) await sleep(50);
  if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
}

async function cleanUpPreviousRun(): Promise<void> {
  let previous: BenchState;
  try {
    previous = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as BenchState;
  } catch {
    return;
  }
  if (
    previous.benchPid !== process.pid &&
    isProcessAlive(previous.benchPid) &&
    cmdline(previous.benchPid).includes('add-time')
  ) {
    throw new Error(
      `another add-time benchmark is running (pid ${previous.benchPid}); wait for it or stop it`,
    );
  }
  console.error(`A previous benchmark run did not finish; stopping what it left running (${STATE_FILE})`);
  await stopRecorded(previous.agentPid, 'kidtime-agent');
  await stopRecorded(previous.hubPid, 'hub/dist/main.js');
  if (previous.lab) await stopLab(previous.lab);
  fs.rmSync(STATE_FILE, { force: true });
}

// ---------------------------------------------------------------------------------------------
// measuring

const timekpraEnv: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C' };
if (process.env.DBUS_SYSTEM_BUS_ADDRESS)
  timekpraEnv.DBUS_SYSTEM_BUS_ADDRESS = process.env.DBUS_SYSTEM_BUS_ADDRESS;

/** One timekpra call exactly as the agent makes it (argument array, C locale, no DISPLAY). */
function timekpra(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      TIMEKPRA,
      args,
      { env: timekpraEnv, timeout: TIMEKPRA_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`timekpra ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`))
          : resolve(stdout),
    );
  });
}

const meaningful = (out: string): string[] =>
  out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(FYI|WARNING): PERFORMANCE/.test(line));
const BUSY = /is already running for user/;

function balanceFrom(userinfo: string): number | null {
  const match = /^TIME_SPENT_BALANCE: (-?\d+)$/m.exec(userinfo);
  return match ? Number(match[1]) : null;
}

/** Whether any timekpra process is running on the machine (the agent's, or anyone's). */
function timekpraRunning(): boolean {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (args.slice(0, 3).some((arg) => arg === TIMEKPRA || arg.endsWith('/timekpra'))) return true;
  }
  return false;
}

function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return -1;
  }
}

/**
 * Waits until the machine is quiet: no timekpra running and no CPU used by the given processes (hub, agent)
 * for QUIET_MS. Returns when a timekpra was last seen (performance.now(), accurate to ~5 ms), or null.
 */
async function settle(pids: number[]): Promise<number | null> {
  const start = performance.now();
  let lastSeen: number | null = null;
  let quietSince = performance.now();
  let lastCpu = pids.map(cpuTicks).join(',');
  for (;;) {
    checkInterrupted();
    const now = performance.now();
    const cpu = pids.map(cpuTicks).join(',');
    if (timekpraRunning()) {
      lastSeen = now;
      quietSince = now;
    } else if (cpu !== lastCpu) {
      quietSince = now;
    } else if (now - quietSince >= QUIET_MS) {
      return lastSeen;
    }
    lastCpu = cpu;
    if (now - start > IDLE_TIMEOUT_MS)
      throw new Error(`the machine did not settle within ${IDLE_TIMEOUT_MS} ms`);
    await sleep(5);
  }
}

interface Pair {
  phase: 'warmup' | 'measured' | 'stale';
  op: '+' | '-';
  /** direct: settimeleft + userinfo, ms */
  direct: number;
  /** through the hub: POST …/time until the 200, ms */
  hub: number | null;
  /** the agent's own "Applied … in N ms" for this command (whole ms) */
  agentApply: number | null;
  /** from the 200 until the agent's last timekpra of its post-command state report ended, ms */
  agentTailAfter200: number | null;
  /** CPU time (10 ms ticks) used by the hub / agent during the request, and after the 200 until settled */
  cpuMs: { hubRequest: number; hubAfter: number; agentRequest: number; agentAfter: number };
  commandId: string | null;
  hubError: string | null;
}

interface Proc {
  rssKb: number | null;
  hwmKb: number | null;
  cpuMs: number | null;
}

function procInfo(pid: number | undefined): Proc {
  if (!pid) return { rssKb: null, hwmKb: null, cpuMs: null };
  const field = (status: string, key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : null;
  };
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
    return { rssKb: field(status, 'VmRSS'), hwmKb: field(status, 'VmHWM'), cpuMs: (ticks * 1000) / 100 };
  } catch {
    return { rssKb: null, hwmKb: null, cpuMs: null };
  }
}

function execText(file: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) =>
    execFile(file, args, { timeout: 10_000 }, (error, stdout) => resolve(error ? null : stdout.trim())),
  );
}

// ---------------------------------------------------------------------------------------------
// the run

async function main(options: Options): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new Error('must run as root (timekprd, timekpra and the test user need it)');
  for (const built of ['hub/dist/main.js', 'agent/dist/kidtime-agent.cjs']) {
    if (!fs.existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run "npm run build" first`);
  }
  await cleanUpPreviousRun();
  const benchState: BenchState = { benchPid: process.pid, lab: null, hubPid: null, agentPid: null };
  writeBenchState(benchState);
  onCleanup('the state file', async () => fs.rmSync(STATE_FILE, { force: true }));

  const U = options.user;
  const D = options.directUser;
  log(`Starting the Timekpr lab (system bus, logind mock, timekprd)…`);
  const lab: TimekprLab = await startTimekprLab();
  benchState.lab = lab.state;
  writeBenchState(benchState);
  onCleanup('the Timekpr lab', async () => {
    await lab.stop({ deleteUsers: true });
    fs.rmSync(lab.state.logDir, { recursive: true, force: true });
  });
  checkInterrupted();
  for (const login of [U, D]) {
    await lab.ensureUser(login);
    await lab.resetUser(login);
  }

  log('Starting the hub…');
  const hub = await HubProcess.start({ HOST: '127.0.0.1', LOG_LEVEL: 'log' });
  benchState.hubPid = hub.process.child.pid ?? null;
  writeBenchState(benchState);
  onCleanup('the hub', () => hub.stop());
  checkInterrupted();

  const api = new ApiClient(hub.url);
  const password = `kitchen-timer-${process.pid}-${Date.now()}`;
  const setup = await api.post('/api/setup', { username: 'bench', password });
  if (setup.status !== 201) throw new Error(`POST /api/setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  await api.login('bench', password);
  let loggedInAt = Date.now();
  const enrollment = await api.post<EnrollmentCreated>('/api/enrollments', {});
  if (enrollment.status !== 201)
    throw new Error(`POST /api/enrollments: ${enrollment.status} ${JSON.stringify(enrollment.body)}`);

  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-bench-agent-'));
  onCleanup('the agent config', async () => fs.rmSync(configDir, { recursive: true, force: true }));
  const configPath = path.join(configDir, 'agent.json');
  log('Enrolling and starting the agent…');
  await AgentProcess.enroll(hub.url, enrollment.body.code, configPath);
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  config.stateIntervalSeconds = options.stateIntervalSeconds;
  fs.writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const agent = AgentProcess.start(configPath);
  benchState.agentPid = agent.process.child.pid ?? null;
  writeBenchState(benchState);
  onCleanup('the agent', () => agent.stop());

  const device = await eventually(
    `the agent to connect and report ${U}`,
    async () => {
      checkInterrupted();
      const devices = (await api.get<DeviceView[]>('/api/devices')).body;
      const online = devices.find((d) => d.online);
      if (!online) return undefined;
      const users = (await api.get<ManagedUserView[]>(`/api/devices/${online.id}/users`)).body;
      return users.some((u) => u.login === U && u.state) ? online : undefined;
    },
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\nagent log:\n${agent.log}\nhub log:\n${hub.process.log}`);
  });
  const hubPid = hub.process.child.pid ?? 0;
  const agentPid = agent.process.child.pid ?? 0;
  const watched = [hubPid, agentPid];
  const managedUsers = (await api.get<ManagedUserView[]>(`/api/devices/${device.id}/users`)).body.length;

  // --- the two paths ---------------------------------------------------------------------------
  const failures: string[] = [];
  let busyRetries = 0;
  let balanceMismatches = 0;
  let directBalance: number | null = null;
  let hubBalance: number | null = null;
  const mismatch = (what: string, expected: number, actual: number | null | undefined) => {
    balanceMismatches++;
    if (balanceMismatches <= 5) log(`  balance mismatch (${what}): expected ${expected}, got ${actual}`);
  };

  const direct = async (op: '+' | '-'): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      const setOut = await timekpra(['--settimeleft', D, op, '1']);
      const info = await timekpra(['--userinfo', D]);
      const ms = performance.now() - t0;
      if ((BUSY.test(setOut) || BUSY.test(info)) && attempt < MAX_BUSY_RETRIES) {
        busyRetries++; // someone else's timekpra ran at the same time: not a fair sample
        if (!BUSY.test(setOut) && directBalance !== null) directBalance += op === '+' ? -1 : 1;
        await settle(watched);
        continue;
      }
      if (meaningful(setOut).length > 0)
        throw new Error(`timekpra --settimeleft ${D} ${op} 1 said: ${setOut.trim()}`);
      const balance = balanceFrom(info);
      if (balance === null)
        throw new Error(`timekpra --userinfo ${D} gave no TIME_SPENT_BALANCE:\n${info.trim()}`);
      if (directBalance !== null) {
        const expected = directBalance + (op === '+' ? -1 : 1);
        if (balance !== expected) mismatch('direct', expected, balance);
      }
      directBalance = balance;
      return ms;
    }
  };

  const throughHub = async (op: '+' | '-') => {
    if (Date.now() - loggedInAt > RELOGIN_AFTER_MS) {
      await api.login('bench', password);
      loggedInAt = Date.now();
    }
    const t0 = performance.now();
    const response = await withTimeout(
      api.post<TimeResponse & { message?: unknown }>(`/api/devices/${device.id}/users/${U}/time`, {
        op: op === '+' ? 'add' : 'subtract',
        seconds: 1,
      }),
      REQUEST_TIMEOUT_MS,
      'POST …/time',
    );
    const ms = performance.now() - t0;
    const end = performance.now();
    if (response.status !== 200 || response.body.command?.status !== 'applied') {
      const error = `${op} 1 s: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 600)}`;
      failures.push(error);
      log(`  FAILED ${error}`);
      hubBalance = null; // unknown now
      return { ms: null, end, commandId: response.body?.command?.id ?? null, error };
    }
    const balance = response.body.state?.timeSpentBalance;
    if (hubBalance !== null) {
      const expected = hubBalance + (op === '+' ? -1 : 1);
      if (balance !== expected) mismatch('hub', expected, balance);
    }
    hubBalance = typeof balance === 'number' ? balance : null;
    return { ms, end, commandId: response.body.command.id, error: null };
  };

  const pairs: Pair[] = [];
  const runPair = async (phase: Pair['phase'], op: '+' | '-', idleBeforeHubMs = 0) => {
    checkInterrupted();
    await settle(watched);
    const directMs = await direct(op);
    await settle(watched);
    if (idleBeforeHubMs > 0) await sleepInterruptibly(idleBeforeHubMs);
    const cpu0 = [cpuTicks(hubPid), cpuTicks(agentPid)] as const;
    const hubResult = await throughHub(op);
    const cpu1 = [cpuTicks(hubPid), cpuTicks(agentPid)] as const;
    const lastSeen = await settle(watched); // the agent's post-command state report
    const cpu2 = [cpuTicks(hubPid), cpuTicks(agentPid)] as const;
    pairs.push({
      phase,
      op,
      direct: directMs,
      hub: hubResult.ms,
      agentApply: null,
      agentTailAfter200: lastSeen === null ? 0 : Math.max(0, lastSeen - hubResult.end),
      cpuMs: {
        hubRequest: (cpu1[0] - cpu0[0]) * 10,
        hubAfter: (cpu2[0] - cpu1[0]) * 10,
        agentRequest: (cpu1[1] - cpu0[1]) * 10,
        agentAfter: (cpu2[1] - cpu1[1]) * 10,
      },
      commandId: hubResult.commandId,
      hubError: hubResult.error,
    });
    if (failures.length > MAX_FAILURES) {
      throw new Error(
        `more than ${MAX_FAILURES} failed hub calls:\n${failures.join('\n')}\nagent log tail:\n${agent.log.slice(-3000)}`,
      );
    }
  };

  log(
    `Device ${device.name} online with ${managedUsers} managed users; warming up (${options.warmup} pairs)…`,
  );
  for (let i = 0; i < options.warmup; i++) await runPair('warmup', i % 2 === 0 ? '+' : '-');

  const load1 = os.loadavg();
  const hubBefore = procInfo(hub.process.child.pid);
  const agentBefore = procInfo(agent.process.child.pid);
  const startedAt = new Date();
  log(`Measuring ${options.iterations} pairs (direct, hub, direct, hub, …)…`);
  for (let i = 0; i < options.iterations; i++) {
    await runPair('measured', i % 2 === 0 ? '+' : '-');
    if ((i + 1) % 25 === 0) log(`  ${i + 1}/${options.iterations}`);
  }
  const hubAfter = procInfo(hub.process.child.pid);
  const agentAfter = procInfo(agent.process.child.pid);
  const load2 = os.loadavg();
  const measuredSeconds = (Date.now() - startedAt.getTime()) / 1000;

  if (options.stale > 0) {
    log(
      `Stale-cache pairs: ${options.stale} × ${AGENT_FRESH_STATE_MS / 1000 + 1} s idle before the hub call…`,
    );
    for (let i = 0; i < options.stale; i++) {
      await runPair('stale', i % 2 === 0 ? '+' : '-', AGENT_FRESH_STATE_MS + 1000);
    }
  }

  // the agent's own timing, from its log: "Applied add 1 s for U (command ID) in N ms"
  const applied = new Map<string, number>();
  for (const match of agent.log.matchAll(
    /Applied \w+ \d+ s for [\w-]+ \(command ([0-9a-f-]{36})\) in (\d+) ms/g,
  )) {
    applied.set(match[1]!, Number(match[2]));
  }
  for (const pair of pairs) pair.agentApply = pair.commandId ? (applied.get(pair.commandId) ?? null) : null;

  // --- report ----------------------------------------------------------------------------------
  const ok = (phase: Pair['phase']) => pairs.filter((p) => p.phase === phase && p.hub !== null);
  const measured = ok('measured');
  const stale = ok('stale');
  const results = {
    direct: stats(measured.map((p) => p.direct)),
    hub: stats(measured.map((p) => p.hub!)),
    agentApply: stats(measured.filter((p) => p.agentApply !== null).map((p) => p.agentApply!)),
    hubMinusAgentApply: stats(
      measured.filter((p) => p.agentApply !== null).map((p) => p.hub! - p.agentApply!),
    ),
    agentTailAfter200: stats(measured.map((p) => p.agentTailAfter200 ?? 0)),
    staleDirect: stats(stale.map((p) => p.direct)),
    staleHub: stats(stale.map((p) => p.hub!)),
    staleAgentApply: stats(stale.filter((p) => p.agentApply !== null).map((p) => p.agentApply!)),
  };
  const overhead = (q: 'p50' | 'p95') =>
    results.direct && results.hub
      ? {
          ms: results.hub[q] - results.direct[q],
          percent: ((results.hub[q] - results.direct[q]) / results.direct[q]) * 100,
        }
      : null;
  const hubEnd = procInfo(hub.process.child.pid);
  const agentEnd = procInfo(agent.process.child.pid);
  const hubCommands = measured.length || 1;
  const machine = {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? null,
    memTotalGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    timekpr: await execText('dpkg-query', ['-W', '-f=${Version}', 'timekpr-next']),
    commit: await execText('git', ['-C', ROOT, 'describe', '--always', '--dirty']),
    loadAverageBefore: load1.map((v) => Math.round(v * 100) / 100),
    loadAverageAfter: load2.map((v) => Math.round(v * 100) / 100),
  };
  const report = {
    benchmark: 'add-time',
    command: `node bench/run.mjs add-time ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: startedAt.toISOString(),
    measuredSeconds,
    options,
    machine,
    managedUsers,
    results,
    overhead: { p50: overhead('p50'), p95: overhead('p95') },
    aimMet: {
      p50: (overhead('p50')?.percent ?? Infinity) <= 10,
      p95: (overhead('p95')?.percent ?? Infinity) <= 10,
    },
    processes: {
      hub: {
        ...hubEnd,
        cpuMsPerCommand: cpuPer(hubBefore, hubAfter, hubCommands),
        cpuMsDuringRequest: mean(measured.map((p) => p.cpuMs.hubRequest)),
        cpuMsAfter200: mean(measured.map((p) => p.cpuMs.hubAfter)),
      },
      agent: {
        ...agentEnd,
        cpuMsPerCommand: cpuPer(agentBefore, agentAfter, hubCommands),
        cpuMsDuringRequest: mean(measured.map((p) => p.cpuMs.agentRequest)),
        cpuMsAfter200: mean(measured.map((p) => p.cpuMs.agentAfter)),
      },
    },
    anomalies: { failedHubCalls: failures, directBusyRetries: busyRetries, balanceMismatches },
    samples: pairs,
  };
  console.log(markdown(report));
  if (options.json) {
    fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`JSON written to ${options.json}`);
  }
  if (failures.length > 0 || balanceMismatches > 0) process.exitCode = 1;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function cpuPer(before: Proc, after: Proc, count: number): number | null {
  return before.cpuMs === null || after.cpuMs === null ? null : (after.cpuMs - before.cpuMs) / count;
}

function log(message: string): void {
  console.error(message);
}

const f1 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(1));
const mb = (kb: number | null) => (kb === null ? '–' : `${(kb / 1024).toFixed(1)} MiB`);

function markdown(r: {
  command: string;
  startedAt: string;
  measuredSeconds: number;
  options: Options;
  machine: Record<string, unknown>;
  managedUsers: number;
  results: Record<string, Stats | null>;
  overhead: Record<'p50' | 'p95', { ms: number; percent: number } | null>;
  aimMet: Record<'p50' | 'p95', boolean>;
  processes: Record<
    'hub' | 'agent',
    Proc & { cpuMsPerCommand: number | null; cpuMsDuringRequest: number | null; cpuMsAfter200: number | null }
  >;
  anomalies: { failedHubCalls: string[]; directBusyRetries: number; balanceMismatches: number };
}): string {
  const m = r.machine;
  const row = (label: string, s: Stats | null | undefined) =>
    `| ${label} | ${s?.n ?? 0} | ${f1(s?.mean)} | ${f1(s?.p50)} | ${f1(s?.p95)} | ${f1(s?.p99)} | ${f1(s?.min)} | ${f1(s?.max)} |`;
  const head =
    '| path (ms) | n | mean | p50 | p95 | p99 | min | max |\n|---|---:|---:|---:|---:|---:|---:|---:|';
  const over = (q: 'p50' | 'p95') => {
    const o = r.overhead[q];
    return o
      ? `+${f1(o.ms)} ms (${o.percent >= 0 ? '+' : ''}${o.percent.toFixed(1)} %) — aim ≤ 10 % ${r.aimMet[q] ? 'met' : 'MISSED'}`
      : '–';
  };
  const lines = [
    `## add-time benchmark — ${r.startedAt}`,
    '',
    `\`${r.command}\` — ${r.options.iterations} measured pairs after ${r.options.warmup} warm-up pairs, ${r.measuredSeconds.toFixed(0)} s; ` +
      `${m.cpus} CPUs (${m.cpuModel}), ${m.memTotalGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, timekpr-next ${m.timekpr}, ` +
      `commit ${m.commit}; ${r.managedUsers} timekpr users on the device; load average before/after ` +
      `${(m.loadAverageBefore as number[]).join(' ')} / ${(m.loadAverageAfter as number[]).join(' ')}.`,
    '',
    head,
    row('direct: `timekpra --settimeleft` + `--userinfo`', r.results.direct),
    row('hub: `POST …/time` until the 200', r.results.hub),
    row('↳ agent apply (its log, whole ms)', r.results.agentApply),
    row('↳ hub − agent apply (HTTP, SQLite, socket.io)', r.results.hubMinusAgentApply),
    row('agent still busy after the 200 (state report)', r.results.agentTailAfter200),
  ];
  if (r.results.staleHub || r.results.staleDirect) {
    lines.push(
      row(`stale cache (> ${AGENT_FRESH_STATE_MS / 1000} s idle): direct`, r.results.staleDirect),
      row(`stale cache (> ${AGENT_FRESH_STATE_MS / 1000} s idle): hub`, r.results.staleHub),
      row('stale cache: agent apply', r.results.staleAgentApply),
    );
  }
  lines.push(
    '',
    `Overhead of the hub path at p50: ${over('p50')}; at p95: ${over('p95')}.`,
    '',
    `Memory after the run: hub VmRSS ${mb(r.processes.hub.rssKb)} (peak ${mb(r.processes.hub.hwmKb)}), ` +
      `agent VmRSS ${mb(r.processes.agent.rssKb)} (peak ${mb(r.processes.agent.hwmKb)}). ` +
      `CPU per measured command (timekpra's own not counted): hub ${f1(r.processes.hub.cpuMsPerCommand)} ms ` +
      `(${f1(r.processes.hub.cpuMsDuringRequest)} during the request, ${f1(r.processes.hub.cpuMsAfter200)} after the 200), ` +
      `agent ${f1(r.processes.agent.cpuMsPerCommand)} ms (${f1(r.processes.agent.cpuMsDuringRequest)} during, ` +
      `${f1(r.processes.agent.cpuMsAfter200)} after: its state report of all users).`,
    '',
    `Anomalies: ${r.anomalies.failedHubCalls.length} failed hub calls, ${r.anomalies.directBusyRetries} direct samples retried ` +
      `because another timekpra was running, ${r.anomalies.balanceMismatches} read-back balance mismatches.`,
  );
  for (const failure of r.anomalies.failedHubCalls.slice(0, 5)) lines.push(`- ${failure}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

runBenchmark({
  name: 'add-time',
  usage: USAGE,
  stopping: 'the agent, the hub and the lab',
  parse: parseOptions,
  main,
});
