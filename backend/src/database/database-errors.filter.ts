import { ArgumentsHost, Catch, ConflictException, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { Prisma } from '../generated/prisma/client';

// Prisma error codes that mean "the database cannot be reached right now".
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
// PostgreSQL's own codes, as the driver reports them outside Prisma: connection exceptions (08…)
// and the server shutting down or starting (57P01-57P03).
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3])/;
// Driver adapter error kinds with the same meaning.
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Turns database outages into 503 (clients retry) instead of 500; the process keeps serving.
 * It catches everything because an outage arrives in more than one shape: Prisma's own errors,
 * and the pg driver's errors unwrapped (from the one-recipient send, which queries the pool
 * directly, and from a connection lost inside an interactive transaction). A client told 503
 * retries, safely with an Idempotency-Key, even in the rare case the commit itself went through.
 *
 * Two more shapes are the client's doing, not the server's, and answered without an error log:
 * a write that refers to a row deleted meanwhile (a foreign key refused it: 409; e.g. a user
 * deleted by an operator in the instant before the node heard of it), and body-parser's refusals
 * (they carry their 4xx `status`). Anything else is Nest's default handling (HttpExceptions as
 * they are, the rest 500).
 */
@Catch()
export class DatabaseErrorsFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Database');

  override catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() === 'http' && isErrorLike(error) && !(error instanceof HttpException) && isUnavailable(error)) {
      this.logger.warn(`database unavailable: ${error.message.split('\n').at(-1)}`);
      host
        .switchToHttp()
        .getResponse<Response>()
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .setHeader('Retry-After', '5')
        .json({ statusCode: 503, message: 'The database is unavailable; please try again shortly', error: 'Service Unavailable' });
      return;
    }
    if (host.getType() === 'http' && isErrorLike(error) && !(error instanceof HttpException)) {
      if (isForeignKeyViolation(error)) return super.catch(new ConflictException('This refers to something that no longer exists; reload and try again'), host);
      const status = clientErrorStatus(error);
      if (status) return super.catch(new HttpException({ statusCode: status, message: error.message }, status), host);
    }
    super.catch(error, host);
  }
}

function isForeignKeyViolation(error: Error & { code?: string }): boolean {
  return error.code === 'P2003' || error.code === '23503';
}

/** body-parser's (http-errors') own 4xx, e.g. 413 for a body over the limit: meant for the client. */
function clientErrorStatus(error: Error & { status?: unknown; expose?: unknown }): number | null {
  return error.expose === true && typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : null;
}

/**
 * Shaped like an Error. Not `instanceof Error`: the driver's network errors are made by Node's
 * core, whose Error is not the application's when it runs in a separate realm (as under Jest).
 */
function isErrorLike(error: unknown): error is Error {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

function isUnavailable(error: Error & { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } }): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error.code && (UNAVAILABLE_CODES.has(error.code) || UNAVAILABLE_SQLSTATE.test(error.code))) return true;
  const kind = error.meta?.driverAdapterError?.cause?.kind;
  if (kind && UNAVAILABLE_KINDS.has(kind)) return true;
  return /ECONNREFUSED|ECONNRESET|Connection terminated|connect ETIMEDOUT|timeout exceeded when trying to connect|Can't reach database server/i.test(error.message);
}
