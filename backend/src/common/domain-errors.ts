import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ConflictException,
  ForbiddenException,
  HttpException,
  NotFoundException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/**
 * What a service refuses, in the service's own words: no HTTP status and no socket code. The
 * REST side answers them through DomainErrorsFilter, the socket side through the gateway's
 * acknowledgements; each maps them once.
 */
export abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing does not exist, or belongs to someone else (the two are not told apart). */
export class NotFoundError extends DomainError {}

/** The request names something that cannot be used (an unknown user, a stale cursor, a bad payload). */
export class InvalidInputError extends DomainError {}

/** The request is valid but the current state forbids it (an illegal transition, a concurrent change). */
export class ConflictError extends DomainError {}

/** The caller may not do this. */
export class ForbiddenError extends DomainError {}

/**
 * Answers a DomainError as Nest answers the matching HttpException: 404, 400, 409 or 403 with
 * `{ message, error, statusCode }`. It only translates; Nest's own handling replies.
 */
@Catch(DomainError)
export class DomainErrorsFilter extends BaseExceptionFilter {
  override catch(error: DomainError, host: ArgumentsHost): void {
    // A DomainError without an answer here is a bug: Nest logs it and answers 500.
    super.catch(toHttpException(error) ?? error, host);
  }
}

function toHttpException(error: DomainError): HttpException | null {
  if (error instanceof NotFoundError) return new NotFoundException(error.message);
  if (error instanceof InvalidInputError) return new BadRequestException(error.message);
  if (error instanceof ConflictError) return new ConflictException(error.message);
  if (error instanceof ForbiddenError) return new ForbiddenException(error.message);
  return null;
}
