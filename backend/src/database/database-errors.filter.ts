import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
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
 * The database connection failed in the middle of a transaction. The driver's own error comes
 * through Prisma unwrapped there; the transaction runner wraps it in this so it gets its 503.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

/** Turns database outages into 503 (clients retry) instead of 500; the process keeps serving. */
@Catch(Prisma.PrismaClientKnownRequestError, Prisma.PrismaClientInitializationError, Prisma.PrismaClientUnknownRequestError, DatabaseUnavailableError)
export class DatabaseErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Database');

  catch(error: Error & { code?: string; cause?: unknown }, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (isUnavailable(error)) {
      this.logger.warn(`database unavailable: ${error.message.split('\n').at(-1)}`);
      response
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .setHeader('Retry-After', '5')
        .json({ statusCode: 503, message: 'The database is unavailable; please try again shortly', error: 'Service Unavailable' });
      return;
    }
    this.logger.error(error);
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ statusCode: 500, message: 'Internal server error' });
  }
}

export function isUnavailable(error: Error & { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } }): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError || error instanceof DatabaseUnavailableError) return true;
  if (error.code && (UNAVAILABLE_CODES.has(error.code) || UNAVAILABLE_SQLSTATE.test(error.code))) return true;
  const kind = error.meta?.driverAdapterError?.cause?.kind;
  if (kind && UNAVAILABLE_KINDS.has(kind)) return true;
  return /ECONNREFUSED|ECONNRESET|Connection terminated|connect ETIMEDOUT|timeout exceeded when trying to connect|Can't reach database server/i.test(error.message);
}
