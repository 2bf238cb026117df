import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TimekprError } from '@kidtime/protocol';
import { createLogger } from './logger';
import { TimekpraRunner } from './timekpra-runner';

/** A stand-in timekpra (a real executable) whose behaviour each test scripts. */
function fakeTimekpra(dir: string, script: string): string {
  const file = path.join(dir, 'timekpra');
  fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return file;
}

describe('TimekpraRunner', () => {
  let dir: string;
  const logger = createLogger('error', () => undefined);
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-runner-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes arguments as separate words, never through a shell, in the C locale', async () => {
    const bin = fakeTimekpra(
      dir,
      'for a in "$@"; do echo "[$a]"; done; echo "LANG=$LANG LC_ALL=$LC_ALL DISPLAY=${DISPLAY:-unset}"',
    );
    const out = await new TimekpraRunner({ path: bin }, logger).run([
      '--userinfo',
      'kid; touch /tmp/x',
      '$(id)',
    ]);
    expect(out).toBe('[--userinfo]\n[kid; touch /tmp/x]\n[$(id)]\nLANG=C LC_ALL=C DISPLAY=unset\n');
  });

  it('runs one call at a time', async () => {
    const bin = fakeTimekpra(dir, `echo start >> ${dir}/log; sleep 0.2; echo end >> ${dir}/log`);
    const runner = new TimekpraRunner({ path: bin }, logger);
    await Promise.all([runner.run(['a']), runner.run(['b']), runner.run(['c'])]);
    expect(fs.readFileSync(path.join(dir, 'log'), 'utf8')).toBe('start\nend\n'.repeat(3));
  });

  it('retries while another timekpra is running, then returns the real answer', async () => {
    const bin = fakeTimekpra(
      dir,
      `n=$(cat ${dir}/n 2>/dev/null || echo 0); echo $((n+1)) > ${dir}/n
if [ "$n" -lt 2 ]; then echo 'Timekpr-nExT "timekpra" is already running for user "root"'; else echo done; fi`,
    );
    expect(await new TimekpraRunner({ path: bin }, logger).run(['--userlist'])).toBe('done\n');
    expect(fs.readFileSync(path.join(dir, 'n'), 'utf8').trim()).toBe('3');
  });

  it('reports a missing timekpra, a hang and a crash as typed errors', async () => {
    const missing = new TimekpraRunner({ path: path.join(dir, 'nope') }, logger).run(['--userlist']);
    await expect(missing).rejects.toMatchObject({
      kind: 'exec-failed',
      message: expect.stringContaining('is timekpr-next installed'),
    });

    const hang = new TimekpraRunner({ path: fakeTimekpra(dir, 'sleep 5'), timeoutMs: 200 }, logger).run([
      '--userlist',
    ]);
    await expect(hang).rejects.toMatchObject({ kind: 'daemon-unreachable' });

    fs.rmSync(path.join(dir, 'timekpra'));
    const crash = fakeTimekpra(
      dir,
      `echo 'Traceback (most recent call last):' >&2; echo 'dbus.exceptions.DBusException: org.freedesktop.DBus.Error.FileNotFound: Failed to connect to socket' >&2; exit 1`,
    );
    const error = (await new TimekpraRunner({ path: crash }, logger)
      .run(['--userlist'])
      .catch((e: unknown) => e)) as TimekprError;
    expect(error.kind).toBe('daemon-unreachable');
    expect(error.message).toContain('Failed to connect to socket');
  });

  it('removes a lock file someone else planted to block timekpra, and leaves its own alone', async () => {
    if (process.getuid?.() !== 0) return; // the agent runs as root; only then can another user's file be told apart
    const bin = fakeTimekpra(dir, 'echo ok');
    const lockFile = path.join(dir, 'timekpra.root.pid');
    fs.writeFileSync(lockFile, 'self');
    fs.chownSync(lockFile, 1000, 1000);
    expect(await new TimekpraRunner({ path: bin, lockFile }, logger).run(['--userlist'])).toBe('ok\n');
    expect(fs.existsSync(lockFile)).toBe(false);

    fs.writeFileSync(lockFile, String(process.pid));
    await new TimekpraRunner({ path: bin, lockFile }, logger).run(['--userlist']);
    expect(fs.existsSync(lockFile)).toBe(true);
  });
});
