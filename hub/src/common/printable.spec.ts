import { printable } from './printable';

describe('printable', () => {
  it('escapes control characters so a device cannot forge log lines', () => {
    expect(printable('failed\n[Nest] LOG owner created\r')).toBe('failed\\x0a[Nest] LOG owner created\\x0d');
  });

  it('bounds the length', () => {
    expect(printable('x'.repeat(600))).toHaveLength(501);
  });
});
