import { randomBytes } from 'node:crypto';
import { CredentialCipher, CredentialError } from './credential-cipher';

const SSH = { what: 'SSH secret', remedy: 'enter the password or key again' };

describe('CredentialCipher', () => {
  const cipher = new CredentialCipher(randomBytes(32).toString('base64url'), SSH);

  it('seals a secret so that only its own record opens it', () => {
    const sealed = cipher.seal({ password: 'hunter2-kitchen' }, 'device-a');
    expect(sealed).not.toContain('hunter2');
    expect(cipher.open(sealed, 'device-a')).toEqual({ password: 'hunter2-kitchen' });
    expect(() => cipher.open(sealed, 'device-b')).toThrow(CredentialError);
  });

  it('uses a fresh nonce each time', () => {
    expect(cipher.seal({ a: 1 }, 'x')).not.toBe(cipher.seal({ a: 1 }, 'x'));
  });

  it('refuses a tampered, truncated or foreign secret with a message a parent can act on', () => {
    const sealed = cipher.seal({ password: 'p' }, 'd');
    const parts = sealed.split('.');
    const flipped = [...parts.slice(0, 3), Buffer.from('x' + parts[3]!, 'utf8').toString('base64url')].join(
      '.',
    );
    expect(() => cipher.open(flipped, 'd')).toThrow(/enter the password or key again/);
    expect(() => cipher.open(parts.slice(0, 3).join('.'), 'd')).toThrow(/not a sealed credential/);
    expect(() => cipher.open('plain text', 'd')).toThrow(CredentialError);
    const other = new CredentialCipher(randomBytes(32).toString('base64url'), SSH);
    expect(() => other.open(sealed, 'd')).toThrow(CredentialError);
  });

  it('refuses a key of the wrong size', () => {
    expect(() => new CredentialCipher(randomBytes(16).toString('base64url'), SSH)).toThrow(/32 bytes/);
  });
});
