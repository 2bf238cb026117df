import { shortenUserAgent } from './user-agent';

describe('shortenUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome 131 on Android',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17 on iOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
      'Edge 131 on Windows',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox 133 on Linux'],
    ['curl/8.5.0', 'curl 8'],
  ])('names %s as %s', (header, label) => {
    expect(shortenUserAgent(header)).toBe(label);
  });

  it('keeps an unknown client, without control characters and at most 200 characters', () => {
    expect(shortenUserAgent('my-script\n\u0007')).toBe('my-script');
    expect(shortenUserAgent('x'.repeat(5000))).toHaveLength(200);
  });
});
