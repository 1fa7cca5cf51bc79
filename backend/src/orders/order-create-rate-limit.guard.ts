import { PerUserRateLimitGuard } from '../common/rate-limits';

/**
 * Each user may create `ORDER_CREATE_RATE_LIMIT` orders a minute, across the cluster: every order
 * is a transaction and notifications to its creator and assignee, so a looping client would
 * otherwise flood both the database and people's inboxes.
 */
export const OrderCreateRateLimitGuard = PerUserRateLimitGuard({
  name: 'order-create',
  perMinute: (config) => config.orderCreateRateLimit,
  refusal: (perMinute, retryAfter) => `Too many orders created: at most ${perMinute} a minute per user; try again in ${retryAfter} s`,
});
