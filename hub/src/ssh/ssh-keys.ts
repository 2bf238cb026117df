import { createHash } from 'node:crypto';
import { utils } from 'ssh2';

/** A new ed25519 key pair for the hub, in OpenSSH's formats (the public half is one authorized_keys entry). */
export function generateHubSshKey(comment: string): { privateKey: string; publicKey: string } {
  const pair = utils.generateKeyPairSync('ed25519', { comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

/** A host key as OpenSSH shows it: its algorithm (`ssh-ed25519`) and `SHA256:` fingerprint. */
export interface HostKeyInfo {
  algorithm: string;
  fingerprint: string;
  /** The key's wire form, base64: what is pinned. */
  key: string;
}

/** Describes a host key as the server sent it (its wire form: a length-prefixed algorithm name first). */
export function describeHostKey(key: Buffer): HostKeyInfo {
  const nameLength = key.length >= 4 ? key.readUInt32BE(0) : 0;
  const algorithm =
    nameLength > 0 && nameLength <= 64 && key.length >= 4 + nameLength
      ? key
          .subarray(4, 4 + nameLength)
          .toString('latin1')
          .replace(/[^\x21-\x7e]/g, '?')
      : 'unknown';
  return {
    algorithm,
    fingerprint: `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`,
    key: key.toString('base64'),
  };
}
