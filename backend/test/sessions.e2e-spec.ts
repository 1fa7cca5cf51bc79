import net from 'node:net';
import request from 'supertest';
import { io } from 'socket.io-client';
import { ClientEvent, REFRESH_COOKIE, roleRoom, ServerEvent, SOCKET_PATH, SocketError } from '@clinic/contracts';
import { describeWith } from './support/requirements';
import { closeAllSockets, connect, connectError, RecordingSocket } from './support/sockets';
import { createTestDatabase, startTestApp, TestApp, TestDatabase, TestUser, useTestApp, useTwoNodes } from './support/test-app';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Polls until `check` holds; returns how long it took. The spec allows a session end 1 s to reach every node. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`still not true after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The socket was told its session ended and the server closed it. */
async function sessionEnded(socket: RecordingSocket): Promise<void> {
  const disconnected = socket.socket.connected ? new Promise((resolve) => socket.socket.once('disconnect', resolve)) : null;
  expect(await socket.nth(ServerEvent.SessionEnd, 1, 2000)).toEqual({ reason: SocketError.SessionRevoked });
  await disconnected;
  expect(socket.socket.connected).toBe(false);
}

describeWith(['DATABASE_URL', 'REDIS_URL'], 'Sessions end on every node at once', () => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let admin: TestUser;
  useTwoNodes((nodes) => ({ nodeA, nodeB, admin } = nodes));

  const signIn = async (node: TestApp, user: TestUser) =>
    (await request(node.baseUrl).post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200)).body as {
      accessToken: string;
      refreshToken: string;
    };
  const meStatus = async (node: TestApp, token: string) => (await request(node.baseUrl).get('/api/auth/me').set(bearer(token))).status;
  const device = async (node: TestApp, token: string) => {
    const socket = await connect(node.baseUrl, { token });
    await socket.nth(ServerEvent.UnreadCount, 1);
    return socket;
  };

  it('logout: within 1 s that access token is refused on both nodes, its sockets on both get session:end, its refresh token is dead; other devices stay', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const session = await signIn(nodeA, nurse);
    const [onA, onB, otherDevice] = await Promise.all([device(nodeA, session.accessToken), device(nodeB, session.accessToken), device(nodeB, nurse.token)]);
    // Both nodes have just checked (and remembered) the session.
    expect([await meStatus(nodeA, session.accessToken), await meStatus(nodeB, session.accessToken)]).toEqual([200, 200]);

    await request(nodeA.baseUrl).post('/api/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);

    await Promise.all([sessionEnded(onA), sessionEnded(onB)]);
    for (const node of [nodeA, nodeB]) expect(await within(1000, async () => (await meStatus(node, session.accessToken)) === 401)).toBeLessThan(1000);
    await request(nodeB.baseUrl).post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
    expect((await connectError(nodeB.baseUrl, { token: session.accessToken })).message).toBe(SocketError.Unauthorized);

    // The nurse's other session is untouched.
    expect(otherDevice.socket.connected).toBe(true);
    expect(await meStatus(nodeA, nurse.token)).toBe(200);
  });

  it('a role change takes the old powers at once: the demoted admin cannot send through either node, their socket ends, and a new sign-in is STAFF', async () => {
    const demoted = await nodeA.createUser('ADMIN');
    const socket = await device(nodeB, demoted.token);
    const send = (node: TestApp, token: string) =>
      request(node.baseUrl).post('/api/notifications/test').set(bearer(token)).send({ title: 'Hello', message: 'm', target: { all: true } });
    expect((await send(nodeB, demoted.token)).status).toBe(201);

    const changed = await request(nodeA.baseUrl).patch(`/api/users/${demoted.id}`).set(bearer(admin.token)).send({ role: 'STAFF' }).expect(200);
    expect(changed.body).toMatchObject({ id: demoted.id, role: 'STAFF', active: true });

    await sessionEnded(socket);
    for (const node of [nodeA, nodeB]) expect((await send(node, demoted.token)).status).toBe(401);
    const again = await signIn(nodeB, demoted);
    expect((await send(nodeB, again.accessToken)).status).toBe(403);
  });

  it('the last active admin can be neither demoted nor deactivated (409); the refusal changes nothing', async () => {
    const others = await nodeA.prisma.user.findMany({ where: { role: 'ADMIN', id: { not: admin.id } } });
    await nodeA.prisma.user.updateMany({ where: { id: { in: others.map((user) => user.id) } }, data: { deactivatedAt: new Date() } });
    try {
      const demote = await request(nodeA.baseUrl).patch(`/api/users/${admin.id}`).set(bearer(admin.token)).send({ role: 'STAFF' }).expect(409);
      expect(demote.body.message).toMatch(/last active admin/);
      await request(nodeA.baseUrl).post(`/api/users/${admin.id}/deactivate`).set(bearer(admin.token)).expect(409);
      expect(await meStatus(nodeB, admin.token)).toBe(200);
    } finally {
      await nodeA.prisma.user.updateMany({ where: { id: { in: others.map((user) => user.id) } }, data: { deactivatedAt: null } });
    }
  });

  it('deactivation: tokens refused on both nodes, sockets end, sign-in refused and role sends skip the user; reactivated, they sign in again', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const socket = await device(nodeA, nurse.token);
    expect(await meStatus(nodeB, nurse.token)).toBe(200);

    const deactivated = await request(nodeB.baseUrl).post(`/api/users/${nurse.id}/deactivate`).set(bearer(admin.token)).expect(200);
    expect(deactivated.body).toMatchObject({ active: false });

    await sessionEnded(socket);
    for (const node of [nodeA, nodeB]) expect(await meStatus(node, nurse.token)).toBe(401);
    const refused = await request(nodeA.baseUrl).post('/api/auth/login').send({ email: nurse.email, password: nurse.password }).expect(401);
    expect(refused.body.message).toMatch(/deactivated/);
    await request(nodeA.baseUrl).post('/api/notifications/test').set(bearer(admin.token)).send({ title: 'All staff', message: 'm', target: { role: 'STAFF' } }).expect(201);
    expect(await nodeA.prisma.notification.count({ where: { userId: nurse.id } })).toBe(0);

    await request(nodeA.baseUrl).post(`/api/users/${nurse.id}/reactivate`).set(bearer(admin.token)).expect(200);
    await signIn(nodeB, nurse);
  });

  it('a user deleted from the database: their token answers 401 on both nodes, never 500, also when creating an order', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const socket = await device(nodeB, nurse.token);
    expect([await meStatus(nodeA, nurse.token), await meStatus(nodeB, nurse.token)]).toEqual([200, 200]);

    await nodeA.prisma.user.delete({ where: { id: nurse.id } });

    await sessionEnded(socket);
    for (const node of [nodeA, nodeB]) {
      // Within the second a node may take to hear of it (the deletion was made behind its back).
      await within(1000, async () => (await meStatus(node, nurse.token)) === 401);
      const order = await request(node.baseUrl).post('/api/orders').set(bearer(nurse.token)).send({ patientName: 'P', description: 'D', total: '1.00' });
      expect(order.status).toBe(401);
    }
  });

  it("a role changed in the database by hand moves the user's open sockets on every node to the new role's room, without reconnecting", async () => {
    const nurse = await nodeA.createUser('STAFF');
    const socket = await device(nodeB, nurse.token);
    const subscribe = (channel: string) => socket.socket.timeout(2000).emitWithAck(ClientEvent.Subscribe, { channel });
    expect(await subscribe(roleRoom('ADMIN'))).toEqual({ ok: false, error: SocketError.Forbidden });

    await nodeA.prisma.$executeRaw`UPDATE "User" SET "role" = 'ADMIN' WHERE "id" = ${nurse.id}`;

    await within(1000, async () => (await subscribe(roleRoom('ADMIN'))).ok);
    expect(await subscribe(roleRoom('STAFF'))).toEqual({ ok: false, error: SocketError.Forbidden });
    expect(socket.socket.connected).toBe(true);
    expect(await meStatus(nodeB, nurse.token)).toBe(200);
  });

  it('a refresh token used twice (it was copied) ends the session for its owner and for the copier', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const session = await signIn(nodeA, nurse);
    const socket = await device(nodeA, session.accessToken);
    const rotated = await request(nodeB.baseUrl).post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(200);
    expect(await meStatus(nodeA, rotated.body.accessToken)).toBe(200);

    const replay = await request(nodeA.baseUrl).post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
    expect(replay.body.message).toMatch(/already used/);

    await sessionEnded(socket);
    for (const node of [nodeA, nodeB]) expect(await meStatus(node, rotated.body.accessToken)).toBe(401);
    await request(nodeB.baseUrl).post('/api/auth/refresh').send({ refreshToken: rotated.body.refreshToken }).expect(401);
  });

  it('sockets whose handshake overlaps the logout end too: none stays connected to a session that has ended', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const session = await signIn(nodeA, nurse);
    const handshakes = Array.from({ length: 9 }, (_, i) => connect(i % 2 ? nodeA.baseUrl : nodeB.baseUrl, { token: session.accessToken }).catch(() => null));
    await new Promise((resolve) => setTimeout(resolve, 2));
    await request(nodeA.baseUrl).post('/api/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);
    const sockets = (await Promise.all(handshakes)).filter((socket): socket is RecordingSocket => socket !== null);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sockets.filter((socket) => socket.socket.connected)).toEqual([]);
  });

  it('a connection without a token that presents a dropped session id (connection state recovery) receives nothing', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const owner = await device(nodeA, nurse.token);
    const { _pid: pid, _lastOffset: offset } = owner.socket as unknown as { _pid?: string; _lastOffset?: string };
    const dropped = new Promise((resolve) => owner.socket.once('disconnect', resolve));
    owner.socket.io.engine.close();
    await dropped;
    await request(nodeB.baseUrl).post('/api/notifications/test').set(bearer(admin.token)).send({ title: 'Patient in bed 4', message: 'm', target: { userId: nurse.id } }).expect(201);

    const intruder = io(nodeA.baseUrl, {
      path: SOCKET_PATH,
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { pid: pid ?? 'a-dropped-session', offset: offset ?? '0-0' },
    });
    const received: string[] = [];
    intruder.onAny((event: string) => received.push(event));
    intruder.io.engine?.on('packet', (packet: { type: string; data?: unknown }) => received.push(`${packet.type}:${JSON.stringify(packet.data ?? '')}`));
    const error = await new Promise<Error>((resolve, reject) => {
      intruder.once('connect', () => reject(new Error('connected without a token')));
      intruder.once('connect_error', resolve);
    });
    intruder.disconnect();
    expect(error.message).toBe(SocketError.Unauthorized);
    expect(received.filter((entry) => entry.includes('Patient in bed 4') || entry.includes(ServerEvent.New))).toEqual([]);
  });
});

describe('Sessions in the browser: the refresh token lives in an httpOnly cookie', () => {
  let server: TestApp;
  let nurse: TestUser;
  useTestApp({ ALLOWED_ORIGINS: 'https://partner.example' }, (app) => {
    server = app;
  });
  beforeAll(async () => {
    nurse = await server.createUser('STAFF');
  });

  const cookieOf = (response: request.Response) =>
    ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith(`${REFRESH_COOKIE}=`));
  const browserLogin = () =>
    request(server.baseUrl).post('/api/auth/login').set('Origin', server.baseUrl).send({ email: nurse.email, password: nurse.password }).expect(200);

  it('a browser sign-in gets the refresh token only as an httpOnly, SameSite=Strict cookie scoped to /api/auth, never in the body', async () => {
    const login = await browserLogin();
    expect(login.body.refreshToken).toBeUndefined();
    expect(login.body.accessToken).toEqual(expect.any(String));
    const cookie = cookieOf(login)!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/api\/auth(;|$)/);
    // Plain HTTP here: a Secure cookie would never be sent back.
    expect(cookie).not.toMatch(/; Secure/);
  });

  it('refreshes from the cookie alone (no body), rotating it; the replaced cookie is refused and ends the session', async () => {
    const first = cookieOf(await browserLogin())!.split(';')[0];
    const refreshed = await request(server.baseUrl).post('/api/auth/refresh').set('Origin', server.baseUrl).set('Cookie', first).expect(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    const second = cookieOf(refreshed)!.split(';')[0];
    expect(second).not.toBe(first);
    await request(server.baseUrl).get('/api/auth/me').set(bearer(refreshed.body.accessToken)).expect(200);

    await request(server.baseUrl).post('/api/auth/refresh').set('Origin', server.baseUrl).set('Cookie', first).expect(401);
    await request(server.baseUrl).post('/api/auth/refresh').set('Origin', server.baseUrl).set('Cookie', second).expect(401);
    await request(server.baseUrl).get('/api/auth/me').set(bearer(refreshed.body.accessToken)).expect(401);
  });

  it('logout from the cookie ends the session and clears the cookie', async () => {
    const login = await browserLogin();
    const cookie = cookieOf(login)!.split(';')[0];
    const logout = await request(server.baseUrl).post('/api/auth/logout').set('Origin', server.baseUrl).set('Cookie', cookie).expect(204);
    expect(cookieOf(logout)).toMatch(new RegExp(`^${REFRESH_COOKIE}=;`));
    await request(server.baseUrl).get('/api/auth/me').set(bearer(login.body.accessToken)).expect(401);
  });

  it('a page of another origin can neither refresh nor end the session (403); ALLOWED_ORIGINS may', async () => {
    const login = await browserLogin();
    const cookie = cookieOf(login)!.split(';')[0];
    for (const path of ['/api/auth/refresh', '/api/auth/logout']) {
      const refused = await request(server.baseUrl).post(path).set('Origin', 'https://evil.example').set('Cookie', cookie).expect(403);
      expect(refused.body.message).toMatch(/from the app itself/);
    }
    await request(server.baseUrl).get('/api/auth/me').set(bearer(login.body.accessToken)).expect(200);
    await request(server.baseUrl).post('/api/auth/refresh').set('Origin', 'https://partner.example').set('Cookie', cookie).expect(200);
  });

  it('refresh without any token is 401; a malformed body is 400', async () => {
    await request(server.baseUrl).post('/api/auth/refresh').expect(401);
    await request(server.baseUrl).post('/api/auth/refresh').send({ refreshToken: 42 }).expect(400);
    await request(server.baseUrl).post('/api/auth/refresh').send({ refreshToken: 'x'.repeat(43), extra: true }).expect(400);
  });

  it('changing the password ends every other session of the user (their sockets too), not the one that changed it', async () => {
    const user = await server.createUser('STAFF');
    const other = await server.signIn(user);
    const otherDevice = await connect(server.baseUrl, { token: other.token });
    await otherDevice.nth(ServerEvent.UnreadCount, 1);
    const change = (body: object) => request(server.baseUrl).post('/api/auth/change-password').set(bearer(user.token)).send(body);

    expect((await change({ currentPassword: 'wrong', newPassword: 'a-brand-new-passphrase' }).expect(403)).body.message).toMatch(/current password/);
    expect((await change({ currentPassword: user.password, newPassword: 'short' }).expect(400)).body.message.join()).toMatch(/12 to 200/);
    await request(server.baseUrl).get('/api/auth/me').set(bearer(other.token)).expect(200);

    await change({ currentPassword: user.password, newPassword: 'a-brand-new-passphrase' }).expect(204);
    await sessionEnded(otherDevice);
    await request(server.baseUrl).get('/api/auth/me').set(bearer(other.token)).expect(401);
    await request(server.baseUrl).get('/api/auth/me').set(bearer(user.token)).expect(200);
    await request(server.baseUrl).post('/api/auth/login').send({ email: user.email, password: user.password }).expect(401);
    await request(server.baseUrl).post('/api/auth/login').send({ email: user.email, password: 'a-brand-new-passphrase' }).expect(200);
  });

  it('wrong current passwords count as failed sign-ins: a stolen access token cannot be used to guess the password', async () => {
    const user = await server.createUser('STAFF');
    const guesses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        request(server.baseUrl).post('/api/auth/change-password').set(bearer(user.token)).send({ currentPassword: `guess-${i}`, newPassword: 'a-brand-new-passphrase' }),
      ),
    );
    expect(guesses.map((answer) => answer.status).sort()).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
    await request(server.baseUrl).post('/api/auth/login').send({ email: user.email, password: user.password }).expect(429);
  });

  it('the login page is told there is no demo mode: no accounts are offered', async () => {
    expect((await request(server.baseUrl).get('/api/auth/config').expect(200)).body).toEqual({ demo: false, demoAccounts: [], currency: 'USD' });
  });
});

describe('Demo mode', () => {
  let server: TestApp;
  useTestApp({ SEED_DEMO_USERS: 'true' }, (app) => {
    server = app;
  });

  it('tells the login page which demo accounts exist, and they sign in', async () => {
    const { body } = await request(server.baseUrl).get('/api/auth/config').expect(200);
    expect(body.demo).toBe(true);
    expect(body.demoAccounts.map((account: { role: string }) => account.role).sort()).toEqual(['ADMIN', 'STAFF', 'STAFF']);
    const [account] = body.demoAccounts;
    await request(server.baseUrl).post('/api/auth/login').send({ email: account.email, password: account.password }).expect(200);
  });
});

describeWith(['DATABASE_URL'], 'A session change feed that dies without closing', () => {
  let database: TestDatabase;
  let proxy: ListenMuter;
  let node: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await ListenMuter.start(new URL(database.url!));
    const url = new URL(database.url!);
    url.host = `127.0.0.1:${proxy.port}`;
    node = await startTestApp({ url: url.href, drop: async () => {} });
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await node?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('is noticed by its heartbeat: the node listens again and ends the sockets of a session that ended meanwhile', async () => {
    const nurse = await node.createUser('STAFF');
    const socket = await connect(node.baseUrl, { token: nurse.token });
    await socket.nth(ServerEvent.UnreadCount, 1);

    proxy.muteListeners();
    await node.prisma.session.updateMany({ where: { userId: nurse.id }, data: { endedAt: new Date(), endReason: 'logout' } });

    await socket.nth(ServerEvent.SessionEnd, 1, 10_000);
    expect(socket.all(ServerEvent.SessionEnd)).toEqual([{ reason: SocketError.SessionRevoked }]);
  }, 20_000);
});

/**
 * A TCP forwarder to PostgreSQL that can stop passing the server's bytes to the connections that
 * sent LISTEN, as a half-open connection would: the client sees nothing wrong, nothing arrives.
 */
class ListenMuter {
  private readonly listening = new Set<net.Socket>();
  private readonly muted = new Set<net.Socket>();
  private constructor(private readonly server: net.Server) {}

  static async start(target: URL): Promise<ListenMuter> {
    const muter: ListenMuter = new ListenMuter(
      net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        client.on('data', (chunk) => {
          if (chunk.includes('LISTEN ')) muter.listening.add(client);
          upstream.write(chunk);
        });
        upstream.on('data', (chunk) => {
          if (!muter.muted.has(client)) client.write(chunk);
        });
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('close', end).on('error', end);
        upstream.on('close', end).on('error', end);
      }),
    );
    await new Promise<void>((resolve) => muter.server.listen(0, '127.0.0.1', resolve));
    return muter;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The connections listening now hear nothing more; connections opened later work. */
  muteListeners(): void {
    for (const socket of this.listening) this.muted.add(socket);
  }

  close(): Promise<void> {
    for (const socket of [...this.listening, ...this.muted]) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
