/**
 * A real OpenLDAP server for end-to-end tests: Debian's slapd on a free loopback port with its own
 * slapd.conf, database and pid file in a temporary directory, loaded with slapadd before it starts. Changes
 * while it runs go through ldapmodify as the directory's admin, as a person running the directory would.
 *
 * Run as root (or any user: everything it writes is in its own directory). Debian's slapd has no AppArmor
 * profile that would keep it out of /tmp, and a machine without AppArmor has none either; with the
 * `usr.sbin.slapd` profile from Ubuntu, run the tests with SLAPD_DIR under /var/lib/ldap instead. Every wait
 * is bounded; the process is stopped by its own pid.
 *
 * No dependencies beyond Node built-ins (strict TypeScript, CommonJS).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestProcess, freePort, sleep } from './processes';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const LDAPMODIFY = '/usr/bin/ldapmodify';
const SCHEMAS = ['core', 'cosine', 'inetorgperson'];
const START_TIMEOUT_MS = 10_000;
const CLIENT_TIMEOUT_MS = 10_000;
const BIND_ATTEMPTS = 5;

export interface SlapdOptions {
  /** the tree's root, e.g. `dc=kidtime,dc=test` */
  suffix: string;
  /** LDIF loaded before start (the root entry included) */
  ldif: string;
}

export class SlapdServer {
  /** the directory's admin (rootdn), who may change anything */
  readonly adminDn: string;
  readonly adminPassword = 'slapd-admin-pw';
  private process: TestProcess | null = null;
  private earlierLogs = '';

  private constructor(
    readonly dir: string,
    readonly suffix: string,
    private currentPort: number,
  ) {
    this.adminDn = `cn=admin,${suffix}`;
  }

  /** Writes the config, loads the tree and starts slapd; on failure the error carries slapd's output. */
  static async start(options: SlapdOptions): Promise<SlapdServer> {
    const base = process.env.SLAPD_DIR ?? os.tmpdir();
    const dir = fs.mkdtempSync(path.join(base, 'kidtime-slapd-'));
    const server = new SlapdServer(dir, options.suffix, 0);
    fs.mkdirSync(path.join(dir, 'db'), { mode: 0o700 });
    fs.writeFileSync(server.configFile, server.configText(), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'tree.ldif'), options.ldif, { mode: 0o600 });
    const loaded = await run(SLAPADD, ['-f', server.configFile, '-l', path.join(dir, 'tree.ldif')]);
    if (loaded.code !== 0) {
      throw new Error(`slapd harness: slapadd refused the tree:\n${loaded.stderr}${loaded.stdout}`);
    }
    for (let attempt = 1; ; attempt += 1) {
      server.currentPort = await freePort();
      try {
        await server.launch();
        return server;
      } catch (error) {
        if (!(error instanceof BindRace) || attempt >= BIND_ATTEMPTS) throw error;
      }
    }
  }

  get port(): number {
    return this.currentPort;
  }

  get url(): string {
    return `ldap://127.0.0.1:${this.currentPort}`;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** Everything slapd logged (connections, binds, searches with their filters) since start, across restarts. */
  get log(): string {
    return this.earlierLogs + (this.process?.log ?? '');
  }

  /** Applies an LDIF change (changetype: modify/add/delete) as the admin. */
  async modify(ldif: string): Promise<void> {
    const result = await run(
      LDAPMODIFY,
      ['-x', '-H', this.url, '-D', this.adminDn, '-w', this.adminPassword],
      ldif,
    );
    if (result.code !== 0)
      throw new Error(`slapd harness: ldapmodify failed:\n${result.stderr}${result.stdout}`);
  }

  /** Stops slapd, keeping its database: start it again with resume(). */
  async pause(): Promise<void> {
    await this.stopProcess();
  }

  /** Starts slapd again on the same port (retrying briefly should the port still be in use). */
  async resume(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.launch();
        return;
      } catch (error) {
        if (!(error instanceof BindRace) || attempt >= BIND_ATTEMPTS) throw error;
        await sleep(200);
      }
    }
  }

  /** Stops slapd and removes its directory. */
  async stop(): Promise<void> {
    await this.stopProcess();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private get configFile(): string {
    return path.join(this.dir, 'slapd.conf');
  }

  private configText(): string {
    return [
      ...SCHEMAS.map((schema) => `include /etc/ldap/schema/${schema}.schema`),
      `pidfile ${path.join(this.dir, 'slapd.pid')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'database mdb',
      `suffix "${this.suffix}"`,
      `rootdn "${this.adminDn}"`,
      `rootpw ${this.adminPassword}`,
      `directory ${path.join(this.dir, 'db')}`,
      // As a real directory is set up: passwords only usable to bind, never read; entries readable by
      // accounts that have signed in (the hub's service account), not by anonymous clients.
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n');
  }

  private async launch(): Promise<void> {
    // -d 256: stay in the foreground and log each operation (stats) to stderr.
    const started = TestProcess.start(
      'slapd',
      SLAPD,
      ['-f', this.configFile, '-h', `ldap://127.0.0.1:${this.currentPort}/`, '-d', '256'],
      { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    );
    this.process = started;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (!started.running) {
        this.earlierLogs += started.log;
        this.process = null;
        const message = `slapd harness: slapd exited during start-up on port ${this.currentPort}; its log:\n${started.log}`;
        throw /bind\(\d+\) failed|Address already in use/.test(started.log)
          ? new BindRace(message)
          : new Error(message);
      }
      if (/slapd starting/.test(started.log) && (await accepts(this.currentPort))) return;
      if (Date.now() >= deadline) {
        await this.stopProcess();
        throw new Error(
          `slapd harness: slapd (pid ${String(started.child.pid)}) did not listen on 127.0.0.1:${this.currentPort} within ${START_TIMEOUT_MS} ms; its log:\n${started.log}`,
        );
      }
      await sleep(50);
    }
  }

  private async stopProcess(): Promise<void> {
    const current = this.process;
    if (!current) return;
    await current.stop(5_000);
    this.earlierLogs += current.log;
    this.process = null;
  }
}

/** An entry in LDIF; values with characters LDIF cannot carry plainly are base64 (`attr:: …`). */
export function ldifEntry(dn: string, attributes: Record<string, string | string[]>): string {
  const line = (name: string, value: string) =>
    /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value) && !value.endsWith(' ')
      ? `${name}: ${value}`
      : `${name}:: ${Buffer.from(value).toString('base64')}`;
  const lines = [line('dn', dn)];
  for (const [name, values] of Object.entries(attributes)) {
    for (const value of Array.isArray(values) ? values : [values]) lines.push(line(name, value));
  }
  return `${lines.join('\n')}\n\n`;
}

class BindRace extends Error {}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { timeout: CLIENT_TIMEOUT_MS, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}
