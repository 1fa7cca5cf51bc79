import { Inject, Injectable } from '@nestjs/common';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { clusterRateLimiter, takePoint } from '../common/rate-limits';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnection } from '../realtime/redis-connection';

/**
 * Failed sign-ins within the login window, across the cluster: per account (guessing one
 * account's password, from however many addresses) and per address (trying one password on
 * many accounts; much higher, as a whole clinic may share one address).
 *
 * A point is taken before the password is checked, so parallel guesses cannot all pass a check
 * made before any of them failed. A correct password gives the account's point back, so staff
 * who sign in correctly are never locked out by their own sign-ins; the address keeps its point,
 * or every sign-in to an account one knows would buy a spray one more guess.
 */
@Injectable()
export class LoginAttempts {
  private readonly perAccount: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;

  constructor(@Inject(APP_CONFIG) config: AppConfig, redis: RedisConnection) {
    const durationSeconds = config.loginWindowSeconds;
    this.perAccount = clusterRateLimiter(redis, { name: 'login-account', points: config.loginMaxFailures, durationSeconds });
    this.perAddress = clusterRateLimiter(redis, { name: 'login-address', points: config.loginMaxFailuresPerAddress, durationSeconds });
  }

  /** Counts a sign-in about to be checked, or throws 429 (with Retry-After) when either budget is spent. */
  async begin(ip: string, email: string): Promise<void> {
    const account = accountKey(email);
    await takePoint(this.perAccount, account, (retryAfter) => `Too many failed sign-in attempts; try again in ${retryAfter} s`);
    try {
      await takePoint(this.perAddress, ip, (retryAfter) => `Too many failed sign-in attempts from this address; try again in ${retryAfter} s`);
    } catch (refusal) {
      // Refused without checking the password: this try must not count against the account.
      await this.perAccount.reward(account);
      throw refusal;
    }
  }

  /** The password was right: the account gets its point back. */
  async succeeded(email: string): Promise<void> {
    await this.perAccount.reward(accountKey(email));
  }

  /**
   * The password could not be checked (the server was busy or its database down): the account
   * gets its point back, as nothing was tried on it. The address keeps its point, or a flood
   * from one address that keeps the hashing queue full could retry for free.
   */
  async notChecked(email: string): Promise<void> {
    await this.perAccount.reward(accountKey(email));
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}
