import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';

/**
 * Every HTTP error leaves as `{statusCode, message, error, requestId}` (plus any extra fields the exception
 * carries, e.g. the command). Unexpected errors are logged with the request id and answered with 500,
 * never with internals.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(GlobalExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const requestId = request.id;

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const extra =
        typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
      const message = Array.isArray(extra.message)
        ? extra.message.join('; ')
        : typeof extra.message === 'string'
          ? extra.message
          : exception.message;
      if (typeof extra.retryAfter === 'number') response.setHeader('Retry-After', String(extra.retryAfter));
      if (status >= 500)
        this.logger.warn(`${request.method} ${request.url} → ${status}: ${message} [${requestId}]`);
      response.status(status).json({
        ...extra,
        statusCode: status,
        message,
        error: STATUS_CODES[status] ?? 'Error',
        requestId,
      });
      return;
    }

    // Body-parser and similar middleware errors carry a status of their own (e.g. malformed JSON → 400).
    const status = httpStatusOf(exception);
    if (status !== undefined && status < 500) {
      response.status(status).json({
        statusCode: status,
        message:
          status === 400
            ? `malformed request body: ${(exception as Error).message}`
            : (exception as Error).message,
        error: STATUS_CODES[status] ?? 'Error',
        requestId,
      });
      return;
    }

    this.logger.error(
      `${request.method} ${request.url} failed [${requestId}]: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({
      statusCode: 500,
      message: `Internal error; the hub log has the details under request id ${requestId}`,
      error: 'Internal Server Error',
      requestId,
    });
  }
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}
