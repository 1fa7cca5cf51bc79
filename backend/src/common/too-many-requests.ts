import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';

/** An answer that tells the client when to try again: in the body and (through RetryAfterFilter) in Retry-After. */
export abstract class RetryLaterException extends HttpException {
  protected constructor(
    status: HttpStatus.TOO_MANY_REQUESTS | HttpStatus.SERVICE_UNAVAILABLE,
    error: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super({ statusCode: status, message, error, retryAfter: retryAfterSeconds }, status);
  }
}

/** 429: this client used up a budget (sign-ins, sends, orders). */
export class TooManyRequestsException extends RetryLaterException {
  constructor(message: string, retryAfterSeconds: number) {
    super(HttpStatus.TOO_MANY_REQUESTS, 'Too Many Requests', message, retryAfterSeconds);
  }
}

/** 503: the server is too busy for this request right now, whoever sends it. */
export class TemporarilyUnavailableException extends RetryLaterException {
  constructor(message: string, retryAfterSeconds: number) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable', message, retryAfterSeconds);
  }
}

/** Adds the Retry-After header that well-behaved clients and proxies honour. */
@Catch(RetryLaterException)
export class RetryAfterFilter implements ExceptionFilter {
  catch(exception: RetryLaterException, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(exception.getStatus())
      .setHeader('Retry-After', String(exception.retryAfterSeconds))
      .json(exception.getResponse());
  }
}
