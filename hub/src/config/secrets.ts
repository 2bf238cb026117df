import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { generateHubSshKey } from '../ssh/ssh-keys';
import { ConfigError, type HubConfig } from './hub-config';
import type { HubSecrets } from './tokens';

const SECRETS_FILE = 'secrets.json';
const secretsFileSchema = z.object({
  jwtSigningKey: z.string().min(32),
  mqttHubPassword: z.string().min(32),
  installationId: z.string().regex(/^[a-z0-9]{8,32}$/),
  credentialKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'credentialKey must be 32 bytes, base64url'),
  sshKey: z.object({
    privateKey: z.string().startsWith('-----BEGIN OPENSSH PRIVATE KEY-----'),
    publicKey: z.string().startsWith('ssh-ed25519 '),
  }),
});

/**
 * Loads the hub's secrets from the data directory, generating any that are missing on first start.
 * The file is readable by its owner only; there is no default secret anywhere.
 */
export function loadOrCreateSecrets(config: HubConfig): HubSecrets {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(config.dataDir, SECRETS_FILE);
  let stored: Partial<HubSecrets> = {};
  if (fs.existsSync(file)) {
    const parsed = secretsFileSchema.partial().safeParse(readJson(file));
    if (!parsed.success) {
      throw new ConfigError(
        `${file} is not a valid secrets file (${parsed.error.issues[0]?.message}); fix or remove it`,
      );
    }
    stored = parsed.data;
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  }
  const installationId = stored.installationId ?? randomBytes(5).toString('hex');
  const secrets: HubSecrets = {
    jwtSigningKey: config.jwtSecret ?? stored.jwtSigningKey ?? randomBytes(48).toString('base64url'),
    // The hub's own login at its embedded broker.
    mqttHubPassword: stored.mqttHubPassword ?? randomBytes(32).toString('base64url'),
    installationId,
    credentialKey: stored.credentialKey ?? randomBytes(32).toString('base64url'),
    sshKey: stored.sshKey ?? generateHubSshKey(`kidtime-hub@${installationId}`),
  };
  const toStore = {
    ...stored,
    ...(config.jwtSecret ? {} : { jwtSigningKey: secrets.jwtSigningKey }),
    mqttHubPassword: secrets.mqttHubPassword,
    installationId: secrets.installationId,
    credentialKey: secrets.credentialKey,
    sshKey: secrets.sshKey,
  };
  const keys = ['jwtSigningKey', 'mqttHubPassword', 'installationId', 'credentialKey', 'sshKey'] as const;
  if (keys.some((key) => toStore[key] !== stored[key])) {
    writePrivateFile(file, JSON.stringify(toStore, null, 2) + '\n');
  }
  return secrets;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file} cannot be read as JSON: ${(error as Error).message}`);
  }
}

/** Writes atomically (temp file + rename) with mode 0600 from the start. */
export function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
