/**
 * Provided by the realtime module when REDIS_URL is set, so health checks can report Redis
 * without the health module knowing how Redis is wired.
 */
export const REDIS_HEALTH = Symbol('REDIS_HEALTH');

export interface RedisHealth {
  isUp(): Promise<boolean>;
}
