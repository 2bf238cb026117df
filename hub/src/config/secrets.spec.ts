import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadHubConfig } from './hub-config';
import { loadOrCreateSecrets } from './secrets';

describe('loadOrCreateSecrets', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-secrets-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const config = (env: NodeJS.ProcessEnv = {}) => loadHubConfig({ KIDTIME_DATA_DIR: dir, ...env });

  it('generates a key on first start into a file only its owner can read, and keeps it', () => {
    const first = loadOrCreateSecrets(config());
    expect(first.jwtSigningKey.length).toBeGreaterThanOrEqual(48);
    const file = path.join(dir, 'secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSecrets(config())).toEqual(first);
  });

  it('generates different keys for different installations', () => {
    const a = loadOrCreateSecrets(config());
    fs.rmSync(path.join(dir, 'secrets.json'));
    expect(loadOrCreateSecrets(config()).jwtSigningKey).not.toBe(a.jwtSigningKey);
  });

  it('uses a key given in the environment without writing it', () => {
    const secret = 'x'.repeat(40);
    expect(loadOrCreateSecrets(config({ KIDTIME_JWT_SECRET: secret })).jwtSigningKey).toBe(secret);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain(secret);
  });

  it("generates the hub's login at the embedded MQTT broker once, and keeps it", () => {
    const first = loadOrCreateSecrets(config());
    expect(first.mqttHubPassword.length).toBeGreaterThanOrEqual(40);
    expect(first.mqttHubPassword).not.toBe(first.jwtSigningKey);
    expect(loadOrCreateSecrets(config()).mqttHubPassword).toBe(first.mqttHubPassword);
  });

  it('names the installation once, in a form fit for MQTT topics and unique ids', () => {
    const first = loadOrCreateSecrets(config());
    expect(first.installationId).toMatch(/^[a-z0-9]{10}$/);
    expect(loadOrCreateSecrets(config()).installationId).toBe(first.installationId);
  });

  it('tightens a secrets file that others could read', () => {
    loadOrCreateSecrets(config());
    const file = path.join(dir, 'secrets.json');
    fs.chmodSync(file, 0o644);
    loadOrCreateSecrets(config());
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt secrets file instead of silently replacing it', () => {
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{"jwtSigningKey": 42');
    expect(() => loadOrCreateSecrets(config())).toThrow('cannot be read as JSON');
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{"jwtSigningKey": "short"}');
    expect(() => loadOrCreateSecrets(config())).toThrow('not a valid secrets file');
  });

  it('generates the credential key and the hub’s SSH key pair once, and keeps them', () => {
    const first = loadOrCreateSecrets(config());
    expect(Buffer.from(first.credentialKey, 'base64url')).toHaveLength(32);
    expect(first.sshKey.publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+ kidtime-hub@[a-z0-9]+$/);
    expect(first.sshKey.privateKey).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(loadOrCreateSecrets(config())).toEqual(first);
    const other = path.join(dir, 'other');
    const second = loadOrCreateSecrets(loadHubConfig({ KIDTIME_DATA_DIR: other }));
    expect(second.credentialKey).not.toBe(first.credentialKey);
    expect(second.sshKey.publicKey).not.toBe(first.sshKey.publicKey);
  });
});
