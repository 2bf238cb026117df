import { usernameSchema, type Role } from '@kidtime/protocol';
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { ProxyConfig } from '../../config/hub-config';

/** Who the proxy says is asking, and the role their groups give. */
export interface ProxyIdentity {
  username: string;
  role: Role | null;
}

/** Why the proxy's word was not taken; `from` tells a sign-in attempt from an untrusted address. */
export type ProxyVerdict =
  | { ok: true; identity: ProxyIdentity }
  | { ok: false; reason: 'untrusted' | 'no-user' | 'bad-user'; message: string };

/**
 * The reverse proxy's word about who is asking, taken only from the proxy's own addresses. The hub sees the
 * proxy as the peer of its TCP connection, so the check is on that peer address, never on a forwarded-for
 * header (which any client can write).
 */
export class TrustedProxy {
  private readonly addresses = new BlockList();

  constructor(private readonly config: ProxyConfig) {
    for (const entry of config.addresses) {
      const [address = '', bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.addresses.addAddress(address, family);
      else this.addresses.addSubnet(address, Number(bits), family);
    }
  }

  trusts(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.addresses.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  identify(address: string, headers: IncomingHttpHeaders): ProxyVerdict {
    if (!this.trusts(address)) {
      return {
        ok: false,
        reason: 'untrusted',
        message: `the request came from ${address}, not from the sign-in proxy (AUTH_PROXY_ADDRESSES)`,
      };
    }
    const raw = single(headers[this.config.userHeader]);
    if (raw === null || raw.trim() === '') {
      return {
        ok: false,
        reason: 'no-user',
        message: `the proxy sent no ${this.config.userHeader} header: it has not signed anyone in`,
      };
    }
    const parsed = usernameSchema.safeParse(raw.trim().toLowerCase());
    if (!parsed.success) {
      return {
        ok: false,
        reason: 'bad-user',
        message: `the proxy's ${this.config.userHeader} cannot be a Kidtime username: it ${parsed.error.issues[0]?.message ?? 'is not allowed'}`,
      };
    }
    const groups = new Set(
      (single(headers[this.config.groupsHeader]) ?? '')
        .split(/[,|]/)
        .map((group) => group.trim())
        .filter((group) => group !== ''),
    );
    const roles: Role[] = ['owner', 'parent', 'viewer'];
    const role = roles.find((r) => this.config.groups[r].some((group) => groups.has(group))) ?? null;
    return { ok: true, identity: { username: parsed.data, role } };
  }

  /** The person the proxy names on this request, or null: for re-checking a proxy session on every request. */
  username(address: string, headers: IncomingHttpHeaders): string | null {
    const verdict = this.identify(address, headers);
    return verdict.ok ? verdict.identity.username : null;
  }
}

/** A header sent twice is refused rather than guessed at: the proxy sets it once. */
function single(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value.length === 1 ? (value[0] ?? null) : null;
  return value ?? null;
}
