import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { ClientEvent, roleRoom, ServerEvent, SocketError, userRoom } from '@clinic/contracts';
import { connect, connectError, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Isolation between users', () => {
  let server: TestApp;
  let admin: TestUser;
  // Each forged join is one command: more than the default per-socket burst (see abuse.e2e-spec).
  useTestApp({ SOCKET_EVENT_BURST: '1000' }, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const send = (userId: string, title: string) =>
    api().post('/api/notifications/test').set(auth(admin)).send({ title, message: 'm', target: { userId } }).expect(201);
  const rowsOf = (user: TestUser) => server.prisma.notification.findMany({ where: { userId: user.id }, orderBy: { seq: 'asc' } });

  it("another user acting on someone's notification, through every route and command, gets not-found and changes nothing", async () => {
    const owner = await server.createUser('STAFF');
    const intruder = await server.createUser('STAFF');
    const otherAdmin = await server.createUser('ADMIN');
    await send(owner.id, 'Unread');
    await send(owner.id, 'Read');
    const [unread, read] = await rowsOf(owner);
    await api().patch(`/api/notifications/${read.id}/read`).set(auth(owner)).expect(200);
    const before = await rowsOf(owner);
    const ownerDevice = await connect(server.baseUrl, { token: owner.token });
    await ownerDevice.nth(ServerEvent.UnreadCount, 1);

    for (const outsider of [intruder, otherAdmin]) {
      const device = await connect(server.baseUrl, { token: outsider.token });
      for (const target of [unread, read]) {
        for (const call of [
          api().patch(`/api/notifications/${target.id}/read`),
          api().post(`/api/notifications/${target.id}/ack`),
          api().delete(`/api/notifications/${target.id}`),
        ]) {
          expect((await call.set(auth(outsider)).expect(404)).body).toEqual({ statusCode: 404, message: 'Notification not found', error: 'Not Found' });
        }
        expect(await device.socket.emitWithAck(ClientEvent.MarkRead, { id: target.id })).toEqual({ ok: false, error: SocketError.NotFound });
        expect(await device.socket.emitWithAck(ClientEvent.Ack, { id: target.id })).toEqual({ ok: false, error: SocketError.NotFound });
        // Receipts for someone else's notification are accepted and ignored: they change nothing.
        expect(await device.socket.emitWithAck(ClientEvent.Seen, { ids: [target.id] })).toEqual({ ok: true, updated: 0 });
        expect(await device.socket.emitWithAck(ClientEvent.Delivered, { id: target.id })).toEqual({ ok: true });
      }
      expect((await api().patch('/api/notifications/read-all').set(auth(outsider)).expect(200)).body).toEqual({ updated: 0 });
      expect(await device.socket.emitWithAck(ClientEvent.MarkAllRead)).toEqual({ ok: true, updated: 0 });
      // Listing, counting and catching up only ever see the caller's own notifications, whatever the cursor.
      for (const cursor of [undefined, (unread.seq + 1n).toString(), (read.seq + 1n).toString()]) {
        const page = await api().get('/api/notifications').query(cursor ? { cursor, limit: 100 } : { limit: 100 }).set(auth(outsider)).expect(200);
        expect(page.body.items).toEqual([]);
      }
      expect((await api().get('/api/notifications/unread-count').set(auth(outsider)).expect(200)).body).toEqual({ count: 0 });
      expect(await device.socket.emitWithAck(ClientEvent.Sync, { afterSeq: '0' })).toMatchObject({ ok: true, replayed: 0 });
      await device.settle(outsider.id);
      // An admin sees sends' receipt counts (send:updated), never anyone's notifications.
      const unexpected = device.received.map((entry) => entry.event).filter((event) => event !== ServerEvent.UnreadCount && event !== ServerEvent.SendUpdated);
      expect(unexpected).toEqual([]);
      if (outsider.role !== 'ADMIN') expect(device.all(ServerEvent.SendUpdated)).toEqual([]);
      expect(device.all(ServerEvent.UnreadCount).every((payload) => payload.count === 0)).toBe(true);
    }

    expect(await rowsOf(owner)).toEqual(before);
    await ownerDevice.settle(owner.id);
    expect(ownerDevice.received.map((entry) => entry.event)).toEqual([ServerEvent.UnreadCount]);
  });

  it('refuses forged room joins, and the forging socket then receives nothing of the other user or role', async () => {
    const owner = await server.createUser('STAFF');
    const intruder = await server.createUser('STAFF');
    const ownerDevice = await connect(server.baseUrl, { token: owner.token });
    const device = await connect(server.baseUrl, { token: intruder.token });
    await device.nth(ServerEvent.UnreadCount, 1);
    const raw = device.socket as unknown as { emitWithAck(event: string, payload: unknown): Promise<unknown> };

    const ownerRoom = userRoom(owner.id);
    const channels: unknown[] = [
      ownerRoom,
      ownerRoom.toUpperCase(),
      `${ownerRoom} `,
      ` ${ownerRoom}`,
      `${ownerRoom}\u0000`,
      `${ownerRoom}/`,
      `${userRoom(intruder.id)},${ownerRoom}`,
      `user:${owner.id.replace(/-/g, '')}`,
      'user:',
      'user:*',
      'user:%',
      roleRoom('ADMIN'),
      'role:admin',
      `${roleRoom('STAFF')} `,
      'role:*',
      ownerDevice.socket.id,
      '/',
      '*',
      '#',
      'admin',
      [ownerRoom],
      { room: ownerRoom },
    ];
    for (const event of [ClientEvent.Subscribe, ClientEvent.Join, ClientEvent.Unsubscribe]) {
      for (const channel of channels) {
        const answer = await raw.emitWithAck(event, { channel });
        const expected = typeof channel === 'string' ? SocketError.Forbidden : SocketError.InvalidPayload;
        expect([event, channel, answer]).toEqual([event, channel, { ok: false, error: expected }]);
      }
    }

    await send(owner.id, 'For the owner');
    await api().post('/api/notifications/test').set(auth(admin)).send({ title: 'For admins', message: 'm', target: { role: 'ADMIN' } }).expect(201);
    const [ownersNotification] = await rowsOf(owner);
    await api().patch(`/api/notifications/${ownersNotification.id}/read`).set(auth(owner)).expect(200);
    await api().delete(`/api/notifications/${ownersNotification.id}`).set(auth(owner)).expect(204);
    await ownerDevice.nth(ServerEvent.Deleted, 1);

    // The socket is still served its own notifications.
    const own = device.next(ServerEvent.New);
    await send(intruder.id, 'For the intruder');
    expect(await own).toMatchObject({ title: 'For the intruder', userId: intruder.id });
    await device.settle(intruder.id);
    const leaked = device.received.filter((entry) => JSON.stringify(entry.payload ?? null).includes(owner.id) || JSON.stringify(entry.payload ?? null).includes('For admins'));
    expect(leaked).toEqual([]);
    expect(device.all(ServerEvent.New)).toHaveLength(1);
    expect(device.all(ServerEvent.Updated)).toEqual([]);
    expect(device.all(ServerEvent.Deleted)).toEqual([]);
  });

  describe('refuses on REST (401) and on the socket (connect_error "unauthorized") an access token that is', () => {
    let user: TestUser;
    let sessionId: string;
    let endedSessionId: string;
    let othersSessionId: string;
    const now = () => Math.floor(Date.now() / 1000);
    const hmac = (secret: string, header: object, claims: object, algorithm = 'sha256') => {
      const unsigned = `${base64url(header)}.${base64url(claims)}`;
      return `${unsigned}.${createHmac(algorithm, secret).update(unsigned).digest('base64url')}`;
    };
    const valid = () => ({ sub: user.id, sid: sessionId, iat: now(), exp: now() + 600 });
    const secret = () => server.config.jwtSecret;
    const jwt = () => server.app.get(JwtService);

    beforeAll(async () => {
      user = await server.createUser('ADMIN');
      sessionId = (await server.signIn(user)).sessionId;
      endedSessionId = (await server.signIn(user)).sessionId;
      await server.prisma.session.update({ where: { id: endedSessionId }, data: { endedAt: new Date(), endReason: 'logout' } });
      othersSessionId = (await server.signIn(await server.createUser('STAFF'))).sessionId;
    });

    const tokens: Array<[string, () => string]> = [
      ['unsigned (alg none)', () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(valid())}.`],
      ['alg "None" with a signature', () => hmac(secret(), { alg: 'None', typ: 'JWT' }, valid())],
      ['signed with the right key but HS512', () => jwt().sign(valid(), { algorithm: 'HS512' })],
      ['signed with the right key but HS384', () => jwt().sign(valid(), { algorithm: 'HS384' })],
      [
        'RS256, signed with a key of its own',
        () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          return new JwtService({ privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }).sign(valid(), { algorithm: 'RS256' });
        },
      ],
      ['labelled RS256 but HMAC-signed with the secret (algorithm confusion)', () => hmac(secret(), { alg: 'RS256', typ: 'JWT' }, valid())],
      ['with a kid pointing at an empty file, signed with an empty key', () => hmac('', { alg: 'HS256', typ: 'JWT', kid: '../../../../dev/null' }, valid())],
      ['without sub', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), sub: undefined })],
      ['with a numeric sub', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), sub: 42 })],
      ['without a session', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), sid: undefined })],
      ['with a numeric session', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), sid: 42 })],
      ['of a session that never existed', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), sid: randomUUID() })],
      ['of a session that has ended', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), sid: endedSessionId })],
      ["of another user's session", () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), sid: othersSessionId })],
      ['without an expiry', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), exp: undefined })],
      ['expired a second ago', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), exp: now() - 1 })],
      ['not valid before an hour from now', () => hmac(secret(), { alg: 'HS256', typ: 'JWT' }, { ...valid(), nbf: now() + 3600 })],
      ['a refresh token', () => 'r'.repeat(43)],
    ];

    it.each(tokens)('%s', async (_case, token) => {
      const value = token();
      const response = await api().get('/api/users').set('Authorization', `Bearer ${value}`).expect(401);
      expect(response.body.message).toBe('Access token is invalid or expired, or its session has ended');
      expect((await connectError(server.baseUrl, { token: value })).message).toBe(SocketError.Unauthorized);
      expect((await connectError(server.baseUrl, { token: value, tokenInQuery: true })).message).toBe(SocketError.Unauthorized);
    });

    it('(the same claims signed properly are accepted, so each refusal above is for its one defect)', async () => {
      const token = hmac(secret(), { alg: 'HS256', typ: 'JWT' }, valid());
      await api().get('/api/users').set('Authorization', `Bearer ${token}`).expect(200);
      const socket = await connect(server.baseUrl, { token });
      expect(await socket.nth(ServerEvent.UnreadCount, 1)).toEqual({ count: 0 });
    });
  });

  it('disconnects a live socket within 1 s of its token expiring; it receives nothing more and the token is refused on REST', async () => {
    const nurse = await server.createUser('STAFF');
    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortLived = server.app.get(JwtService).sign({ sub: nurse.id, sid: (await server.signIn(nurse)).sessionId, exp });
    const expiring = await connect(server.baseUrl, { token: shortLived });
    const lasting: RecordingSocket = await connect(server.baseUrl, { token: nurse.token });
    await expiring.nth(ServerEvent.UnreadCount, 1);
    const disconnectedAt = new Promise<number>((resolve) => expiring.socket.once('disconnect', () => resolve(Date.now())));

    const lateness = (await disconnectedAt) - exp * 1000;
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(1000);
    expect(expiring.all(ServerEvent.SessionEnd)).toEqual([{ reason: SocketError.TokenExpired }]);

    const received = expiring.received.length;
    const pushed = lasting.next(ServerEvent.New);
    await send(nurse.id, 'After the expiry');
    expect(await pushed).toMatchObject({ title: 'After the expiry' });
    expect(expiring.received).toHaveLength(received);
    await api().get('/api/notifications').set('Authorization', `Bearer ${shortLived}`).expect(401);
    expect((await connectError(server.baseUrl, { token: shortLived })).message).toBe(SocketError.Unauthorized);
  });
});
