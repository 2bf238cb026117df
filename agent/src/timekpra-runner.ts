import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { TimekprError, retryWhileBusy } from '@kidtime/protocol';
import type { Logger } from './logger';

export interface TimekpraRunnerOptions {
  path: string;
  timeoutMs?: number;
  /** Attempts when another timekpra of the same OS user is running (it allows one at a time). */
  busyRetries?: number;
  /** A non-default system D-Bus address to pass on. */
  systemBusAddress?: string | undefined;
  /**
   * timekpra's lock file for our OS user. It lives in /tmp, where anyone can create it first and make every
   * timekpra call answer "already running"; one not owned by root is removed (the systemd unit also gives
   * the agent a private /tmp).
   */
  lockFile?: string;
}

/**
 * The only place the agent starts a process. timekpra runs with an argument array (never a shell), in
 * the C locale, one call at a time; its exit code is always 0, so callers judge its output.
 */
export class TimekpraRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;
  private readonly busyRetries: number;

  constructor(
    private readonly options: TimekpraRunnerOptions,
    private readonly logger: Logger,
  ) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.busyRetries = options.busyRetries ?? 5;
  }

  run(args: readonly string[]): Promise<string> {
    const call = this.queue.then(() => this.runWithRetries(args));
    this.queue = call.catch(() => undefined);
    return call;
  }

  private runWithRetries(args: readonly string[]): Promise<string> {
    this.removeForeignLock();
    return retryWhileBusy(
      () => this.exec(args),
      this.busyRetries,
      (attempt) =>
        this.logger.debug(`timekpra is busy (another call is running), retry ${attempt}/${this.busyRetries}`),
    );
  }

  private removeForeignLock(): void {
    const file = this.options.lockFile;
    if (!file || typeof process.getuid !== 'function') return;
    try {
      const stat = fs.lstatSync(file);
      if (stat.uid === process.getuid()) return;
      fs.unlinkSync(file);
      this.logger.warn(
        `Removed ${file}, planted by uid ${stat.uid} to block timekpra; someone on this PC tried to stop Kidtime`,
      );
    } catch {
      // no lock file: the normal case
    }
  }

  private exec(args: readonly string[]): Promise<string> {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C' };
    if (this.options.systemBusAddress) env.DBUS_SYSTEM_BUS_ADDRESS = this.options.systemBusAddress;
    return new Promise((resolve, reject) => {
      execFile(
        this.options.path,
        [...args],
        { env, timeout: this.timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => {
          if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(
              new TimekprError(
                'exec-failed',
                `${this.options.path} not found: is timekpr-next installed on this PC?`,
              ),
            );
          } else if (error && error.killed) {
            reject(
              new TimekprError(
                'daemon-unreachable',
                `timekpra did not answer within ${this.timeoutMs / 1000} s`,
              ),
            );
          } else if (error) {
            // timekpra exits 0 even on errors it reports; a non-zero exit is a crash (e.g. no D-Bus at all).
            const cause = lastLine(stderr) || error.message;
            const kind = /dbus/i.test(cause) ? 'daemon-unreachable' : 'exec-failed';
            reject(new TimekprError(kind, `timekpra failed: ${cause.slice(0, 300)}`));
          } else {
            if (stderr.trim())
              this.logger.debug(`timekpra ${args[0]} stderr: ${stderr.trim().slice(0, 300)}`);
            resolve(stdout);
          }
        },
      );
    });
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.trim() ?? '';
}
