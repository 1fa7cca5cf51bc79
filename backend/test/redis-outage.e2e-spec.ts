import request from 'supertest';
import { ServerEvent } from '@clinic/contracts';
import { closeAllSockets, connect } from './support/sockets';
import { createTestDatabase, startTestApp, TestApp, TestDatabase } from './support/test-app';

// Nothing listens on port 1: every connection attempt is refused at once, as when Redis is down.
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

describe('A node whose Redis is unreachable', () => {
  let database: TestDatabase;
  let server: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestApp(database, { REDIS_URL: UNREACHABLE_REDIS });
  });

  afterAll(async () => {
    closeAllSockets();
    await server?.close();
    await database?.drop();
  });

  it('still starts, and its health says Redis is down', async () => {
    const health = await request(server.baseUrl).get('/api/health').expect(200);
    expect(health.body).toMatchObject({ database: 'up', redis: 'down' });
    await request(server.baseUrl).get('/api/health/ready').expect(503);
  });

  it("still saves writes and pushes them to this node's own sockets", async () => {
    const admin = await server.createUser('ADMIN');
    const nurse = await server.createUser('STAFF');
    const device = await connect(server.baseUrl, { token: nurse.token });
    await device.nth(ServerEvent.UnreadCount, 1);

    const response = await request(server.baseUrl)
      .post('/api/notifications/test')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ title: 'Redis is down', message: 'but this still arrives', target: { userId: nurse.id } })
      .expect(201);

    expect(response.body).toMatchObject({ created: 1 });
    expect(await device.nth(ServerEvent.New, 1)).toMatchObject({ title: 'Redis is down' });
    expect(await device.nth(ServerEvent.UnreadCount, 2)).toEqual({ count: 1 });
  });
});
