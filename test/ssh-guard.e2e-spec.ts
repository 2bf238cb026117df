/**
 * The SSH forced-command guard (agent/ssh/kidtime-ssh-guard) through a real sshd and the real timekprd:
 * what the hub's key may run on a child's PC (timekpra's subcommands), and everything it must not
 * (a shell, other programs, forwarding, sftp), with nothing executed when a request is refused.
 *
 * Also proves the sshd harness (test/support/sshd.ts) for the hub's own SSH tests: password and key
 * logins, a key with a passphrase, a host key that changes. Needs root and the lab of global-setup.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, type ConnectConfig } from 'ssh2';
import {
  ensureSystemUser,
  generateClientKey,
  keyFingerprint,
  sftpBatch,
  sshCommand,
  SshServer,
  type ClientKey,
  type ClientResult,
  type SystemUser,
} from './support/sshd';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

/** The PC's dedicated account for the hub (a system user, as the README sets it up) and a child on that PC. */
const SSH_USER = 'kidtime-ssh-t1';
const SSH_PASSWORD = 'guard-test-Pa55word';
const CHILD = 'kidssh1';
const GUARD_SOURCE = path.resolve(__dirname, '../agent/ssh/kidtime-ssh-guard');
const REFUSED = /^kidtime-ssh-guard: refused: /m;

/** How the hub sends a timekpra call: the locale prefix, then every word single-quoted. */
function hubForm(argv: string[]): string {
  return `env -u LANGUAGE LANG=C LC_ALL=C ${argv.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ')}`;
}

function int(info: Record<string, string>, key: string): number {
  const raw = info[key];
  if (raw === undefined || !/^-?\d+$/.test(raw)) throw new Error(`${key} is not an integer: ${String(raw)}`);
  return Number(raw);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function sha256Fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

interface Ssh2Result extends ClientResult {
  hostFingerprint: string;
}

/** One exec through the ssh2 package (what the hub uses), for what the OpenSSH client cannot do unattended. */
function ssh2Exec(
  server: SshServer,
  config: Omit<ConnectConfig, 'host' | 'port' | 'hostVerifier'>,
  command: string,
  timeoutMs = 15_000,
): Promise<Ssh2Result> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostFingerprint = '';
    const timer = setTimeout(() => {
      client.end();
      reject(new Error(`ssh2: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      client.end();
      reject(error);
    };
    client.once('error', fail);
    client.once('ready', () => {
      client.exec(command, (error, channel) => {
        if (error) return fail(error);
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        let signal: NodeJS.Signals | null = null;
        channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        channel.once('exit', (exitCode: number | null, exitSignal?: string) => {
          code = exitCode;
          signal = (exitSignal as NodeJS.Signals | undefined) ?? null;
        });
        channel.once('close', () => {
          clearTimeout(timer);
          client.end();
          resolve({ code, signal, stdout, stderr, hostFingerprint });
        });
      });
    });
    try {
      client.connect({
        host: server.host,
        port: server.port,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => {
          hostFingerprint = sha256Fingerprint(key);
          return true;
        },
        ...config,
      });
    } catch (error) {
      fail(error as Error); // e.g. a private key ssh2 cannot read or decrypt
    }
  });
}

/** The host key fingerprint a client sees, without logging in. */
function presentedFingerprint(server: SshServer): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let seen = '';
    const timer = setTimeout(() => {
      client.end();
      reject(new Error('ssh2: no host key within 10 s'));
    }, 10_000);
    client.once('error', () => {
      clearTimeout(timer);
      client.end();
      if (seen) resolve(seen);
      else reject(new Error(`ssh2: no host key from 127.0.0.1:${server.port}`));
    });
    client.once('ready', () => {
      clearTimeout(timer);
      client.end();
      reject(new Error('ssh2: logged in although the host key was refused'));
    });
    client.connect({
      host: server.host,
      port: server.port,
      username: SSH_USER,
      password: 'never-sent',
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => {
        seen = sha256Fingerprint(key);
        return false; // stop here, as a client that pinned another key would
      },
    });
  });
}

describe('kidtime-ssh-guard through a real sshd and the real timekprd', () => {
  let lab: TimekprLabHandle;
  let sshUser: SystemUser;
  let childUid: number;
  let server: SshServer;
  let forcedKey: ClientKey;
  let plainKey: ClientKey;
  let strangerKey: ClientKey;
  let guardDir: string;
  let guard: string;
  const tempDirs: string[] = [];
  const plantable = { pid: `/tmp/timekpra.${SSH_USER}.pid`, log: `/tmp/timekpra.${SSH_USER}.log` };

  const balance = async (): Promise<number> => int(await lab.userinfo(CHILD), 'TIME_SPENT_BALANCE');
  const asHub = (command?: string): Promise<ClientResult> =>
    sshCommand(server, { user: SSH_USER, keyFile: forcedKey.file, command });
  const asPlainKey = (command: string): Promise<ClientResult> =>
    sshCommand(server, { user: SSH_USER, keyFile: plainKey.file, command });
  /** A fresh directory the SSH user could write to, and the marker file a refused request must not create. */
  const freshMarker = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-ssh-marker-'));
    tempDirs.push(dir);
    fs.chownSync(dir, sshUser.uid, sshUser.gid);
    return path.join(dir, 'M');
  };

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(CHILD);
    await lab.resetUser(CHILD);
    childUid = Number(execFileSync('/usr/bin/id', ['-u', CHILD], { encoding: 'utf8' }).trim());
    sshUser = await ensureSystemUser(SSH_USER, { password: SSH_PASSWORD, groups: ['timekpr'], system: true });

    // Installed like on a PC: a root-owned copy the SSH user can read and run, but not change.
    guardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-ssh-guard-'));
    fs.chmodSync(guardDir, 0o755);
    guard = path.join(guardDir, 'kidtime-ssh-guard');
    fs.copyFileSync(GUARD_SOURCE, guard);
    fs.chmodSync(guard, 0o755);

    [forcedKey, plainKey, strangerKey] = await Promise.all([
      generateClientKey({ comment: 'kidtime-hub' }),
      generateClientKey({ comment: 'plain' }),
      generateClientKey({ comment: 'stranger' }),
    ]);
    for (const key of [forcedKey, plainKey, strangerKey]) tempDirs.push(path.dirname(key.file));
    server = await SshServer.start({ users: [SSH_USER] });
    server.authorize(SSH_USER, forcedKey.publicKey, { forcedCommand: guard });
    server.authorize(SSH_USER, plainKey.publicKey, { append: true });
  });

  afterAll(async () => {
    await server?.stop();
    for (const file of Object.values(plantable)) {
      if (childUid !== undefined && fs.lstatSync(file, { throwIfNoEntry: false })?.uid === childUid)
        fs.rmSync(file);
    }
    for (const dir of [guardDir, ...tempDirs]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (lab) await lab.resetUser(CHILD);
  });

  describe('what the hub key may run', () => {
    it('timekpra --userlist lists the child, logged by sshd as the hub key', async () => {
      const result = await asHub('timekpra --userlist');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.split('\n').map((line) => line.trim())).toContain(CHILD);
      const { fingerprint } = await keyFingerprint(`${forcedKey.file}.pub`);
      const accepted = await server.waitForLog(
        new RegExp(`Accepted publickey for ${SSH_USER} from 127\\.0\\.0\\.1 .*`, 'g'),
      );
      expect(accepted.some((line) => line.endsWith(`ED25519 ${fingerprint}`))).toBe(true);
    });

    it('timekpra --userinfo prints the child configuration', async () => {
      const result = await asHub(`timekpra --userinfo ${CHILD}`);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^# Configuration for user ${CHILD}:$`, 'm'));
      expect(result.stdout).toMatch(/^LIMITS_PER_WEEKDAYS: 86400;86400;86400;86400;86400;86400;86400$/m);
      expect(result.stdout).toMatch(/^TIME_SPENT_BALANCE: -?\d+$/m);
    });

    it("the hub's exact form of --settimeleft changes the child's balance", async () => {
      const command = `env -u LANGUAGE LANG=C LC_ALL=C '/usr/bin/timekpra' '--settimeleft' '${CHILD}' '+' '600'`;
      expect(hubForm(['/usr/bin/timekpra', '--settimeleft', CHILD, '+', '600'])).toBe(command);
      const before = await balance();
      const result = await asHub(command);
      expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(await balance()).toBe(before - 600);
      expect((await asHub(hubForm(['/usr/bin/timekpra', '--settimeleft', CHILD, '-', '600']))).code).toBe(0);
      expect(await balance()).toBe(before);
    });

    it('runs /usr/bin/timekpra whatever directory the request names', async () => {
      const marker = freshMarker();
      const fake = path.join(path.dirname(marker), 'timekpra');
      fs.writeFileSync(fake, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
      const result = await asHub(`${fake} --userlist`);
      expect(result.code).toBe(0);
      expect(result.stdout.split('\n').map((line) => line.trim())).toContain(CHILD);
      expect(fs.existsSync(marker)).toBe(false);
    });
  });

  describe('what is refused, with nothing run', () => {
    it('the marker works: the same account without the guard does create it', async () => {
      const marker = freshMarker();
      const result = await asPlainKey(`sh -c 'touch ${marker}'`);
      expect(result.code).toBe(0);
      expect(fs.existsSync(marker)).toBe(true);
    });

    const M = '@MARKER@';
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['another program', `ls ${M}`, /only timekpra may be run with this key, not 'ls'/],
      ['a shell', `sh -c 'touch ${M}'`, /only timekpra may be run/],
      [
        'a ; inside a quoted login',
        `timekpra --userinfo '${CHILD}; touch ${M}'`,
        /is not a Linux login name/,
      ],
      ['a $( ) substitution', `timekpra --userinfo "$(touch ${M})"`, /is not a Linux login name/],
      ['backticks', `timekpra --settimeleft ${CHILD} + \`touch ${M}\``, /takes 3 argument\(s\), got 4/],
      ['a newline then a command', `timekpra --settimeleft ${CHILD} + 60\ntouch ${M}`, /control characters/],
      [
        '; then a command',
        `timekpra --settimeleft ${CHILD} + 60; touch ${M}`,
        /takes 3 argument\(s\), got 5/,
      ],
      [
        '&& then a command',
        `timekpra --settimeleft ${CHILD} + 60 && touch ${M}`,
        /takes 3 argument\(s\), got 6/,
      ],
      [
        '| then a command',
        `timekpra --settimeleft ${CHILD} + 60 | touch ${M}`,
        /takes 3 argument\(s\), got 6/,
      ],
      [
        'an unknown subcommand',
        `timekpra --deleteuser ${CHILD} ${M}`,
        /not one of timekpra's subcommands: '--deleteuser'/,
      ],
      [
        'a wrong argument count',
        `timekpra --settimeleft ${CHILD} + 60 60`,
        /--settimeleft takes 3 argument\(s\), got 4/,
      ],
      [
        'too few arguments',
        `timekpra --settimeleft ${CHILD} +`,
        /--settimeleft takes 3 argument\(s\), got 2/,
      ],
      ['an option-looking argument', `timekpra --settimeleft ${CHILD} + --help`, /looks like an option/],
      ['a login that is an option', `timekpra --userinfo --userlist`, /is not a Linux login name/],
      [
        'an argument containing timekpra',
        `timekpra --setalloweddays ${CHILD} /usr/bin/timekpra`,
        /contains "timekpra"/,
      ],
      [
        'a variable assignment before timekpra',
        `env -u LANGUAGE LANG=C LC_ALL=C PYTHONPATH=${M} timekpra --userlist`,
        /only timekpra/,
      ],
      [
        'a request over 8192 characters',
        `timekpra --settimeleft ${CHILD} + 60 ${'x'.repeat(8200)}`,
        /longer than 8192/,
      ],
      ['unbalanced quotes', `timekpra --settimeleft '${CHILD} + 60`, /cannot split the request into words/],
      ['no command at all (a shell)', undefined, /no command given/],
    ];

    it.each(cases)('%s', async (_name, template, reason) => {
      const marker = freshMarker();
      const before = await balance();
      const result = await asHub(template?.split(M).join(marker));
      expect(result.code).toBe(126);
      expect(result.stderr).toMatch(REFUSED);
      expect(result.stderr).toMatch(reason);
      expect(result.stdout).toBe('');
      expect(fs.existsSync(marker)).toBe(false);
      expect(await balance()).toBe(before);
    });

    // timekpra keeps /tmp/timekpra.<user>.pid (one call at a time) and appends to /tmp/timekpra.<user>.log after
    // every call: a child who creates either first makes every call fail ("already running", or an error line on
    // stdout after a change was made).
    const planted: Array<[string, 'pid' | 'log', 'file' | 'symlink']> = [
      ['a lock file', 'pid', 'file'],
      ['a lock file as a symlink', 'pid', 'symlink'],
      ['a log file', 'log', 'file'],
      ["a log file as a symlink to the account's own files", 'log', 'symlink'],
    ];

    it.each(planted)(
      '%s planted by another user is reported, and timekpra works once it is gone',
      async (_name, kind, type) => {
        const file = plantable[kind];
        const before = await balance();
        // A file of the account's own for the symlink to aim at (a scratch one: on failure it is what gets written).
        const ownFile = path.join(path.dirname(freshMarker()), 'own-file');
        fs.writeFileSync(ownFile, 'original\n', { mode: 0o644 });
        fs.chownSync(ownFile, sshUser.uid, sshUser.gid);
        fs.rmSync(file, { force: true }); // the SSH user's own, left by its last timekpra
        if (type === 'file') {
          fs.writeFileSync(file, kind === 'pid' ? '1\n' : '', { mode: 0o644 });
          fs.chownSync(file, childUid, childUid);
        } else {
          fs.symlinkSync(ownFile, file);
          fs.lchownSync(file, childUid, childUid);
        }
        try {
          const result = await asHub(hubForm(['/usr/bin/timekpra', '--settimeleft', CHILD, '+', '60']));
          expect(result.code).toBe(126);
          expect(result.stdout).toBe('');
          expect(result.stderr).toMatch(REFUSED);
          expect(result.stderr).toContain(`${file} belongs to another user and blocks timekpra`);
          expect(await balance()).toBe(before);
          expect(fs.readFileSync(ownFile, 'utf8')).toBe('original\n');
        } finally {
          fs.rmSync(file, { force: true });
        }
        const again = await asHub(hubForm(['/usr/bin/timekpra', '--settimeleft', CHILD, '+', '60']));
        expect(again).toMatchObject({ code: 0, stdout: '', stderr: '' });
        expect(await balance()).toBe(before - 60);
        expect(fs.lstatSync(file).uid).toBe(sshUser.uid); // timekpra made its own again
        await lab.timekpra(['--settimeleft', CHILD, '-', '60']);
      },
    );
  });

  describe('restrict takes away forwarding and sftp', () => {
    it('stdio forwarding (-W) works without restrict and is refused to the hub key', async () => {
      const open = await sshCommand(server, {
        user: SSH_USER,
        keyFile: plainKey.file,
        args: ['-W', `127.0.0.1:${server.port}`],
      });
      expect(open.stdout).toMatch(/^SSH-2\.0-OpenSSH/);

      const refused = await sshCommand(server, {
        user: SSH_USER,
        keyFile: forcedKey.file,
        args: ['-W', `127.0.0.1:${server.port}`],
      });
      expect(refused.code).toBe(255);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/administratively prohibited|stdio forwarding failed/);
    });

    it('remote forwarding (-R) is refused to the hub key', async () => {
      const refused = await sshCommand(server, {
        user: SSH_USER,
        keyFile: forcedKey.file,
        args: ['-N', '-o', 'ExitOnForwardFailure=yes', '-R', `0:127.0.0.1:${server.port}`],
        timeoutMs: 10_000,
      });
      expect(refused.signal).toBeNull(); // not hanging with a forward open
      expect(refused.code).toBe(255);
      expect(refused.stderr).toMatch(/remote port forwarding failed/);
    });

    it('sftp works without the guard and not with the hub key', async () => {
      const open = await sftpBatch(server, { user: SSH_USER, keyFile: plainKey.file, batch: 'pwd\n' });
      expect(open.code).toBe(0);
      expect(open.stdout).toContain('Remote working directory: /');

      // sshd does not pass a subsystem's stderr to the client, so the guard's reason is not seen here: its exit code is.
      const refused = await sftpBatch(server, { user: SSH_USER, keyFile: forcedKey.file, batch: 'pwd\n' });
      expect(refused.code).not.toBe(0);
      expect(refused.stdout).not.toContain('Remote working directory');
      expect(refused.stderr).toMatch(/Connection closed/);

      const subsystem = await sshCommand(server, {
        user: SSH_USER,
        keyFile: forcedKey.file,
        args: ['-s'],
        command: 'sftp',
      });
      expect(subsystem).toMatchObject({ code: 126, stdout: '' });
      await server.waitForLog(
        new RegExp(
          `Starting session: forced-command \\(key-option\\) '${escapeRegExp(guard)}' for ${SSH_USER}`,
        ),
      );
    });
  });

  describe('the harness: logins the hub will use', () => {
    it('password login works with the right password (in group timekpr) and not with a wrong one', async () => {
      const ok = await ssh2Exec(server, { username: SSH_USER, password: SSH_PASSWORD }, 'id -un; id -Gn');
      expect(ok.code).toBe(0);
      const [name, groups] = ok.stdout.trim().split('\n');
      expect(name).toBe(SSH_USER);
      expect(groups?.split(' ')).toContain('timekpr');

      await expect(
        ssh2Exec(server, { username: SSH_USER, password: `${SSH_PASSWORD}x` }, 'true'),
      ).rejects.toThrow(/All configured authentication methods failed/);
      await server.waitForLog(new RegExp(`Failed password for ${SSH_USER} from 127\\.0\\.0\\.1`));
    });

    it('a timekpr call with the password (no guard) works too', async () => {
      const result = await ssh2Exec(
        server,
        { username: SSH_USER, password: SSH_PASSWORD },
        hubForm(['/usr/bin/timekpra', '--userinfo', CHILD]),
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^# Configuration for user ${CHILD}:$`, 'm'));
    });

    it('key login works with an authorized key and not with another one', async () => {
      const ok = await asPlainKey('id -un');
      expect(ok).toMatchObject({ code: 0, stdout: `${SSH_USER}\n` });

      const stranger = await sshCommand(server, {
        user: SSH_USER,
        keyFile: strangerKey.file,
        command: 'id -un',
      });
      expect(stranger.code).toBe(255);
      expect(stranger.stdout).toBe('');
      expect(stranger.stderr).toMatch(/Permission denied \(publickey,password\)/);

      const ssh2Stranger = ssh2Exec(
        server,
        { username: SSH_USER, privateKey: strangerKey.privateKey },
        'true',
      );
      await expect(ssh2Stranger).rejects.toThrow(/All configured authentication methods failed/);
    });

    it('a key with a passphrase works with it, in OpenSSH format and as an RSA PEM file', async () => {
      const passphrase = 'correct horse battery';
      const ed25519 = await generateClientKey({ passphrase, comment: 'with-passphrase' });
      const rsa = await generateClientKey({ passphrase, type: 'rsa', comment: 'rsa-pem' });
      tempDirs.push(path.dirname(ed25519.file), path.dirname(rsa.file));
      expect(ed25519.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
      expect(rsa.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED/);
      expect(rsa.publicKey).toMatch(/^ssh-rsa /);
      server.authorize(SSH_USER, ed25519.publicKey, { append: true });
      server.authorize(SSH_USER, rsa.publicKey, { append: true });

      for (const key of [ed25519, rsa]) {
        const ok = await ssh2Exec(
          server,
          { username: SSH_USER, privateKey: key.privateKey, passphrase },
          'id -un',
        );
        expect(ok).toMatchObject({ code: 0, stdout: `${SSH_USER}\n` });
        await expect(
          ssh2Exec(server, { username: SSH_USER, privateKey: key.privateKey, passphrase: 'wrong' }, 'true'),
        ).rejects.toThrow(/passphrase|decrypt|bad/i);
      }
      // The OpenSSH client cannot be given a passphrase unattended: BatchMode makes it skip the key.
      const batch = await sshCommand(server, { user: SSH_USER, keyFile: ed25519.file, command: 'id -un' });
      expect(batch.code).toBe(255);
      // Back to the two keys the other tests expect.
      server.authorize(SSH_USER, forcedKey.publicKey, { forcedCommand: guard });
      server.authorize(SSH_USER, plainKey.publicKey, { append: true });
    });

    it('the hub key through ssh2 is held to the guard as well', async () => {
      const ok = await ssh2Exec(
        server,
        { username: SSH_USER, privateKey: forcedKey.privateKey },
        'timekpra --userlist',
      );
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(CHILD);
      const refused = await ssh2Exec(server, { username: SSH_USER, privateKey: forcedKey.privateKey }, 'id');
      expect(refused.code).toBe(126);
      expect(refused.stderr).toMatch(REFUSED);
    });
  });

  describe('the README setup: a Match block that allows only keys for the dedicated user', () => {
    let keysOnly: SshServer;

    beforeAll(async () => {
      keysOnly = await SshServer.start({
        users: [SSH_USER],
        extraConfig: [
          `Match User ${SSH_USER}`,
          '    PasswordAuthentication no',
          '    AuthenticationMethods publickey',
        ],
      });
      keysOnly.authorize(SSH_USER, forcedKey.publicKey, { forcedCommand: guard });
    });

    afterAll(async () => {
      await keysOnly?.stop();
    });

    it('refuses the right password and still lets the hub key run timekpra', async () => {
      await expect(
        ssh2Exec(keysOnly, { username: SSH_USER, password: SSH_PASSWORD }, 'true'),
      ).rejects.toThrow(/All configured authentication methods failed/);
      const ok = await sshCommand(keysOnly, {
        user: SSH_USER,
        keyFile: forcedKey.file,
        command: 'timekpra --userlist',
      });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(CHILD);
    });
  });

  describe('the harness: a host key that changes', () => {
    let rotating: SshServer;

    beforeAll(async () => {
      rotating = await SshServer.start({ users: [SSH_USER] });
      rotating.authorize(SSH_USER, plainKey.publicKey);
    });

    afterAll(async () => {
      await rotating?.stop();
    });

    it('hostKeyFingerprint() is what a client sees, and rotateHostKey() changes it on the same port', async () => {
      const first = await rotating.hostKeyFingerprint();
      expect(first.algorithm).toBe('ssh-ed25519');
      expect(first.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(await presentedFingerprint(rotating)).toBe(first.fingerprint);

      // A client that pinned the first key.
      const knownHosts = path.join(
        fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-ssh-known-')),
        'known_hosts',
      );
      tempDirs.push(path.dirname(knownHosts));
      fs.writeFileSync(knownHosts, `[127.0.0.1]:${rotating.port} ${rotating.hostPublicKey()}\n`);
      const pinned = {
        user: SSH_USER,
        keyFile: plainKey.file,
        command: 'id -un',
        args: ['-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`],
      };
      expect(await sshCommand(rotating, pinned)).toMatchObject({ code: 0, stdout: `${SSH_USER}\n` });

      const port = rotating.port;
      const pid = rotating.pid;
      await rotating.rotateHostKey();
      expect(rotating.port).toBe(port);
      expect(rotating.pid).not.toBe(pid);
      const second = await rotating.hostKeyFingerprint();
      expect(second.fingerprint).not.toBe(first.fingerprint);
      expect(await presentedFingerprint(rotating)).toBe(second.fingerprint);

      const changed = await sshCommand(rotating, pinned);
      expect(changed.code).toBe(255);
      expect(changed.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
      // Reachable again for a client that does not pin.
      const fresh = await sshCommand(rotating, { user: SSH_USER, keyFile: plainKey.file, command: 'id -un' });
      expect(fresh).toMatchObject({ code: 0, stdout: `${SSH_USER}\n` });
    });

    it('restart() keeps the port and the host key', async () => {
      const before = await rotating.hostKeyFingerprint();
      await rotating.restart();
      expect(await presentedFingerprint(rotating)).toBe(before.fingerprint);
      expect(fs.readFileSync(rotating.pidFile, 'utf8').trim()).toBe(String(rotating.pid));
    });
  });
});
