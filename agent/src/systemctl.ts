import { execFile } from 'node:child_process';
import fs from 'node:fs';

/** What the uninstaller asks of the service manager. */
export interface ServiceManager {
  /** Runs `systemctl ARGS…`; rejects with systemctl's own message when it fails. */
  systemctl(args: readonly string[]): Promise<void>;
}

/** The machine's systemd, only when it is running (it is PID 1 and has /run/systemd/system). */
export class Systemctl implements ServiceManager {
  static ifRunning(): Systemctl | null {
    return fs.existsSync('/run/systemd/system') ? new Systemctl() : null;
  }

  systemctl(args: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(
        'systemctl',
        [...args],
        { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' }, timeout: 60_000 },
        (error, _stdout, stderr) => {
          if (error) reject(new Error(stderr.trim().split('\n').pop() || error.message));
          else resolve();
        },
      );
    });
  }
}
