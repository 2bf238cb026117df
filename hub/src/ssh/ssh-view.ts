import type { DeviceSshView } from '@kidtime/protocol';
import type { DeviceSshEntity } from './device-ssh.entity';

/** A PC's SSH settings as the API shows them: never its password, key or passphrase. */
export function toSshView(row: DeviceSshEntity): DeviceSshView {
  return {
    host: row.host,
    port: row.port,
    username: row.username,
    auth: row.auth,
    timekpraPath: row.timekpraPath,
    timezone: row.timezone,
    hostKey:
      row.hostKeyFingerprint && row.hostKeyAlgorithm && row.hostKeyPinnedAt
        ? {
            algorithm: row.hostKeyAlgorithm,
            fingerprint: row.hostKeyFingerprint,
            pinnedAt: row.hostKeyPinnedAt.toISOString(),
          }
        : null,
    offeredHostKey:
      row.offeredKeyFingerprint && row.offeredKeyAlgorithm && row.offeredKeyAt
        ? {
            algorithm: row.offeredKeyAlgorithm,
            fingerprint: row.offeredKeyFingerprint,
            seenAt: row.offeredKeyAt.toISOString(),
          }
        : null,
    reachable: row.reachable,
    lastContactAt: row.lastContactAt?.toISOString() ?? null,
    lastError: row.lastError,
  };
}
