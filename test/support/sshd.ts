/**
 * A real OpenSSH server for end-to-end tests: Debian's sshd started as root on a free loopback port from
 * its own config file, host key and authorized_keys files, so that a test can play the child's PC the hub
 * reaches over SSH (password or key, a forced command, a host key that changes).
 *
 * Also: Linux users for it (ensureSystemUser), client keys (generateClientKey), and the OpenSSH client
 * (sshCommand, sftpBatch) to talk to it as a person at a terminal would.
 *
 * Must run as root on Debian with openssh-server installed. Users created by ensureSystemUser are left in
 * place by default and recorded in a file (see deleteCreatedSystemUsers). Every wait is bounded; every
 * process is stopped by its own pid.
 *
 * No dependencies beyond Node built-ins (strict TypeScript, CommonJS).
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestProcess, freePort, sleep } from './processes';

const SSHD = '/usr/sbin/sshd';
const SSH = '/usr/bin/ssh';
const SFTP = '/usr/bin/sftp';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const USERADD = '/usr/sbin/useradd';
const USERMOD = '/usr/sbin/usermod';
const USERDEL = '/usr/sbin/userdel';
const CHPASSWD = '/usr/sbin/chpasswd';
const GETENT = '/usr/bin/getent';
/** sshd's privilege separation directory; it refuses to start without it. */
const PRIVSEP_DIR = '/run/sshd';

const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_CLIENT_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const BIND_ATTEMPTS = 5;

const LOGIN_RE = /^[a-z_][a-z0-9_-]{0,30}$/;
const BIND_FAILED_RE = /Address already in use|Cannot bind any address/;

export interface SshServerOptions {
  /** the only logins sshd lets in (AllowUsers); they must exist on this machine, see ensureSystemUser */
  users: string[];
  /** more sshd_config lines, appended after the harness's own (e.g. a `Match User …` block) */
  extraConfig?: string[];
  /** bound for start-up (config check, listening), default 10 s */
  startTimeoutMs?: number;
}

export interface HostKeyFingerprint {
  /** the key type as in the .pub file and on the wire, e.g. `ssh-ed25519` */
  algorithm: string;
  /** as `ssh-keygen -lf` prints it, e.g. `SHA256:n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg` */
  fingerprint: string;
}

export interface AuthorizeOptions {
  /** the `command="…"` option: sshd runs this instead of whatever the client asked for */
  forcedCommand?: string;
  /** the `restrict` option (no forwarding, no pty, no agent, no X11); default: on when forcedCommand is set */
  restrict?: boolean;
  /** add the line to the user's file instead of replacing the file */
  append?: boolean;
}

export interface ClientKeyOptions {
  /** default: no passphrase */
  passphrase?: string;
  /** `ed25519` (OpenSSH private key format) or `rsa` (3072 bits, PEM `BEGIN RSA PRIVATE KEY`); default ed25519 */
  type?: 'ed25519' | 'rsa';
  comment?: string;
}

export interface ClientKey {
  /** the private key file's text */
  privateKey: string;
  /** the one-line public key, e.g. `ssh-ed25519 AAAA… comment` */
  publicKey: string;
  /** the private key file (mode 0600, in a directory of its own), for `ssh -i` */
  file: string;
}

export interface SystemUser {
  login: string;
  uid: number;
  gid: number;
  home: string;
}

export interface SystemUserOptions {
  /** set with chpasswd; without one, a locked account (`!`) is unlocked to `*` (no password can match) */
  password?: string;
  /** supplementary groups (usermod -aG); each must exist */
  groups?: string[];
  /** create with `useradd --system` (a UID below UID_MIN, which timekpr does not manage), as a real PC would */
  system?: boolean;
}

export interface ClientResult {
  /** exit code, null when killed (timeout) */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SshCommandOptions {
  user: string;
  /** private key for `-i`; without one no key is offered (IdentitiesOnly) and BatchMode forbids passwords */
  keyFile?: string;
  /** sent as one string, exactly as given; omitted: a shell is requested */
  command?: string;
  /** more client arguments (e.g. `-W host:port`, `-N`, `-o StrictHostKeyChecking=yes`); their `-o` win over the defaults */
  args?: string[];
  /** written to the client's stdin, then closed; default: stdin is /dev/null */
  input?: string;
  timeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// small utilities

interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program to its end and never rejects: the caller reads the code. Killed (SIGKILL) after the bound. */
function runProgram(file: string, args: readonly string[], options: RunOptions = {}): Promise<ClientResult> {
  return new Promise((resolve) => {
    const child = spawn(file, [...args], {
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${file}: ${error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a program that must succeed; the error names the command and carries its output. */
async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await runProgram(file, args, { timeoutMs: 30_000, ...options });
  if (result.code !== 0) {
    throw new Error(
      `sshd harness: ${file} ${args.join(' ')} failed (${result.signal ?? `exit ${String(result.code)}`})\n` +
        `stdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  return result.stdout;
}

function execText(file: string, args: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, [...args], { encoding: 'utf8', timeout: 10_000 }, (error, stdout) =>
      resolve(error ? null : stdout),
    );
  });
}

/** Connects and reads the first line: an SSH server sends its identification string at once. */
function readBanner(port: number, timeoutMs = 2_000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (banner: string | null): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(banner);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\n');
      if (end >= 0) done(data.slice(0, end).trim());
    });
    socket.once('error', () => done(null));
    socket.once('close', () => done(null));
  });
}

function assertLogin(login: string): void {
  if (!LOGIN_RE.test(login)) throw new Error(`sshd harness: invalid login name ${JSON.stringify(login)}`);
}

function assertRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`sshd harness: ${what} must run as root`);
  }
}

// ---------------------------------------------------------------------------------------------
// keys

async function generateKeyPair(file: string, type: 'ed25519' | 'rsa', passphrase: string, comment: string) {
  const args = ['-q', '-t', type, '-N', passphrase, '-C', comment, '-f', file];
  if (type === 'rsa') args.push('-b', '3072', '-m', 'PEM');
  await run(SSH_KEYGEN, args);
}

/** A new client key pair in a fresh directory of its own (remove it with `fs.rmSync(path.dirname(key.file))`). */
export async function generateClientKey(options: ClientKeyOptions = {}): Promise<ClientKey> {
  const type = options.type ?? 'ed25519';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-ssh-key-'));
  const file = path.join(dir, `id_${type}`);
  await generateKeyPair(file, type, options.passphrase ?? '', options.comment ?? `kidtime-test-${type}`);
  return {
    privateKey: fs.readFileSync(file, 'utf8'),
    publicKey: fs.readFileSync(`${file}.pub`, 'utf8').trim(),
    file,
  };
}

/** The fingerprint of a public key file, as `ssh-keygen -lf` prints it (`256 SHA256:… comment (ED25519)`). */
export async function keyFingerprint(publicKeyFile: string): Promise<HostKeyFingerprint> {
  const printed = await run(SSH_KEYGEN, ['-lf', publicKeyFile]);
  const fingerprint = printed.split(/\s+/)[1] ?? '';
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint)) {
    throw new Error(`sshd harness: unexpected ssh-keygen -lf output for ${publicKeyFile}: ${printed}`);
  }
  const algorithm = fs.readFileSync(publicKeyFile, 'utf8').split(/\s+/)[0] ?? '';
  return { algorithm, fingerprint };
}

/** One authorized_keys line. Double quotes in the command are escaped the way sshd reads them back. */
export function authorizedKeyLine(publicKey: string, options: AuthorizeOptions = {}): string {
  const key = publicKey.trim();
  if (/[\r\n]/.test(key) || !/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(key)) {
    throw new Error(`sshd harness: not a one-line OpenSSH public key: ${JSON.stringify(key.slice(0, 80))}`);
  }
  const restrict = options.restrict ?? options.forcedCommand !== undefined;
  const keyOptions: string[] = [];
  if (options.forcedCommand !== undefined) {
    if (/[\r\n]/.test(options.forcedCommand)) throw new Error('sshd harness: a forced command is one line');
    keyOptions.push(`command="${options.forcedCommand.replace(/"/g, '\\"')}"`);
  }
  if (restrict) keyOptions.push('restrict');
  return keyOptions.length > 0 ? `${keyOptions.join(',')} ${key}` : key;
}

// ---------------------------------------------------------------------------------------------
// Linux users

/** The file listing, one a line, the users ensureSystemUser() created. */
export function createdSystemUsersFile(): string {
  return path.join(os.tmpdir(), 'kidtime-sshd-created-users.txt');
}

async function passwdEntry(login: string): Promise<SystemUser | null> {
  const passwd = await fsp.readFile('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === login && fields.length >= 7) {
      return { login, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '' };
    }
  }
  return null;
}

async function shadowPassword(login: string): Promise<string | null> {
  const shadow = await fsp.readFile('/etc/shadow', 'utf8');
  for (const line of shadow.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === login) return fields[1] ?? '';
  }
  return null;
}

/**
 * Creates the Linux user if missing (home, /bin/bash), sets its password, adds it to groups. Idempotent.
 *
 * An account without a password is locked (`!`) by useradd, and sshd without PAM (as here) refuses every
 * login to a locked account, keys included; so without a password it is set to `*`, which no password matches.
 */
export async function ensureSystemUser(
  login: string,
  options: SystemUserOptions = {},
  createdUsersFile = createdSystemUsersFile(),
): Promise<SystemUser> {
  assertRoot('ensureSystemUser');
  assertLogin(login);
  const groups = options.groups ?? [];
  for (const group of groups) {
    if ((await execText(GETENT, ['group', group])) === null) {
      throw new Error(`sshd harness: group ${group} does not exist (timekpr's comes with timekpr-next)`);
    }
  }
  if ((await passwdEntry(login)) === null) {
    const args = ['-m', '-s', '/bin/bash', ...(options.system ? ['--system'] : []), login];
    try {
      await run(USERADD, args);
      await fsp.appendFile(createdUsersFile, `${login}\n`);
    } catch (error) {
      if ((await passwdEntry(login)) === null) throw error; // not a concurrent creation: a real failure
    }
  }
  if (options.password !== undefined) {
    if (/[:\r\n]/.test(options.password))
      throw new Error('sshd harness: chpasswd cannot take ":" or a newline');
    await run(CHPASSWD, [], { input: `${login}:${options.password}\n` });
  } else if ((await shadowPassword(login))?.startsWith('!')) {
    await run(USERMOD, ['-p', '*', login]);
  }
  if (groups.length > 0) await run(USERMOD, ['-aG', groups.join(','), login]);
  const user = await passwdEntry(login);
  if (!user) throw new Error(`sshd harness: user ${login} vanished after creation`);
  return user;
}

/** Deletes the users ensureSystemUser() recorded (userdel -r) and empties the record. */
export async function deleteCreatedSystemUsers(createdUsersFile = createdSystemUsersFile()): Promise<void> {
  let text = '';
  try {
    text = await fsp.readFile(createdUsersFile, 'utf8');
  } catch {
    return;
  }
  const logins = [...new Set(text.split('\n').map((line) => line.trim()))].filter((l) => LOGIN_RE.test(l));
  for (const login of logins) {
    if ((await passwdEntry(login)) !== null) {
      await runProgram(USERDEL, ['-r', '-f', login]); // -r: a missing mail spool is only a warning
    }
  }
  await fsp.writeFile(createdUsersFile, '');
}

// ---------------------------------------------------------------------------------------------
// the server

class BindRace extends Error {}

/** pids whose parent is `parent`, read from /proc */
function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the command name sits in parentheses and may hold spaces; the parent pid is the second field after it
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class SshServer {
  private process: TestProcess | null = null;
  /** output of the sshd processes before a restart or a key rotation */
  private earlierLogs = '';

  private constructor(
    /** the server's own files: host key, config, pid file, authorized_keys/<user> */
    readonly dir: string,
    private readonly options: SshServerOptions,
    private currentPort: number,
  ) {}

  /** Starts sshd on a free loopback port. On failure whatever was started is stopped and the error has sshd's output. */
  static async start(options: SshServerOptions): Promise<SshServer> {
    assertRoot('sshd');
    for (const file of [SSHD, SSH_KEYGEN]) {
      if (!fs.existsSync(file))
        throw new Error(`sshd harness: ${file} is missing (apt-get install openssh-server)`);
    }
    if (options.users.length === 0) throw new Error('sshd harness: name at least one user for AllowUsers');
    options.users.forEach(assertLogin);
    for (const user of options.users) {
      if ((await passwdEntry(user)) === null) {
        throw new Error(`sshd harness: no Linux user ${user} (call ensureSystemUser first)`);
      }
    }
    fs.mkdirSync(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-sshd-'));
    // sshd reads authorized_keys as the user logging in: the directories must be open to them.
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'authorized_keys'), { mode: 0o755 });
    const server = new SshServer(dir, options, 0);
    try {
      await generateKeyPair(server.hostKeyFile, 'ed25519', '', 'kidtime-test-host');
      await server.startOnFreePort();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get port(): number {
    return this.currentPort;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get hostKeyFile(): string {
    return path.join(this.dir, 'ssh_host_ed25519_key');
  }

  get configFile(): string {
    return path.join(this.dir, 'sshd_config');
  }

  get pidFile(): string {
    return path.join(this.dir, 'sshd.pid');
  }

  /** pid of the listening sshd, null when stopped */
  get pid(): number | null {
    return this.process?.running ? (this.process.child.pid ?? null) : null;
  }

  /** Everything sshd logged (-e: to stderr) since start(), across restarts. */
  get log(): string {
    return this.earlierLogs + (this.process?.log ?? '');
  }

  /** Waits until the log matches (sshd logs asynchronously from the session's own process). */
  async waitForLog(pattern: RegExp, timeoutMs = 5_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.log.match(pattern);
      if (match) return match;
      if (Date.now() >= deadline) {
        throw new Error(
          `sshd harness: sshd did not log ${pattern} within ${timeoutMs} ms; its log:\n${this.log}`,
        );
      }
      await sleep(50);
    }
  }

  /** The current host key's fingerprint, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint(): Promise<HostKeyFingerprint> {
    return keyFingerprint(`${this.hostKeyFile}.pub`);
  }

  /** The current host public key line (`ssh-ed25519 AAAA… comment`), e.g. for a known_hosts file. */
  hostPublicKey(): string {
    return fs.readFileSync(`${this.hostKeyFile}.pub`, 'utf8').trim();
  }

  /** Stops sshd, generates a new host key and starts again on the same port: a pinned client sees a changed key. */
  async rotateHostKey(): Promise<void> {
    await this.dropSessions();
    await this.stopProcess();
    fs.rmSync(this.hostKeyFile, { force: true });
    fs.rmSync(`${this.hostKeyFile}.pub`, { force: true });
    await generateKeyPair(this.hostKeyFile, 'ed25519', '', 'kidtime-test-host');
    await this.startOnSamePort();
  }

  /**
   * Ends the sessions this sshd forked (found by their parent pid, so nothing else is touched), as a reboot of the PC
   * would: a client holding a connection must reconnect — and meets the current host key.
   */
  async dropSessions(): Promise<void> {
    const listener = this.pid;
    if (listener === null) return;
    const sessions = childPids(listener);
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + STOP_GRACE_MS;
    while (sessions.some(isAlive) && Date.now() < deadline) await sleep(50);
  }

  /** Stops and starts sshd on the same port with the same files. */
  async restart(): Promise<void> {
    await this.stopProcess();
    await this.startOnSamePort();
  }

  /** Writes (or adds to) the user's authorized_keys file, read by sshd at every login (no restart needed). */
  authorize(user: string, publicKey: string, options: AuthorizeOptions = {}): void {
    assertLogin(user);
    if (!this.options.users.includes(user)) {
      throw new Error(
        `sshd harness: ${user} is not among the users this server allows (${this.options.users.join(', ')})`,
      );
    }
    const file = path.join(this.dir, 'authorized_keys', user);
    const line = `${authorizedKeyLine(publicKey, options)}\n`;
    if (options.append) fs.appendFileSync(file, line, { mode: 0o644 });
    else fs.writeFileSync(file, line, { mode: 0o644 });
  }

  /** Stops sshd (SIGTERM, then SIGKILL after a bound) and deletes its files. Sessions already open end on their own. */
  async stop(): Promise<void> {
    await this.stopProcess();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private configText(): string {
    return [
      `Port ${this.currentPort}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${this.hostKeyFile}`,
      `PidFile ${this.pidFile}`,
      `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}/%u`,
      'StrictModes no', // the files live under the temp dir, not in the users' homes
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      'PubkeyAuthentication yes',
      `AllowUsers ${this.options.users.join(' ')}`,
      'LogLevel VERBOSE', // logs the fingerprint of each accepted key
      'PrintMotd no',
      'MaxStartups 100:30:200',
      'MaxSessions 50',
      'UseDNS no',
      'ClientAliveInterval 0',
      // as on a stock Debian PC, so that a test can show what `restrict` and a forced command take away
      'Subsystem sftp internal-sftp',
      ...(this.options.extraConfig ?? []),
      '',
    ].join('\n');
  }

  private async startOnFreePort(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.currentPort = await freePort();
      try {
        await this.launch();
        return;
      } catch (error) {
        if (!(error instanceof BindRace) || attempt >= BIND_ATTEMPTS) throw error;
      }
    }
  }

  /** After a stop the port is normally free at once; another process may have taken it, so retry a little. */
  private async startOnSamePort(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.launch();
        return;
      } catch (error) {
        if (!(error instanceof BindRace) || attempt >= BIND_ATTEMPTS) throw error;
        await sleep(200 * attempt);
      }
    }
  }

  private async launch(): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    fs.writeFileSync(this.configFile, this.configText(), { mode: 0o600 });
    const check = await runProgram(SSHD, ['-t', '-f', this.configFile], { timeoutMs });
    if (check.code !== 0) {
      throw new Error(
        `sshd harness: sshd -t rejects the config ${this.configFile}:\n${check.stderr}${check.stdout}\n--- config ---\n${this.configText()}`,
      );
    }
    const started = TestProcess.start('sshd', SSHD, ['-D', '-e', '-f', this.configFile], {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    });
    this.process = started;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!started.running) {
        this.earlierLogs += started.log;
        this.process = null;
        const message = `sshd harness: sshd exited during start-up on port ${this.currentPort} (${String(started.child.exitCode ?? started.child.signalCode)}); its log:\n${started.log}`;
        throw BIND_FAILED_RE.test(started.log) ? new BindRace(message) : new Error(message);
      }
      if (/Server listening on 127\.0\.0\.1 port \d+/.test(started.log)) {
        const banner = await readBanner(this.currentPort);
        if (banner?.startsWith('SSH-2.0-') && started.running) return;
      }
      if (Date.now() >= deadline) {
        await this.stopProcess();
        throw new Error(
          `sshd harness: sshd (pid ${String(started.child.pid)}) did not accept connections on 127.0.0.1:${this.currentPort} within ${timeoutMs} ms; its log:\n${started.log}`,
        );
      }
      await sleep(50);
    }
  }

  private async stopProcess(): Promise<void> {
    const current = this.process;
    if (!current) return;
    await current.stop(STOP_GRACE_MS);
    this.earlierLogs += current.log;
    this.process = null;
  }
}

// ---------------------------------------------------------------------------------------------
// the OpenSSH client

/** Options that make the client never prompt, never trust or remember a host key, and give up quickly. */
function clientOptions(keyFile: string | undefined): string[] {
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=5',
    '-o',
    'LogLevel=ERROR', // no "Warning: Permanently added …" on stderr
    '-F',
    '/dev/null', // nothing from the machine's or root's ssh_config
    ...(keyFile ? ['-i', keyFile] : ['-o', 'PubkeyAuthentication=no']),
  ];
}

/**
 * `/usr/bin/ssh … -p PORT user@127.0.0.1 -- command`: the command reaches sshd as exactly this string
 * (the client sends its words joined by spaces, and here there is one). Never rejects: read `code`
 * (255 is the client's own failure: connection, authentication, forwarding).
 */
export function sshCommand(server: SshServer, options: SshCommandOptions): Promise<ClientResult> {
  // ssh keeps the first value it is given for an option: the caller's come first to override the defaults.
  const args = [
    ...(options.args ?? []),
    ...clientOptions(options.keyFile),
    '-p',
    String(server.port),
    `${options.user}@${server.host}`,
    ...(options.command === undefined ? [] : ['--', options.command]),
  ];
  return runProgram(SSH, args, { input: options.input, timeoutMs: options.timeoutMs });
}

/** `/usr/bin/sftp -b -` with the batch on stdin (`ls /`, `get …`); sftp stops at the first failing line. */
export function sftpBatch(
  server: SshServer,
  options: { user: string; keyFile?: string; batch: string; timeoutMs?: number },
): Promise<ClientResult> {
  const args = [
    ...clientOptions(options.keyFile),
    '-b',
    '-',
    '-P',
    String(server.port),
    `${options.user}@${server.host}`,
  ];
  return runProgram(SFTP, args, { input: options.batch, timeoutMs: options.timeoutMs });
}
