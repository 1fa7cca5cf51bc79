import request from 'supertest';
import { Client } from 'pg';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, SocketError } from '@clinic/contracts';
import { holdNotificationInsertLock } from './support/cluster';
import { describeWith } from './support/requirements';
import { closeAllSockets, createSocket, RecordingSocket } from './support/sockets';
import { createTestDatabase, startTestApp, TestApp, TestDatabase, TestUser } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';

// Needs a PostgreSQL server to take away; the embedded database lives inside the process.
describeWith(['DATABASE_URL'], 'When PostgreSQL becomes unreachable', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestApp;
  let admin: TestUser;
  let nurse: TestUser;
  /** Straight to the database, not through the proxy: sees what the application could not hide. */
  let direct: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url!);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(database.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    server = await startTestApp({ url: viaProxy.href, drop: async () => {} });
    admin = await server.createUser('ADMIN');
    nurse = await server.createUser('STAFF');
    direct = new Client({ connectionString: database.url! });
    await direct.connect();
  });

  afterAll(async () => {
    closeAllSockets();
    await direct?.end();
    await server?.close();
    await proxy?.stop();
    await database?.drop();
  });

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

  it('answers 503 with a clear message while it is down and recovers by itself when it returns', async () => {
    await api().get('/api/users').set(auth(admin)).expect(200);

    await proxy.cut();
    const down = await api().get('/api/users').set(auth(admin)).expect(503);
    expect(down.body.message).toBe('The database is unavailable; please try again shortly');
    expect(down.headers['retry-after']).toBe('5');
    const login = await api().post('/api/auth/login').send({ email: admin.email, password: admin.password }).expect(503);
    expect(login.body.message).toMatch(/database is unavailable/);
    // The one-recipient send queries the pool directly: the driver's own error, not Prisma's.
    const send = await api()
      .post('/api/notifications/test')
      .set(auth(admin))
      .send({ title: 'While down', message: 'Sent during the outage', target: { userId: nurse.id } })
      .expect(503);
    expect(send.body.message).toMatch(/database is unavailable/);
    expect(send.headers['retry-after']).toBe('5');
    const health = await api().get('/api/health').expect(503);
    expect(health.body).toMatchObject({ status: 'error', database: 'down' });

    await proxy.restore();
    await api().get('/api/users').set(auth(admin)).expect(200);
    await api().get('/api/health').expect(200);
  });

  it('a device reconnecting while it is down is refused (so it retries) rather than left without what it missed', async () => {
    await api()
      .post('/api/notifications/test')
      .set(auth(admin))
      .send({ title: 'Missed while away', message: 'Sent before the outage', target: { userId: nurse.id } })
      .expect(201);

    await proxy.cut();
    try {
      // Its session cannot be checked: the handshake is refused with a reason to retry later.
      const device = new RecordingSocket(createSocket(server.baseUrl, { token: nurse.token, lastSeq: '0' }));
      await expect(device.connect()).rejects.toThrow(SocketError.ServerError);
      expect(device.received).toEqual([]);
    } finally {
      await proxy.restore();
    }

    // As a client does: retry after server-error, with a pause; the pool's first connections after
    // the outage may still be the broken ones.
    let retried: RecordingSocket | undefined;
    for (let attempt = 1; !retried; attempt++) {
      const device = new RecordingSocket(createSocket(server.baseUrl, { token: nurse.token, lastSeq: '0' }));
      try {
        await device.connect();
        retried = device;
      } catch (error) {
        if (attempt === 5 || !String(error).includes(SocketError.ServerError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
    expect(await retried.nth('notification:new', 1)).toMatchObject({ title: 'Missed while away' });
    expect(await retried.nth('notification:unread-count', 1)).toEqual({ count: 1 });
  });

  /**
   * Runs `write` and cuts the database off while its transaction is open: after it changed the
   * order and before its notifications are inserted, where it waits for the notification insert
   * lock, which this test holds. Returns the answer the client got.
   */
  async function cutMidTransaction(write: () => request.Test): Promise<request.Response> {
    const lock = await holdNotificationInsertLock(database.url!);
    try {
      const answer = write().then((response) => response);
      await lock.untilSomeoneWaits();
      await proxy.cut();
      return await answer;
    } finally {
      await lock.release();
      // The cut-off session ends (rolling back) when it next tries to talk to the application.
      await until(async () => (await otherSessions()) === 0, 'the cut-off session has ended');
      await proxy.restore();
    }
  }

  async function otherSessions(): Promise<number> {
    const { rows } = await direct.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows[0].count;
  }

  async function notificationsAbout(orderId: string, type: string): Promise<number> {
    const { rows } = await direct.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM "Notification" WHERE "type" = $1::"NotificationType" AND "metadata"->>'orderId' = $2`,
      [type, orderId],
    );
    return rows[0].count;
  }

  it('a status change cut off mid-transaction leaves neither the new status nor its notifications; retried, it writes both', async () => {
    const order = await api()
      .post('/api/orders')
      .set(auth(admin))
      .send({ patientName: 'Cut Off', description: 'Status change', total: '10.00', assigneeId: nurse.id })
      .expect(201);
    const changeStatus = () => api().patch(`/api/orders/${order.body.id}/status`).set(auth(admin)).send({ status: 'CONFIRMED' });

    const cutOff = await cutMidTransaction(changeStatus);

    expect(cutOff.status).toBe(503);
    const { rows } = await direct.query<{ status: string }>(`SELECT "status"::text FROM "Order" WHERE "id" = $1`, [order.body.id]);
    expect(rows).toEqual([{ status: 'PENDING' }]);
    expect(await notificationsAbout(order.body.id, 'ORDER_STATUS_CHANGED')).toBe(0);

    await changeStatus().expect(200);
    const after = await direct.query<{ status: string }>(`SELECT "status"::text FROM "Order" WHERE "id" = $1`, [order.body.id]);
    expect(after.rows).toEqual([{ status: 'CONFIRMED' }]);
    // The assignee's; the admin who changed it is not notified of their own change.
    expect(await notificationsAbout(order.body.id, 'ORDER_STATUS_CHANGED')).toBe(1);
  });

  it('an order creation cut off mid-transaction writes nothing; retried with its Idempotency-Key it is written once', async () => {
    const key = `cut-off-${Date.now()}`;
    const createOrder = () =>
      api()
        .post('/api/orders')
        .set(auth(admin))
        .set(IDEMPOTENCY_KEY_HEADER, key)
        .send({ patientName: 'Cut Off Creation', description: 'New order', total: '12.00', assigneeId: nurse.id });
    const orders = async () =>
      (await direct.query<{ id: string }>(`SELECT "id" FROM "Order" WHERE "patientName" = 'Cut Off Creation'`)).rows;

    const cutOff = await cutMidTransaction(createOrder);

    expect(cutOff.status).toBe(503);
    expect(await orders()).toEqual([]);
    const records = await direct.query(`SELECT 1 FROM "IdempotencyRecord" WHERE "key" = $1`, [key]);
    expect(records.rows).toEqual([]);

    const created = await createOrder().expect(201);
    const repeated = await createOrder().expect(201);
    expect(repeated.headers[IDEMPOTENT_REPLAYED_HEADER.toLowerCase()]).toBe('true');
    expect(repeated.body.id).toBe(created.body.id);
    expect(await orders()).toEqual([{ id: created.body.id }]);
    // The assignee's; the admin who created it is not notified of their own order.
    expect(await notificationsAbout(created.body.id, 'ORDER_CREATED')).toBe(1);
  });
});

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
