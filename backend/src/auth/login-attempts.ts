import { Inject, Injectable } from '@nestjs/common';
import { TooManyRequestsException } from '../common/too-many-requests';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * Counts failed logins within a sliding window, per client address and email (guessing one
 * account's password) and per address alone (trying one password on many accounts). Only
 * failures count, so staff who sign in correctly are never throttled, while guessing is. The
 * per-address limit is much higher, as a whole clinic may share one address.
 */
@Injectable()
export class LoginAttempts {
  private readonly failures = new Map<string, number[]>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Throws 429 (with Retry-After) when this client has failed too often recently. */
  assertAllowed(ip: string, email: string): void {
    this.assertBelow(this.key(ip, email), this.config.loginMaxFailures, 'Too many failed sign-in attempts');
    this.assertBelow(this.addressKey(ip), this.config.loginMaxFailuresPerAddress, 'Too many failed sign-in attempts from this address');
  }

  recordFailure(ip: string, email: string): void {
    // Bound memory under a spray of distinct emails: drop every expired entry now and then.
    if (this.failures.size > 10_000) for (const stale of [...this.failures.keys()]) this.recentFailures(stale);
    for (const key of [this.key(ip, email), this.addressKey(ip)]) this.failures.set(key, [...this.recentFailures(key), Date.now()]);
  }

  /** Forgets this email's failures; the address keeps its own, or one known password would reset a spray. */
  recordSuccess(ip: string, email: string): void {
    this.failures.delete(this.key(ip, email));
  }

  private assertBelow(key: string, limit: number, reason: string): void {
    const recent = this.recentFailures(key);
    if (recent.length < limit) return;
    const retryAfter = Math.max(1, Math.ceil((recent[recent.length - limit] + this.config.loginWindowSeconds * 1000 - Date.now()) / 1000));
    throw new TooManyRequestsException(`${reason}; try again in ${retryAfter} s`, retryAfter);
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

  private addressKey(ip: string): string {
    return `${ip}\u0000`;
  }
}
