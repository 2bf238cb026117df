import { ago, duration } from './format';

describe('format', () => {
  it('reads a duration as a parent does', () => {
    expect([duration(0), duration(720), duration(3900)]).toEqual(['0 min', '12 min', '1 h 05 min']);
  });

  it('says how long ago something was, coarser the older it is', () => {
    const now = Date.parse('2026-12-07T12:00:00.000Z');
    const at = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    expect([at(0.5), at(2), at(180), at(24 * 60 + 5), at(4 * 24 * 60)].map((iso) => ago(iso, now))).toEqual([
      'just now',
      '2 min ago',
      '3 h ago',
      'yesterday',
      '4 days ago',
    ]);
  });
});
