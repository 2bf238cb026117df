import { randomBytes } from 'node:crypto';
import { PendingLoginSeal, pendingLoginKey, type PendingLogin } from './pending-login';

const FIXED_EXPIRY = Date.now() + 600_000;
const pending = (): PendingLogin => ({
  state: 'state-'.padEnd(43, 's'),
  nonce: 'nonce-'.padEnd(43, 'n'),
  verifier: 'verifier-'.padEnd(64, 'v'),
  then: '#/child/42',
  expiresAt: FIXED_EXPIRY,
});

describe('PendingLoginSeal', () => {
  const seal = new PendingLoginSeal(pendingLoginKey('a-jwt-signing-key-of-this-household-hub'));

  it('gives back what it sealed, and the cookie does not show it', () => {
    const sealed = seal.seal(pending());
    expect(sealed).not.toContain('verifier');
    expect(Buffer.from(sealed.slice(3), 'base64url').toString('latin1')).not.toContain('vvvv');
    expect(seal.unseal(sealed)).toEqual(pending());
  });

  it('is the same for every hub with the same JWT key (behind a load balancer)', () => {
    const other = new PendingLoginSeal(pendingLoginKey('a-jwt-signing-key-of-this-household-hub'));
    expect(other.unseal(seal.seal(pending()))).toMatchObject({ then: '#/child/42' });
  });

  it('refuses a changed cookie, one from another key, and junk', () => {
    const sealed = seal.seal(pending());
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[20] = raw[20]! ^ 1;
    expect(seal.unseal(`v1.${raw.toString('base64url')}`)).toEqual({
      refused: expect.stringMatching(/changed/),
    });
    const stranger = new PendingLoginSeal(randomBytes(32));
    expect(stranger.unseal(sealed)).toEqual({ refused: expect.stringMatching(/another key/) });
    for (const junk of ['', 'v1.', 'v2.abc', 'v1.a.b', `v1.${'A'.repeat(3000)}`]) {
      expect(seal.unseal(junk)).toHaveProperty('refused');
    }
  });

  it('refuses a sign-in older than its lifetime', () => {
    const sealed = seal.seal({ ...pending(), expiresAt: Date.now() + 1000 });
    expect(seal.unseal(sealed, Date.now() + 2000)).toEqual({ refused: expect.stringMatching(/10 minutes/) });
  });
});
