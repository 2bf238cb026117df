import { escapeFilterValue, fillFilter, normalizeDn, roleFromGroups } from './ldap-filter';

describe('escapeFilterValue', () => {
  it('escapes the characters RFC 4515 reserves', () => {
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b')).toBe('a\\5cb');
    expect(escapeFilterValue('nul\0')).toBe('nul\\00');
  });

  it('leaves ordinary usernames alone, including non-ASCII ones', () => {
    expect(escapeFilterValue('mum')).toBe('mum');
    expect(escapeFilterValue('j.doe@home.example')).toBe('j.doe@home.example');
    expect(escapeFilterValue('zoë')).toBe('zoë');
  });
});

describe('fillFilter', () => {
  it('puts the escaped value at every placeholder', () => {
    expect(fillFilter('(|(uid={username})(mail={username}))', '{username}', 'x*')).toBe(
      '(|(uid=x\\2a)(mail=x\\2a))',
    );
  });

  it('gives "$" in a value no special meaning', () => {
    expect(fillFilter('(uid={username})', '{username}', "$&$'")).toBe("(uid=$&$')");
  });

  it('escapes a DN for a group filter', () => {
    expect(fillFilter('(member={dn})', '{dn}', 'cn=smith\\, jo,ou=people,dc=home')).toBe(
      '(member=cn=smith\\5c, jo,ou=people,dc=home)',
    );
  });
});

describe('normalizeDn', () => {
  it('ignores case and spaces around separators, not escaped commas', () => {
    expect(normalizeDn(' CN=Parents, OU=Groups ,dc = home ')).toBe('cn=parents,ou=groups,dc=home');
    expect(normalizeDn('cn=Smith\\, Jo,dc=home')).toBe('cn=smith\\, jo,dc=home');
  });
});

describe('roleFromGroups', () => {
  const groups = {
    owner: ['cn=owners,ou=groups,dc=home'],
    parent: ['cn=parents,ou=groups,dc=home', 'cn=carers,ou=groups,dc=home'],
    viewer: ['cn=viewers,ou=groups,dc=home'],
  };

  it('gives the highest role of the groups a person is in', () => {
    expect(roleFromGroups(['cn=viewers,ou=groups,dc=home'], groups)).toBe('viewer');
    expect(roleFromGroups(['cn=Carers, ou=groups, dc=home'], groups)).toBe('parent');
    expect(
      roleFromGroups(['cn=viewers,ou=groups,dc=home', 'cn=owners,ou=groups,dc=home', 'cn=x,dc=home'], groups),
    ).toBe('owner');
  });

  it('gives no role for groups nobody listed', () => {
    expect(roleFromGroups([], groups)).toBeNull();
    expect(roleFromGroups(['cn=kids,ou=groups,dc=home'], groups)).toBeNull();
  });

  it('works with roles left empty', () => {
    expect(
      roleFromGroups(['cn=parents,dc=home'], { owner: [], parent: ['cn=parents,dc=home'], viewer: [] }),
    ).toBe('parent');
  });
});
