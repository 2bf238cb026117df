/**
 * Timekpr lab: runs the REAL Timekpr-nExT daemon (`timekprd`) for end-to-end tests,
 * with what systemd would normally provide started by hand:
 *
 *   1. a system D-Bus (`dbus-daemon --system`), reused if one already listens at
 *      /run/dbus/system_bus_socket (a reused bus is never stopped);
 *   2. a stand-in for systemd-logind (`/usr/bin/python3 -m dbusmock --system --template logind`);
 *   3. `timekprd` itself.
 *
 * Children of a "login" are simulated by adding graphical (x11) sessions to the logind mock;
 * timekprd then accounts time every 3 s and, when the time runs out, calls
 * `TerminateSession` on the mock (visible in the mock's log).
 *
 * Must run as root on a Debian machine with timekpr-next, python3-dbusmock and dbus installed.
 * Test users created by `ensureUser` are left in place by default (see `stopLab(state, { deleteUsers })`).
 *
 * No dependencies beyond Node built-ins (strict TypeScript, CommonJS).
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';
export const TIMEKPRD_PID_FILE = '/tmp/timekprd.pid';
export const TIMEKPR_DAEMON_LOG = '/var/log/timekpr.log';

const DBUS_RUN_DIR = '/run/dbus';
const DBUS_PID_FILE = '/run/dbus/pid';
const DBUS_DAEMON = '/usr/bin/dbus-daemon';
const DBUS_SEND = '/usr/bin/dbus-send';
const DEBIAN_PYTHON = '/usr/bin/python3';
const TIMEKPRA = '/usr/bin/timekpra';
const TIMEKPRD = '/usr/bin/timekprd';
const USERADD = '/usr/sbin/useradd';
const USERDEL = '/usr/sbin/userdel';

const LOGIN1_NAME = 'org.freedesktop.login1';
const LOGIN1_PATH = '/org/freedesktop/login1';
const TIMEKPR_NAME = 'com.timekpr.server';
const MOCK_IFACE = 'org.freedesktop.DBus.Mock';
/** Extra helper methods this lab installs on the logind mock (the template has no RemoveSession). */
const LAB_IFACE = 'com.kidtime.TimekprLab';

const DEFAULT_START_TIMEOUT_MS = 20_000;
const TIMEKPRA_TIMEOUT_MS = 60_000; // a hung daemon makes timekpra wait 2 x 25 s D-Bus timeouts
const TIMEKPRA_BUSY_RETRIES = 30;
const STOP_GRACE_MS = 10_000;

const ALREADY_RUNNING_RE = /"timekpra" is already running for user/;
const NO_CONNECTION_RE = /FAILED to obtain connection to timekpr/;
const LOGIN_RE = /^[a-z_][a-z0-9_-]{0,30}$/;
const SESSION_ID_RE = /^[A-Za-z0-9_]{1,64}$/;

/** Everything needed to reach (or stop) a running lab from another process. Serialisable to JSON. */
export interface LabState {
  version: 1;
  logDir: string;
  logs: {
    /** dbus-daemon stdout/stderr (null when an existing bus was reused) */
    dbus: string | null;
    /** dbusmock logind stdout/stderr: one line per D-Bus call, e.g. `1795434320.861 TerminateSession "c1"` */
    mock: string;
    /** timekprd stdout/stderr (usually empty: timekprd logs to /var/log/timekpr.log) */
    timekprd: string;
    /** timekprd's own log file */
    timekprDaemonLog: string;
  };
  pids: { dbus: number | null; mock: number; timekprd: number };
  startedDbus: boolean;
  /** file listing, one per line, the Linux users that ensureUser() created */
  createdUsersFile: string;
  startedAt: string;
}

export interface TimekprLabOptions {
  /** where the component logs go (created if missing); default: a fresh dir under os.tmpdir() */
  logDir?: string;
  /** bound for each start-up wait (bus, logind mock, timekprd), default 20 s */
  startTimeoutMs?: number;
}

export interface MockCall {
  /** unix time (seconds, ms precision) as logged by dbusmock */
  time: number;
  /** the arguments as dbusmock formats them, e.g. `"c1"` */
  args: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** The part of the lab usable from any process (test files get it through connectLab()). */
export interface TimekprLabHandle {
  readonly state: LabState;
  /** Runs /usr/bin/timekpra (LANG=C, LC_ALL=C, no DISPLAY); retries while another timekpra runs; returns stdout. */
  timekpra(args: string[]): Promise<string>;
  /** `timekpra --userinfo login` parsed independently into KEY -> raw value; throws if the output is not a user configuration. */
  userinfo(login: string): Promise<Record<string, string>>;
  /** Polls userinfo() until predicate holds (a throwing predicate counts as "not yet"); returns that userinfo. */
  waitForUserinfo(
    login: string,
    predicate: (info: Record<string, string>) => boolean,
    options?: WaitOptions,
  ): Promise<Record<string, string>>;
  /** Creates the Linux user (home, /bin/bash) if missing, then `timekpra --userlist` so timekpr creates its config. Idempotent. */
  ensureUser(login: string): Promise<void>;
  /** Puts the user's timekpr configuration back to Timekpr's defaults (all days/hours, 86400 s limits, no time spent balance). */
  resetUser(login: string): Promise<void>;
  /** Adds an active graphical (x11) session for the user to the logind mock; returns the session id. */
  login(login: string, sessionId?: string): Promise<string>;
  /** Removes a session from the logind mock (and the user object when it was the user's last session). */
  logout(sessionId: string): Promise<void>;
  /** Session ids timekprd asked logind to terminate (TerminateSession calls in the mock log), unique, in first-call order. */
  terminatedSessions(): Promise<string[]>;
  /** All logged calls of one method on the mock, e.g. mockCalls('TerminateSession'), mockCalls('Suspend'). */
  mockCalls(method: string): Promise<MockCall[]>;
  /** Waits until timekprd calls TerminateSession for this session id (default timeout 45 s). */
  waitForTermination(sessionId: string, options?: WaitOptions): Promise<void>;
}

export interface TimekprLab extends TimekprLabHandle {
  /** Stops what this lab started (timekprd, mock, and dbus-daemon if it started it). */
  stop(options?: StopOptions): Promise<void>;
}

export interface StopOptions {
  /** also delete the Linux users ensureUser() created (userdel -r) and their timekpr files; default false */
  deleteUsers?: boolean;
}

// ---------------------------------------------------------------------------------------------
// small utilities

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ExecResult {
  stdout: string;
  stderr: string;
}

class ExecError extends Error {
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 30_000,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new ExecError(
              `${file} ${args.join(' ')} failed: ${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`,
              stdout,
              stderr,
            ),
          );
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/** Environment for the timekpr CLI: untranslated output and never the GUI. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', LC_ALL: 'C' };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.LANGUAGE;
  return env;
}

/** true if the process exists and is not a zombie */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function processCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function tailFile(file: string | null, lines = 25): string {
  if (!file) return '(no log)';
  try {
    const all = fs.readFileSync(file, 'utf8').split('\n');
    return (
      all
        .slice(-lines - 1)
        .join('\n')
        .trimEnd() || '(empty log)'
    );
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  }
}

function socketAccepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection(socketPath);
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
}

async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  describeFailure: () => string,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `timekpr lab: timed out after ${timeoutMs} ms waiting for ${what}\n${describeFailure()}`,
      );
    }
    await sleep(intervalMs);
  }
}

/** Starts a long-running child with stdout+stderr appended to logFile (no pipes, so it does not hold the event loop). */
async function spawnLogged(
  file: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const fd = fs.openSync(logFile, 'a');
  try {
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], env, cwd: '/' });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error) =>
        reject(new Error(`timekpr lab: cannot start ${file}: ${error.message}`)),
      );
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`timekpr lab: ${file} started without a pid`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/** SIGTERM, then SIGKILL after graceMs; only if the pid still runs the expected program. */
async function stopPid(pid: number | null, expectedCmd: string, graceMs = STOP_GRACE_MS): Promise<void> {
  if (pid === null || !isProcessAlive(pid)) return;
  if (!processCmdline(pid).includes(expectedCmd)) return; // pid reused by something else: not ours any more
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isProcessAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    const killDeadline = Date.now() + 3000;
    while (isProcessAlive(pid) && Date.now() < killDeadline) await sleep(50);
  }
}

async function dbusSend(args: string[]): Promise<string> {
  const { stdout } = await run(DBUS_SEND, ['--system', '--print-reply=literal', ...args], {
    timeoutMs: 15_000,
  });
  return stdout;
}

async function nameHasOwner(name: string): Promise<boolean> {
  try {
    const out = await dbusSend([
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      `string:${name}`,
    ]);
    return /boolean true/.test(out);
  } catch {
    return false;
  }
}

async function nameOwnerDescription(name: string): Promise<string> {
  try {
    const out = await dbusSend([
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.GetConnectionUnixProcessID',
      `string:${name}`,
    ]);
    const pid = Number(/uint32 (\d+)/.exec(out)?.[1]);
    return Number.isInteger(pid)
      ? `pid ${pid} (${processCmdline(pid) || 'unknown command'})`
      : 'unknown owner';
  } catch {
    return 'unknown owner';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// independent parsing (deliberately NOT the product's parser)

const NON_CONFIG_KEYS = new Set(['FYI', 'WARNING', 'ERROR', 'INFO']);

/** Tiny independent reading of `timekpra --userinfo` output: `KEY: value` lines -> record of raw strings. */
export function parseUserinfoIndependently(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const rawLine of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*): ?(.*)$/.exec(rawLine.replace(/\r$/, ''));
    const key = match?.[1];
    const value = match?.[2];
    if (key === undefined || value === undefined || NON_CONFIG_KEYS.has(key)) continue;
    result[key] = value.trimEnd();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// the logind mock helper method (the dbusmock logind template can add but not remove sessions)

const REMOVE_SESSION_CODE = [
  'sid = args[0]',
  'spath = "/org/freedesktop/login1/session/" + sid',
  'if spath not in objects:',
  '    raise dbus.exceptions.DBusException("session " + sid + " does not exist", name="org.freedesktop.DBus.Mock.NameError")',
  'sobj = objects[spath]',
  'upath = str(sobj.Get("org.freedesktop.login1.Session", "User")[1])',
  'seatpath = str(sobj.Get("org.freedesktop.login1.Session", "Seat")[1])',
  'for opath, oiface in ((upath, "org.freedesktop.login1.User"), (seatpath, "org.freedesktop.login1.Seat")):',
  '    if opath in objects:',
  '        keep = dbus.Array([], signature="(so)")',
  '        for s in objects[opath].Get(oiface, "Sessions"):',
  '            if str(s[0]) != sid:',
  '                keep.append(s)',
  '        objects[opath].Set(oiface, "Sessions", keep)',
  '        if oiface == "org.freedesktop.login1.Seat" and str(objects[opath].Get(oiface, "ActiveSession")[0]) == sid:',
  '            objects[opath].Set(oiface, "ActiveSession", dbus.Struct(("", dbus.ObjectPath("/")), signature="so"))',
  '        if oiface == "org.freedesktop.login1.User" and len(keep) == 0:',
  '            objects[opath].remove_from_connection()',
  '            del objects[opath]',
  'objects[spath].remove_from_connection()',
  'del objects[spath]',
].join('\n');

async function installMockHelpers(): Promise<void> {
  await dbusSend([
    `--dest=${LOGIN1_NAME}`,
    LOGIN1_PATH,
    `${MOCK_IFACE}.AddMethod`,
    `string:${LAB_IFACE}`,
    'string:RemoveSession',
    'string:s',
    'string:',
    `string:${REMOVE_SESSION_CODE}`,
  ]);
}

// ---------------------------------------------------------------------------------------------
// state file

/** Where global-setup persists the lab state (override with KIDTIME_LAB_STATE). */
export function labStateFile(): string {
  return process.env.KIDTIME_LAB_STATE ?? path.join(os.tmpdir(), 'kidtime-timekpr-lab.json');
}

export function writeLabState(state: LabState, file = labStateFile()): void {
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function readLabState(file = labStateFile()): LabState | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const state = JSON.parse(text) as LabState;
  if (state.version !== 1) throw new Error(`timekpr lab: unsupported state file ${file}`);
  return state;
}

// ---------------------------------------------------------------------------------------------
// the handle

class LabHandle implements TimekprLabHandle {
  private queue: Promise<unknown> = Promise.resolve();
  private helpersInstalled = false;
  private sessionCounter = 0;

  constructor(readonly state: LabState) {}

  timekpra(args: string[]): Promise<string> {
    // serialise within this process; other processes (e.g. the product's agent) are handled by retrying
    const task = this.queue.then(
      () => this.timekpraNow(args),
      () => this.timekpraNow(args),
    );
    this.queue = task.catch(() => undefined);
    return task;
  }

  private async timekpraNow(args: string[]): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const { stdout } = await run(TIMEKPRA, args, { env: cliEnv(), timeoutMs: TIMEKPRA_TIMEOUT_MS });
      if (!ALREADY_RUNNING_RE.test(stdout)) return stdout;
      if (attempt >= TIMEKPRA_BUSY_RETRIES) {
        throw new Error(
          `timekpr lab: timekpra ${args.join(' ')} still busy after ${attempt} attempts: ${stdout.trim()}`,
        );
      }
      await sleep(50 + 25 * attempt);
    }
  }

  async userinfo(login: string): Promise<Record<string, string>> {
    const out = await this.timekpra(['--userinfo', login]);
    if (!out.split('\n').some((line) => line === `# Configuration for user ${login}:`)) {
      throw new Error(`timekpr lab: timekpra --userinfo ${login} gave no configuration:\n${out.trim()}`);
    }
    return parseUserinfoIndependently(out);
  }

  async waitForUserinfo(
    login: string,
    predicate: (info: Record<string, string>) => boolean,
    options: WaitOptions = {},
  ): Promise<Record<string, string>> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    let last: Record<string, string> = {};
    let lastError = '';
    for (;;) {
      last = await this.userinfo(login);
      try {
        if (predicate(last)) return last;
        lastError = '';
      } catch (error) {
        lastError = ` (predicate threw: ${(error as Error).message})`; // e.g. a key not there yet: keep polling
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `timekpr lab: userinfo of ${login} did not reach the expected state within ${timeoutMs} ms${lastError}; last: ${JSON.stringify(last)}`,
        );
      }
      await sleep(options.intervalMs ?? 500);
    }
  }

  async ensureUser(login: string): Promise<void> {
    if (!LOGIN_RE.test(login)) throw new Error(`timekpr lab: invalid login name ${JSON.stringify(login)}`);
    if ((await uidOf(login)) === null) {
      try {
        await run(USERADD, ['-m', '-s', '/bin/bash', login]);
        await fsp.appendFile(this.state.createdUsersFile, `${login}\n`);
      } catch (error) {
        if ((await uidOf(login)) === null) throw error; // not a concurrent creation: a real failure
      }
    }
    const list = await this.timekpra(['--userlist']);
    if (!list.split('\n').some((line) => line.trim() === login)) {
      throw new Error(
        `timekpr lab: timekpr does not manage user ${login} (needs UID >= UID_MIN, a login shell, not excluded):\n${list.trim()}`,
      );
    }
  }

  async resetUser(login: string): Promise<void> {
    const allHours = Array.from({ length: 24 }, (_, hour) => String(hour)).join(';');
    const commands: string[][] = [
      ['--setalloweddays', login, '1;2;3;4;5;6;7'],
      ['--setallowedhours', login, 'ALL', allHours],
      ['--settimelimits', login, '86400;86400;86400;86400;86400;86400;86400'],
      ['--settimelimitweek', login, '604800'],
      ['--settimelimitmonth', login, '2678400'],
      ['--settrackinactive', login, 'false'],
      ['--sethidetrayicon', login, 'false'],
      ['--setlockouttype', login, 'terminate'],
      ['--setplaytimeenabled', login, 'false'],
      ['--setplaytimelimitoverride', login, 'false'],
      ['--setplaytimeunaccountedintervalsflag', login, 'true'],
      ['--setplaytimealloweddays', login, '1;2;3;4;5;6;7'],
      ['--setplaytimelimits', login, '0;0;0;0;0;0;0'],
      ['--settimeleft', login, '=', '86400'], // balance = limit - 86400 = 0
    ];
    for (const args of commands) {
      const out = (await this.timekpra(args)).trim();
      if (out !== '') throw new Error(`timekpr lab: timekpra ${args.join(' ')} failed: ${out}`);
    }
  }

  async login(login: string, sessionId?: string): Promise<string> {
    const uid = await uidOf(login);
    if (uid === null) throw new Error(`timekpr lab: no Linux user ${login} (call ensureUser first)`);
    const sid =
      sessionId ?? `kt_${login.replace(/[^A-Za-z0-9_]/g, '_')}_${process.pid}_${++this.sessionCounter}`;
    if (!SESSION_ID_RE.test(sid))
      throw new Error(`timekpr lab: invalid session id ${JSON.stringify(sid)} (use [A-Za-z0-9_])`);
    await dbusSend([
      `--dest=${LOGIN1_NAME}`,
      LOGIN1_PATH,
      `${MOCK_IFACE}.AddSession`,
      `string:${sid}`,
      'string:seat0',
      `uint32:${uid}`,
      `string:${login}`,
      'boolean:true',
    ]);
    await dbusSend([
      `--dest=${LOGIN1_NAME}`,
      `${LOGIN1_PATH}/session/${sid}`,
      'org.freedesktop.DBus.Properties.Set',
      'string:org.freedesktop.login1.Session',
      'string:Type',
      'variant:string:x11',
    ]);
    return sid;
  }

  async logout(sessionId: string): Promise<void> {
    if (!SESSION_ID_RE.test(sessionId))
      throw new Error(`timekpr lab: invalid session id ${JSON.stringify(sessionId)}`);
    if (!this.helpersInstalled) {
      await installMockHelpers();
      this.helpersInstalled = true;
    }
    await dbusSend([
      `--dest=${LOGIN1_NAME}`,
      LOGIN1_PATH,
      `${LAB_IFACE}.RemoveSession`,
      `string:${sessionId}`,
    ]);
  }

  async mockCalls(method: string): Promise<MockCall[]> {
    const text = await fsp.readFile(this.state.logs.mock, 'utf8');
    const re = new RegExp(`^(\\d+(?:\\.\\d+)?) ${escapeRegExp(method)}(?: (.*))?$`, 'gm');
    const calls: MockCall[] = [];
    for (const match of text.matchAll(re)) {
      calls.push({ time: Number(match[1]), args: match[2] ?? '' });
    }
    return calls;
  }

  async terminatedSessions(): Promise<string[]> {
    const ids: string[] = [];
    for (const call of await this.mockCalls('TerminateSession')) {
      const id = /^"(.*)"$/.exec(call.args)?.[1] ?? call.args;
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  async waitForTermination(sessionId: string, options: WaitOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 45_000;
    await waitUntil(
      `timekprd to terminate session ${sessionId}`,
      timeoutMs,
      async () => (await this.terminatedSessions()).includes(sessionId),
      () =>
        `mock log tail:\n${tailFile(this.state.logs.mock, 10)}\ntimekpr.log tail:\n${tailFile(TIMEKPR_DAEMON_LOG, 15)}`,
      options.intervalMs ?? 250,
    );
  }
}

async function uidOf(login: string): Promise<number | null> {
  const passwd = await fsp.readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === login && fields[2] !== undefined) return Number(fields[2]);
  }
  return null;
}

class RunningLab extends LabHandle implements TimekprLab {
  stop(options: StopOptions = {}): Promise<void> {
    return stopLab(this.state, options);
  }
}

/** Re-creates a handle on the lab started by global-setup (nothing is started). */
export function connectLab(stateFile = labStateFile()): TimekprLabHandle {
  const state = readLabState(stateFile);
  if (!state) {
    throw new Error(
      `timekpr lab: no lab state at ${stateFile}; is test/support/global-setup.ts configured as Jest globalSetup?`,
    );
  }
  if (!isProcessAlive(state.pids.timekprd)) {
    throw new Error(
      `timekpr lab: timekprd (pid ${state.pids.timekprd}) is not running; see ${state.logs.timekprd}`,
    );
  }
  return new LabHandle(state);
}

// ---------------------------------------------------------------------------------------------
// start / stop

function assertPrerequisites(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('timekpr lab: must run as root (timekprd, useradd and the system bus need it)');
  }
  for (const file of [DBUS_DAEMON, DBUS_SEND, DEBIAN_PYTHON, TIMEKPRA, TIMEKPRD]) {
    if (!fs.existsSync(file))
      throw new Error(`timekpr lab: ${file} is missing (apt-get install timekpr-next python3-dbusmock dbus)`);
  }
  if (!fs.existsSync('/usr/lib/python3/dist-packages/dbusmock/templates/logind.py')) {
    throw new Error('timekpr lab: python3-dbusmock (logind template) is missing');
  }
}

/** A stale /tmp/timekprd.pid naming a dead process is removed; a live timekprd not started by us is fatal. */
function checkTimekprdPidFile(): void {
  const pid = readPidFile(TIMEKPRD_PID_FILE);
  if (pid !== null && isProcessAlive(pid) && processCmdline(pid).includes('timekprd')) {
    throw new Error(
      `timekpr lab: a timekprd not started by this lab is running (pid ${pid}, from ${TIMEKPRD_PID_FILE}: ${processCmdline(pid)}); stop it first`,
    );
  }
  if (fs.existsSync(TIMEKPRD_PID_FILE)) fs.rmSync(TIMEKPRD_PID_FILE, { force: true });
}

async function startDbusIfNeeded(
  logDir: string,
  timeoutMs: number,
): Promise<{ pid: number | null; log: string | null }> {
  fs.mkdirSync(DBUS_RUN_DIR, { recursive: true });
  if (await socketAccepts(SYSTEM_BUS_SOCKET)) return { pid: null, log: null }; // reuse, never stop it
  // stale leftovers of a previous dbus-daemon make a new one refuse to start
  const stalePid = readPidFile(DBUS_PID_FILE);
  if (stalePid !== null && isProcessAlive(stalePid) && processCmdline(stalePid).includes('dbus-daemon')) {
    throw new Error(
      `timekpr lab: dbus-daemon pid ${stalePid} (${DBUS_PID_FILE}) is alive but ${SYSTEM_BUS_SOCKET} does not accept connections`,
    );
  }
  fs.rmSync(DBUS_PID_FILE, { force: true });
  fs.rmSync(SYSTEM_BUS_SOCKET, { force: true });
  const log = path.join(logDir, 'dbus-daemon.log');
  const pid = await spawnLogged(DBUS_DAEMON, ['--system', '--nofork', '--print-address'], log, process.env);
  try {
    await waitUntil(
      `the system bus (dbus-daemon pid ${pid}) at ${SYSTEM_BUS_SOCKET}`,
      timeoutMs,
      async () => {
        if (!isProcessAlive(pid))
          throw new Error(`timekpr lab: dbus-daemon exited during start-up; log ${log}:\n${tailFile(log)}`);
        return socketAccepts(SYSTEM_BUS_SOCKET);
      },
      () => `dbus-daemon log ${log}:\n${tailFile(log)}`,
    );
  } catch (error) {
    await stopPid(pid, 'dbus-daemon');
    throw error;
  }
  return { pid, log };
}

/**
 * Starts the lab: system bus (or reuses one), logind mock, timekprd. On failure, whatever it started is stopped again.
 */
export async function startTimekprLab(options: TimekprLabOptions = {}): Promise<TimekprLab> {
  assertPrerequisites();
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const logDir = options.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-timekpr-lab-'));
  fs.mkdirSync(logDir, { recursive: true });
  const mockLog = path.join(logDir, 'logind-mock.log');
  const timekprdLog = path.join(logDir, 'timekprd.log');
  const createdUsersFile = path.join(logDir, 'created-users.txt');
  fs.appendFileSync(createdUsersFile, '');

  checkTimekprdPidFile();

  let dbus: { pid: number | null; log: string | null } = { pid: null, log: null };
  let mockPid: number | null = null;
  let timekprdPid: number | null = null;
  try {
    dbus = await startDbusIfNeeded(logDir, timeoutMs);

    if (await nameHasOwner(LOGIN1_NAME)) {
      throw new Error(
        `timekpr lab: ${LOGIN1_NAME} is already on the bus, owned by ${await nameOwnerDescription(LOGIN1_NAME)}`,
      );
    }
    if (await nameHasOwner(TIMEKPR_NAME)) {
      throw new Error(
        `timekpr lab: ${TIMEKPR_NAME} is already on the bus, owned by ${await nameOwnerDescription(TIMEKPR_NAME)}`,
      );
    }

    const startedMock = await spawnLogged(
      DEBIAN_PYTHON,
      ['-m', 'dbusmock', '--system', '--template', 'logind'],
      mockLog,
      { ...process.env, PYTHONUNBUFFERED: '1' },
    );
    mockPid = startedMock;
    await waitUntil(
      `the logind mock (pid ${startedMock}) to own ${LOGIN1_NAME}`,
      timeoutMs,
      async () => {
        if (!isProcessAlive(startedMock)) {
          throw new Error(
            `timekpr lab: the logind mock exited during start-up; log ${mockLog}:\n${tailFile(mockLog)}`,
          );
        }
        return nameHasOwner(LOGIN1_NAME);
      },
      () => `logind mock log ${mockLog}:\n${tailFile(mockLog)}`,
    );
    await installMockHelpers();

    const startedTimekprd = await spawnLogged(TIMEKPRD, [], timekprdLog, {
      ...process.env,
      LANG: 'C',
      LC_ALL: 'C',
    });
    timekprdPid = startedTimekprd;
    let lastAnswer = '';
    await waitUntil(
      `timekprd (pid ${startedTimekprd}) to answer timekpra --userlist`,
      timeoutMs,
      async () => {
        if (!isProcessAlive(startedTimekprd)) {
          throw new Error(
            `timekpr lab: timekprd exited during start-up; log ${timekprdLog}:\n${tailFile(timekprdLog)}\n${TIMEKPR_DAEMON_LOG}:\n${tailFile(TIMEKPR_DAEMON_LOG)}`,
          );
        }
        const { stdout } = await run(TIMEKPRA, ['--userlist'], {
          env: cliEnv(),
          timeoutMs: TIMEKPRA_TIMEOUT_MS,
        });
        lastAnswer = stdout.trim();
        return (
          !NO_CONNECTION_RE.test(stdout) && !ALREADY_RUNNING_RE.test(stdout) && /users? in total/.test(stdout)
        );
      },
      () =>
        `last timekpra answer: ${lastAnswer}\ntimekprd log ${timekprdLog}:\n${tailFile(timekprdLog)}\n${TIMEKPR_DAEMON_LOG}:\n${tailFile(TIMEKPR_DAEMON_LOG)}`,
      200,
    );
  } catch (error) {
    await stopPid(timekprdPid, 'timekprd');
    if (timekprdPid !== null && readPidFile(TIMEKPRD_PID_FILE) === timekprdPid)
      fs.rmSync(TIMEKPRD_PID_FILE, { force: true });
    await stopPid(mockPid, 'dbusmock');
    await stopPid(dbus.pid, 'dbus-daemon');
    throw error;
  }

  const state: LabState = {
    version: 1,
    logDir,
    logs: { dbus: dbus.log, mock: mockLog, timekprd: timekprdLog, timekprDaemonLog: TIMEKPR_DAEMON_LOG },
    pids: { dbus: dbus.pid, mock: mockPid, timekprd: timekprdPid },
    startedDbus: dbus.pid !== null,
    createdUsersFile,
    startedAt: new Date().toISOString(),
  };
  return new RunningLab(state);
}

/** Stops the processes recorded in state (only if they still run the expected program). Usable from any process. */
export async function stopLab(state: LabState, options: StopOptions = {}): Promise<void> {
  await stopPid(state.pids.timekprd, 'timekprd');
  if (readPidFile(TIMEKPRD_PID_FILE) === state.pids.timekprd) fs.rmSync(TIMEKPRD_PID_FILE, { force: true });
  await stopPid(state.pids.mock, 'dbusmock');
  if (state.startedDbus && state.pids.dbus !== null) {
    await stopPid(state.pids.dbus, 'dbus-daemon');
    // dbus-daemon leaves its pid file and socket behind on SIGTERM
    if (readPidFile(DBUS_PID_FILE) === state.pids.dbus) fs.rmSync(DBUS_PID_FILE, { force: true });
    if (!(await socketAccepts(SYSTEM_BUS_SOCKET))) fs.rmSync(SYSTEM_BUS_SOCKET, { force: true });
  }
  if (options.deleteUsers) await deleteCreatedUsers(state);
}

async function deleteCreatedUsers(state: LabState): Promise<void> {
  let text = '';
  try {
    text = await fsp.readFile(state.createdUsersFile, 'utf8');
  } catch {
    return;
  }
  const logins = [...new Set(text.split('\n').map((line) => line.trim()))].filter((login) =>
    LOGIN_RE.test(login),
  );
  for (const login of logins) {
    if ((await uidOf(login)) !== null) {
      await run(USERDEL, ['-r', '-f', login]).catch(() => undefined); // -r: mail spool may be missing
    }
    fs.rmSync(`/var/lib/timekpr/config/timekpr.${login}.conf`, { force: true });
    fs.rmSync(`/var/lib/timekpr/work/${login}.time`, { force: true });
  }
  await fsp.writeFile(state.createdUsersFile, '');
}
