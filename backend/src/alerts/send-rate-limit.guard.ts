import { PerUserRateLimitGuard } from '../common/rate-limits';

/**
 * Each admin may send `ADMIN_SEND_RATE_LIMIT` notifications a minute, across the cluster: a
 * broadcast writes one row per user, so a runaway script could otherwise fill the database and
 * every inbox. Runs after the authentication guard (and the role check).
 */
export const SendRateLimitGuard = PerUserRateLimitGuard({
  name: 'admin-send',
  perMinute: (config) => config.adminSendRateLimit,
  refusal: (perMinute, retryAfter) => `Too many notifications sent: at most ${perMinute} a minute per admin; try again in ${retryAfter} s`,
});
