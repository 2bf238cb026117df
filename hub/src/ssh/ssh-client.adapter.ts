import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { describeHostKey, type HostKeyInfo } from './ssh-keys';

/** Where and how to log in. The host key is judged by `acceptHostKey` before any credential is sent. */
export interface SshTarget {
  host: string;
  port: number;
  username: string;
  password?: string | undefined;
  privateKey?: string | undefined;
  passphrase?: string | undefined;
  /** false refuses the server (a changed host key); the connection then fails with kind `host-key`. */
  acceptHostKey(key: HostKeyInfo): boolean;
  connectTimeoutMs: number;
}

export type SshFailureKind =
  'timeout' | 'refused' | 'unreachable' | 'auth' | 'host-key' | 'bad-key' | 'closed' | 'protocol';

/** Why an SSH connection or call failed, with words a parent can act on. */
export class SshConnectionError extends Error {
  override readonly name = 'SshConnectionError';
  constructor(
    readonly kind: SshFailureKind,
    message: string,
    /** The key the server showed, when it was refused. */
    readonly hostKey: HostKeyInfo | null = null,
  ) {
    super(message);
  }
}

export interface ExecResult {
  /** null when the command ended by a signal or the server did not say. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** More output than any timekpra answer: a PC sending more is not talking timekpra. */
const MAX_OUTPUT = 1024 * 1024;
const KEEPALIVE_MS = 15_000;

/**
 * One logged-in SSH connection to a PC (ssh2 underneath): commands run as exec requests on it, one channel
 * each, so a reused connection costs one round trip per call instead of a handshake. Only this file talks
 * to ssh2's client.
 */
export class SshSession {
  private closed = false;
  private readonly closeListeners = new Set<(reason: string) => void>();

  private constructor(
    private readonly client: Client,
    readonly hostKey: HostKeyInfo,
    private readonly where: string,
  ) {
    client.on('close', () => this.markClosed('the connection closed'));
    client.on('error', (error) => this.markClosed(error.message));
  }

  static connect(target: SshTarget): Promise<SshSession> {
    const where = `${target.username}@${target.host}:${target.port}`;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let shown: HostKeyInfo | null = null;
      let refusedKey = false;
      let settled = false;
      const fail = (error: SshConnectionError) => {
        if (settled) return;
        settled = true;
        client.removeAllListeners();
        client.on('error', () => undefined);
        client.end();
        reject(error);
      };
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        client.removeAllListeners();
        resolve(new SshSession(client, shown!, where));
      });
      client.on('error', (error: Error & { level?: string; code?: string }) =>
        fail(connectError(error, target, shown, refusedKey)),
      );
      client.once('close', () =>
        fail(new SshConnectionError('closed', `${where} closed the connection while logging in`)),
      );
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        readyTimeout: target.connectTimeoutMs,
        keepaliveInterval: KEEPALIVE_MS,
        keepaliveCountMax: 3,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          shown = describeHostKey(key);
          refusedKey = !target.acceptHostKey(shown);
          return !refusedKey;
        },
        ...(target.password !== undefined ? { password: target.password } : {}),
        ...(target.privateKey !== undefined ? { privateKey: target.privateKey } : {}),
        ...(target.passphrase !== undefined ? { passphrase: target.passphrase } : {}),
      };
      try {
        client.connect(config);
        // ssh2 leaves Nagle's algorithm on: a call right after another would wait ~40 ms for a delayed ACK
        // (docs/benchmarks.md, "add-time over SSH").
        client.setNoDelay(true);
      } catch (error) {
        // ssh2 parses the key synchronously: a broken key or a wrong passphrase throws here.
        fail(
          new SshConnectionError('bad-key', `the private key cannot be used: ${(error as Error).message}`),
        );
      }
    });
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Runs one command line (already quoted) and collects its output, within `timeoutMs`. */
  exec(command: string, timeoutMs: number): Promise<ExecResult> {
    if (this.closed)
      return Promise.reject(new SshConnectionError('closed', `${this.where} is not connected`));
    return new Promise((resolve, reject) => {
      let channel: ClientChannel | null = null;
      let done = false;
      const finish = (outcome: { result: ExecResult } | { error: SshConnectionError }) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.closeListeners.delete(onClose);
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.result);
      };
      const onClose = (reason: string) =>
        finish({ error: new SshConnectionError('closed', `${this.where}: ${reason} during a call`) });
      this.closeListeners.add(onClose);
      const timer = setTimeout(() => {
        // The remote command may still run; the connection goes, so nothing more is read from it.
        finish({
          error: new SshConnectionError(
            'timeout',
            `${this.where} did not answer within ${timeoutMs / 1000} s`,
          ),
        });
        this.close();
      }, timeoutMs);
      this.client.exec(command, (error, stream) => {
        if (error) {
          finish({
            error: new SshConnectionError(
              'protocol',
              `${this.where} refused to run a command: ${error.message}`,
            ),
          });
          return;
        }
        channel = stream;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let size = 0;
        const collect = (into: Buffer[]) => (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_OUTPUT) {
            finish({
              error: new SshConnectionError('protocol', `${this.where} sent more than 1 MiB of output`),
            });
            channel?.close();
            return;
          }
          into.push(chunk);
        };
        stream.on('data', collect(stdout));
        stream.stderr.on('data', collect(stderr));
        let code: number | null = null;
        stream.on('exit', (exitCode: number | null) => {
          code = typeof exitCode === 'number' ? exitCode : null;
        });
        stream.on('close', () =>
          finish({
            result: {
              code,
              stdout: Buffer.concat(stdout).toString('utf8'),
              stderr: Buffer.concat(stderr).toString('utf8'),
            },
          }),
        );
      });
    });
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.add(listener);
  }

  close(): void {
    this.client.end();
    this.markClosed('closed by the hub');
  }

  private markClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
  }
}

/** ssh2's connection errors in a parent's words. */
function connectError(
  error: Error & { level?: string; code?: string },
  target: SshTarget,
  shown: HostKeyInfo | null,
  refusedKey: boolean,
): SshConnectionError {
  const where = `${target.host}:${target.port}`;
  if (refusedKey && shown) {
    return new SshConnectionError(
      'host-key',
      `${where} showed host key ${shown.fingerprint} (${shown.algorithm}), not the one Kidtime trusts for this PC`,
      shown,
    );
  }
  if (error.level === 'client-authentication') {
    return new SshConnectionError(
      'auth',
      `${where} refused the login as "${target.username}": wrong password or key, or the key is not in that user's authorized_keys`,
    );
  }
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT') {
    return new SshConnectionError(
      'timeout',
      `${where} did not answer within ${target.connectTimeoutMs / 1000} s: is the PC switched on and on the network?`,
    );
  }
  if (error.code === 'ECONNREFUSED') {
    return new SshConnectionError(
      'refused',
      `${where} refused the connection: is the SSH server (openssh-server) running on that port?`,
    );
  }
  if (
    error.level === 'client-dns' ||
    ['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN'].includes(error.code ?? '')
  ) {
    return new SshConnectionError(
      'unreachable',
      `${target.host} cannot be reached (${error.code ?? error.message}): check the PC's address`,
    );
  }
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
    return new SshConnectionError('closed', `${where} dropped the connection while logging in`);
  }
  return new SshConnectionError('protocol', `SSH to ${where} failed: ${error.message}`);
}
