import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceManager } from './systemctl';
import { INSTALLED, uninstall, uninstallCommand } from './uninstall';

class FakeSystemd implements ServiceManager {
  calls: string[] = [];
  failing: string | null = null;
  async systemctl(args: readonly string[]): Promise<void> {
    this.calls.push(args.join(' '));
    if (this.failing && args[0] === this.failing) throw new Error('Unit kidtime-agent.service not loaded.');
  }
}

/** What install.sh leaves under a root. */
function install(root: string): void {
  const write = (file: string, text: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text, { mode });
  };
  write(INSTALLED.bundle, '// the agent');
  write(INSTALLED.wrapper, '#!/bin/sh\n# Installed by the Kidtime installer; …\nexec node …\n', 0o755);
  write(INSTALLED.unit, '[Service]\n');
  fs.mkdirSync(path.join(root, path.dirname(INSTALLED.wantsLink)), { recursive: true });
  fs.symlinkSync(INSTALLED.unit, path.join(root, INSTALLED.wantsLink)); // dangling inside a scratch root
  write('/etc/kidtime/agent.json', '{}', 0o600);
  write('/etc/kidtime/agent-state.json', '{}', 0o600);
  write(`${INSTALLED.stateDir}/usage.json`, '[]', 0o600);
  write('/usr/local/lib/other/keep.txt', 'not ours');
}

describe('kidtime-agent uninstall', () => {
  let root: string;
  let lines: string[];
  const print = (line: string) => lines.push(line);
  const exists = (file: string) =>
    fs.lstatSync(path.join(root, file), { throwIfNoEntry: false }) !== undefined;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-uninstall-'));
    lines = [];
    install(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stops the service, removes the program and the unit, keeps the credential, and says each step', async () => {
    const systemd = new FakeSystemd();
    await uninstall({ root, configPath: '/etc/kidtime/agent.json', purge: false, services: systemd, print });
    expect(systemd.calls).toEqual(['disable --now kidtime-agent.service', 'daemon-reload']);
    for (const file of [
      INSTALLED.unit,
      INSTALLED.wantsLink,
      INSTALLED.wrapper,
      INSTALLED.bundle,
      INSTALLED.libDir,
    ])
      expect(exists(file)).toBe(false);
    expect(exists('/etc/kidtime/agent.json')).toBe(true);
    expect(exists(INSTALLED.stateDir)).toBe(true);
    expect(exists('/usr/local/lib/other/keep.txt')).toBe(true);
    expect(lines).toContain(`removed ${path.join(root, INSTALLED.bundle)}`);
    expect(lines.join('\n')).toContain('--purge removes them');
  });

  it('removes the configuration and the state too with --purge, and is harmless the second time', async () => {
    await uninstall({ root, configPath: '/etc/kidtime/agent.json', purge: true, services: null, print });
    expect(exists('/etc/kidtime')).toBe(false);
    expect(exists(INSTALLED.stateDir)).toBe(false);
    expect(lines[0]).toMatch(/not asking systemd/);

    lines = [];
    await uninstall({ root, configPath: '/etc/kidtime/agent.json', purge: true, services: null, print });
    expect(lines.filter((line) => line.startsWith('removed'))).toEqual([]);
    expect(lines).toContain(`not there: ${path.join(root, INSTALLED.bundle)}`);
  });

  it('carries on when systemd does not know the unit, and leaves a kidtime-agent it did not install alone', async () => {
    const systemd = new FakeSystemd();
    systemd.failing = 'disable';
    fs.writeFileSync(path.join(root, INSTALLED.wrapper), '#!/bin/sh\necho something else\n');
    await uninstall({ root, configPath: '/etc/kidtime/agent.json', purge: false, services: systemd, print });
    expect(lines).toContain('  systemctl said: Unit kidtime-agent.service not loaded. (carrying on)');
    expect(exists(INSTALLED.unit)).toBe(false);
    expect(exists(INSTALLED.wrapper)).toBe(true);
    expect(lines.join('\n')).toContain('the Kidtime installer did not write it');
  });

  it('refuses a relative --root', async () => {
    await expect(
      uninstallCommand({ root: 'tmp/x', configPath: '/etc/kidtime/agent.json', purge: true }),
    ).rejects.toThrow('--root must be an absolute path');
  });
});
