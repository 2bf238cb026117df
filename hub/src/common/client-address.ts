import { isIP } from 'node:net';

/** The peer address as a plain IP (IPv4-mapped IPv6 unwrapped). Proxy headers are deliberately ignored. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  const unwrapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIP(unwrapped) ? unwrapped : 'unknown';
}

export function isLoopback(address: string | undefined): boolean {
  const ip = normalizeAddress(address);
  return ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));
}
