import http from 'node:http';
import net from 'node:net';
import { io } from 'socket.io-client';
import { PlainCloseCode, PlainServerMessage, SOCKET_PATH, TokenResponse } from '@clinic/contracts';
import { redisKeyPrefix } from '../src/realtime/realtime.module';
import {
  deleteRedisKeys,
  holdNotificationInsertLock,
  insertUsers,
  nodeHoldingSockets,
  startLoadBalancer,
  withDatabase,
} from './support/cluster';
import { NotificationClient } from './support/notification-client';
import { connectPlain } from './support/plain-websocket-client';
import { BackendProcess, killAllProcesses } from './support/processes';
import { describeWith } from './support/requirements';
import { createTestDatabase, TestDatabase } from './support/test-app';

/** What operators rely on when they stop a node (a deploy, a scale-down): SIGTERM loses nothing. */

afterAll(() => killAllProcesses());

describe('A node stopped with SIGTERM (the built server, embedded database)', () => {
  async function startNode(env: Record<string, string> = {}): Promise<{ node: BackendProcess; token: string }> {
    const node = await BackendProcess.start({ DATA_DIR: 'memory://', SEED_DEMO_USERS: 'true', LOG_LEVEL: 'info', ...env });
    const login = await fetch(`${node.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'admin@clinic.test', password: 'Admin123!' }),
    });
    return { node, token: ((await login.json()) as TokenResponse).accessToken };
  }

  it(
    'finishes the request in progress, refuses new connections, drops its sockets so clients reconnect elsewhere, and exits with 0',
    async () => {
      const { node, token } = await startNode();
      const socket = io(node.url, { path: SOCKET_PATH, transports: ['websocket'], auth: { token }, reconnectionDelay: 5000, forceNew: true });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const plain = await connectPlain(node.url, { token });
      await plain.nth(PlainServerMessage.UnreadCount, 1);
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      const slow = await startSlowRequest(node.url, token, { title: 'Sent while stopping', message: 'm', target: { role: 'ADMIN' } });

      const signalledAt = Date.now();
      node.process.signal('SIGTERM');

      // Closed at the transport level, as a network drop: Socket.IO clients reconnect by themselves.
      expect(await disconnected).toBe('transport close');
      expect(socket.active).toBe(true);
      socket.close();
      // A plain WebSocket client is told the node is going away, and reconnects elsewhere.
      expect((await plain.closed).code).toBe(PlainCloseCode.GoingAway);
      await refused(node.port);
      const response = await slow.finish();
      expect(response).toMatchObject({ status: 201, body: { created: 1 }, connection: 'close' });
      expect(await node.process.exited).toEqual({ code: 0, signal: null });
      const stoppedIn = Date.now() - signalledAt;
      expect(stoppedIn).toBeLessThan(10_000);
      expect(node.process.lines.join('\n')).toContain('stopped cleanly');
      // The plain client sent its token as `?token=`: no log line keeps it.
      expect(node.process.lines.join('\n')).not.toContain(token);
      process.stderr.write(`  graceful shutdown: request in progress answered 201, process exited 0 ${stoppedIn} ms after SIGTERM\n`);
    },
    30_000,
  );

  it('exits within its shutdown timeout even when a request never finishes', async () => {
    const { node, token } = await startNode({ SHUTDOWN_TIMEOUT_SECONDS: '2' });
    const stuck = await startSlowRequest(node.url, token, { title: 'Never finished', message: 'm', target: { role: 'ADMIN' } });

    const signalledAt = Date.now();
    node.process.signal('SIGTERM');

    expect(await node.process.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(2000);
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(node.process.lines.join('\n')).toContain('exiting anyway');
    stuck.abandon();
  }, 30_000);
});

describeWith(['DATABASE_URL', 'REDIS_URL'], 'One of two nodes stopped with SIGTERM in the middle of a broadcast', () => {
  let database: TestDatabase;
  let nodes: BackendProcess[];
  let balancer: { url: string; close(): Promise<void> };
  let client: NotificationClient | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url!, REDIS_URL: process.env.REDIS_URL!, LOG_LEVEL: 'info' };
    nodes = [await BackendProcess.start(env), await BackendProcess.start(env)];
    balancer = await startLoadBalancer(nodes.map((node) => node.url));
  });

  afterAll(async () => {
    client?.stop();
    await Promise.all((nodes ?? []).map((node) => node.kill()));
    await balancer?.close();
    if (database?.url) await deleteRedisKeys(process.env.REDIS_URL!, redisKeyPrefix(database.url));
    await database?.drop();
  });

  it(
    'completes a 10,000-recipient broadcast in progress with 201, while its sockets reconnect to the other node and get it there',
    async () => {
      const [admin, nurse] = await insertUsers(database.url!, ['ADMIN', 'STAFF']);
      await withDatabase(database.url!, (db) =>
        db.query(`INSERT INTO "User" ("id", "email", "name", "role", "passwordHash")
                  SELECT gen_random_uuid()::text, 'staff-' || i || '@clinic.test', 'Staff ' || i, 'STAFF', 'not-a-hash' FROM generate_series(1, 10000) i`),
      );
      client = new NotificationClient({ baseUrl: balancer.url, token: () => nurse.token, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
      await client.start();
      const urls = nodes.map((node) => node.url);
      const stopping = nodes[await nodeHoldingSockets(urls)];
      const other = nodes.find((node) => node !== stopping)!;

      // The broadcast waits for the notification insert lock, held here, until the node is stopping.
      const lock = await holdNotificationInsertLock(database.url!);
      let broadcast: Promise<Response>;
      let signalledAt: number;
      try {
        broadcast = fetch(`${stopping.url}/api/notifications/test`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ title: 'Everyone: fire drill at 3', message: 'm', target: { all: true } }),
        });
        await lock.untilSomeoneWaits();
        signalledAt = Date.now();
        stopping.process.signal('SIGTERM');

        await client.waitUntil(() => client!.connected, 10_000, 'the client is connected again');
        expect(await nodeHoldingSockets([other.url])).toBe(0);
        await refused(stopping.port);
      } finally {
        await lock.release();
      }

      const response = await broadcast;
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ created: 10_002 });
      expect(await stopping.process.exited).toEqual({ code: 0, signal: null });
      const stoppedIn = Date.now() - signalledAt;
      expect(stoppedIn).toBeLessThan(10_000);
      await client.waitUntil(
        () => client!.notifications().some((notification) => notification.title === 'Everyone: fire drill at 3'),
        10_000,
        'the client holds the broadcast',
      );
      expect(client.notifications()).toHaveLength(1);
      process.stderr.write(`  graceful shutdown: 10,002-recipient broadcast answered 201 after SIGTERM, node exited 0 ${stoppedIn} ms after it\n`);
    },
    60_000,
  );
});

/** A POST whose body is only half sent: the request is in progress until `finish` sends the rest. */
async function startSlowRequest(
  baseUrl: string,
  token: string,
  body: object,
): Promise<{ finish(): Promise<{ status: number; body: unknown; connection: string | undefined }>; abandon(): void }> {
  const json = Buffer.from(JSON.stringify(body));
  const { hostname, port } = new URL(baseUrl);
  const request = http.request({
    host: hostname,
    port,
    method: 'POST',
    path: '/api/notifications/test',
    agent: false,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': json.length },
  });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  // A request abandoned to a dying server fails: that is only an error if someone awaits it.
  answered.catch(() => undefined);
  request.write(json.subarray(0, 10));
  // Once the headers have arrived the server counts the request as in progress.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    async finish() {
      request.end(json.subarray(10));
      const response = await answered;
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      return { status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()), connection: response.headers.connection };
    },
    abandon() {
      request.destroy();
    },
  };
}

/** Resolves once a new TCP connection to the port is refused. */
async function refused(port: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const outcome = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('accepted');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    if (outcome === 'ECONNREFUSED') return;
    if (Date.now() > deadline) throw new Error(`new connections are still ${outcome}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
