import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthUser } from '../auth/auth-user';
import { TooManyRequestsException } from '../common/too-many-requests';
import { TokenBucket } from '../common/token-bucket';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** Past this many admins with a budget in use, full (idle) budgets are forgotten. */
const PRUNE_ABOVE = 1000;

/**
 * Each admin may send `ADMIN_SEND_RATE_LIMIT` notifications a minute (in bursts of as many):
 * a broadcast writes one row per user, so a runaway script could otherwise fill the database
 * and every inbox. Per admin, so one admin's script does not lock out the others. Runs after
 * the authentication guard, so only an admin's own requests count against their budget.
 */
@Injectable()
export class SendRateLimitGuard implements CanActivate {
  private readonly budgets = new Map<string, TokenBucket>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const { id } = context.switchToHttp().getRequest<Request & { user: AuthUser }>().user;
    const perMinute = this.config.adminSendRateLimit;
    let budget = this.budgets.get(id);
    if (!budget) {
      if (this.budgets.size >= PRUNE_ABOVE) for (const [admin, idle] of this.budgets) if (idle.isFull()) this.budgets.delete(admin);
      budget = new TokenBucket(perMinute, perMinute / 60);
      this.budgets.set(id, budget);
    }
    if (budget.tryTake()) return true;
    const retryAfter = budget.secondsUntilNext();
    throw new TooManyRequestsException(
      `Too many notifications sent: at most ${perMinute} a minute per admin; try again in ${retryAfter} s`,
      retryAfter,
    );
  }
}
