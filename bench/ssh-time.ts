/**
 * Add-time round trip over SSH: the hub's agentless mode (HTTP → the hub's reused ssh2 connection →
 * `timekpra --settimeleft` + `--userinfo` → verified 200) against what existing tools do, a new OpenSSH
 * client per click; and, to tell the SSH login apart from timekpra, the same two calls over ssh2 on a
 * reused and on a new connection, and run locally without SSH. All paths take turns, in one run.
 *
 *   node bench/run.mjs ssh-time [--iterations 200] [--warmup 5] [--seconds 60] [--json FILE]
 *
 * Starts its own Timekpr lab (the real timekprd), Debian's sshd on 127.0.0.1 (test/support/sshd.ts) with
 * two accounts in group timekpr and one client key, and the built hub; stops all of it at the end, on
 * errors and on Ctrl-C. Needs root and `npm run build`. See docs/benchmarks.md.
 */
import {
  expectSilentSuccess,
  parseUserinfo,
  type DeviceView,
  type ManagedUserView,
  type TimeResponse,
} from '@kidtime/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { timekpraCommandLine } from '../hub/src/ssh/remote-command';
import { SshSession } from '../hub/src/ssh/ssh-client.adapter';
import { ApiClient } from '../test/support/api-client';
import { HubProcess, ROOT } from '../test/support/hub-process';
import { eventually, sleep } from '../test/support/processes';
import {
  SshServer,
  deleteCreatedSystemUsers,
  ensureSystemUser,
  generateClientKey,
  sshCommand,
} from '../test/support/sshd';
import { startTimekprLab } from '../test/support/timekpr-lab';
import {
  UsageError,
  checkInterrupted,
  onCleanup,
  runBenchmark,
  stats,
  withTimeout,
  type Stats,
  wholeNumber,
} from './lib/harness';

const TIMEKPRA = '/usr/bin/timekpra';
/** The hub's SSH account and the one every direct path uses: apart, so that sshd's log shows the hub's logins. */
const HUB_ACCOUNT = 'kt-benchhub';
const DIRECT_ACCOUNT = 'kt-benchdirect';
/** Children: one changed only through the hub, one only directly (a change behind the hub's back would make
 * its verification against its cached state answer with a warning). */
const HUB_KID = 'ktbenchssh1';
const DIRECT_KID = 'ktbenchssh2';
const TIMEOUT_MS = 30_000;
const QUIET_TIMEOUT_MS = 10_000;

const PATHS = {
  hub: 'hub: `POST …/time` → reused ssh2 connection → 200',
  openssh: 'OpenSSH, new `ssh` per click',
  'ssh2-new': 'ssh2, new connection per click',
  'ssh2-login': '↳ of which connect + key login',
  'ssh2-reused': 'ssh2, reused connection',
  local: 'local `timekpra`, no SSH',
} as const;
type PathName = keyof typeof PATHS;
type Measured = Exclude<PathName, 'ssh2-login'>;
const ROUND: Measured[] = ['hub', 'openssh', 'ssh2-new', 'ssh2-reused', 'local'];

interface Options {
  iterations: number;
  warmup: number;
  seconds: number;
  json: string | null;
}

const USAGE = `usage: node bench/run.mjs ssh-time [options]   (as root, after \`npm run build\`)
  --iterations N   measured add-time commands per path, alternately +S and −S (default 200, 1-2000)
  --warmup N       unmeasured rounds first (default 5, 0-100)
  --seconds S      seconds added or taken per command (default 60, 1-3600)
  --json FILE      also write the results and every sample as JSON`;

function parseOptions(argv: string[]): Options {
  const options: Options = { iterations: 200, warmup: 5, seconds: 60, json: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case '--iterations':
        options.iterations = wholeNumber(flag, argv[++i], 1, 2000);
        break;
      case '--warmup':
        options.warmup = wholeNumber(flag, argv[++i], 0, 100);
        break;
      case '--seconds':
        options.seconds = wholeNumber(flag, argv[++i], 1, 3600);
        break;
      case '--json': {
        const file = argv[++i];
        if (!file) throw new UsageError('--json needs a file name');
        options.json = path.resolve(file);
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  return options;
}

function log(message: string): void {
  console.error(message);
}

/** Processes running now: pid, parent pid, command line. */
function processes(): Array<{ pid: number; ppid: number; args: string[] }> {
  const list: Array<{ pid: number; ppid: number; args: string[] }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      list.push({ pid: Number(entry), ppid, args });
    } catch {
      // ended meanwhile
    }
  }
  return list;
}

/**
 * A sample starts only when no timekpra runs and sshd holds no more sessions than the two kept open (the
 * hub's and the reused direct one): a closed connection's session process has exited.
 */
async function quiet(sshdPid: number, sessions: number): Promise<void> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
  for (;;) {
    checkInterrupted();
    const all = processes();
    const busy = all.some((p) => p.args.slice(0, 4).some((arg) => arg.endsWith('/timekpra')));
    if (!busy && all.filter((p) => p.ppid === sshdPid).length <= sessions) return;
    if (Date.now() > deadline) throw new Error(`still busy after ${QUIET_TIMEOUT_MS} ms`);
    await sleep(5);
  }
}

async function main(options: Options): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new Error('must run as root (timekprd, sshd and the test accounts need it)');
  if (!fs.existsSync(path.join(ROOT, 'hub/dist/main.js')))
    throw new Error('hub/dist/main.js is missing: run "npm run build" first');

  log('Starting the Timekpr lab (system bus, logind mock, timekprd)…');
  const lab = await startTimekprLab();
  onCleanup('the Timekpr lab', async () => {
    await lab.stop({ deleteUsers: true });
    fs.rmSync(lab.state.logDir, { recursive: true, force: true });
  });
  for (const kid of [HUB_KID, DIRECT_KID]) {
    await lab.ensureUser(kid);
    await lab.resetUser(kid);
  }

  // Accounts as on a prepared PC (system accounts in group timekpr), one client key for every path.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-bench-ssh-'));
  onCleanup('the scratch directory', async () => fs.rmSync(work, { recursive: true, force: true }));
  const createdUsers = path.join(work, 'created-users.txt');
  onCleanup('the SSH accounts', () => deleteCreatedSystemUsers(createdUsers));
  for (const account of [HUB_ACCOUNT, DIRECT_ACCOUNT])
    await ensureSystemUser(account, { groups: ['timekpr'], system: true }, createdUsers);
  const key = await generateClientKey();
  onCleanup('the client key', async () =>
    fs.rmSync(path.dirname(key.file), { recursive: true, force: true }),
  );
  log('Starting sshd on 127.0.0.1…');
  const sshd = await SshServer.start({ users: [HUB_ACCOUNT, DIRECT_ACCOUNT] });
  onCleanup('sshd', () => sshd.stop());
  for (const account of [HUB_ACCOUNT, DIRECT_ACCOUNT]) sshd.authorize(account, key.publicKey);
  const { fingerprint } = await sshd.hostKeyFingerprint();
  const knownHosts = path.join(work, 'known_hosts');
  fs.writeFileSync(knownHosts, `[${sshd.host}]:${sshd.port} ${sshd.hostPublicKey()}\n`);
  const sshdPid = sshd.pid!;

  log('Starting the hub…');
  // No polls during the run: each sample is the command alone.
  const hub = await HubProcess.start({ HOST: '127.0.0.1', LOG_LEVEL: 'log', SSH_POLL_SECONDS: '3600' });
  onCleanup('the hub', () => hub.stop());
  const api = new ApiClient(hub.url);
  const parent = { username: 'bench', password: `kitchen-timer-${process.pid}-${Date.now()}` };
  const setup = await api.post('/api/setup', parent);
  if (setup.status !== 201) throw new Error(`POST /api/setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  await api.login(parent.username, parent.password);
  let loggedInAt = Date.now();
  const created = await api.post<DeviceView>('/api/devices', {
    name: 'Bench PC (SSH)',
    ssh: {
      host: sshd.host,
      port: sshd.port,
      username: HUB_ACCOUNT,
      privateKey: key.privateKey,
      hostKeyFingerprint: fingerprint,
    },
  });
  if (created.status !== 201)
    throw new Error(`POST /api/devices: ${created.status} ${JSON.stringify(created.body)}\n${hub.log}`);
  const deviceId = created.body.id;
  await eventually(`the hub to read ${HUB_KID} over SSH`, async () => {
    const users = (await api.get<ManagedUserView[]>(`/api/devices/${deviceId}/users`)).body;
    return users.some((u) => u.login === HUB_KID && u.state) ? true : undefined;
  });

  // --- the paths ---------------------------------------------------------------------------------
  const connect = () =>
    SshSession.connect({
      host: sshd.host,
      port: sshd.port,
      username: DIRECT_ACCOUNT,
      privateKey: key.privateKey,
      acceptHostKey: (shown) => shown.fingerprint === fingerprint,
      connectTimeoutMs: TIMEOUT_MS,
    });
  const reused = await connect();
  onCleanup('the reused ssh2 connection', async () => reused.close());

  const setArgs = (op: '+' | '-') => ['--settimeleft', DIRECT_KID, op, String(options.seconds)];
  const readArgs = ['--userinfo', DIRECT_KID];
  const line = (args: string[]) => timekpraCommandLine(TIMEKPRA, args);
  const exec = async (session: SshSession, args: string[]) => {
    const { code, stdout, stderr } = await session.exec(line(args), TIMEOUT_MS);
    if (code !== 0) throw new Error(`${line(args)}: exit code ${code}: ${stderr}`);
    return stdout;
  };
  /** Both calls on one session; the read-back's balance. */
  const overSsh2 = async (session: SshSession, op: '+' | '-') => {
    expectSilentSuccess(await exec(session, setArgs(op)));
    return parseUserinfo(await exec(session, readArgs), DIRECT_KID).timeSpentBalance;
  };

  let hubBalance: number | null = null;
  let directBalance = parseUserinfo(await lab.timekpra(readArgs), DIRECT_KID).timeSpentBalance;
  /** timekpr's balance is time spent: adding time lowers it. */
  const expected = (balance: number, op: '+' | '-') => balance + (op === '+' ? -1 : 1) * options.seconds;
  const checkDirect = (what: Measured, op: '+' | '-', balance: number) => {
    if (balance !== expected(directBalance, op))
      throw new Error(`${what}: balance ${balance}, expected ${expected(directBalance, op)}`);
    directBalance = balance;
  };

  const run: Record<Measured, (op: '+' | '-') => Promise<{ ms: number; loginMs?: number }>> = {
    hub: async (op) => {
      if (Date.now() - loggedInAt > 10 * 60_000) {
        await api.login(parent.username, parent.password); // access tokens live 15 minutes
        loggedInAt = Date.now();
      }
      const t0 = performance.now();
      const response = await withTimeout(
        api.post<TimeResponse>(`/api/devices/${deviceId}/users/${HUB_KID}/time`, {
          op: op === '+' ? 'add' : 'subtract',
          seconds: options.seconds,
        }),
        TIMEOUT_MS,
        'POST …/time',
      );
      const ms = performance.now() - t0;
      const balance = response.body.state?.timeSpentBalance;
      if (response.status !== 200 || response.body.command.status !== 'applied' || response.body.warning)
        throw new Error(`hub: HTTP ${response.status} ${JSON.stringify(response.body)}`);
      if (hubBalance !== null && balance !== expected(hubBalance, op))
        throw new Error(`hub: balance ${balance}, expected ${expected(hubBalance, op)}`);
      hubBalance = balance ?? null;
      return { ms };
    },
    openssh: async (op) => {
      const t0 = performance.now();
      const result = await sshCommand(sshd, {
        user: DIRECT_ACCOUNT,
        keyFile: key.file,
        command: `${line(setArgs(op))} && ${line(readArgs)}`,
        args: ['-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`],
        timeoutMs: TIMEOUT_MS,
      });
      const ms = performance.now() - t0;
      if (result.code !== 0) throw new Error(`openssh: exit ${result.code}: ${result.stderr}`);
      // the set prints nothing when it worked: all output is the read-back
      checkDirect('openssh', op, parseUserinfo(result.stdout, DIRECT_KID).timeSpentBalance);
      return { ms };
    },
    'ssh2-new': async (op) => {
      const t0 = performance.now();
      const session = await connect();
      const loginMs = performance.now() - t0;
      try {
        const balance = await overSsh2(session, op);
        const ms = performance.now() - t0;
        checkDirect('ssh2-new', op, balance);
        return { ms, loginMs };
      } finally {
        session.close();
      }
    },
    'ssh2-reused': async (op) => {
      const t0 = performance.now();
      const balance = await overSsh2(reused, op);
      const ms = performance.now() - t0;
      checkDirect('ssh2-reused', op, balance);
      return { ms };
    },
    local: async (op) => {
      const t0 = performance.now();
      expectSilentSuccess(await lab.timekpra(setArgs(op)));
      const balance = parseUserinfo(await lab.timekpra(readArgs), DIRECT_KID).timeSpentBalance;
      const ms = performance.now() - t0;
      checkDirect('local', op, balance);
      return { ms };
    },
  };

  const samples: Array<{ path: PathName; op: '+' | '-'; ms: number }> = [];
  /** One command on every path, starting at a different path each round so that none always follows another. */
  const round = async (i: number, measured: boolean) => {
    const op = i % 2 === 0 ? '+' : '-';
    for (let k = 0; k < ROUND.length; k++) {
      const name = ROUND[(i + k) % ROUND.length]!;
      await quiet(sshdPid, 2);
      const { ms, loginMs } = await run[name](op);
      if (!measured) continue;
      samples.push({ path: name, op, ms });
      if (loginMs !== undefined) samples.push({ path: 'ssh2-login', op, ms: loginMs });
    }
  };

  const loginsBy = (account: string) =>
    [...sshd.log.matchAll(new RegExp(`Accepted publickey for ${account} from`, 'g'))].length;
  log(`Warming up (${options.warmup} rounds)…`);
  for (let i = 0; i < options.warmup; i++) await round(i, false);
  const hubLoginsBefore = loginsBy(HUB_ACCOUNT);
  const loadBefore = os.loadavg();
  const startedAt = Date.now();
  log(`Measuring ${options.iterations} commands (±${options.seconds} s) on each of ${ROUND.length} paths…`);
  for (let i = 0; i < options.iterations; i++) {
    await round(i, true);
    if ((i + 1) % 25 === 0) log(`  ${i + 1}/${options.iterations}`);
  }
  const seconds = (Date.now() - startedAt) / 1000;
  await sleep(500); // sshd logs a login from its session process, shortly after
  const hubLogins = loginsBy(HUB_ACCOUNT) - hubLoginsBefore;

  // --- report --------------------------------------------------------------------------------------
  const results = Object.fromEntries(
    (Object.keys(PATHS) as PathName[]).map((name) => [
      name,
      stats(samples.filter((s) => s.path === name).map((s) => s.ms)),
    ]),
  ) as Record<PathName, Stats | null>;
  const machine = {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? null,
    kernel: os.release(),
    node: process.version,
    loadAverageBefore: loadBefore.map((v) => Math.round(v * 100) / 100),
    loadAverageAfter: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
  const f = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(0));
  console.log(
    [
      `ssh-time: ${options.iterations} commands per path (±${options.seconds} s), ${seconds.toFixed(0)} s; ` +
        `${machine.cpus} CPUs (${machine.cpuModel}), Linux ${machine.kernel}, Node ${machine.node}; load average ` +
        `${machine.loadAverageBefore.join(' ')} before, ${machine.loadAverageAfter.join(' ')} after. ` +
        `Each path: --settimeleft, then --userinfo to verify. The hub logged in ${hubLogins} times while measured.`,
      '',
      '| path (ms) | n | mean | p50 | p95 | max |',
      '| --- | --: | --: | --: | --: | --: |',
      ...(Object.keys(PATHS) as PathName[]).map((name) => {
        const s = results[name];
        return `| ${PATHS[name]} | ${s?.n ?? 0} | ${f(s?.mean)} | ${f(s?.p50)} | ${f(s?.p95)} | ${f(s?.max)} |`;
      }),
    ].join('\n'),
  );
  if (options.json) {
    const report = { benchmark: 'ssh-time', options, machine, seconds, hubLogins, results, samples };
    fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`JSON written to ${options.json}`);
  }
}

runBenchmark({
  name: 'ssh-time',
  usage: USAGE,
  stopping: 'the hub, sshd and the Timekpr lab',
  parse: parseOptions,
  main,
});
