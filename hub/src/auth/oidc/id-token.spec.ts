import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { IdTokenError, verifyIdToken, type Jwk } from './id-token';

const ISSUER = 'https://auth.home/realms/family';
const CLIENT = 'kidtime';
const NONCE = 'n-0S6_WzA2Mj-this-sign-in';
const NOW = 1_800_000_000;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = (key: KeyObject, kid: string): Jwk => ({
  ...(key.export({ format: 'jwk' }) as Jwk),
  kid,
  use: 'sig',
});
const JWKS = [jwk(rsa.publicKey, 'rsa-1'), jwk(ec.publicKey, 'ec-1')];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const goodClaims = () => ({
  iss: ISSUER,
  aud: CLIENT,
  sub: 'f3c1e0b2',
  nonce: NONCE,
  iat: NOW - 5,
  exp: NOW + 300,
});

function token(
  claims: Record<string, unknown> = goodClaims(),
  {
    alg = 'RS256',
    kid = 'rsa-1',
    key = rsa.privateKey,
  }: { alg?: string; kid?: string | null; key?: KeyObject } = {},
): string {
  const header = b64({ alg, typ: 'JWT', ...(kid ? { kid } : {}) });
  const data = `${header}.${b64(claims)}`;
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(data), key);
  return `${data}.${signature.toString('base64url')}`;
}

const expected = { issuer: ISSUER, clientId: CLIENT, nonce: NONCE, now: NOW };
const keys = (set: Jwk[] = JWKS) => {
  const calls: boolean[] = [];
  const source = async (refresh: boolean) => {
    calls.push(refresh);
    return set;
  };
  return Object.assign(source, { calls });
};
const refusal = (promise: Promise<unknown>) => expect(promise).rejects.toThrow(IdTokenError);

describe('verifyIdToken', () => {
  it('accepts a good RS256 token and returns its claims', async () => {
    await expect(verifyIdToken(token(), expected, keys())).resolves.toMatchObject({
      sub: 'f3c1e0b2',
      iss: ISSUER,
    });
  });

  it('accepts ES256, and a token without kid when one key fits', async () => {
    await expect(
      verifyIdToken(token(goodClaims(), { alg: 'ES256', kid: null, key: ec.privateKey }), expected, keys()),
    ).resolves.toMatchObject({ sub: 'f3c1e0b2' });
  });

  it('refuses another issuer, another audience, and several audiences without azp', async () => {
    await expect(
      verifyIdToken(token({ ...goodClaims(), iss: 'https://evil.example' }), expected, keys()),
    ).rejects.toThrow(/issuer "https:\/\/evil.example"/);
    await expect(verifyIdToken(token({ ...goodClaims(), aud: 'grafana' }), expected, keys())).rejects.toThrow(
      /not for this client/,
    );
    await refusal(verifyIdToken(token({ ...goodClaims(), aud: [CLIENT, 'grafana'] }), expected, keys()));
    await expect(
      verifyIdToken(token({ ...goodClaims(), aud: [CLIENT, 'grafana'], azp: CLIENT }), expected, keys()),
    ).resolves.toBeTruthy();
  });

  it('refuses an expired token and one from the future, with a minute of skew either way', async () => {
    await expect(verifyIdToken(token({ ...goodClaims(), exp: NOW - 61 }), expected, keys())).rejects.toThrow(
      /expired/,
    );
    await expect(
      verifyIdToken(token({ ...goodClaims(), exp: NOW - 30 }), expected, keys()),
    ).resolves.toBeTruthy();
    await expect(verifyIdToken(token({ ...goodClaims(), iat: NOW + 120 }), expected, keys())).rejects.toThrow(
      /future/,
    );
    const { exp: _exp, ...noExpiry } = goodClaims();
    await refusal(verifyIdToken(token(noExpiry), expected, keys()));
  });

  it('refuses the token of another sign-in (nonce)', async () => {
    await expect(
      verifyIdToken(token({ ...goodClaims(), nonce: 'someone-elses' }), expected, keys()),
    ).rejects.toThrow(/nonce/);
    const { nonce: _nonce, ...noNonce } = goodClaims();
    await refusal(verifyIdToken(token(noNonce), expected, keys()));
  });

  it('refuses a bad signature: another key, or a changed payload', async () => {
    await expect(
      verifyIdToken(token(goodClaims(), { key: other.privateKey }), expected, keys()),
    ).rejects.toThrow(/signature is not valid/);
    const [header, , signature] = token().split('.');
    const forged = `${header}.${b64({ ...goodClaims(), sub: 'the-owner' })}.${signature}`;
    await expect(verifyIdToken(forged, expected, keys())).rejects.toThrow(/signature is not valid/);
  });

  it('refuses alg none and HS256 (even one made with a published key)', async () => {
    const unsigned = `${b64({ alg: 'none' })}.${b64(goodClaims())}.`;
    await expect(verifyIdToken(unsigned, expected, keys())).rejects.toThrow(
      /"none", which the hub does not accept/,
    );
    const data = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${b64(goodClaims())}`;
    const mac = createHmac('sha256', JSON.stringify(JWKS[0])).update(data).digest('base64url');
    await expect(verifyIdToken(`${data}.${mac}`, expected, keys())).rejects.toThrow(/HS256/);
  });

  it('fetches the keys again once for a key it does not know, then gives up', async () => {
    const rotated = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let set = JWKS;
    const calls: boolean[] = [];
    const source = async (refresh: boolean) => {
      calls.push(refresh);
      if (refresh) set = [...JWKS, jwk(rotated.publicKey, 'rsa-2')];
      return set;
    };
    await expect(
      verifyIdToken(token(goodClaims(), { kid: 'rsa-2', key: rotated.privateKey }), expected, source),
    ).resolves.toBeTruthy();
    expect(calls).toEqual([false, true]);
    const stale = keys();
    await expect(verifyIdToken(token(goodClaims(), { kid: 'gone' }), expected, stale)).rejects.toThrow(
      /no RS256 key/,
    );
    expect(stale.calls).toEqual([false, true]);
  });

  it('refuses what is not a JWT at all', async () => {
    await refusal(verifyIdToken('not-a-token', expected, keys()));
    await refusal(verifyIdToken('a.b.c', expected, keys()));
    await refusal(verifyIdToken(`${b64([1])}.${b64(goodClaims())}.x`, expected, keys()));
  });
});
