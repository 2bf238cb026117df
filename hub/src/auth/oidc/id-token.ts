import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

/** A key from the provider's JWKS document, as published. */
export interface Jwk {
  kty: string;
  kid?: string;
  use?: string;
  alg?: string;
  [member: string]: unknown;
}

/** The provider's signing keys: `refresh` fetches them again (a key the hub has not seen may be new). */
export type JwkSource = (refresh: boolean) => Promise<Jwk[]>;

/**
 * The asymmetric algorithms node:crypto verifies. HS* is refused: a token signed with the client secret
 * proves nothing the secret's other holders could not forge, and `none` proves nothing at all.
 */
const ALGORITHMS = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', curve: 'prime256v1' },
  ES384: { kty: 'EC', hash: 'sha384', curve: 'secp384r1' },
  ES512: { kty: 'EC', hash: 'sha512', curve: 'secp521r1' },
  EdDSA: { kty: 'OKP', hash: null },
} as const satisfies Record<string, { kty: string; hash: string | null; pss?: boolean; curve?: string }>;
type Algorithm = keyof typeof ALGORITHMS;
export const SUPPORTED_ALGORITHMS = Object.keys(ALGORITHMS) as Algorithm[];

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  nonce: string;
  /** Seconds since the epoch; now by default. */
  now?: number;
  /** How far the provider's clock may be off, seconds. */
  clockSkew?: number;
}

/** The claims of a verified ID token: `sub` is always a non-empty string. */
export type IdTokenClaims = Record<string, unknown> & { sub: string; iss: string };

/** The ID token is not one to believe; the message says why (it names no secret). */
export class IdTokenError extends Error {
  override readonly name = 'IdTokenError';
}

const MAX_TOKEN_LENGTH = 64 * 1024;

/**
 * Verifies an ID token as OpenID Connect Core §3.1.3.7 asks: the signature with one of the provider's keys
 * (fetched again once when the token names a key the hub does not have), then iss, aud (and azp when there are
 * several audiences), exp and iat with a little clock skew, and the nonce of this sign-in.
 */
export async function verifyIdToken(
  token: string,
  expected: IdTokenExpectations,
  keys: JwkSource,
): Promise<IdTokenClaims> {
  if (token.length > MAX_TOKEN_LENGTH) throw new IdTokenError('the ID token is too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new IdTokenError('the ID token is not a signed JWT (three parts)');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader, 'header');
  const alg = header.alg;
  if (typeof alg !== 'string' || !(alg in ALGORITHMS)) {
    throw new IdTokenError(
      `the ID token is signed with ${JSON.stringify(alg ?? null)}, which the hub does not accept (it accepts ${SUPPORTED_ALGORITHMS.join(', ')})`,
    );
  }
  const kid = typeof header.kid === 'string' ? header.kid : null;
  const data = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
  const signature = Buffer.from(encodedSignature, 'base64url');
  let candidates = keysFor(await keys(false), alg as Algorithm, kid);
  if (candidates.length === 0) candidates = keysFor(await keys(true), alg as Algorithm, kid);
  if (candidates.length === 0) {
    throw new IdTokenError(
      `the provider publishes no ${alg} key${kid ? ` with id ${JSON.stringify(kid)}` : ''} to check the ID token with`,
    );
  }
  if (!candidates.some((key) => signatureValid(alg as Algorithm, key, data, signature))) {
    throw new IdTokenError('the ID token signature is not valid');
  }
  return checkClaims(decodeJson(encodedPayload, 'payload'), expected);
}

function checkClaims(claims: Record<string, unknown>, expected: IdTokenExpectations): IdTokenClaims {
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const skew = expected.clockSkew ?? 60;
  if (claims.iss !== expected.issuer) {
    throw new IdTokenError(
      `the ID token comes from issuer ${JSON.stringify(claims.iss ?? null)}, not ${JSON.stringify(expected.issuer)}`,
    );
  }
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!Array.isArray(audiences) || !audiences.includes(expected.clientId)) {
    throw new IdTokenError(`the ID token is for ${JSON.stringify(claims.aud ?? null)}, not for this client`);
  }
  if ((audiences.length > 1 || claims.azp !== undefined) && claims.azp !== expected.clientId) {
    throw new IdTokenError(
      `the ID token was issued to ${JSON.stringify(claims.azp ?? null)}, not this client`,
    );
  }
  if (typeof claims.exp !== 'number' || claims.exp + skew <= now) {
    throw new IdTokenError('the ID token has expired (or has no expiry); check both clocks');
  }
  if (typeof claims.iat !== 'number' || claims.iat - skew > now) {
    throw new IdTokenError('the ID token is issued in the future; check the hub and provider clocks');
  }
  if (typeof claims.nonce !== 'string' || claims.nonce !== expected.nonce) {
    throw new IdTokenError('the ID token belongs to another sign-in (its nonce does not match)');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '' || claims.sub.length > 255) {
    throw new IdTokenError('the ID token names no subject');
  }
  return claims as IdTokenClaims;
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new IdTokenError(`the ID token ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new IdTokenError(`the ID token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The published keys that could have made this signature (at most a few: the rest are not tried). */
function keysFor(jwks: Jwk[], alg: Algorithm, kid: string | null): KeyObject[] {
  const wanted = ALGORITHMS[alg];
  const keys: KeyObject[] = [];
  for (const jwk of jwks) {
    if (jwk.kty !== wanted.kty || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    if (jwk.alg !== undefined && jwk.alg !== alg) continue;
    if (kid !== null && jwk.kid !== kid) continue;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: publicPart(jwk), format: 'jwk' });
    } catch {
      continue; // a malformed key in the set: the others may still do
    }
    if ('curve' in wanted && key.asymmetricKeyDetails?.namedCurve !== wanted.curve) continue;
    keys.push(key);
    if (keys.length >= 5) break;
  }
  return keys;
}

/** Only the public members: a set that (wrongly) publishes `d` must not turn into a private key here. */
function publicPart(jwk: Jwk): JsonWebKey {
  const members = ['kty', 'n', 'e', 'crv', 'x', 'y'].filter((name) => typeof jwk[name] === 'string');
  return Object.fromEntries(members.map((name) => [name, jwk[name]])) as JsonWebKey;
}

function signatureValid(alg: Algorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const spec = ALGORITHMS[alg];
  try {
    if (spec.kty === 'OKP') return verify(null, data, key, signature);
    if (spec.kty === 'EC') return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if ('pss' in spec) {
      return verify(
        spec.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      );
    }
    return verify(spec.hash, data, key, signature);
  } catch {
    return false;
  }
}
