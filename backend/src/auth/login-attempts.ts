import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * Counts failed logins per client address and email within a sliding window. Only failures
 * count, so staff who sign in correctly are never throttled, while guessing a password is.
 */
@Injectable()
export class LoginAttempts {
  private readonly failures = new Map<string, number[]>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Throws 429 when this client has failed too often for this email recently. */
  assertAllowed(ip: string, email: string): void {
    const recent = this.recentFailures(this.key(ip, email));
    if (recent.length >= this.config.loginMaxFailures) {
      const retryAfter = Math.ceil((recent[0] + this.config.loginWindowSeconds * 1000 - Date.now()) / 1000);
      throw new HttpException(
        { statusCode: 429, message: `Too many failed sign-in attempts; try again in ${retryAfter} s`, retryAfter },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  recordFailure(ip: string, email: string): void {
    // Bound memory under a spray of distinct emails: drop every expired entry now and then.
    if (this.failures.size > 10_000) for (const stale of [...this.failures.keys()]) this.recentFailures(stale);
    const key = this.key(ip, email);
    this.failures.set(key, [...this.recentFailures(key), Date.now()]);
  }

  recordSuccess(ip: string, email: string): void {
    this.failures.delete(this.key(ip, email));
  }

  private recentFailures(key: string): number[] {
    const cutoff = Date.now() - this.config.loginWindowSeconds * 1000;
    const recent = (this.failures.get(key) ?? []).filter((at) => at > cutoff);
    if (recent.length) this.failures.set(key, recent);
    else this.failures.delete(key);
    return recent;
  }

  private key(ip: string, email: string): string {
    return `${ip}\u0000${email.trim().toLowerCase()}`;
  }
}
