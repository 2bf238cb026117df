import type { Role } from '@kidtime/protocol';

/**
 * Escapes a value for an LDAP search filter (RFC 4515 §3): `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`,
 * `\29`, `\5c` and `\00`, so a username like `*)(uid=*` is looked up as those eight characters, never as a
 * wildcard or a second condition.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Puts an escaped value wherever `placeholder` appears in a configured filter. split/join, not replace(): a
 * replacement string would give `$&` and friends a meaning.
 */
export function fillFilter(filter: string, placeholder: string, value: string): string {
  return filter.split(placeholder).join(escapeFilterValue(value));
}

/**
 * A DN as compared here: lower-case, without the spaces people put around `,` and `=` (`cn=Parents, ou=groups`
 * names the same group as `cn=parents,ou=groups`). Escaped characters (`\,`) are left as they are.
 */
export function normalizeDn(dn: string): string {
  return dn
    .trim()
    .toLowerCase()
    .replace(/\s*(?<!\\)([,=])\s*/g, '$1');
}

export interface RoleGroups {
  owner: string[];
  parent: string[];
  viewer: string[];
}

/** The highest role any of a person's groups gives, or null when none of them is listed. */
export function roleFromGroups(memberOf: string[], groups: RoleGroups): Role | null {
  const mine = new Set(memberOf.map(normalizeDn));
  const roles: Role[] = ['owner', 'parent', 'viewer'];
  return roles.find((role) => groups[role].some((dn) => mine.has(normalizeDn(dn)))) ?? null;
}
