import { createHmac } from 'node:crypto';
import request from 'supertest';
import { createTestDatabase, startTestApp, TestApp, TestDatabase, TestUser } from './support/test-app';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Authentication', () => {
  let database: TestDatabase;
  let server: TestApp;
  let staff: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestApp(database);
    staff = await server.createUser('STAFF');
    admin = await server.createUser('ADMIN');
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  const api = () => request(server.baseUrl);

  it('signs in with the right password and returns tokens and the user, never the password hash', async () => {
    const response = await api().post('/api/auth/login').send({ email: staff.email, password: staff.password }).expect(200);
    expect(response.body).toMatchObject({
      accessToken: expect.any(String),
      expiresIn: 900,
      refreshToken: expect.any(String),
      user: { id: staff.id, email: staff.email, role: 'STAFF' },
    });
    expect(JSON.stringify(response.body)).not.toContain('passwordHash');

    const me = await api().get('/api/auth/me').set('Authorization', `Bearer ${response.body.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ id: staff.id, email: staff.email, name: 'Test STAFF', role: 'STAFF' });
  });

  it('accepts the email in any letter case', async () => {
    await api().post('/api/auth/login').send({ email: staff.email.toUpperCase(), password: staff.password }).expect(200);
  });

  it('answers 401 with one message for a wrong password and for an unknown email', async () => {
    const wrongPassword = await api().post('/api/auth/login').send({ email: admin.email, password: 'nope' }).expect(401);
    const unknownEmail = await api().post('/api/auth/login').send({ email: 'ghost@clinic.test', password: 'nope' }).expect(401);
    expect(wrongPassword.body.message).toBe('Wrong email or password');
    expect(unknownEmail.body.message).toBe('Wrong email or password');
  });

  it.each([
    ['a missing password', { email: 'a@clinic.test' }, 'password'],
    ['an email that is not one', { email: 'not-an-email', password: 'x' }, 'email must be an email address'],
    ['a password of the wrong type', { email: 'a@clinic.test', password: 42 }, 'password must be a string'],
    ['an unknown field', { email: 'a@clinic.test', password: 'x', role: 'ADMIN' }, 'property role should not exist'],
  ])('answers 400 with a clear message for %s', async (_case, body, message) => {
    const response = await api().post('/api/auth/login').send(body).expect(400);
    expect(response.body.message.join(' ')).toContain(message);
  });

  it('answers 400 for a body that is not JSON', async () => {
    await api().post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":').expect(400);
  });

  it('answers 429 to the 6th rapid failed login for one email, while other accounts still sign in', async () => {
    const target = await server.createUser('STAFF');
    for (let attempt = 1; attempt <= 5; attempt++) {
      await api().post('/api/auth/login').send({ email: target.email, password: `guess-${attempt}` }).expect(401);
    }
    const blocked = await api().post('/api/auth/login').send({ email: target.email, password: target.password }).expect(429);
    expect(blocked.body.message).toMatch(/Too many failed sign-in attempts/);
    await api().post('/api/auth/login').send({ email: staff.email, password: staff.password }).expect(200);
  });

  it('refuses a STAFF token on an ADMIN route with 403 and lets an admin through', async () => {
    const forbidden = await api().get('/api/users').set('Authorization', `Bearer ${staff.token}`).expect(403);
    expect(forbidden.body.message).toMatch(/ADMIN/);
    const users = await api().get('/api/users').set('Authorization', `Bearer ${admin.token}`).expect(200);
    expect(users.body.items.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([staff.id, admin.id]));
    expect(JSON.stringify(users.body)).not.toContain('passwordHash');
  });

  describe('rejects with 401 an access token that is', () => {
    const [header, payload] = (() => {
      const now = Math.floor(Date.now() / 1000);
      return [{ alg: 'HS256', typ: 'JWT' }, { sub: 'someone', role: 'ADMIN', iat: now, exp: now + 600 }];
    })();
    const sign = (secret: string, body: object) => {
      const unsigned = `${base64url(header)}.${base64url(body)}`;
      return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
    };

    it.each([
      ['missing', undefined],
      ['garbage', 'Bearer not-a-jwt'],
      ['signed with another key', () => `Bearer ${sign('another-secret-another-secret-another-secret', { ...payload, sub: staff.id })}`],
      ['unsigned (alg none)', () => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...payload, sub: admin.id })}.`],
      ['expired', () => `Bearer ${sign(server.config.jwtSecret, { ...payload, sub: staff.id, iat: 1, exp: 2 })}`],
    ])('%s', async (_case, authorization) => {
      const value = typeof authorization === 'function' ? authorization() : authorization;
      const call = api().get('/api/auth/me');
      if (value) call.set('Authorization', value);
      await call.expect(401);
    });
  });

  it('rotates refresh tokens: a used one is refused and revokes the session that followed it', async () => {
    const login = await api().post('/api/auth/login').send({ email: staff.email, password: staff.password }).expect(200);
    const first = login.body.refreshToken;
    const refreshed = await api().post('/api/auth/refresh').send({ refreshToken: first }).expect(200);
    expect(refreshed.body.accessToken).toEqual(expect.any(String));
    expect(refreshed.body.refreshToken).not.toBe(first);

    await api().post('/api/auth/refresh').send({ refreshToken: first }).expect(401);
    // Reuse means the token leaked: the descendant is revoked too.
    await api().post('/api/auth/refresh').send({ refreshToken: refreshed.body.refreshToken }).expect(401);
  });

  it('signs out: a logged-out refresh token no longer works', async () => {
    const login = await api().post('/api/auth/login').send({ email: staff.email, password: staff.password }).expect(200);
    await api().post('/api/auth/logout').send({ refreshToken: login.body.refreshToken }).expect(204);
    await api().post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(401);
  });

  it('reports the database as up on /api/health without a token', async () => {
    const health = await api().get('/api/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', database: 'up' });
  });
});
