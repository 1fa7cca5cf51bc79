import request from 'supertest';
import { DEMO_USERS } from '../src/database/demo-users';
import { BackendProcess, killAllProcesses, startExpectingExit } from './support/processes';

const PRODUCTION = {
  NODE_ENV: 'production',
  DATA_DIR: 'memory://',
  JWT_SECRET: 'Zq8v-Lr2xN0aT5mY7cW1pK9sE3hJ6uB4dG',
  METRICS_TOKEN: 'metrics-token-for-the-production-test',
};

describe('Production mode', () => {
  afterAll(() => killAllProcesses());

  it('refuses to start when asked to seed the public demo accounts, saying why', async () => {
    const { code, output } = await startExpectingExit({ ...PRODUCTION, SEED_DEMO_USERS: 'true' });
    expect(code).toBe(1);
    expect(output).toMatch(/SEED_DEMO_USERS=true is refused when NODE_ENV=production/);
  });

  it.each([
    ['one character repeated', 'a'.repeat(48)],
    ['a word repeated', 'changeme'.repeat(5)],
  ])('refuses a JWT_SECRET that is long but guessable (%s)', async (_case, secret) => {
    const { code, output } = await startExpectingExit({ ...PRODUCTION, JWT_SECRET: secret });
    expect(code).toBe(1);
    expect(output).toMatch(/JWT_SECRET is too guessable for production/);
  });

  it('starts without demo accounts (the login page is told so), with the first admin the operator named, whose password no log shows', async () => {
    const initialAdmin = { email: 'head.nurse@clinic.example', password: 'correct horse battery staple' };
    const node = await BackendProcess.start({
      ...PRODUCTION,
      INITIAL_ADMIN_EMAIL: initialAdmin.email,
      INITIAL_ADMIN_PASSWORD: initialAdmin.password,
      LOG_LEVEL: 'trace',
    });
    try {
      expect((await request(node.url).get('/api/auth/config').expect(200)).body).toEqual({ demo: false, demoAccounts: [], currency: 'USD' });
      // Metrics only with the token, under no other spelling; no API docs.
      await request(node.url).get('/api/metrics').expect(401);
      for (const path of ['/api/METRICS', '/api/metrics/', '/API/metrics', '/api/docs', '/api/docs-json']) await request(node.url).get(path).expect(404);
      await request(node.url).get('/api/metrics').set('Authorization', `Bearer ${PRODUCTION.METRICS_TOKEN}`).expect(200);
      const [demoAdmin] = DEMO_USERS;
      await request(node.url).post('/api/auth/login').send({ email: demoAdmin.email, password: demoAdmin.password }).expect(401);
      const signedIn = await request(node.url).post('/api/auth/login').send(initialAdmin).expect(200);
      expect(signedIn.body.user).toMatchObject({ email: initialAdmin.email, role: 'ADMIN' });
      expect(node.allOutput()).toMatch(/created the initial admin head.nurse@clinic.example/);
      expect(node.allOutput()).not.toContain(initialAdmin.password);
    } finally {
      await node.kill();
    }
  });
});

describe('Demo mode logs', () => {
  afterAll(() => killAllProcesses());

  it('no line the server prints, at any log level, holds a demo password, also after sign-ins with one', async () => {
    const node = await BackendProcess.start({ DATA_DIR: 'memory://', SEED_DEMO_USERS: 'true', LOG_LEVEL: 'trace' });
    try {
      const [{ email, password }] = DEMO_USERS;
      await request(node.url).post('/api/auth/login').send({ email, password }).expect(200);
      await request(node.url).post('/api/auth/login').send({ email, password: `${password}x` }).expect(401);
      const output = node.allOutput();
      expect(output).toMatch(/demo accounts/);
      for (const { password } of DEMO_USERS) expect(output).not.toContain(password);
    } finally {
      await node.kill();
    }
  });
});
