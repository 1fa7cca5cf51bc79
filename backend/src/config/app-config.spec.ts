import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('runs with no environment at all: embedded database, demo users, port 3000 on loopback', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: null, redisUrl: null, seedDemoUsers: true });
    expect(config.jwtSecretGenerated).toBe(true);
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
  ])('refuses %j with an error naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
