import { CanActivate, ExecutionContext, Inject, Injectable, mixin, Type } from '@nestjs/common';
import type { Request } from 'express';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { AuthUser } from '../auth/auth-user';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { COUNTER_TIMEOUT_MS, RedisConnection } from '../realtime/redis-connection';
import { TooManyRequestsException } from './too-many-requests';

export interface RateLimit {
  /** Part of the Redis key: limits with different names never share a counter. */
  name: string;
  points: number;
  durationSeconds: number;
}

/**
 * A fixed-window counter (rate-limiter-flexible) shared by every node of the deployment when
 * REDIS_URL is set, in this process's memory otherwise.
 *
 * While Redis is unreachable (or slower than COUNTER_TIMEOUT_MS), each node falls back to an
 * in-memory limiter of the same size: the limits still hold, per node, so N nodes allow up to N
 * times the budget until Redis is back. Neither failing open (no limit) nor failing closed
 * (refusing every sign-in because Redis is down) would be better for a clinic.
 */
export function clusterRateLimiter(redis: RedisConnection, { name, points, durationSeconds }: RateLimit): RateLimiterAbstract {
  const perNode = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });
  const client = redis.commandClient;
  if (!client) return perNode;
  const shared = new RateLimiterRedis({
    storeClient: client,
    // node-redis (v4 and later) rather than ioredis: its EVAL and MULTI take other arguments.
    useRedisPackage: true,
    keyPrefix: `${redis.keyPrefix}rate:${name}`,
    points,
    duration: durationSeconds,
    insuranceLimiter: perNode,
  });
  return new RLWrapperTimeouts({ limiter: shared, timeoutMs: COUNTER_TIMEOUT_MS });
}

/** Takes one point for `key`, or throws 429 with Retry-After when the window's points are spent. */
export async function takePoint(limiter: RateLimiterAbstract, key: string, refusal: (retryAfterSeconds: number) => string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    throw new TooManyRequestsException(refusal(retryAfter), retryAfter);
  }
}

export interface PerUserRateLimit {
  name: string;
  /** The config field holding the requests allowed per minute. */
  perMinute: (config: AppConfig) => number;
  refusal: (perMinute: number, retryAfterSeconds: number) => string;
}

/**
 * A guard allowing each signed-in user `perMinute` requests a minute across the cluster (one
 * user's script does not lock out the others). Put it after authentication, so that only a
 * user's own requests count against their budget.
 */
export function PerUserRateLimitGuard({ name, perMinute, refusal }: PerUserRateLimit): Type<CanActivate> {
  @Injectable()
  class PerUserRateLimitGuardMixin implements CanActivate {
    private readonly limit: number;
    private readonly limiter: RateLimiterAbstract;

    constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(RedisConnection) redis: RedisConnection) {
      this.limit = perMinute(config);
      this.limiter = clusterRateLimiter(redis, { name, points: this.limit, durationSeconds: 60 });
    }

    async canActivate(context: ExecutionContext): Promise<boolean> {
      const { id } = context.switchToHttp().getRequest<Request & { user: AuthUser }>().user;
      await takePoint(this.limiter, id, (retryAfter) => refusal(this.limit, retryAfter));
      return true;
    }
  }
  return mixin(PerUserRateLimitGuardMixin);
}
