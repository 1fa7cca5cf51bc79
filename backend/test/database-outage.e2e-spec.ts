import request from 'supertest';
import { createTestDatabase, startTestApp, TestApp, TestDatabase, TestUser } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';

// Needs a PostgreSQL server to take away; the embedded database lives inside the process.
const describeWithServer = process.env.DATABASE_URL ? describe : describe.skip;
if (!process.env.DATABASE_URL) console.warn('database outage tests skipped: DATABASE_URL is not set');

describeWithServer('When PostgreSQL becomes unreachable', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url!);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(database.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    server = await startTestApp({ url: viaProxy.href, drop: async () => {} });
    admin = await server.createUser('ADMIN');
  });

  afterAll(async () => {
    await server?.close();
    await proxy?.stop();
    await database?.drop();
  });

  it('answers 503 with a clear message while it is down and recovers by itself when it returns', async () => {
    const api = () => request(server.baseUrl);
    await api().get('/api/users').set('Authorization', `Bearer ${admin.token}`).expect(200);

    await proxy.cut();
    const down = await api().get('/api/users').set('Authorization', `Bearer ${admin.token}`).expect(503);
    expect(down.body.message).toBe('The database is unavailable; please try again shortly');
    expect(down.headers['retry-after']).toBe('5');
    const login = await api().post('/api/auth/login').send({ email: admin.email, password: admin.password }).expect(503);
    expect(login.body.message).toMatch(/database is unavailable/);
    const health = await api().get('/api/health').expect(503);
    expect(health.body).toMatchObject({ status: 'error', database: 'down' });

    await proxy.restore();
    await api().get('/api/users').set('Authorization', `Bearer ${admin.token}`).expect(200);
    await api().get('/api/health').expect(200);
  });
});
