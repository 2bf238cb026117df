import type { Request } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

/** Where a sign-in or renewal comes from, as the session list shows it. */
export interface ClientContext {
  address: string;
  /** The User-Agent header, if any. */
  userAgent: string | null;
  /** The request's headers, for the sign-in proxy's. */
  headers?: IncomingHttpHeaders;
}

/** The client of an HTTP request: its TCP peer (never a forwarded-for header) and what it says it is. */
export function clientOf(request: Request): ClientContext {
  return {
    address: normalizeAddress(request.socket.remoteAddress),
    userAgent: request.headers['user-agent'] ?? null,
    headers: request.headers,
  };
}

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
