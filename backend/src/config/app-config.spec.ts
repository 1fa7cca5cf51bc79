import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('runs with no environment at all: embedded database, demo users, port 3000 on loopback', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: null, redisUrl: null, seedDemoUsers: true });
    expect(config.jwtSecretGenerated).toBe(true);
  });

  it('limits abuse by default: 60 admin sends a minute, 10 events a second in bursts of 30 per socket, 10 sockets per user', () => {
    expect(loadConfig({})).toMatchObject({
      adminSendRateLimit: 60,
      socketEventsPerSecond: 10,
      socketEventBurst: 30,
      maxSocketsPerUser: 10,
      loginMaxFailures: 5,
      loginMaxFailuresPerAddress: 100,
    });
  });

  it('does not seed demo users into a real database unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/clinic' }).seedDemoUsers).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/clinic', SEED_DEMO_USERS: 'true' }).seedDemoUsers).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ DATABASE_URL: 'mysql://db/clinic' }, /DATABASE_URL must start with postgresql:\/\//],
    [{ REDIS_URL: 'not a url' }, /REDIS_URL is not a valid URL/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, /JWT_SECRET is required/],
    [{ NODE_ENV: 'production' }, /JWT_SECRET is required/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ SEED_DEMO_USERS: 'maybe' }, /SEED_DEMO_USERS must be true or false/],
    [{ ADMIN_SEND_RATE_LIMIT: '0' }, /ADMIN_SEND_RATE_LIMIT must be an integer from 1 to 1000000 \(got "0"\)/],
    [{ SOCKET_EVENTS_PER_SECOND: 'lots' }, /SOCKET_EVENTS_PER_SECOND must be an integer/],
    [{ SOCKET_EVENT_BURST: '-1' }, /SOCKET_EVENT_BURST must be an integer/],
    [{ MAX_SOCKETS_PER_USER: '2.5' }, /MAX_SOCKETS_PER_USER must be an integer/],
    [{ LOGIN_MAX_FAILURES_PER_ADDRESS: '0' }, /LOGIN_MAX_FAILURES_PER_ADDRESS must be an integer/],
  ])('refuses %j with an error naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
