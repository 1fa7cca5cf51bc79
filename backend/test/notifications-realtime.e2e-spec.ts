import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { ClientEvent, NewNotificationPayload, roleRoom, ServerEvent, SocketError, userRoom } from '@clinic/contracts';
import { connect, connectError, createSocket, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

describe('Real-time notifications over Socket.IO', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp({}, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const device = (user: TestUser, lastSeq?: string) => connect(server.baseUrl, { token: user.token, lastSeq });

  const send = (body: object) => api().post('/api/notifications/test').set(auth(admin)).send(body).expect(201);

  async function notify(user: TestUser, title = 'Hello', extra: object = {}): Promise<void> {
    await send({ title, message: `${title}!`, target: { userId: user.id }, ...extra });
  }

  /** Creates a notification for `user` and returns it as the user's device received it. */
  async function notifyAndReceive(user: TestUser, on: RecordingSocket, title = 'Hello'): Promise<NewNotificationPayload> {
    const received = on.next(ServerEvent.New);
    await notify(user, title);
    return received;
  }

  describe('delivery', () => {
    it("reaches every device of the recipient with the new unread count, and nobody else's", async () => {
      const nurse = await server.createUser('STAFF');
      const doctor = await server.createUser('STAFF');
      const [laptop, phone, doctorsLaptop] = await Promise.all([device(nurse), device(nurse), device(doctor)]);
      await Promise.all([laptop, phone, doctorsLaptop].map((socket) => socket.nth(ServerEvent.UnreadCount, 1)));

      await notify(nurse, 'Lab results', { priority: 'HIGH', actionUrl: '/orders' });

      for (const socket of [laptop, phone]) {
        const notification = await socket.nth(ServerEvent.New, 1);
        expect(notification).toMatchObject({
          userId: nurse.id,
          type: 'GENERAL',
          title: 'Lab results',
          message: 'Lab results!',
          priority: 'HIGH',
          actionUrl: '/orders',
          actionText: 'Open',
          readAt: null,
          muted: false,
        });
        expect(notification.seq).toMatch(/^\d+$/);
        expect(new Date(notification.createdAt).toISOString()).toBe(notification.createdAt);
        expect(Math.abs(Date.parse(notification.createdAt) - Date.now())).toBeLessThan(60_000);
        expect(await socket.nth(ServerEvent.UnreadCount, 2)).toEqual({ count: 1 });
      }
      await doctorsLaptop.settle(doctor.id);
      expect(doctorsLaptop.all(ServerEvent.New)).toEqual([]);
      expect(doctorsLaptop.all(ServerEvent.UnreadCount)).toEqual([{ count: 0 }]);
    });

    it('persists before it pushes: the pushed notification is already in the list', async () => {
      const nurse = await server.createUser('STAFF');
      const laptop = await device(nurse);
      const pushed = await notifyAndReceive(nurse, laptop);
      const list = await api().get('/api/notifications').set(auth(nurse)).expect(200);
      const { muted: _muted, prevSeq: _prevSeq, ...stored } = pushed;
      expect(list.body.items).toEqual([stored]);
    });

    it('a broadcast to a role reaches that role only; one to everyone reaches all', async () => {
      const nurse = await server.createUser('STAFF');
      const otherAdmin = await server.createUser('ADMIN');
      const [nurseSocket, adminSocket] = await Promise.all([device(nurse), device(otherAdmin)]);

      const toStaff = nurseSocket.next(ServerEvent.New);
      await send({ title: 'Staff meeting', message: 'At 3', target: { role: 'STAFF' } });
      expect(await toStaff).toMatchObject({ title: 'Staff meeting' });
      await adminSocket.settle(otherAdmin.id);
      expect(adminSocket.all(ServerEvent.New)).toEqual([]);

      const toAll = Promise.all([nurseSocket.next(ServerEvent.New), adminSocket.next(ServerEvent.New)]);
      await send({ title: 'Fire drill', message: 'Now', type: 'SYSTEM_ALERT', target: { all: true } });
      for (const notification of await toAll) expect(notification).toMatchObject({ title: 'Fire drill', type: 'SYSTEM_ALERT', priority: 'HIGH' });
    });
  });

  describe('changes reach every device of the user', () => {
    let nurse: TestUser;
    let laptop: RecordingSocket;
    let phone: RecordingSocket;

    beforeEach(async () => {
      nurse = await server.createUser('STAFF');
      [laptop, phone] = await Promise.all([device(nurse), device(nurse)]);
      await Promise.all([laptop.nth(ServerEvent.UnreadCount, 1), phone.nth(ServerEvent.UnreadCount, 1)]);
    });

    async function twoNotifications(): Promise<[NewNotificationPayload, NewNotificationPayload]> {
      const first = await notifyAndReceive(nurse, phone, 'First');
      const second = await notifyAndReceive(nurse, phone, 'Second');
      await laptop.nth(ServerEvent.New, 2);
      return [first, second];
    }

    it('marking read through REST on one device updates the other with the new count', async () => {
      const [first] = await twoNotifications();
      const updated = phone.next(ServerEvent.Updated);
      const counts = phone.all(ServerEvent.UnreadCount).length;

      const response = await api().patch(`/api/notifications/${first.id}/read`).set(auth(nurse)).expect(200);

      expect(response.body).toMatchObject({ id: first.id, readAt: expect.any(String) });
      expect(await updated).toEqual(response.body);
      expect(await phone.nth(ServerEvent.UnreadCount, counts + 1)).toEqual({ count: 1 });
      expect(await api().get('/api/notifications/unread-count').set(auth(nurse)).expect(200)).toHaveProperty('body', { count: 1 });
    });

    it('marking read through the socket acknowledges, sends read-ack to that device and updates the other', async () => {
      const [first] = await twoNotifications();
      const updated = phone.next(ServerEvent.Updated);
      const readAck = laptop.next(ServerEvent.ReadAck);
      const counts = phone.all(ServerEvent.UnreadCount).length;

      const answer = await laptop.socket.emitWithAck(ClientEvent.MarkRead, { id: first.id });

      expect(answer).toMatchObject({ ok: true, notification: { id: first.id, readAt: expect.any(String) } });
      const readAt = answer.ok ? answer.notification.readAt : null;
      expect(await readAck).toEqual({ id: first.id, readAt });
      expect(await updated).toMatchObject({ id: first.id, readAt });
      expect(await phone.nth(ServerEvent.UnreadCount, counts + 1)).toEqual({ count: 1 });
      await phone.settle(nurse.id);
      expect(phone.all(ServerEvent.ReadAck)).toEqual([]);
    });

    it('marking read twice changes nothing the second time', async () => {
      const [first] = await twoNotifications();
      const once = await api().patch(`/api/notifications/${first.id}/read`).set(auth(nurse)).expect(200);
      await phone.nth(ServerEvent.Updated, 1);
      const twice = await api().patch(`/api/notifications/${first.id}/read`).set(auth(nurse)).expect(200);
      expect(twice.body.readAt).toBe(once.body.readAt);
      await phone.settle(nurse.id);
      expect(phone.all(ServerEvent.Updated)).toHaveLength(1);
    });

    it('deleting on one device removes it on the other with the new count', async () => {
      const [first] = await twoNotifications();
      const deleted = phone.next(ServerEvent.Deleted);
      const counts = phone.all(ServerEvent.UnreadCount).length;

      await api().delete(`/api/notifications/${first.id}`).set(auth(nurse)).expect(204);

      expect(await deleted).toEqual({ id: first.id });
      expect(await phone.nth(ServerEvent.UnreadCount, counts + 1)).toEqual({ count: 1 });
      await api().delete(`/api/notifications/${first.id}`).set(auth(nurse)).expect(404);
    });

    it('marking all read (REST or socket) makes every device refresh, with a count of zero', async () => {
      await twoNotifications();
      const refresh = phone.next(ServerEvent.Refresh);
      const counts = phone.all(ServerEvent.UnreadCount).length;
      const response = await api().patch('/api/notifications/read-all').set(auth(nurse)).expect(200);
      expect(response.body).toEqual({ updated: 2 });
      await refresh;
      expect(await phone.nth(ServerEvent.UnreadCount, counts + 1)).toEqual({ count: 0 });

      await notifyAndReceive(nurse, laptop);
      const laptopRefresh = laptop.next(ServerEvent.Refresh);
      expect(await phone.socket.emitWithAck(ClientEvent.MarkAllRead)).toEqual({ ok: true, updated: 1 });
      await laptopRefresh;
    });
  });

  describe('handshake', () => {
    const jwt = () => server.app.get(JwtService);

    it('refuses a missing, malformed, forged or expired token with connect_error "unauthorized"', async () => {
      const nurse = await server.createUser('STAFF');
      const now = Math.floor(Date.now() / 1000);
      const { sessionId } = await server.signIn(nurse);
      const expired = jwt().sign({ sub: nurse.id, sid: sessionId, iat: now - 120, exp: now - 60 });
      const otherSecret = new JwtService({ secret: 'another-secret-that-is-long-enough-0123456789' });
      const forged = otherSecret.sign({ sub: nurse.id, sid: sessionId }, { expiresIn: 60 });
      for (const token of [undefined, '', 'not-a-jwt', forged, expired]) {
        const error = await connectError(server.baseUrl, { token });
        expect(error.message).toBe(SocketError.Unauthorized);
      }
      expect((await connectError(server.baseUrl, { token: expired, tokenInQuery: true })).message).toBe(SocketError.Unauthorized);
    });

    it('a refused socket receives nothing meant for the user', async () => {
      const nurse = await server.createUser('STAFF');
      const now = Math.floor(Date.now() / 1000);
      const expired = jwt().sign({ sub: nurse.id, sid: (await server.signIn(nurse)).sessionId, iat: now - 120, exp: now - 60 });
      const refused = new RecordingSocket(createSocket(server.baseUrl, { token: expired }));
      await expect(refused.connect()).rejects.toThrow(SocketError.Unauthorized);
      const valid = await device(nurse);
      await notifyAndReceive(nurse, valid);
      expect(refused.received).toEqual([]);
    });

    it('accepts the token in the query string too', async () => {
      const nurse = await server.createUser('STAFF');
      const socket = await connect(server.baseUrl, { token: nurse.token, tokenInQuery: true });
      expect(await socket.nth(ServerEvent.UnreadCount, 1)).toEqual({ count: 0 });
    });

    it('ends the socket when its token expires, saying so, so the client can refresh and reconnect', async () => {
      const nurse = await server.createUser('STAFF');
      const now = Math.floor(Date.now() / 1000);
      const shortLived = jwt().sign({ sub: nurse.id, sid: (await server.signIn(nurse)).sessionId, iat: now, exp: now + 2 });
      const socket = await connect(server.baseUrl, { token: shortLived });
      const disconnected = new Promise<string>((resolve) => socket.socket.once('disconnect', resolve));

      expect(await socket.next(ServerEvent.SessionEnd, 5000)).toEqual({ reason: SocketError.TokenExpired });
      expect(await disconnected).toBe('io server disconnect');
      expect(Date.now()).toBeGreaterThanOrEqual((now + 2) * 1000);
    });
  });

  describe('rooms', () => {
    it('lets a socket re-subscribe only to its own user and role rooms; anything else is forbidden', async () => {
      const nurse = await server.createUser('STAFF');
      const doctor = await server.createUser('STAFF');
      const socket = await device(nurse);
      const ask = (event: 'subscribe' | 'unsubscribe' | 'join', channel: unknown) =>
        socket.socket.emitWithAck(event as typeof ClientEvent.Subscribe, { channel } as { channel: string });

      expect(await ask(ClientEvent.Subscribe, userRoom(nurse.id))).toEqual({ ok: true });
      expect(await ask(ClientEvent.Join, roleRoom('STAFF'))).toEqual({ ok: true });
      expect(await ask(ClientEvent.Subscribe, userRoom(doctor.id))).toEqual({ ok: false, error: SocketError.Forbidden });
      expect(await ask(ClientEvent.Join, userRoom(doctor.id))).toEqual({ ok: false, error: SocketError.Forbidden });
      expect(await ask(ClientEvent.Subscribe, roleRoom('ADMIN'))).toEqual({ ok: false, error: SocketError.Forbidden });
      expect(await ask(ClientEvent.Unsubscribe, userRoom(doctor.id))).toEqual({ ok: false, error: SocketError.Forbidden });
      expect(await ask(ClientEvent.Subscribe, 42)).toEqual({ ok: false, error: SocketError.InvalidPayload });

      await notify(doctor, 'Not for the nurse');
      await socket.settle(nurse.id);
      expect(socket.all(ServerEvent.New)).toEqual([]);
    });

    it('stops pushing to a socket that unsubscribed from its user room until it subscribes again', async () => {
      const nurse = await server.createUser('STAFF');
      const socket = await device(nurse);
      expect(await socket.socket.emitWithAck(ClientEvent.Unsubscribe, { channel: userRoom(nurse.id) })).toEqual({ ok: true });
      await notify(nurse, 'While away');
      await socket.settle(nurse.id);
      expect(socket.all(ServerEvent.New)).toEqual([]);
      expect(await notifyAndReceive(nurse, socket, 'Back')).toMatchObject({ title: 'Back' });
    });

    it('answers malformed commands with an error instead of failing', async () => {
      const nurse = await server.createUser('STAFF');
      const socket = (await device(nurse)).socket;
      const raw = socket as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
      for (const payload of [undefined, null, 'x', 42, [], { id: 7 }, { id: '' }, { id: 'x'.repeat(201) }]) {
        expect(await raw.emitWithAck(ClientEvent.MarkRead, payload)).toEqual({ ok: false, error: SocketError.InvalidPayload });
      }
      for (const payload of [undefined, {}, { afterSeq: 5 }, { afterSeq: '-1' }, { afterSeq: '1e3' }, { afterSeq: '99999999999999999999' }]) {
        expect(await raw.emitWithAck(ClientEvent.Sync, payload)).toEqual({ ok: false, error: SocketError.InvalidPayload });
      }
      expect(await raw.emitWithAck(ClientEvent.MarkRead, { id: 'no-such-notification' })).toEqual({ ok: false, error: SocketError.NotFound });
      expect(socket.connected).toBe(true);
    });
  });

  describe('protection', () => {
    it('answers a flood of commands from one socket with rate-limited, and keeps the socket', async () => {
      const nurse = await server.createUser('STAFF');
      const socket = (await device(nurse)).socket;
      const answers = await Promise.all(
        Array.from({ length: 60 }, () => socket.emitWithAck(ClientEvent.Subscribe, { channel: userRoom(nurse.id) })),
      );
      expect(answers.filter((answer) => answer.ok).length).toBeGreaterThanOrEqual(30);
      expect(answers).toContainEqual({ ok: false, error: SocketError.RateLimited });
      expect(socket.connected).toBe(true);
    });

    it('closes a connection that sends a message over 16 KB', async () => {
      const nurse = await server.createUser('STAFF');
      const socket = (await device(nurse)).socket;
      const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      socket.emit(ClientEvent.MarkRead, { id: 'x'.repeat(20 * 1024) }, () => {});
      expect(await closed).toBe('transport close');
    });
  });

  describe('catch-up', () => {
    it('a client offline while 5 notifications were created gets exactly those 5, in order, on reconnect with its lastSeq', async () => {
      const nurse = await server.createUser('STAFF');
      const before = await device(nurse);
      const lastSeen = await notifyAndReceive(nurse, before, 'Seen');
      before.disconnect();

      for (let i = 1; i <= 5; i++) await notify(nurse, `Missed ${i}`);

      const after = await device(nurse, lastSeen.seq);
      expect(await after.nth(ServerEvent.UnreadCount, 1)).toEqual({ count: 6 });
      const replayed = after.all(ServerEvent.New);
      expect(replayed.map((n) => n.title)).toEqual(['Missed 1', 'Missed 2', 'Missed 3', 'Missed 4', 'Missed 5']);
      const seqs = replayed.map((n) => BigInt(n.seq));
      expect(seqs.every((seq, i) => seq > (i === 0 ? BigInt(lastSeen.seq) : seqs[i - 1]))).toBe(true);
      expect(after.received.map((e) => e.event)).toEqual([...Array(5).fill(ServerEvent.New), ServerEvent.UnreadCount]);
    });

    it('sync replays what came after a seq and acknowledges how many', async () => {
      const nurse = await server.createUser('STAFF');
      const socket = await device(nurse);
      const first = await notifyAndReceive(nurse, socket, 'One');
      await notifyAndReceive(nurse, socket, 'Two');
      const third = await notifyAndReceive(nurse, socket, 'Three');
      socket.clear();

      expect(await socket.socket.emitWithAck(ClientEvent.Sync, { afterSeq: first.seq })).toEqual({
        ok: true,
        replayed: 2,
        refresh: false,
        upToSeq: third.seq,
      });
      expect(socket.all(ServerEvent.New).map((n) => n.title)).toEqual(['Two', 'Three']);
      expect(socket.all(ServerEvent.UnreadCount)).toEqual([{ count: 3 }]);
    });

    it('asks the client to refetch when it missed more than one page', async () => {
      const nurse = await server.createUser('STAFF');
      await server.prisma.notification.createMany({
        data: Array.from({ length: 101 }, (_, i) => ({ userId: nurse.id, type: 'GENERAL' as const, title: `Bulk ${i}`, message: 'm' })),
      });
      const socket = await device(nurse, '0');
      expect(await socket.nth(ServerEvent.UnreadCount, 1)).toEqual({ count: 101 });
      expect(socket.received.map((e) => e.event)).toEqual([ServerEvent.Refresh, ServerEvent.UnreadCount]);
      expect(await socket.socket.emitWithAck(ClientEvent.Sync, { afterSeq: '0' })).toEqual({ ok: true, replayed: 0, refresh: true, upToSeq: '0' });
    });

    it('asks the client to refetch when its lastSeq cannot be read', async () => {
      const nurse = await server.createUser('STAFF');
      const socket = await device(nurse, 'yesterday');
      await socket.nth(ServerEvent.UnreadCount, 1);
      expect(socket.received.map((e) => e.event)).toEqual([ServerEvent.Refresh, ServerEvent.UnreadCount]);
    });
  });
});
