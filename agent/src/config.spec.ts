import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentConfigError, readAgentConfig, writeAgentConfig, type AgentConfig } from './config';

const valid: AgentConfig = {
  hubUrl: 'http://hub.home:8080',
  deviceId: '3f0c7a52-8f1e-4d7e-9d3a-2b9f0c1e5a11',
  secret: 'a-long-random-device-credential-value',
  transport: 'ws',
  mqttBaseTopic: 'kidtime',
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

  it('keeps the MQTT broker and base topic of an agent on the mqtt transport, and needs the broker', () => {
    const file = path.join(dir, 'agent.json');
    const mqtt: AgentConfig = {
      ...valid,
      transport: 'mqtt',
      mqttUrl: 'mqtt://hub.home:1883',
      mqttBaseTopic: 'home/kids',
    };
    writeAgentConfig(file, mqtt);
    expect(readAgentConfig(file)).toEqual(mqtt);
    const { mqttUrl: _, ...withoutBroker } = mqtt;
    fs.writeFileSync(file, JSON.stringify(withoutBroker), { mode: 0o600 });
    expect(() => readAgentConfig(file)).toThrow('transport "mqtt" needs mqttUrl');
    fs.writeFileSync(file, JSON.stringify({ ...mqtt, mqttUrl: 'http://hub.home' }), { mode: 0o600 });
    expect(() => readAgentConfig(file)).toThrow('mqttUrl');
  });

  it('reads an older configuration without MQTT settings as socket.io with the default topics', () => {
    const file = path.join(dir, 'agent.json');
    const { mqttBaseTopic: _, transport: __, ...old } = valid;
    fs.writeFileSync(file, JSON.stringify(old), { mode: 0o600 });
    expect(readAgentConfig(file)).toMatchObject({ transport: 'ws', mqttBaseTopic: 'kidtime' });
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

  it('refuses a configuration that other users could read, saying how to fix it', () => {
    const file = path.join(dir, 'agent.json');
    writeAgentConfig(file, valid);
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o606]) {
      fs.chmodSync(file, mode);
      expect(() => readAgentConfig(file)).toThrow(
        `can be read or changed by users other than its owner (mode 0${mode.toString(8)})`,
      );
      expect(() => readAgentConfig(file)).toThrow(`Fix it with: sudo chmod 600 ${file}`);
      expect(fs.statSync(file).mode & 0o777).toBe(mode); // refused, not silently "fixed"
    }
    fs.chmodSync(file, 0o600);
    expect(readAgentConfig(file)).toEqual(valid);
  });

  it('refuses a configuration in a directory that other users could change', () => {
    const file = path.join(dir, 'etc', 'agent.json');
    writeAgentConfig(file, valid);
    for (const mode of [0o777, 0o770, 0o1777]) {
      fs.chmodSync(path.dirname(file), mode);
      expect(() => readAgentConfig(file)).toThrow(
        `${path.dirname(file)} can be changed by users other than root`,
      );
    }
    fs.chmodSync(path.dirname(file), 0o755); // readable is fine: the file itself is private
    expect(readAgentConfig(file)).toEqual(valid);
  });

  it('refuses a configuration a child could have written (not owned by root)', () => {
    if (process.getuid?.() !== 0) return; // only meaningful when the agent runs as root, as it does under systemd
    const file = path.join(dir, 'agent.json');
    writeAgentConfig(file, valid);
    fs.chownSync(file, 1000, 1000);
    expect(() => readAgentConfig(file)).toThrow('must be owned by root');
  });
});
