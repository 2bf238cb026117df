import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class CredentialError extends Error {
  override readonly name = 'CredentialError';
}

/** What a sealed secret is, for the message when it cannot be opened: e.g. "SSH secret" and what to do. */
export interface SealedSecretKind {
  what: string;
  remedy: string;
}

/**
 * Encrypts secrets the hub keeps (SSH passwords and keys, authenticator secrets) with AES-256-GCM, a fresh
 * nonce each time, and the credential key from the data directory. Each secret is bound to its record
 * (`context`, e.g. the device id): one copied into another record's row does not decrypt there.
 */
export class CredentialCipher {
  private readonly key: Buffer;

  constructor(
    key: string,
    private readonly kind: SealedSecretKind,
  ) {
    this.key = Buffer.from(key, 'base64url');
    if (this.key.length !== 32) throw new CredentialError('the credential key must be 32 bytes');
  }

  seal(value: unknown, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open(sealed: string, context: string): unknown {
    const [version, iv, tag, body, ...rest] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined || rest.length > 0)
      throw new CredentialError('not a sealed credential');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
      return JSON.parse(plain.toString('utf8'));
    } catch {
      throw new CredentialError(
        `the stored ${this.kind.what} cannot be decrypted (was secrets.json replaced?); ${this.kind.remedy}`,
      );
    }
  }
}
