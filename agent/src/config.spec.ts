import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentConfigError, readAgentConfig, writeAgentConfig, type AgentConfig } from './config';

const valid: AgentConfig = {
  hubUrl: 'http://hub.home:8080',
  deviceId: '3f0c7a52-8f1e-4d7e-9d3a-2b9f0c1e5a11',
  secret: 'a-long-random-device-credential-value',
  transport: 'ws',
  stateIntervalSeconds: 45,
  timekpraPath: '/usr/bin/timekpra',
  logLevel: 'info',
};

describe('agent configuration', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-agent-config-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is written privately (0600 in a 0700 directory) and read back', () => {
    const file = path.join(dir, 'etc', 'agent.json');
    writeAgentConfig(file, valid);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readAgentConfig(file)).toEqual(valid);
  });

  it('says how to enroll when there is no configuration', () => {
    expect(() => readAgentConfig(path.join(dir, 'missing.json'))).toThrow(
      /not enrolled yet.*kidtime-agent enroll/,
    );
  });

  it('refuses malformed or incomplete files with the reason', () => {
    const file = path.join(dir, 'agent.json');
    fs.writeFileSync(file, '{ not json', { mode: 0o600 });
    expect(() => readAgentConfig(file)).toThrow(AgentConfigError);
    fs.writeFileSync(file, JSON.stringify({ ...valid, hubUrl: 'ftp://x', deviceId: 'nope' }), {
      mode: 0o600,
    });
    expect(() => readAgentConfig(file)).toThrow(/hubUrl.*deviceId|deviceId.*hubUrl/);
    fs.writeFileSync(file, JSON.stringify({ ...valid, timekpraPath: 'timekpra' }), { mode: 0o600 });
    expect(() => readAgentConfig(file)).toThrow('timekpraPath');
  });

  it('makes a configuration that others could read private again', () => {
    const file = path.join(dir, 'agent.json');
    writeAgentConfig(file, valid);
    fs.chmodSync(file, 0o644);
    readAgentConfig(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a configuration a child could have written (not owned by root)', () => {
    if (process.getuid?.() !== 0) return; // only meaningful when the agent runs as root, as it does under systemd
    const file = path.join(dir, 'agent.json');
    writeAgentConfig(file, valid);
    fs.chownSync(file, 1000, 1000);
    expect(() => readAgentConfig(file)).toThrow('must be owned by root');
  });
});
