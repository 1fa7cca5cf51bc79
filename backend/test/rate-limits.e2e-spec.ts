import http from 'node:http';
import request from 'supertest';
import { createClient } from 'redis';
import { SocketError } from '@clinic/contracts';
import { redisKeyPrefix } from '../src/realtime/realtime.module';
import { SOCKET_LEASE_MS, SocketLimits, socketLeasesKey } from '../src/realtime/socket-limits';
import { deleteRedisKeys } from './support/cluster';
import { describeWith } from './support/requirements';
import { closeAllSockets, connect, connectError, RecordingSocket } from './support/sockets';
import { createTestDatabase, startTestApp, TestApp, TestDatabase, TestUser } from './support/test-app';

const PARALLEL_GUESSES = 25;

interface LoginAnswer {
  status: number;
  retryAfter: number | null;
  message: string;
}

interface Origin {
  /** The local address the request leaves from: 127.0.0.1, or another loopback address playing the proxy. */
  from?: string;
  forwardedFor?: string;
}

/** POST /api/auth/login from a chosen local address, with an optional X-Forwarded-For. */
function login(node: TestApp, email: string, password: string, { from = '127.0.0.1', forwardedFor }: Origin = {}): Promise<LoginAnswer> {
  const { hostname, port } = new URL(node.baseUrl);
  const body = JSON.stringify({ email, password });
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
  if (forwardedFor) headers['X-Forwarded-For'] = forwardedFor;
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: hostname, port, localAddress: from, agent: false, method: 'POST', path: '/api/auth/login', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const retryAfter = response.headers['retry-after'];
        resolve({
          status: response.statusCode ?? 0,
          retryAfter: retryAfter === undefined ? null : Number(retryAfter),
          message: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: string }).message ?? '',
        });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** `count` wrong passwords for one account, all sent at once, spread over `nodes` in turn. */
function guessesAtOnce(nodes: TestApp[], email: string, count = PARALLEL_GUESSES, origin: Origin = {}): Promise<LoginAnswer[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => login(nodes[i % nodes.length], email, `guess-${i}`, origin)));
}

/** Exactly `allowed` answers were checked (401); every other one was refused first, with Retry-After. */
function expectOnlyAllowedChecked(answers: LoginAnswer[], allowed: number, windowSeconds: number, refusal: RegExp): void {
  expect(answers.filter((answer) => answer.status === 401)).toHaveLength(allowed);
  const refused = answers.filter((answer) => answer.status === 429);
  expect(refused).toHaveLength(answers.length - allowed);
  for (const answer of refused) {
    expect(answer.retryAfter).toBeGreaterThanOrEqual(1);
    expect(answer.retryAfter).toBeLessThanOrEqual(windowSeconds);
    expect(answer.message).toMatch(refusal);
  }
}

const ACCOUNT_REFUSAL = /^Too many failed sign-in attempts; try again in \d+ s$/;
const ADDRESS_REFUSAL = /^Too many failed sign-in attempts from this address; try again in \d+ s$/;
const unknownEmail = (label: string, i: number) => `${label}-${i}-${Date.now()}@clinic.test`;

describe('Rate limits', () => {
  afterEach(() => closeAllSockets());

  // Every checked password costs a deliberately slow hash: the limits here are as low as the cases allow.
  describe('one node, behind a trusted proxy', () => {
    const ACCOUNT_LIMIT = 2;
    const ADDRESS_LIMIT = 4;
    /** The only peer whose X-Forwarded-For is believed; tests that are not about addresses send through it, each as its own client. */
    const PROXY = '127.0.0.2';
    let database: TestDatabase;
    let node: TestApp;

    beforeAll(async () => {
      database = await createTestDatabase();
      node = await startTestApp(database, {
        TRUST_PROXY: PROXY,
        LOGIN_MAX_FAILURES: String(ACCOUNT_LIMIT),
        LOGIN_MAX_FAILURES_PER_ADDRESS: String(ADDRESS_LIMIT),
      });
    });

    afterAll(async () => {
      await node?.close();
      await database?.drop();
    });

    it(`checks at most ${ACCOUNT_LIMIT} of ${PARALLEL_GUESSES} wrong passwords sent at once; the rest get 429, and so does the right password`, async () => {
      const nurse = await node.createUser('STAFF');
      const client = { from: PROXY, forwardedFor: '198.51.100.1' };
      expectOnlyAllowedChecked(await guessesAtOnce([node], nurse.email, PARALLEL_GUESSES, client), ACCOUNT_LIMIT, 60, ACCOUNT_REFUSAL);
      // Locked means locked: the next guess could be the right one.
      expect((await login(node, nurse.email, nurse.password, client)).status).toBe(429);
    });

    it("lets staff sign in after someone else's failures, and a correct password gives its own point back", async () => {
      const [nurse, doctor] = await Promise.all([node.createUser('STAFF'), node.createUser('STAFF')]);
      const client = { from: PROXY, forwardedFor: '198.51.100.2' };
      for (let i = 1; i < ACCOUNT_LIMIT; i++) expect((await login(node, nurse.email, `guess-${i}`, client)).status).toBe(401);

      expect((await login(node, doctor.email, doctor.password, client)).status).toBe(200);
      expect((await login(node, nurse.email, nurse.password, client)).status).toBe(200);
      // The success did not use up the last try…
      expect((await login(node, nurse.email, 'guess-last', client)).status).toBe(401);
      // …which was the last.
      expect((await login(node, nurse.email, 'guess-over', client)).status).toBe(429);
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy: rotating it does not escape the per-address limit', async () => {
      const spray = Array.from({ length: ADDRESS_LIMIT + 2 }, (_, i) =>
        login(node, unknownEmail('spray', i), 'Spring2025!', { forwardedFor: `203.0.113.${i + 1}` }),
      );
      expectOnlyAllowedChecked(await Promise.all(spray), ADDRESS_LIMIT, 60, ADDRESS_REFUSAL);
    });

    it('counts, through the trusted proxy, the client address the proxy saw, whatever the client itself wrote', async () => {
      // A proxy appends the address it saw to what the client sent.
      const spray = Array.from({ length: ADDRESS_LIMIT + 1 }, (_, i) =>
        login(node, unknownEmail('proxied', i), 'Spring2025!', { from: PROXY, forwardedFor: `203.0.113.${i + 1}, 192.0.2.10` }),
      );
      expectOnlyAllowedChecked(await Promise.all(spray), ADDRESS_LIMIT, 60, ADDRESS_REFUSAL);
      // Another client behind the same proxy has a budget of its own.
      expect((await login(node, unknownEmail('neighbour', 0), 'Spring2025!', { from: PROXY, forwardedFor: '192.0.2.11' })).status).toBe(401);
    });
  });

  describe('one node whose Redis is unreachable', () => {
    const ACCOUNT_LIMIT = 2;
    const SENDS_PER_MINUTE = 2;
    let database: TestDatabase;
    let node: TestApp;

    beforeAll(async () => {
      database = await createTestDatabase();
      // Nothing listens on port 1: every command fails at once, as while Redis is down.
      node = await startTestApp(database, {
        REDIS_URL: 'redis://127.0.0.1:1',
        LOGIN_MAX_FAILURES: String(ACCOUNT_LIMIT),
        ADMIN_SEND_RATE_LIMIT: String(SENDS_PER_MINUTE),
      });
    });

    afterAll(async () => {
      await node?.close();
      await database?.drop();
    });

    it('still limits sign-ins and sends, on this node alone', async () => {
      const [admin, nurse] = await Promise.all([node.createUser('ADMIN'), node.createUser('STAFF')]);
      expectOnlyAllowedChecked(await guessesAtOnce([node], nurse.email), ACCOUNT_LIMIT, 60, ACCOUNT_REFUSAL);

      const send = () =>
        request(node.baseUrl).post('/api/notifications/test').set('Authorization', `Bearer ${admin.token}`).send({ title: 'T', message: 'm', target: { userId: nurse.id } });
      for (let i = 0; i < SENDS_PER_MINUTE; i++) await send().expect(201);
      await send().expect(429);
    });
  });

  describeWith(['DATABASE_URL', 'REDIS_URL'], 'two nodes on one Redis', () => {
    const ACCOUNT_LIMIT = 5;
    const PER_MINUTE = 5;
    const MAX_SOCKETS = 3;
    let database: TestDatabase;
    let nodeA: TestApp;
    let nodeB: TestApp;
    let keyPrefix: string;
    const redis = createClient({ url: process.env.REDIS_URL });

    beforeAll(async () => {
      database = await createTestDatabase();
      keyPrefix = redisKeyPrefix(database.url as string);
      const env = {
        REDIS_URL: process.env.REDIS_URL as string,
        LOGIN_MAX_FAILURES: String(ACCOUNT_LIMIT),
        // All of this suite's sign-ins come from 127.0.0.1.
        LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
        ADMIN_SEND_RATE_LIMIT: String(PER_MINUTE),
        ORDER_CREATE_RATE_LIMIT: String(PER_MINUTE),
        MAX_SOCKETS_PER_USER: String(MAX_SOCKETS),
      };
      [nodeA, nodeB] = await Promise.all([startTestApp(database, env), startTestApp(database, env)]);
      await redis.connect();
    });

    afterAll(async () => {
      await Promise.all([nodeA?.close(), nodeB?.close()]);
      if (redis.isOpen) redis.destroy();
      if (database?.url) await deleteRedisKeys(process.env.REDIS_URL as string, keyPrefix);
      await database?.drop();
    });

    it(`checks at most ${ACCOUNT_LIMIT} of ${PARALLEL_GUESSES} wrong passwords for one account split over both nodes`, async () => {
      const nurse = await nodeA.createUser('STAFF');
      expectOnlyAllowedChecked(await guessesAtOnce([nodeA, nodeB], nurse.email), ACCOUNT_LIMIT, 60, ACCOUNT_REFUSAL);
      // Another account, through either node, is not affected.
      const doctor = await nodeB.createUser('STAFF');
      expect((await login(nodeB, doctor.email, doctor.password)).status).toBe(200);
    });

    it(`refuses an admin's send beyond ${PER_MINUTE} a minute on every node; other admins carry on`, async () => {
      const [busy, other, nurse] = await Promise.all([nodeA.createUser('ADMIN'), nodeA.createUser('ADMIN'), nodeA.createUser('STAFF')]);
      const send = (node: TestApp, admin: TestUser) =>
        request(node.baseUrl).post('/api/notifications/test').set('Authorization', `Bearer ${admin.token}`).send({ title: 'T', message: 'm', target: { userId: nurse.id } });
      for (let i = 0; i < PER_MINUTE; i++) await send(i % 2 ? nodeB : nodeA, busy).expect(201);

      for (const node of [nodeA, nodeB]) {
        const refused = await send(node, busy).expect(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(refused.body.message).toMatch(new RegExp(`at most ${PER_MINUTE} a minute per admin; try again in \\d+ s`));
      }
      expect(await nodeA.prisma.notification.count({ where: { userId: nurse.id } })).toBe(PER_MINUTE);
      await send(nodeB, other).expect(201);
    });

    it(`refuses a user's order beyond ${PER_MINUTE} a minute on every node; other users carry on`, async () => {
      const [busy, other] = await Promise.all([nodeA.createUser('STAFF'), nodeA.createUser('STAFF')]);
      const create = (node: TestApp, user: TestUser) =>
        request(node.baseUrl).post('/api/orders').set('Authorization', `Bearer ${user.token}`).send({ patientName: 'Jane Roe', description: 'Panel', total: '12.50' });
      for (let i = 0; i < PER_MINUTE; i++) await create(i % 2 ? nodeB : nodeA, busy).expect(201);

      for (const node of [nodeA, nodeB]) {
        const refused = await create(node, busy).expect(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(refused.body.message).toMatch(new RegExp(`at most ${PER_MINUTE} a minute per user; try again in \\d+ s`));
      }
      expect(await nodeA.prisma.order.count({ where: { createdById: busy.id } })).toBe(PER_MINUTE);
      await create(nodeB, other).expect(201);
    });

    it(`refuses a user's socket beyond ${MAX_SOCKETS} across both nodes, and a closed one frees its slot on the other node`, async () => {
      const nurse = await nodeA.createUser('STAFF');
      const open = [await connect(nodeA.baseUrl, { token: nurse.token }), await connect(nodeA.baseUrl, { token: nurse.token })];
      open.push(await connect(nodeB.baseUrl, { token: nurse.token }));

      for (const node of [nodeA, nodeB]) expect((await connectError(node.baseUrl, { token: nurse.token })).message).toBe(SocketError.TooManyConnections);

      open[0].disconnect();
      expect((await connectEventually(nodeB, nurse)).socket.connected).toBe(true);
    });

    it('counts the sockets a dead node left only until their leases run out', async () => {
      const nurse = await nodeA.createUser('STAFF');
      // What a node that died without closing its sockets leaves behind: leases nobody renews.
      const key = socketLeasesKey(keyPrefix, nurse.id);
      const expiresAt = Date.now() + 1500;
      await redis.zAdd(key, Array.from({ length: MAX_SOCKETS }, (_, i) => ({ score: expiresAt, value: `dead-node-socket-${i}` })));

      expect((await connectError(nodeA.baseUrl, { token: nurse.token })).message).toBe(SocketError.TooManyConnections);
      const reopened = await connectEventually(nodeA, nurse, 5000);
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
      expect(reopened.socket.connected).toBe(true);
    });

    it("renews the leases of a node's live sockets, so they keep their slots", async () => {
      const nurse = await nodeA.createUser('STAFF');
      const device = await connect(nodeB.baseUrl, { token: nurse.token });
      const key = socketLeasesKey(keyPrefix, nurse.id);
      // As if the last renewal were long ago: the lease is about to run out.
      await redis.zAdd(key, { score: Date.now() + 100, value: device.socket.id as string });

      await nodeB.app.get(SocketLimits).renewLeases();

      expect(await redis.zScore(key, device.socket.id as string)).toBeGreaterThan(Date.now() + SOCKET_LEASE_MS - 5000);
    });
  });

  // Last: the bound on hashing is one per process, and this suite's tiny one would slow the others.
  describe('password hashing under a flood', () => {
    const ACCOUNT_LIMIT = 4;
    let database: TestDatabase;
    let node: TestApp;

    beforeAll(async () => {
      database = await createTestDatabase();
      node = await startTestApp(database, {
        HASH_CONCURRENCY: '1',
        HASH_QUEUE_LIMIT: '1',
        LOGIN_MAX_FAILURES: String(ACCOUNT_LIMIT),
        LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
      });
    });

    afterAll(async () => {
      await node?.close();
      await database?.drop();
    });

    it('answers sign-ins beyond the hashing queue with 503 and Retry-After at once, and keeps serving', async () => {
      const flood = Promise.all(Array.from({ length: 12 }, (_, i) => login(node, unknownEmail('flood', i), 'Spring2025!')));
      const health = await request(node.baseUrl).get('/api/health').expect(200);
      expect(health.body).toMatchObject({ database: 'up' });
      const answers = await flood;

      const busy = answers.filter((answer) => answer.status === 503);
      expect(busy.length).toBeGreaterThan(0);
      for (const answer of busy) expect(answer).toEqual({ status: 503, retryAfter: 1, message: 'Too many sign-ins at once; try again in 1 s' });
      // One hashing and one waiting at least were checked; nothing else happened to any of them.
      expect(answers.filter((answer) => answer.status === 401).length).toBeGreaterThanOrEqual(2);
      expect(answers.filter((answer) => answer.status !== 401 && answer.status !== 503)).toEqual([]);

      const nurse = await node.createUser('STAFF');
      expect((await login(node, nurse.email, nurse.password)).status).toBe(200);
    });

    it('does not count a sign-in the server was too busy to check as a failed one', async () => {
      const nurse = await node.createUser('STAFF');
      const answers = await guessesAtOnce([node], nurse.email, ACCOUNT_LIMIT);
      expect(answers.filter((answer) => answer.status === 503).length).toBeGreaterThan(0);

      // Only the checked guesses count: the account still has a try left for its real password.
      expect((await login(node, nurse.email, nurse.password)).status).toBe(200);
    });
  });
});

/** Connects once a slot is free (a closed socket's slot comes back as its disconnect is processed). */
async function connectEventually(node: TestApp, user: TestUser, timeoutMs = 2000): Promise<RecordingSocket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const socket = await connect(node.baseUrl, { token: user.token }).catch(() => null);
    if (socket) return socket;
    if (Date.now() > deadline) throw new Error(`no slot for ${user.id} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
