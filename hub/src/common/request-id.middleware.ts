import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Gives every request a correlation id (kept from X-Request-Id when sane) and echoes it back. */
export function requestId(request: Request & { id?: string }, response: Response, next: NextFunction): void {
  const incoming = request.header('x-request-id');
  request.id = incoming && VALID_ID.test(incoming) ? incoming : randomUUID();
  response.setHeader('X-Request-Id', request.id);
  next();
}
