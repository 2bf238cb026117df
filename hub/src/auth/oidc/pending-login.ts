import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * A sign-in between "go to the provider" and "the provider sent you back": its state, nonce and PKCE
 * verifier, and the screen to return to. It travels in a cookie, not in one hub's memory, so any hub behind a
 * load balancer can finish what another started; sealed (AES-256-GCM) so the browser can neither read the
 * verifier nor change a thing.
 */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  /** The UI route (`#/…`) to show afterwards. */
  then: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const pendingLoginSchema = z.strictObject({
  state: z.string().min(16).max(128),
  nonce: z.string().min(16).max(128),
  verifier: z.string().min(43).max(128),
  then: z.string().max(200),
  expiresAt: z.number().int(),
});

/** The cookie's name and lifetime. */
export const PENDING_LOGIN_COOKIE = 'kidtime_oidc';
export const PENDING_LOGIN_TTL_MS = 10 * 60_000;

const VERSION = 'v1';
const AAD = Buffer.from('kidtime oidc pending sign-in v1');

/**
 * The sealing key, derived from the JWT signing key: every hub of one household shares that one already
 * (their tokens must verify on each other), so they share this too, and nothing new needs configuring.
 */
export function pendingLoginKey(jwtSigningKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', jwtSigningKey, 'kidtime', 'oidc pending sign-in', 32));
}

export class PendingLoginSeal {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The pending sign-in key must be 32 bytes');
  }

  seal(pending: PendingLogin): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The pending sign-in, or why there is none to believe (changed, from another key, or too old). */
  unseal(sealed: string, now = Date.now()): PendingLogin | { refused: string } {
    const [version, payload, extra] = sealed.split('.');
    if (version !== VERSION || !payload || extra !== undefined || sealed.length > 2048) {
      return { refused: 'the sign-in cookie is not one this hub made' };
    }
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < 12 + 16 + 2) return { refused: 'the sign-in cookie is not one this hub made' };
    let json: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      json = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return { refused: 'the sign-in cookie was changed, or made with another key' };
    }
    let parsed;
    try {
      parsed = pendingLoginSchema.safeParse(JSON.parse(json));
    } catch {
      return { refused: 'the sign-in cookie is not one this hub made' };
    }
    if (!parsed.success) return { refused: 'the sign-in cookie is not one this hub made' };
    if (parsed.data.expiresAt <= now) return { refused: 'the sign-in took longer than 10 minutes' };
    return parsed.data;
  }
}
