import {
  base32Decode,
  base32Encode,
  groupSecret,
  hotp,
  matchingStep,
  otpauthUri,
  timeStep,
  totpAt,
} from './totp';

// RFC 6238 appendix B, SHA-1 rows: the 20-byte ASCII seed, 8 digits.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('totp', () => {
  it.each(RFC_VECTORS)('matches RFC 6238 at %i s', (seconds, code) => {
    expect(hotp(RFC_SECRET, timeStep(seconds * 1000), 8)).toBe(code);
  });

  it('gives the last 6 digits of the same value, as authenticator apps show', () => {
    expect(totpAt(RFC_SECRET, 59_000)).toBe('287082');
    expect(totpAt(RFC_SECRET, 1111111109_000)).toBe('081804');
  });

  it('accepts the step before and after now, not two away, and says which step matched', () => {
    const now = 1_700_000_015_000;
    const step = timeStep(now);
    expect(matchingStep(RFC_SECRET, totpAt(RFC_SECRET, now), now)).toBe(step);
    expect(matchingStep(RFC_SECRET, totpAt(RFC_SECRET, now - 30_000), now)).toBe(step - 1);
    expect(matchingStep(RFC_SECRET, totpAt(RFC_SECRET, now + 30_000), now)).toBe(step + 1);
    expect(matchingStep(RFC_SECRET, totpAt(RFC_SECRET, now - 60_000), now)).toBeNull();
    expect(matchingStep(RFC_SECRET, totpAt(RFC_SECRET, now + 60_000), now)).toBeNull();
  });

  it('refuses codes of the wrong length or with other characters', () => {
    const now = 1_700_000_015_000;
    const code = totpAt(RFC_SECRET, now);
    expect(matchingStep(RFC_SECRET, code.slice(0, 5), now)).toBeNull();
    expect(matchingStep(RFC_SECRET, `${code}0`, now)).toBeNull();
    expect(matchingStep(RFC_SECRET, '', now)).toBeNull();
    expect(matchingStep(RFC_SECRET, 'abcdef', now)).toBeNull();
  });

  // RFC 4648 section 10, padding left off.
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('base32 of "%s" is "%s" and back', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
  });

  it('decodes base32 typed by hand: lower case, spaces, padding', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    expect(() => base32Decode('MZXW1')).toThrow('"1" is not a base32 character');
    const secret = Buffer.from('0123456789abcdefghij');
    expect(base32Decode(base32Encode(secret))).toEqual(secret);
  });

  it('builds the otpauth URI apps read, and groups the secret for typing', () => {
    expect(otpauthUri('mum@home', 'JBSWY3DPEHPK3PXP')).toBe(
      'otpauth://totp/Kidtime:mum%40home?secret=JBSWY3DPEHPK3PXP&issuer=Kidtime&algorithm=SHA1&digits=6&period=30',
    );
    expect(groupSecret('JBSWY3DPEHPK3PXPABCD')).toBe('JBSW Y3DP EHPK 3PXP ABCD');
  });
});
