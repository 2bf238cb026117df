import { TrustedProxy } from './trusted-proxy';

describe('TrustedProxy', () => {
  const proxy = new TrustedProxy({
    addresses: ['172.18.0.2', '10.20.0.0/16', 'fd00:1::/64'],
    userHeader: 'remote-user',
    groupsHeader: 'remote-groups',
    groups: { owner: ['admins'], parent: ['grown-ups'], viewer: ['family'] },
  });

  it('trusts only its addresses and ranges', () => {
    for (const address of ['172.18.0.2', '10.20.255.1', 'fd00:1::9'])
      expect(proxy.trusts(address)).toBe(true);
    for (const address of ['172.18.0.3', '10.21.0.1', 'fd00:2::1', '127.0.0.1', 'unknown', ''])
      expect(proxy.trusts(address)).toBe(false);
  });

  it('reads the person and the highest role their groups give', () => {
    expect(
      proxy.identify('172.18.0.2', { 'remote-user': ' Dad ', 'remote-groups': 'family, grown-ups' }),
    ).toEqual({
      ok: true,
      identity: { username: 'dad', role: 'parent' },
    });
    expect(proxy.identify('172.18.0.2', { 'remote-user': 'mum', 'remote-groups': 'family|admins' })).toEqual({
      ok: true,
      identity: { username: 'mum', role: 'owner' },
    });
    expect(proxy.identify('172.18.0.2', { 'remote-user': 'lodger' })).toEqual({
      ok: true,
      identity: { username: 'lodger', role: null },
    });
  });

  it('does not match a group by part of its name or by case', () => {
    expect(
      proxy.identify('172.18.0.2', { 'remote-user': 'kim', 'remote-groups': 'Admins,grown-ups-old' }),
    ).toEqual({
      ok: true,
      identity: { username: 'kim', role: null },
    });
  });

  it('ignores the headers from any other address', () => {
    const verdict = proxy.identify('192.168.1.50', { 'remote-user': 'mum', 'remote-groups': 'admins' });
    expect(verdict).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(proxy.username('192.168.1.50', { 'remote-user': 'mum' })).toBeNull();
  });

  it.each([
    [{}, 'no-user'],
    [{ 'remote-user': '  ' }, 'no-user'],
    [{ 'remote-user': ['mum', 'dad'] }, 'no-user'],
    [{ 'remote-user': 'mum, dad' }, 'bad-user'],
    [{ 'remote-user': '*' }, 'bad-user'],
    [{ 'remote-user': 'a'.repeat(65) }, 'bad-user'],
    [{ 'remote-user': 'dad\nX-Injected: 1' }, 'bad-user'],
  ])('refuses the user header %j', (headers, reason) => {
    expect(proxy.identify('172.18.0.2', headers)).toMatchObject({ ok: false, reason });
  });
});
