import { isLoopback, normalizeAddress } from './client-address';

describe('client addresses', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])(
    'treats %s as the hub machine',
    (address) => {
      expect(isLoopback(address)).toBe(true);
    },
  );

  it.each(['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '0.0.0.0', undefined, 'localhost', '127.0.0.1.evil'])(
    'treats %s as remote',
    (address) => {
      expect(isLoopback(address)).toBe(false);
    },
  );

  it('unwraps IPv4-mapped addresses and rejects non-addresses', () => {
    expect(normalizeAddress('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(normalizeAddress('not an ip')).toBe('unknown');
  });
});
