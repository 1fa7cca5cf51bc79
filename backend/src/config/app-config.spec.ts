import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('runs with no environment at all: embedded database, demo users, port 3000 on loopback', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: null, redisUrl: null, seedDemoUsers: true });
    expect(config.jwtSecretGenerated).toBe(true);
  });

  it('limits abuse by default: 60 admin sends and 120 orders a minute, 10 events a second in bursts of 30 per socket, 10 sockets per user, 2 hashes at once and 16 waiting', () => {
    expect(loadConfig({})).toMatchObject({
      adminSendRateLimit: 60,
      orderCreateRateLimit: 120,
      hashConcurrency: 2,
      hashQueueLimit: 16,
      socketEventsPerSecond: 10,
      socketEventBurst: 30,
      maxSocketsPerUser: 10,
      loginMaxFailures: 5,
      loginMaxFailuresPerAddress: 100,
    });
  });

  it('shows amounts in US dollars unless CLINIC_CURRENCY names another currency', () => {
    expect(loadConfig({}).clinicCurrency).toBe('USD');
    expect(loadConfig({ CLINIC_CURRENCY: 'MXN' }).clinicCurrency).toBe('MXN');
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
    [{ ORDER_CREATE_RATE_LIMIT: '0' }, /ORDER_CREATE_RATE_LIMIT must be an integer/],
    [{ HASH_CONCURRENCY: '0' }, /HASH_CONCURRENCY must be an integer from 1/],
    [{ HASH_QUEUE_LIMIT: '-1' }, /HASH_QUEUE_LIMIT must be an integer from 0/],
    // `true` and hop counts would believe an X-Forwarded-For sent straight to a node.
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY must list the proxies whose X-Forwarded-For is believed.*\(got "true"\)/],
    [{ TRUST_PROXY: '1' }, /TRUST_PROXY must list the proxies/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /TRUST_PROXY must list the proxies.*\(got "10.0.0.0\/33"\)/],
    [{ TRUST_PROXY: '10.0.0.0/8,proxy.internal' }, /\(got "proxy.internal"\)/],
    [{ CLINIC_CURRENCY: 'usd' }, /CLINIC_CURRENCY must be an ISO 4217 currency code .*\(got "usd"\)/],
    [{ CLINIC_CURRENCY: 'XYZ' }, /CLINIC_CURRENCY must be an ISO 4217 currency code/],
  ])('refuses %j with an error naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('trusts X-Forwarded-For only from the proxies TRUST_PROXY names (addresses, CIDRs, Express range names)', () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 127.0.0.1,fd00::/8,::1, loopback ' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'fd00::/8',
      '::1',
      'loopback',
    ]);
  });

  describe('metrics in production', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'Zq8#vN2!pL5@xR9$tK3%wB7^mC1&hF6*' };
    const token = 'metrics-token-that-is-long-enough-0123456789';

    it('refuses to start with metrics open on the app port, naming both ways to close them', () => {
      expect(() => loadConfig(production)).toThrow(ConfigError);
      expect(() => loadConfig(production)).toThrow(/NODE_ENV=production needs METRICS_PORT .* or METRICS_TOKEN/);
    });

    it('starts with metrics on an internal port or behind a bearer token', () => {
      expect(loadConfig({ ...production, METRICS_PORT: '9464' })).toMatchObject({ metricsPort: 9464, metricsToken: null });
      expect(loadConfig({ ...production, METRICS_TOKEN: token })).toMatchObject({ metricsPort: null, metricsToken: token });
    });

    it('keeps metrics open without either outside production, as the local tools expect', () => {
      expect(loadConfig({})).toMatchObject({ metricsPort: null, metricsToken: null });
    });

    it('refuses a guessable metrics token anywhere', () => {
      expect(() => loadConfig({ METRICS_TOKEN: 'secret' })).toThrow(/METRICS_TOKEN must be at least 32 characters/);
    });
  });

  describe('production safety', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'Zq8#vN2!pL5@xR9$tK3%wB7^mC1&hF6*', METRICS_PORT: '9464' };

    it('seeds no demo accounts by default, and refuses to when asked', () => {
      expect(loadConfig(production).seedDemoUsers).toBe(false);
      expect(() => loadConfig({ ...production, SEED_DEMO_USERS: 'true' })).toThrow(/SEED_DEMO_USERS=true is refused when NODE_ENV=production/);
    });

    it('refuses a long but guessable JWT_SECRET, accepts a random one', () => {
      expect(() => loadConfig({ ...production, JWT_SECRET: 'changeme'.repeat(4) })).toThrow(/JWT_SECRET is too guessable/);
      expect(loadConfig({ ...production, JWT_SECRET: 'fq2Bv9_XcLr0Tz8wKp4MhN6sYd1Ga3Ue' }).jwtSecret).toHaveLength(32);
    });

    it('closes the OpenAPI document unless API_DOCS=true', () => {
      expect(loadConfig(production).apiDocs).toBe(false);
      expect(loadConfig({ ...production, API_DOCS: 'true' }).apiDocs).toBe(true);
      expect(loadConfig({}).apiDocs).toBe(true);
    });
  });

  it('takes the first admin from INITIAL_ADMIN_EMAIL and INITIAL_ADMIN_PASSWORD, both or neither, with a password of 12 characters or more', () => {
    expect(loadConfig({}).initialAdmin).toBeNull();
    expect(loadConfig({ INITIAL_ADMIN_EMAIL: 'Head@Clinic.example', INITIAL_ADMIN_PASSWORD: 'twelve chars' }).initialAdmin).toEqual({
      email: 'head@clinic.example',
      password: 'twelve chars',
    });
    expect(() => loadConfig({ INITIAL_ADMIN_EMAIL: 'head@clinic.example', INITIAL_ADMIN_PASSWORD: 'short' })).toThrow(/at least 12 characters/);
    expect(() => loadConfig({ INITIAL_ADMIN_PASSWORD: 'a long enough password' })).toThrow(/INITIAL_ADMIN_EMAIL must be an email/);
  });

  it('takes PUBLIC_URL as an allowed origin, and ALLOWED_ORIGINS as a list of bare origins', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://clinic.example/', ALLOWED_ORIGINS: 'https://a.example, http://localhost:4200' })).toMatchObject({
      publicUrl: 'https://clinic.example',
      allowedOrigins: ['https://clinic.example', 'https://a.example', 'http://localhost:4200'],
    });
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://a.example/path' })).toThrow(/without a path/);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'not an origin' })).toThrow(/must list origins/);
  });

  it('keeps read notifications 90 days, unread ones 365, audit entries 730; 0 keeps for ever, and unread ones never go before read ones', () => {
    expect(loadConfig({})).toMatchObject({ retentionReadDays: 90, retentionUnreadDays: 365, retentionAuditDays: 730 });
    expect(loadConfig({ RETENTION_READ_DAYS: '0', RETENTION_UNREAD_DAYS: '0', RETENTION_AUDIT_DAYS: '0' })).toMatchObject({
      retentionReadDays: 0,
      retentionUnreadDays: 0,
      retentionAuditDays: 0,
    });
    expect(loadConfig({ RETENTION_READ_DAYS: '30', RETENTION_UNREAD_DAYS: '0' }).retentionUnreadDays).toBe(0);
    expect(() => loadConfig({ RETENTION_READ_DAYS: '90', RETENTION_UNREAD_DAYS: '30' })).toThrow(/RETENTION_UNREAD_DAYS \(30\) must be at least RETENTION_READ_DAYS \(90\)/);
    expect(() => loadConfig({ RETENTION_READ_DAYS: '0' })).toThrow(/at least RETENTION_READ_DAYS \(for ever\)/);
    expect(() => loadConfig({ RETENTION_AUDIT_DAYS: '-1' })).toThrow(/RETENTION_AUDIT_DAYS must be an integer from 0 to 36500/);
  });
});
