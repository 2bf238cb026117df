import { createSecretKey, type KeyObject } from 'node:crypto';
import type { HubSecrets } from '../config/tokens';

/**
 * The HS256 signing key as a KeyObject. Given a string, jsonwebtoken first tries to read it as a public key
 * on every verify, fails, and only then makes a secret key: a tenth of the hub's CPU under load.
 * (@nestjs/jwt and passport-jwt pass it through to jsonwebtoken, which accepts KeyObjects; their types say string.)
 */
export function jwtKey(secrets: HubSecrets): string {
  const key: KeyObject = createSecretKey(Buffer.from(secrets.jwtSigningKey, 'utf8'));
  return key as unknown as string;
}
