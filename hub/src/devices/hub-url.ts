import type { Request } from 'express';

/** The hub's address as the caller used it (for install commands when PUBLIC_URL is not set). */
export function hubUrlOf(request: Request): string {
  const host = request.header('host') ?? `localhost`;
  return `${request.protocol}://${/^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : 'localhost'}`;
}
