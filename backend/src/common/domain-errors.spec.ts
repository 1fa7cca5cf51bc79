import { ArgumentsHost, BadRequestException, ConflictException, ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ConflictError, DomainError, DomainErrorsFilter, ForbiddenError, InvalidInputError, NotFoundError } from './domain-errors';

/** What a filter replied (status and body) through a stand-in for the HTTP adapter. */
function replyOf(filterOn: (adapter: AbstractHttpAdapter) => BaseExceptionFilter, error: unknown): { status: number; body: unknown } {
  const replies: Array<{ status: number; body: unknown }> = [];
  const adapter = {
    isHeadersSent: () => false,
    reply: (_response: unknown, body: unknown, status: number) => replies.push({ status, body }),
  } as unknown as AbstractHttpAdapter;
  filterOn(adapter).catch(error, { getArgByIndex: () => ({}) } as unknown as ArgumentsHost);
  return replies[0];
}

describe('DomainErrorsFilter', () => {
  const cases: Array<[string, DomainError, HttpException]> = [
    ['NotFoundError as 404', new NotFoundError('Order not found'), new NotFoundException('Order not found')],
    ['InvalidInputError as 400', new InvalidInputError('cursor is stale'), new BadRequestException('cursor is stale')],
    ['ConflictError as 409', new ConflictError('already paid'), new ConflictException('already paid')],
    ['ForbiddenError as 403', new ForbiddenError('not yours'), new ForbiddenException('not yours')],
  ];

  it.each(cases)('answers a %s, exactly as Nest answers the matching HTTP exception', (_name, error, http) => {
    const reply = replyOf((adapter) => new DomainErrorsFilter(adapter), error);
    expect(reply).toEqual(replyOf((adapter) => new BaseExceptionFilter(adapter), http));
    expect(reply.body).toEqual({ statusCode: http.getStatus(), message: error.message, error: expect.any(String) });
  });
});
