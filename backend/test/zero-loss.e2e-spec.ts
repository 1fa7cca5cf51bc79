import { redisKeyPrefix } from '../src/realtime/realtime.module';
import { deleteRedisKeys, insertUsers, nodeHoldingSockets, startLoadBalancer, withDatabase } from './support/cluster';
import { NotificationClient } from './support/notification-client';
import { NotificationProducer } from './support/notification-producer';
import { BackendProcess, killAllProcesses, RedisProcess } from './support/processes';
import { describeWith } from './support/requirements';
import { createTestDatabase, startTestApp, TestApp, TestDatabase } from './support/test-app';

/**
 * A client receives 1,000 notifications, sent one after another through REST by an admin UI that
 * retries failed sends with the same Idempotency-Key, while something fails. Afterwards it must
 * hold exactly the 1,000 — in seq order, none twice — with the read state and unread count the
 * database has. Another device of the same user marks some read meanwhile.
 */

const COUNT = 1000;
/** The stream is far beyond one admin's default budget of 60 sends a minute; operators raise it the same way. */
const SEND_LIMIT = { ADMIN_SEND_RATE_LIMIT: '1000000' };

interface Stream {
  /** Where the admin sends (a node or the load balancer). */
  apiUrl: string;
  /** Where the user's devices connect. */
  clientUrl: string;
  admin: { token: string };
  recipient: { id: string; token: string };
  /** The notifications per second the admin sends. */
  perSecond: number;
  /** Breaks something once `faultAfter` notifications were sent. */
  faultAfter: number;
  fault: (client: NotificationClient) => Promise<void>;
  /** The recipient's notifications in the database, oldest first. */
  stored: () => Promise<Array<{ id: string; seq: string; title: string; read: boolean }>>;
}

const clients: NotificationClient[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
});

afterAll(() => killAllProcesses());

async function streamThroughFault(stream: Stream): Promise<void> {
  const client = new NotificationClient({
    baseUrl: stream.clientUrl,
    token: () => stream.recipient.token,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
  });
  clients.push(client);
  await client.start();
  const titlePrefix = `#${Date.now()}-`;
  const producer = new NotificationProducer({
    baseUrl: stream.apiUrl,
    adminToken: stream.admin.token,
    recipientId: stream.recipient.id,
    count: COUNT,
    perSecond: stream.perSecond,
    titlePrefix,
  });
  const producing = producer.produce();
  const reading = markSomeReadElsewhere(stream.apiUrl, stream.recipient.token, () => producer.stats.sent >= COUNT / 2);
  try {
    await producer.sentAtLeast(stream.faultAfter);
    await stream.fault(client);
    await Promise.all([producing, reading]);
  } finally {
    producer.stop();
  }

  const stored = await stream.stored();
  const unread = stored.filter((notification) => !notification.read).length;
  const last = stored.length > 0 ? BigInt(stored[stored.length - 1].seq) : 0n;
  await client
    .waitUntil(
      () => client.settled && client.cursor === last && client.notifications().length === stored.length && client.unreadCount === unread,
      20_000,
      'the client holds what the database holds',
    )
    .catch(() => undefined);

  // The admin's retries created nothing twice: exactly one notification per send.
  expect(stored.map((notification) => notification.title).sort()).toEqual(
    Array.from({ length: COUNT }, (_, index) => `${titlePrefix}${index}`).sort(),
  );
  // The client holds exactly those, in seq order, each once, read where the database says read.
  expect(client.notifications().map((n) => ({ id: n.id, seq: n.seq, title: n.title, read: n.readAt !== null }))).toEqual(stored);
  expect(client.unreadCount).toBe(unread);
  expect(client.cursor).toBe(last);

  process.stderr.write(
    `  zero loss: ${COUNT} sent (${producer.stats.retries} retried attempts, ${producer.stats.replayed} answered from the idempotency record); ` +
      `client: ${client.stats.connects} connections, ${client.stats.received} received, ${client.stats.duplicates} duplicates ignored, ` +
      `${client.stats.syncs} syncs, ${client.stats.refetches} refetches, ${client.stats.resyncs} resyncs; ${COUNT - unread} read elsewhere\n`,
  );
}

/** Another device of the same user: marks its newest notification read every 500 ms, ignoring failures. */
async function markSomeReadElsewhere(baseUrl: string, token: string, done: () => boolean): Promise<void> {
  const headers = { Authorization: `Bearer ${token}` };
  while (!done()) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const page = await fetch(`${baseUrl}/api/notifications?limit=1&unread=true`, { headers, signal: AbortSignal.timeout(2000) });
      const { items } = (await page.json()) as { items: Array<{ id: string }> };
      if (items[0]) await fetch(`${baseUrl}/api/notifications/${items[0].id}/read`, { method: 'PATCH', headers, signal: AbortSignal.timeout(2000) });
    } catch {
      // The node may be down: this device tries again later, like any other.
    }
  }
}

function storedIn(databaseUrl: string, userId: string): Stream['stored'] {
  return () =>
    withDatabase(databaseUrl, async (client) => {
      const { rows } = await client.query<{ id: string; seq: string; title: string; read: boolean }>(
        `SELECT "id", "seq"::text AS "seq", "title", "readAt" IS NOT NULL AS "read" FROM "Notification" n WHERE "userId" = $1 ORDER BY n."seq"`,
        [userId],
      );
      return rows;
    });
}

describe('Zero loss while the client is disconnected for 30 s', () => {
  let database: TestDatabase;
  let server: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestApp(database, SEND_LIMIT);
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it(
    'a client offline for 30 s in the middle of 1,000 notifications holds exactly the 1,000 afterwards',
    async () => {
      const [admin, nurse] = [await server.createUser('ADMIN'), await server.createUser('STAFF')];
      await streamThroughFault({
        apiUrl: server.baseUrl,
        clientUrl: server.baseUrl,
        admin,
        recipient: nurse,
        perSecond: 28,
        faultAfter: 80,
        fault: async (client) => {
          client.goOffline();
          await new Promise((resolve) => setTimeout(resolve, 30_000));
          expect(client.connected).toBe(false);
          client.goOnline();
        },
        stored: async () => {
          const rows = await server.prisma.notification.findMany({ where: { userId: nurse.id }, orderBy: { seq: 'asc' } });
          return rows.map((row) => ({ id: row.id, seq: row.seq.toString(), title: row.title, read: row.readAt !== null }));
        },
      });
    },
    60_000,
  );
});

describeWith(['DATABASE_URL'], 'Zero loss while the backend process is killed and restarted', () => {
  let database: TestDatabase;
  let node: BackendProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    node = await BackendProcess.start({ ...SEND_LIMIT, DATABASE_URL: database.url! });
  });

  afterAll(async () => {
    await node?.kill();
    await database?.drop();
  });

  it(
    'after a SIGKILL and a restart in the middle of 1,000 notifications the client holds exactly the 1,000',
    async () => {
      const [admin, nurse] = await insertUsers(database.url!, ['ADMIN', 'STAFF']);
      await streamThroughFault({
        apiUrl: node.url,
        clientUrl: node.url,
        admin,
        recipient: nurse,
        perSecond: 50,
        faultAfter: 300,
        fault: async () => {
          node.process.signal('SIGKILL');
          await node.process.exited;
          await node.start();
        },
        stored: storedIn(database.url!, nurse.id),
      });
    },
    60_000,
  );
});

describeWith(['DATABASE_URL', 'REDIS_URL'], 'Zero loss while the node a client is connected to dies', () => {
  let database: TestDatabase;
  let nodes: BackendProcess[];
  let balancer: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { ...SEND_LIMIT, DATABASE_URL: database.url!, REDIS_URL: process.env.REDIS_URL! };
    // One after the other: each applies the migrations on start.
    nodes = [await BackendProcess.start(env), await BackendProcess.start(env)];
    balancer = await startLoadBalancer(nodes.map((node) => node.url));
  });

  afterAll(async () => {
    for (const client of clients.splice(0)) client.stop();
    await Promise.all((nodes ?? []).map((node) => node.kill()));
    await balancer?.close();
    if (database?.url) await deleteRedisKeys(process.env.REDIS_URL!, redisKeyPrefix(database.url));
    await database?.drop();
  });

  it(
    'when its node dies in the middle of 1,000 notifications, the client reconnects to the other one and holds exactly the 1,000',
    async () => {
      const [admin, nurse] = await insertUsers(database.url!, ['ADMIN', 'STAFF']);
      await streamThroughFault({
        apiUrl: balancer.url,
        clientUrl: balancer.url,
        admin,
        recipient: nurse,
        perSecond: 50,
        faultAfter: 300,
        fault: async (client) => {
          const urls = nodes.map((node) => node.url);
          const holding = await nodeHoldingSockets(urls);
          await nodes[holding].kill();
          await client.waitUntil(() => client.connected, 15_000, 'the client is connected again');
          expect(await nodeHoldingSockets(urls)).toBe(1 - holding);
        },
        stored: storedIn(database.url!, nurse.id),
      });
    },
    60_000,
  );
});

describeWith(['DATABASE_URL', 'redis-server'], 'Zero loss while Redis restarts', () => {
  let database: TestDatabase;
  let redis: RedisProcess;
  let nodes: BackendProcess[];

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await RedisProcess.start();
    const env = { ...SEND_LIMIT, DATABASE_URL: database.url!, REDIS_URL: redis.url };
    nodes = [await BackendProcess.start(env), await BackendProcess.start(env)];
  });

  afterAll(async () => {
    await Promise.all((nodes ?? []).map((node) => node.kill()));
    await redis?.kill();
    await database?.drop();
  });

  it(
    'a client on one node holds exactly the 1,000 sent through the other while Redis was killed and restarted empty',
    async () => {
      const [admin, nurse] = await insertUsers(database.url!, ['ADMIN', 'STAFF']);
      await streamThroughFault({
        apiUrl: nodes[1].url,
        clientUrl: nodes[0].url,
        admin,
        recipient: nurse,
        perSecond: 50,
        faultAfter: 300,
        fault: async () => {
          await redis.kill();
          await new Promise((resolve) => setTimeout(resolve, 3000));
          await redis.start();
        },
        stored: storedIn(database.url!, nurse.id),
      });
    },
    60_000,
  );
});
