import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Whether an Authorization header carries the metrics token (always, when none is configured).
 * Compares digests in constant time, so neither the token's bytes nor its length show in the
 * answer's timing.
 */
export function grantsMetricsAccess(authorization: string | undefined, metricsToken: string | null): boolean {
  if (metricsToken === null) return true;
  const presented = BEARER.exec(authorization ?? '')?.[1];
  if (presented === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(metricsToken));
}
