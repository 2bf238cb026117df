import { groupsFromClaim, roleFromRules } from './oidc-roles';

const rules = {
  groups: { owner: ['kidtime-owners'], parent: ['parents'], viewer: [] },
  emails: { owner: [], parent: ['dad@home.example'], viewer: ['granny@home.example'] },
};

describe('roleFromRules', () => {
  it('gives the highest role a group or a verified e-mail earns', () => {
    expect(
      roleFromRules({ groups: ['parents', 'kidtime-owners'], email: null, emailVerified: false }, rules),
    ).toBe('owner');
    expect(roleFromRules({ groups: [], email: 'dad@home.example', emailVerified: true }, rules)).toBe(
      'parent',
    );
    expect(
      roleFromRules({ groups: ['parents'], email: 'granny@home.example', emailVerified: true }, rules),
    ).toBe('parent');
  });

  it('ignores an e-mail the provider has not verified, and matches groups exactly', () => {
    expect(roleFromRules({ groups: [], email: 'dad@home.example', emailVerified: false }, rules)).toBeNull();
    expect(
      roleFromRules({ groups: ['Parents', 'parents2'], email: null, emailVerified: false }, rules),
    ).toBeNull();
  });
});

describe('groupsFromClaim', () => {
  it('reads an array of names or a single name, and nothing else', () => {
    expect(groupsFromClaim(['a', 2, 'b', null])).toEqual(['a', 'b']);
    expect(groupsFromClaim('parents')).toEqual(['parents']);
    expect(groupsFromClaim({ parents: true })).toEqual([]);
    expect(groupsFromClaim(undefined)).toEqual([]);
  });
});
