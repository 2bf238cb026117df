import type { Role } from '@kidtime/protocol';
import type { OidcConfig } from '../../config/hub-config';

/** What the provider says about a person that decides their role. */
export interface OidcPerson {
  groups: string[];
  /** Lower-case. */
  email: string | null;
  emailVerified: boolean;
}

const ROLES: Role[] = ['owner', 'parent', 'viewer'];

/**
 * The highest role a group or e-mail rule gives. An e-mail counts only when the provider says it verified
 * it: anyone can type someone else's address into a self-service sign-up form.
 */
export function roleFromRules(person: OidcPerson, rules: Pick<OidcConfig, 'groups' | 'emails'>): Role | null {
  const groups = new Set(person.groups);
  const email = person.emailVerified ? person.email : null;
  return (
    ROLES.find(
      (role) =>
        rules.groups[role].some((group) => groups.has(group)) ||
        (email !== null && rules.emails[role].includes(email)),
    ) ?? null
  );
}

/**
 * The groups claim as a list: providers send an array of names; some send a single name as a string. Anything
 * else (objects, numbers) is no group at all.
 */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is string => typeof entry === 'string').slice(0, 1000);
}
