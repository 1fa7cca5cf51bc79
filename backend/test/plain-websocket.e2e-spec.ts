import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { createClient } from 'redis';
import request from 'supertest';
import {
  NewNotificationPayload,
  PLAIN_WEBSOCKET_BEARER_PROTOCOL,
  PLAIN_WEBSOCKET_PATH,
  PlainClientMessage,
  PlainCloseCode,
  PlainServerMessage,
  ServerEvent,
  SocketError,
} from '@clinic/contracts';
import { connectionName, RedisConnection } from '../src/realtime/redis-connection';
import { closeAllPlainWebSockets, connectPlain, PlainWebSocketClient } from './support/plain-websocket-client';
import { rawRequest, closeRawConnections } from './support/raw-http';
import { describeWith } from './support/requirements';
import { closeAllSockets, connect, connectError } from './support/sockets';
import { TestApp, TestUser, useTwoNodes } from './support/test-app';

const INDEX_HTML = '<!doctype html><html><body><app-root></app-root>Clinic test page</body></html>';

/** What the server answers to a raw WebSocket upgrade on `url`, read until it closes the connection. */
function upgradeAnswer(baseUrl: string, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(baseUrl).port), '127.0.0.1', () =>
      socket.write(`GET ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
    );
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

// Two nodes need a database and a Redis they both reach: skipped visibly without them, required under CI.
describeWith(['DATABASE_URL', 'REDIS_URL'], 'Plain WebSocket clients (/ws/notifications/)', () => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let admin: TestUser;
  // Node A also serves the Angular app, as `npm start` does: /ws/ must never answer with it.
  const frontendDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-frontend-'));
  writeFileSync(path.join(frontendDir, 'index.html'), INDEX_HTML);
  useTwoNodes((nodes) => ({ nodeA, nodeB, admin } = nodes), { nodeA: { FRONTEND_DIR: frontendDir } });
  afterEach(() => {
    closeAllPlainWebSockets();
    closeAllSockets();
  });
  afterAll(() => {
    closeRawConnections();
    rmSync(frontendDir, { recursive: true, force: true });
  });

  const sendThrough = async (node: TestApp, user: TestUser, title: string) =>
    request(node.baseUrl).post('/api/notifications/test').set({ Authorization: `Bearer ${admin.token}` }).send({ title, message: 'm', target: { userId: user.id } }).expect(201);

  /** A plain client that has had its first unread count: it is in the user's rooms. */
  async function plainClientOn(node: TestApp, token: string, lastSeq?: string): Promise<PlainWebSocketClient> {
    const client = await connectPlain(node.baseUrl, { token, lastSeq });
    await client.nth(PlainServerMessage.UnreadCount, 1);
    return client;
  }

  it('a notification created through REST on node B reaches a plain client on node A as notification_created, then unread_count', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const client = await plainClientOn(nodeA, nurse.token);
    expect(client.received).toEqual([{ type: PlainServerMessage.UnreadCount, payload: { unread_count: 0 } }]);
    expect(await request(nodeA.baseUrl).get('/api/metrics').expect(200).then((response) => response.text)).toMatch(/^clinic_connected_plain_websockets 1$/m);

    await sendThrough(nodeB, nurse, 'Across nodes');

    const created = await client.nth(PlainServerMessage.NotificationCreated, 1);
    expect(created).toMatchObject({ title: 'Across nodes', userId: nurse.id, prevSeq: '0', muted: false });
    expect(await client.nth(PlainServerMessage.UnreadCount, 2)).toEqual({ unread_count: 1 });
    expect(client.received.map((frame) => frame.type)).toEqual([PlainServerMessage.UnreadCount, PlainServerMessage.NotificationCreated, PlainServerMessage.UnreadCount]);
  });

  it('accepts the token as the subprotocol `bearer, <token>`, answering with `bearer` alone; ping is answered pong with its requestId', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const client = await connectPlain(nodeB.baseUrl, { token: nurse.token, tokenInProtocol: true });
    expect(client.socket.protocol).toBe(PLAIN_WEBSOCKET_BEARER_PROTOCOL);
    await client.nth(PlainServerMessage.UnreadCount, 1);

    expect(await client.request({ type: PlainClientMessage.Ping, requestId: 'p-1' })).toEqual({ type: PlainServerMessage.Pong, payload: {}, requestId: 'p-1' });
  });

  it("mark_read is answered with its requestId, and reaches the user's Socket.IO devices on the other node as notification:updated", async () => {
    const nurse = await nodeA.createUser('STAFF');
    const plain = await plainClientOn(nodeA, nurse.token);
    const browser = await connect(nodeB.baseUrl, { token: nurse.token });
    await browser.nth(ServerEvent.UnreadCount, 1);
    await sendThrough(nodeB, nurse, 'Read me');
    const { id } = await plain.nth(PlainServerMessage.NotificationCreated, 1);

    const answer = await plain.request({ type: PlainClientMessage.MarkRead, payload: { id }, requestId: 'read-1' });

    expect(answer).toMatchObject({ type: PlainServerMessage.Result, requestId: 'read-1', payload: { ok: true, notification: { id, readAt: expect.any(String) } } });
    expect(await browser.nth(ServerEvent.Updated, 1)).toMatchObject({ id, readAt: expect.any(String) });
    expect(await browser.nth(ServerEvent.UnreadCount, 3)).toEqual({ count: 0 });
    expect(await plain.nth(PlainServerMessage.NotificationUpdated, 1)).toMatchObject({ id, updates: { readAt: expect.any(String) } });
    expect(await plain.nth(PlainServerMessage.UnreadCount, 3)).toEqual({ unread_count: 0 });
    // Someone else's id, or none, is refused like over Socket.IO.
    expect((await plain.request({ type: PlainClientMessage.MarkRead, payload: { id: 'x' }, requestId: 'read-2' })).payload).toEqual({ ok: false, error: SocketError.NotFound });
    expect((await plain.request({ type: 'no-such-type', requestId: 'r-3' } as never)).payload).toEqual({ ok: false, error: SocketError.InvalidPayload });
  });

  it('a missing, malformed, forged or expired token: closed with 4003 unauthorized right after the upgrade, having received nothing', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const now = Math.floor(Date.now() / 1000);
    const { sessionId } = await nodeA.signIn(nurse);
    const expired = nodeA.app.get(JwtService).sign({ sub: nurse.id, sid: sessionId, iat: now - 120, exp: now - 60 });
    const forged = new JwtService({ secret: 'another-secret-that-is-long-enough-0123456789' }).sign({ sub: nurse.id, sid: sessionId }, { expiresIn: 60 });
    for (const token of [undefined, 'not-a-jwt', forged, expired]) {
      const client = new PlainWebSocketClient(nodeA.baseUrl, { token });
      expect([token, await client.closed]).toEqual([token, { code: PlainCloseCode.Unauthorized, reason: SocketError.Unauthorized }]);
      expect(client.received).toEqual([]);
    }
  });

  it('reconnecting with lastSeq replays what was missed, in order, then the count; sync answers with upToSeq', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const first = await plainClientOn(nodeA, nurse.token);
    await sendThrough(nodeB, nurse, 'Seen');
    const seen = await first.nth(PlainServerMessage.NotificationCreated, 1);
    first.close();
    for (const title of ['Missed 1', 'Missed 2', 'Missed 3']) await sendThrough(nodeB, nurse, title);

    const back = await plainClientOn(nodeA, nurse.token, seen.seq);

    const replayed = back.all(PlainServerMessage.NotificationCreated);
    expect(replayed.map((notification) => notification.title)).toEqual(['Missed 1', 'Missed 2', 'Missed 3']);
    expect(replayed[0].prevSeq).toBe(seen.seq);
    expect(back.received.at(-1)).toEqual({ type: PlainServerMessage.UnreadCount, payload: { unread_count: 4 } });

    const synced = await back.request({ type: PlainClientMessage.Sync, payload: { afterSeq: replayed[1].seq }, requestId: 'sync-1' });
    expect(synced.payload).toEqual({ ok: true, replayed: 1, refresh: false, upToSeq: replayed[2].seq });
    expect((back.all(PlainServerMessage.NotificationCreated).at(-1) as NewNotificationPayload).title).toBe('Missed 3');
  });

  it('an upgrade on any other /ws/ path gets an HTTP 404 at once; a plain GET of the endpoint is JSON, never the app page', async () => {
    for (const url of ['/ws/unknown', '/ws/notifications']) {
      const started = Date.now();
      expect(await upgradeAnswer(nodeA.baseUrl, url)).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
      expect(Date.now() - started).toBeLessThan(500);
    }
    for (const url of [PLAIN_WEBSOCKET_PATH, `${PLAIN_WEBSOCKET_PATH}?token=x`, '/ws/unknown']) {
      const response = await rawRequest(nodeA.baseUrl, { method: 'GET', path: url });
      expect([url, response.status, response.headers['content-type']]).toEqual([url, 404, expect.stringMatching(/^application\/json/)]);
      expect(response.text).not.toContain('Clinic test page');
    }
  });

  it("a refused client that never answers the close frame has its connection cut within 2 s, not ws's default 30 s", async () => {
    const started = Date.now();
    const answer = await upgradeAnswer(nodeA.baseUrl, `${PLAIN_WEBSOCKET_PATH}?token=not-a-jwt`);
    expect(answer).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(answer).toContain(SocketError.Unauthorized);
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it('a message over 16 KB closes that connection with 1009; a flood is refused, then ended with session_end and 1008; other clients carry on', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const [oversized, flooding, bystander] = await Promise.all([1, 2, 3].map(() => plainClientOn(nodeA, nurse.token)));

    oversized.send({ type: PlainClientMessage.MarkRead, payload: { id: 'x'.repeat(20 * 1024) }, requestId: 'big' });
    expect((await oversized.closed).code).toBe(PlainCloseCode.MessageTooBig);

    for (let index = 0; index < 200; index++) flooding.send({ type: PlainClientMessage.Ping, requestId: index });
    expect(await flooding.closed).toEqual({ code: PlainCloseCode.Flooding, reason: SocketError.RateLimited });
    expect(flooding.all(PlainServerMessage.Result)).toContainEqual({ ok: false, error: SocketError.RateLimited });
    expect(flooding.all(PlainServerMessage.SessionEnd)).toEqual([{ reason: SocketError.RateLimited }]);

    expect(await bystander.request({ type: PlainClientMessage.Ping, requestId: 'still-here' })).toMatchObject({ type: PlainServerMessage.Pong });
  });

  it('a session ended on node B ends its plain clients on both nodes (session_end, then close 4001); other sessions stay', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const login = await request(nodeB.baseUrl).post('/api/auth/login').send({ email: nurse.email, password: nurse.password }).expect(200);
    const [onA, onB, otherSession] = await Promise.all([plainClientOn(nodeA, login.body.accessToken), plainClientOn(nodeB, login.body.accessToken), plainClientOn(nodeA, nurse.token)]);

    await request(nodeB.baseUrl).post('/api/auth/logout').send({ refreshToken: login.body.refreshToken }).expect(204);

    for (const client of [onA, onB]) {
      expect(await client.closed).toEqual({ code: PlainCloseCode.SessionEnded, reason: SocketError.SessionRevoked });
      expect(client.received.at(-1)).toEqual({ type: PlainServerMessage.SessionEnd, payload: { reason: SocketError.SessionRevoked } });
    }
    expect(await otherSession.request({ type: PlainClientMessage.Ping, requestId: 'other' })).toMatchObject({ type: PlainServerMessage.Pong });
    expect((await new PlainWebSocketClient(nodeA.baseUrl, { token: login.body.accessToken }).closed).code).toBe(PlainCloseCode.Unauthorized);
  });
  /** The sends a recipient's `delivered` produces a `send_updated` for, to the sender's and admins' connections. */
  async function deliveredSend(recipient: PlainWebSocketClient, count: number): Promise<string> {
    const { id } = await recipient.nth(PlainServerMessage.NotificationCreated, count);
    expect((await recipient.request({ type: PlainClientMessage.Delivered, payload: { id }, requestId: `delivered-${count}` })).payload).toEqual({ ok: true });
    return id;
  }

  it("a STAFF connection gets neither another user's events nor the admins' send_updated; the admin's does", async () => {
    const [nurse, other] = await Promise.all([nodeA.createUser('STAFF'), nodeA.createUser('STAFF')]);
    const [watcher, recipient, adminClient] = await Promise.all([plainClientOn(nodeA, nurse.token), plainClientOn(nodeA, other.token), plainClientOn(nodeA, admin.token)]);

    const sent = await sendThrough(nodeB, other, 'Not yours');
    await deliveredSend(recipient, 1);

    expect(await adminClient.nth(PlainServerMessage.SendUpdated, 1)).toMatchObject({ sendId: sent.body.sendId, counts: expect.objectContaining({ delivered: 1 }) });
    // What the admin had has had time to reach everyone on this node: the nurse got nothing.
    expect((await watcher.request({ type: PlainClientMessage.Ping, requestId: 'after' })).type).toBe(PlainServerMessage.Pong);
    expect(watcher.received.map((frame) => frame.type)).toEqual([PlainServerMessage.UnreadCount, PlainServerMessage.Pong]);
  });

  it("a role changed while connected moves the plain connection to the new role's room: send_updated reaches it", async () => {
    const [nurse, other] = await Promise.all([nodeA.createUser('STAFF'), nodeA.createUser('STAFF')]);
    const [promoted, recipient] = await Promise.all([plainClientOn(nodeA, nurse.token), plainClientOn(nodeB, other.token)]);

    await nodeA.prisma.$executeRaw`UPDATE "User" SET "role" = 'ADMIN' WHERE "id" = ${nurse.id}`;

    // Each round a new send's receipt, until the connection is in the admins' room (within 3 s).
    const deadline = Date.now() + 3000;
    for (let round = 1; promoted.all(PlainServerMessage.SendUpdated).length === 0; round++) {
      expect(Date.now()).toBeLessThan(deadline);
      await sendThrough(nodeB, other, `Round ${round}`);
      await deliveredSend(recipient, round);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(promoted.socket.readyState).toBe(promoted.socket.OPEN);
  });

  it('MAX_SOCKETS_PER_USER counts Socket.IO and plain connections together, across nodes: the next plain one is closed 4029, the next socket refused', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const limit = nodeA.config.maxSocketsPerUser;
    const sockets = Math.floor(limit / 2);
    await Promise.all(Array.from({ length: sockets }, () => connect(nodeB.baseUrl, { token: nurse.token })));
    await Promise.all(Array.from({ length: limit - sockets }, () => plainClientOn(nodeA, nurse.token)));

    const refused = new PlainWebSocketClient(nodeA.baseUrl, { token: nurse.token });
    expect(await refused.closed).toEqual({ code: PlainCloseCode.TooManyConnections, reason: SocketError.TooManyConnections });
    expect(refused.received).toEqual([]);
    expect((await connectError(nodeB.baseUrl, { token: nurse.token })).message).toBe(SocketError.TooManyConnections);
  });

  it("a browser page of another origin is refused with HTTP 403; the app's own origin is accepted", async () => {
    const nurse = await nodeA.createUser('STAFF');
    const foreign = new PlainWebSocketClient(nodeA.baseUrl, { token: nurse.token, headers: { Origin: 'https://evil.example' } });
    await expect(foreign.opened).rejects.toThrow('HTTP 403');
    const own = await connectPlain(nodeA.baseUrl, { token: nurse.token, headers: { Origin: nodeA.baseUrl } });
    await own.nth(PlainServerMessage.UnreadCount, 1);
  });

  it('a token that expires while connected ends the connection: session_end token-expired, then close 4001', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const { sessionId } = await nodeA.signIn(nurse);
    const now = Math.floor(Date.now() / 1000);
    const shortLived = nodeA.app.get(JwtService).sign({ sub: nurse.id, sid: sessionId, iat: now, exp: now + 2 });
    const client = await plainClientOn(nodeB, shortLived);

    expect(await client.closed).toEqual({ code: PlainCloseCode.SessionEnded, reason: SocketError.TokenExpired });
    expect(client.received.at(-1)).toEqual({ type: PlainServerMessage.SessionEnd, payload: { reason: SocketError.TokenExpired } });
  });

  it("Redis's pub/sub connections killed while node B sends: the plain client on node A still ends with every notification, none twice", async () => {
    const nurse = await nodeA.createUser('STAFF');
    const plain = await plainClientOn(nodeA, nurse.token);
    const redis = createClient({ url: process.env.REDIS_URL });
    await redis.connect();
    // Only this deployment's (named by its key prefix), not other suites' sharing the Redis.
    const name = connectionName(nodeA.app.get(RedisConnection).keyPrefix);
    let killed = 0;
    const killPubSub = async () => {
      const clients = String(await redis.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub'])).split('\n');
      const ours = clients.filter((line) => line.split(' ').includes(`name=${name}`)).map((line) => /(?:^| )id=(\d+)/.exec(line)![1]);
      for (const id of ours) killed += Number(await redis.sendCommand(['CLIENT', 'KILL', 'ID', id]));
    };
    const titles = Array.from({ length: 20 }, (_, index) => `Through the blips ${index + 1}`);
    // The subscribers reconnect within milliseconds: they are killed again and again while the sends go out.
    let sending = true;
    const killing = (async () => {
      while (sending) {
        await killPubSub();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    try {
      for (const title of titles) await sendThrough(nodeB, nurse, title);
    } finally {
      sending = false;
      await killing;
      await redis.close();
    }
    expect(killed).toBeGreaterThan(0);

    // Directly, or (were anything lost) after a resync through sync from the last seq in an unbroken run.
    const arrived = () => new Set(plain.all(PlainServerMessage.NotificationCreated).map((notification) => notification.title));
    const deadline = Date.now() + 3000;
    while (arrived().size < titles.length && plain.all(PlainServerMessage.Resync).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const live = plain.all(PlainServerMessage.NotificationCreated);
    if (plain.all(PlainServerMessage.Resync).length > 0) {
      let cursor = '0';
      for (const notification of live) if (notification.prevSeq === cursor) cursor = notification.seq;
      expect((await plain.request({ type: PlainClientMessage.Sync, payload: { afterSeq: cursor }, requestId: 'catch-up' })).payload).toMatchObject({ ok: true });
    }
    expect([...arrived()].sort()).toEqual([...titles].sort());
    expect(new Set(live.map((notification) => notification.id)).size).toBe(live.length);
  });
});
