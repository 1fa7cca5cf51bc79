import { createHash } from 'node:crypto';
import {
  applyDecorators,
  BadRequestException,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  Type,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '@clinic/contracts';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';
import { ApiErrors } from './api-docs';
import { canonicalJson } from './canonical-json';
import { isUniqueViolation } from './prisma-errors';
import { AfterCommit, TransactionService, Tx } from './transaction.service';

/** Printable ASCII without spaces, as Stripe-style clients send (UUIDs, ULIDs, random tokens). */
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** A retry within this time returns the first result; older records are purged (RetentionService). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** The request's Idempotency-Key header, validated, or null when the client sent none. */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | null => {
  const value = context.switchToHttp().getRequest<Request>().headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (value === undefined) return null;
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw new BadRequestException(`${IDEMPOTENCY_KEY_HEADER} must be 1 to 200 printable ASCII characters without spaces`);
  }
  return value;
});

/** Documents the Idempotency-Key header of a route, and its 201 (`created`), which a replay repeats with Idempotent-Replayed. */
export const ApiIdempotencyKey = (created: Type) =>
  applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description: 'A retry with the same key (within a day) creates nothing and returns the first result',
      schema: { type: 'string', pattern: KEY_PATTERN.source },
    }),
    ApiCreatedResponse({
      type: created,
      description: 'Created, or the stored result of the first request with this key',
      headers: {
        [IDEMPOTENT_REPLAYED_HEADER]: { description: 'true: the stored result of an earlier request with this key', schema: { type: 'string', enum: ['true'] } },
      },
    }),
    ApiErrors({ 422: `The ${IDEMPOTENCY_KEY_HEADER} was already used for a different request` }),
  );

export interface IdempotentRequest {
  userId: string;
  /** Names the operation, e.g. "POST /api/orders": one key may be used once per route. */
  route: string;
  key: string | null;
  /** The validated request body: a retry must send the same one. */
  body: unknown;
}

export interface IdempotentResult<T> {
  statusCode: number;
  body: T;
  /** True when this is the stored result of an earlier request with the same key. */
  replayed: boolean;
}

/** Stores the result inside the write's transaction; call it before the transaction's last statement. */
export type Remember<T> = (body: T) => Promise<void>;

interface StoredResult {
  requestHash: string;
  statusCode: number;
  response: Prisma.JsonValue;
}

/**
 * Makes a write safe to retry. The record of a key is inserted in the same transaction as the
 * write it describes, so they commit or roll back together, and the record's primary key
 * (user, route, key) decides a race: a concurrent duplicate blocks on that key, fails with a
 * unique violation once the first commits, and then answers with the first's stored result.
 * Only successful writes are stored; a request that failed may be retried with the same key.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: TransactionService,
  ) {}

  async execute<T>(
    request: IdempotentRequest,
    statusCode: number,
    work: (tx: Tx, afterCommit: AfterCommit, remember: Remember<T>) => Promise<T>,
  ): Promise<IdempotentResult<T>> {
    const { key } = request;
    if (key === null) {
      const body = await this.transactions.run((tx, afterCommit) => work(tx, afterCommit, async () => {}));
      return { statusCode, body, replayed: false };
    }
    const requestHash = createHash('sha256').update(canonicalJson(request.body ?? null)).digest('hex');
    const earlier = await this.find(request.userId, request.route, key);
    if (earlier) return this.replay<T>(earlier, requestHash);
    try {
      const body = await this.transactions.run(async (tx, afterCommit) => {
        let remembered = false;
        const result = await work(tx, afterCommit, async (response) => {
          remembered = true;
          await tx.idempotencyRecord.create({
            data: { userId: request.userId, route: request.route, key, requestHash, statusCode, response: response as Prisma.InputJsonValue },
          });
        });
        if (!remembered) throw new Error(`${request.route} did not store its result for its Idempotency-Key`);
        return result;
      });
      return { statusCode, body, replayed: false };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.find(request.userId, request.route, key);
      if (!winner) throw error;
      return this.replay<T>(winner, requestHash);
    }
  }

  private find(userId: string, route: string, key: string): Promise<StoredResult | null> {
    return this.prisma.idempotencyRecord.findUnique({
      where: { userId_route_key: { userId, route, key } },
      select: { requestHash: true, statusCode: true, response: true },
    });
  }

  private replay<T>(stored: StoredResult, requestHash: string): IdempotentResult<T> {
    if (stored.requestHash !== requestHash) {
      throw new UnprocessableEntityException(
        `This ${IDEMPOTENCY_KEY_HEADER} was already used for a different request; use a new key for a new request`,
      );
    }
    return { statusCode: stored.statusCode, body: stored.response as T, replayed: true };
  }
}

/** Applies a result's status code (and the replay marker) to the response; returns the body. */
export function sendIdempotent<T>(response: Response, result: IdempotentResult<T>): T {
  response.status(result.statusCode);
  if (result.replayed) response.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return result.body;
}
