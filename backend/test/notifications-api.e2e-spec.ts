import request from 'supertest';
import { ChannelSwitches, ClientEvent, DEFAULT_CHANNELS, NOTIFICATION_TYPES, NotificationType, ServerEvent, SocketError } from '@clinic/contracts';
import { connect } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

describe('Notifications REST API', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp({}, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const send = (body: object, key?: string) => {
    const call = api().post('/api/notifications/test').set(auth(admin));
    return (key === undefined ? call : call.set('Idempotency-Key', key)).send(body);
  };
  const countFor = (user: TestUser) => server.prisma.notification.count({ where: { userId: user.id } });

  async function seed(user: TestUser, count: number): Promise<void> {
    await server.prisma.notification.createMany({
      data: Array.from({ length: count }, (_, i) => ({ userId: user.id, type: 'GENERAL' as const, title: `N${i + 1}`, message: 'm' })),
    });
  }

  describe('listing', () => {
    it('pages through the own notifications newest first with a cursor, without gaps or repeats', async () => {
      const nurse = await server.createUser('STAFF');
      await seed(nurse, 25);
      const titles: string[] = [];
      let cursor: string | null = null;
      const pageSizes: number[] = [];
      do {
        const query = { limit: 10, ...(cursor ? { cursor } : {}) };
        const page: request.Response = await api().get('/api/notifications').query(query).set(auth(nurse)).expect(200);
        pageSizes.push(page.body.items.length);
        titles.push(...page.body.items.map((n: { title: string }) => n.title));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(pageSizes).toEqual([10, 10, 5]);
      expect(titles).toEqual(Array.from({ length: 25 }, (_, i) => `N${25 - i}`));
    });

    it('defaults to 20 per page and filters to unread ones with unread=true', async () => {
      const nurse = await server.createUser('STAFF');
      await seed(nurse, 22);
      const all = await api().get('/api/notifications').set(auth(nurse)).expect(200);
      expect(all.body.items).toHaveLength(20);
      const read = all.body.items.filter((_: unknown, i: number) => i % 2 === 0).map((n: { id: string }) => n.id);
      await server.prisma.notification.updateMany({ where: { id: { in: read } }, data: { readAt: new Date() } });

      const unread = await api().get('/api/notifications').query({ unread: 'true', limit: 100 }).set(auth(nurse)).expect(200);
      expect(unread.body.items).toHaveLength(22 - read.length);
      expect(unread.body.items.every((n: { readAt: string | null }) => n.readAt === null)).toBe(true);
      expect(unread.body.nextCursor).toBeNull();
      expect((await api().get('/api/notifications/unread-count').set(auth(nurse)).expect(200)).body).toEqual({ count: 22 - read.length });
    });

    it('refuses bad paging parameters with 400 and a clear message', async () => {
      const nurse = await server.createUser('STAFF');
      for (const query of [{ limit: 0 }, { limit: 101 }, { limit: 'ten' }, { cursor: 'abc' }, { cursor: '-5' }, { unread: 'yes' }, { page: 2 }]) {
        const response = await api().get('/api/notifications').query(query).set(auth(nurse)).expect(400);
        expect(response.body.message.join(' ')).toMatch(/limit|cursor|unread|page/);
      }
    });

    it('needs a signed-in user', async () => {
      await api().get('/api/notifications').expect(401);
      await api().get('/api/notifications/unread-count').expect(401);
    });
  });

  describe("another user's notification", () => {
    it('is 404 on every route, through REST and the socket, and nothing changes', async () => {
      const owner = await server.createUser('STAFF');
      const intruder = await server.createUser('STAFF');
      await seed(owner, 1);
      const [notification] = (await api().get('/api/notifications').set(auth(owner)).expect(200)).body.items;
      const ownerDevice = await connect(server.baseUrl, { token: owner.token });
      await ownerDevice.nth(ServerEvent.UnreadCount, 1);
      const intruderDevice = await connect(server.baseUrl, { token: intruder.token });

      const read = await api().patch(`/api/notifications/${notification.id}/read`).set(auth(intruder)).expect(404);
      const deleted = await api().delete(`/api/notifications/${notification.id}`).set(auth(intruder)).expect(404);
      const unknown = await api().patch('/api/notifications/00000000-0000-4000-8000-000000000000/read').set(auth(intruder)).expect(404);
      for (const response of [read, deleted, unknown]) {
        expect(response.body).toEqual({ statusCode: 404, message: 'Notification not found', error: 'Not Found' });
      }
      const answer = await intruderDevice.socket.emitWithAck(ClientEvent.MarkRead, { id: notification.id });
      expect(answer).toEqual({ ok: false, error: SocketError.NotFound });

      const after = await api().get('/api/notifications').set(auth(owner)).expect(200);
      expect(after.body.items).toEqual([notification]);
      await ownerDevice.settle(owner.id);
      expect(ownerDevice.received.map((e) => e.event)).toEqual([ServerEvent.UnreadCount]);
      expect((await api().get('/api/notifications').set(auth(intruder)).expect(200)).body.items).toEqual([]);
    });
  });

  describe('preferences', () => {
    it('start with every channel on and change only the listed types and channels', async () => {
      const nurse = await server.createUser('STAFF');
      const initial = await api().get('/api/notifications/preferences').set(auth(nurse)).expect(200);
      expect(initial.body).toEqual(NOTIFICATION_TYPES.map((type) => ({ type, muted: false, channels: DEFAULT_CHANNELS })));

      const put = (preferences: object[]) => api().put('/api/notifications/preferences').set(auth(nurse)).send({ preferences }).expect(200);
      await put([{ type: 'GENERAL', muted: true }, { type: 'SYSTEM_ALERT', muted: true, channels: { sms: false } }]);
      await put([{ type: 'SYSTEM_ALERT', muted: false }, { type: 'GENERAL', channels: { email: false, sound: false } }]);
      const updated = await put([{ type: 'ORDER_CREATED', channels: { inApp: false } }]);
      const expected: Partial<Record<NotificationType, Partial<ChannelSwitches>>> = {
        GENERAL: { inApp: false, email: false, sound: false },
        SYSTEM_ALERT: { sms: false },
        ORDER_CREATED: { inApp: false },
      };
      expect(updated.body).toEqual(
        NOTIFICATION_TYPES.map((type) => {
          const channels = { ...DEFAULT_CHANNELS, ...expected[type] };
          return { type, muted: !channels.inApp, channels };
        }),
      );
      expect((await api().get('/api/notifications/preferences').set(auth(nurse)).expect(200)).body).toEqual(updated.body);
    });

    it('a muted type is still stored, counted and pushed, but flagged muted; CRITICAL is never muted', async () => {
      const nurse = await server.createUser('STAFF');
      await api().put('/api/notifications/preferences').set(auth(nurse)).send({ preferences: [{ type: 'GENERAL', muted: true }] }).expect(200);
      const socket = await connect(server.baseUrl, { token: nurse.token });
      await socket.nth(ServerEvent.UnreadCount, 1);

      await send({ title: 'Muted', message: 'm', target: { userId: nurse.id } }).expect(201);
      await send({ title: 'Critical', message: 'm', priority: 'CRITICAL', target: { userId: nurse.id } }).expect(201);
      await send({ title: 'Other type', message: 'm', type: 'SYSTEM_ALERT', target: { userId: nurse.id } }).expect(201);

      expect((await socket.nth(ServerEvent.New, 3))).toMatchObject({ title: 'Other type', muted: false });
      expect(socket.all(ServerEvent.New).map((n) => [n.title, n.muted])).toEqual([
        ['Muted', true],
        ['Critical', false],
        ['Other type', false],
      ]);
      expect(await socket.nth(ServerEvent.UnreadCount, 4)).toEqual({ count: 3 });
      expect((await api().get('/api/notifications').set(auth(nurse)).expect(200)).body.items).toHaveLength(3);

      const replay = await connect(server.baseUrl, { token: nurse.token, lastSeq: '0' });
      await replay.nth(ServerEvent.UnreadCount, 1);
      expect(replay.all(ServerEvent.New).map((n) => [n.title, n.muted])).toEqual([
        ['Muted', true],
        ['Critical', false],
        ['Other type', false],
      ]);
    });

    it('refuses unknown types, repeated types, extra fields and non-boolean values', async () => {
      const nurse = await server.createUser('STAFF');
      for (const preferences of [
        [{ type: 'NOPE', muted: true }],
        [{ type: 'GENERAL', muted: true }, { type: 'GENERAL', muted: false }],
        [{ type: 'GENERAL', muted: true, extra: 1 }],
        [{ type: 'GENERAL', muted: 'yes' }],
        [{ type: 'GENERAL' }],
        [{ type: 'GENERAL', channels: {} }],
        [{ type: 'GENERAL', channels: { fax: true } }],
        [{ type: 'GENERAL', channels: { email: 'no' } }],
        [{ type: 'GENERAL', muted: true, channels: { inApp: true } }],
        'GENERAL',
      ]) {
        const response = await api().put('/api/notifications/preferences').set(auth(nurse)).send({ preferences }).expect(400);
        expect(response.body.message[0]).toMatch(/^preferences must be a list/);
      }
      await api().put('/api/notifications/preferences').set(auth(nurse)).send({ preferences: [], more: 1 }).expect(400);
    });
  });

  describe('settings', () => {
    it('start with UTC and nothing set; change only the fields given; null clears', async () => {
      const nurse = await server.createUser('STAFF');
      const get = async () => (await api().get('/api/notifications/settings').set(auth(nurse)).expect(200)).body;
      const put = (body: object) => api().put('/api/notifications/settings').set(auth(nurse)).send(body);
      expect(await get()).toEqual({ timeZone: 'UTC', quietHours: null, digestTime: null, hideDetails: false, phone: null, language: 'en' });

      await put({ timeZone: 'Europe/Zurich', quietHours: { start: '22:00', end: '07:00' }, digestTime: '08:30', phone: '+41791234567' }).expect(200);
      const changed = (await put({ hideDetails: true }).expect(200)).body;
      expect(changed).toEqual({ timeZone: 'Europe/Zurich', quietHours: { start: '22:00', end: '07:00' }, digestTime: '08:30', hideDetails: true, phone: '+41791234567', language: 'en' });
      expect(await get()).toEqual(changed);
      await put({ quietHours: null, digestTime: null, phone: null }).expect(200);
      expect(await get()).toEqual({ ...changed, quietHours: null, digestTime: null, phone: null });
    });

    it("a phone change is audited, as an admin's change of it is", async () => {
      const nurse = await server.createUser('STAFF');
      await api().put('/api/notifications/settings').set(auth(nurse)).send({ phone: '+41791234568' }).expect(200);
      const entries = await server.prisma.auditLog.findMany({ where: { targetId: nurse.id, action: 'user.updated' } });
      expect(entries.map((entry) => [entry.actorId, entry.details])).toEqual([[nurse.id, { changes: { phone: { from: null, to: '+41791234568' } }, by: 'self' }]]);
    });

    it('refuses a bad time zone, clock time or phone, an empty change and unknown fields, with a message', async () => {
      const nurse = await server.createUser('STAFF');
      const refused = async (body: unknown, message: RegExp) => {
        const response = await api().put('/api/notifications/settings').set(auth(nurse)).send(body as object).expect(400);
        expect([response.body.message].flat().join(' ')).toMatch(message);
      };
      await refused({ timeZone: 'Mars/Olympus' }, /timeZone must be an IANA time zone/);
      await refused({ timeZone: null }, /timeZone/);
      await refused({ quietHours: { start: '25:00', end: '07:00' } }, /quietHours\.start must be a time of day/);
      await refused({ quietHours: { start: '22:00' } }, /quietHours\.end/);
      await refused({ quietHours: '22-07' }, /quietHours must be/);
      await refused({ digestTime: '8:00' }, /digestTime must be a time of day/);
      await refused({ phone: '0791234567' }, /E\.164/);
      await refused({ hideDetails: 'yes' }, /hideDetails must be true or false/);
      await refused({ language: 'xx' }, /language must be one of en, es/);
      await refused({}, /Send at least one of/);
      await refused({ colour: 'blue' }, /colour/);
      expect((await api().get('/api/notifications/settings').set(auth(nurse)).expect(200)).body.timeZone).toBe('UTC');
    });
  });

  describe('admin notifications', () => {
    it('reach one user, a role or everyone, and say how many were created', async () => {
      const staffCount = () => server.prisma.user.count({ where: { role: 'STAFF' } });
      const nurse = await server.createUser('STAFF');
      expect((await send({ title: 'One', message: 'm', target: { userId: nurse.id } }).expect(201)).body).toMatchObject({ created: 1, status: 'sent' });
      expect((await send({ title: 'Role', message: 'm', target: { role: 'STAFF' } }).expect(201)).body).toMatchObject({ created: await staffCount() });
      const everyone = await server.prisma.user.count();
      expect((await send({ title: 'All', message: 'm', target: { all: true } }).expect(201)).body).toMatchObject({ created: everyone });
      expect(await countFor(nurse)).toBe(3);
    });

    it('are for admins only', async () => {
      const nurse = await server.createUser('STAFF');
      await api().post('/api/notifications/test').set(auth(nurse)).send({ title: 'x', message: 'm', target: { all: true } }).expect(403);
      expect(await countFor(nurse)).toBe(0);
    });

    it('refuse a bad body with 400 and a clear message', async () => {
      const nurse = await server.createUser('STAFF');
      const valid = { title: 'T', message: 'M', target: { userId: nurse.id } };
      const cases: Array<[object, RegExp]> = [
        [{ ...valid, target: {} }, /^target must be exactly one of/],
        [{ ...valid, target: { userId: nurse.id, role: 'STAFF' } }, /^target must be exactly one of/],
        [{ ...valid, target: { all: false } }, /^target must be exactly one of/],
        [{ ...valid, target: { role: 'DOCTOR' } }, /^target must be exactly one of/],
        [{ ...valid, target: { userId: '00000000-0000-4000-8000-000000000000' } }, /^target.userId does not name an existing user$/],
        [{ ...valid, title: '' }, /title/],
        [{ ...valid, message: 'x'.repeat(2001) }, /message/],
        [{ ...valid, type: 'SPAM' }, /^type must be one of/],
        [{ ...valid, priority: 'URGENT' }, /^priority must be one of/],
        [{ ...valid, actionUrl: 'https://evil.example' }, /^actionUrl must be an in-app path/],
        [{ ...valid, actionUrl: '//evil.example' }, /^actionUrl must be an in-app path/],
        [{ ...valid, actionUrl: '/\\evil.example' }, /^actionUrl must be an in-app path/],
        [{ ...valid, metadata: { a: 1 } }, /property metadata should not exist/],
      ];
      for (const [body, message] of cases) {
        const response = await send(body).expect(400);
        expect([response.body.message].flat().join('\n')).toMatch(message);
      }
      expect(await countFor(nurse)).toBe(0);
    });
  });

  describe('Idempotency-Key', () => {
    it('a retry returns the first result and creates nothing new', async () => {
      const nurse = await server.createUser('STAFF');
      const body = { title: 'Once', message: 'm', target: { userId: nurse.id } };
      const first = await send(body, 'retry-1').expect(201);
      const retry = await send(body, 'retry-1').expect(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(await countFor(nurse)).toBe(1);
      await send(body, 'retry-2').expect(201);
      expect(await countFor(nurse)).toBe(2);
    });

    it('concurrent duplicates create exactly one', async () => {
      const nurse = await server.createUser('STAFF');
      const body = { title: 'Race', message: 'm', target: { userId: nurse.id } };
      const responses = await Promise.all(Array.from({ length: 5 }, () => send(body, 'race-1')));
      expect(responses.map((r) => [r.status, r.body.created])).toEqual(Array(5).fill([201, 1]));
      // Every retry answers with the one send that was made.
      expect(new Set(responses.map((r) => r.body.sendId)).size).toBe(1);
      expect(await countFor(nurse)).toBe(1);
    });

    it('a key reused for a different request is refused with 422', async () => {
      const nurse = await server.createUser('STAFF');
      await send({ title: 'A', message: 'm', target: { userId: nurse.id } }, 'reused').expect(201);
      const response = await send({ title: 'B', message: 'm', target: { userId: nurse.id } }, 'reused').expect(422);
      expect(response.body.message).toMatch(/already used for a different request/);
      expect(await countFor(nurse)).toBe(1);
    });

    it('keys are per user: the same key from another admin is a new request', async () => {
      const nurse = await server.createUser('STAFF');
      const otherAdmin = await server.createUser('ADMIN');
      const body = { title: 'Per user', message: 'm', target: { userId: nurse.id } };
      await send(body, 'shared-key').expect(201);
      await api().post('/api/notifications/test').set(auth(otherAdmin)).set('Idempotency-Key', 'shared-key').send(body).expect(201);
      expect(await countFor(nurse)).toBe(2);
    });

    it('a malformed key is refused with 400 before anything is written', async () => {
      const nurse = await server.createUser('STAFF');
      const body = { title: 'Bad key', message: 'm', target: { userId: nurse.id } };
      for (const key of ['x'.repeat(201), 'has space', 'tab\there']) {
        const response = await send(body, key).expect(400);
        expect(response.body.message).toMatch(/^Idempotency-Key must be 1 to 200 printable ASCII characters/);
      }
      await send(body, 'x'.repeat(200)).expect(201);
      expect(await countFor(nurse)).toBe(1);
    });
  });
});
