import request from 'supertest';
import { ClientEvent, MAX_BULK_IDS, NotificationDto, PlainClientMessage, PlainServerMessage, ServerEvent, SocketError } from '@clinic/contracts';
import { connectPlain } from './support/plain-websocket-client';
import { connect, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

describe('Inbox triage: archive, unread, snooze, bulk, filters', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp({}, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

  /** Sends `count` notifications to `user` through the API (as an admin would), oldest first; returns them newest first. */
  async function sendTo(user: TestUser, count: number, fields: object = {}): Promise<NotificationDto[]> {
    for (let i = 0; i < count; i++) {
      await api().post('/api/notifications/test').set(auth(admin)).send({ title: `Note ${i + 1}`, message: `Body ${i + 1}`, target: { userId: user.id }, ...fields }).expect(201);
    }
    return (await api().get('/api/notifications').query({ limit: count }).set(auth(user)).expect(200)).body.items;
  }

  /** What the database says the badge should show: unread, neither archived nor snoozed now. */
  const databaseCount = (user: TestUser) =>
    server.prisma.notification.count({
      where: { userId: user.id, readAt: null, archivedAt: null, OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: new Date() } }] },
    });

  /** The count each device last heard, once everything sent before now has arrived. */
  async function lastCounts(user: TestUser, devices: RecordingSocket[]): Promise<number[]> {
    const counts: number[] = [];
    for (const device of devices) {
      await device.settle(user.id);
      counts.push(device.all(ServerEvent.UnreadCount).at(-1)!.count);
    }
    return counts;
  }

  it('archive, unarchive, unread and snooze over REST and the socket keep every device’s count equal to the database’s', async () => {
    const nurse = await server.createUser('STAFF');
    const [third, second, first] = await sendTo(nurse, 3);
    const phone = await connect(server.baseUrl, { token: nurse.token });
    const desk = await connect(server.baseUrl, { token: nurse.token });
    await phone.nth(ServerEvent.UnreadCount, 1);
    await desk.nth(ServerEvent.UnreadCount, 1);
    const plain = await connectPlain(server.baseUrl, { token: nurse.token });
    await plain.nth(PlainServerMessage.UnreadCount, 1);
    const expectCounts = async (expected: number) => {
      expect(await databaseCount(nurse)).toBe(expected);
      expect(await lastCounts(nurse, [phone, desk])).toEqual([expected, expected]);
      expect((await api().get('/api/notifications/unread-count').set(auth(nurse)).expect(200)).body).toEqual({ count: expected });
    };

    desk.clear();
    const archived = await api().patch(`/api/notifications/${first.id}/archive`).set(auth(nurse)).expect(200);
    expect(archived.body).toMatchObject({ id: first.id, readAt: null, snoozedUntil: null, version: 1 });
    expect(archived.body.archivedAt).not.toBeNull();
    expect(await desk.nth(ServerEvent.Updated, 1)).toEqual(archived.body);
    await expectCounts(2);
    expect((await plain.nth(PlainServerMessage.NotificationUpdated, 1)).updates).toMatchObject({ archivedAt: archived.body.archivedAt, version: 1 });

    // The same again changes and pushes nothing.
    desk.clear();
    expect((await api().patch(`/api/notifications/${first.id}/archive`).set(auth(nurse)).expect(200)).body).toEqual(archived.body);
    await desk.settle(nurse.id);
    expect(desk.all(ServerEvent.Updated)).toEqual([]);

    const unarchived = await phone.socket.emitWithAck(ClientEvent.Unarchive, { id: first.id });
    expect(unarchived).toEqual({ ok: true, notification: expect.objectContaining({ id: first.id, archivedAt: null, version: 2 }) });
    await expectCounts(3);

    await api().patch(`/api/notifications/${second.id}/read`).set(auth(nurse)).expect(200);
    await expectCounts(2);
    const unread = await desk.socket.emitWithAck(ClientEvent.MarkUnread, { id: second.id });
    expect(unread).toEqual({ ok: true, notification: expect.objectContaining({ id: second.id, readAt: null, version: 2 }) });
    await expectCounts(3);

    const plainAnswer = await plain.request({ type: PlainClientMessage.Archive, payload: { id: third.id }, requestId: 'a1' });
    expect(plainAnswer).toMatchObject({ type: PlainServerMessage.Result, payload: { ok: true, notification: { id: third.id, version: 1 } } });
    await expectCounts(2);

    const until = new Date(Date.now() + 3600_000).toISOString();
    const snoozed = await api().patch(`/api/notifications/${first.id}/snooze`).set(auth(nurse)).send({ until }).expect(200);
    expect(snoozed.body).toMatchObject({ snoozedUntil: until, archivedAt: null });
    await expectCounts(1);
    // Snoozing an archived one takes it out of the archive.
    const moved = await phone.socket.emitWithAck(ClientEvent.Snooze, { id: third.id, until });
    expect(moved).toEqual({ ok: true, notification: expect.objectContaining({ id: third.id, archivedAt: null, snoozedUntil: until }) });
    await expectCounts(1);
    await api().patch(`/api/notifications/${first.id}/unsnooze`).set(auth(nurse)).expect(200);
    await expectCounts(2);
    plain.close();
  });

  it('lists by view, unread, type, priority and search, as the contract’s matchesFilter says', async () => {
    const nurse = await server.createUser('STAFF');
    const [plainNote] = await sendTo(nurse, 1, { title: 'Plain note', message: 'nothing to see' });
    await sendTo(nurse, 1, { title: '100% done', message: 'complete' });
    const [urgent] = await sendTo(nurse, 1, { title: 'Urgent', message: 'Room 4', priority: 'HIGH' });
    const [lab] = await sendTo(nurse, 1, { title: 'Lab results', message: 'Potassium HIGH', type: 'SYSTEM_ALERT', priority: 'NORMAL' });
    await api().patch(`/api/notifications/${plainNote.id}/archive`).set(auth(nurse)).expect(200);
    await api().patch(`/api/notifications/${urgent.id}/snooze`).set(auth(nurse)).send({ until: new Date(Date.now() + 60_000).toISOString() }).expect(200);
    await api().patch(`/api/notifications/${lab.id}/read`).set(auth(nurse)).expect(200);

    const titles = async (query: object) =>
      ((await api().get('/api/notifications').query(query).set(auth(nurse)).expect(200)).body.items as NotificationDto[]).map((n) => n.title);
    expect(await titles({})).toEqual(['Lab results', 'Urgent', '100% done', 'Plain note']);
    expect(await titles({ view: 'inbox' })).toEqual(['Lab results', '100% done']);
    expect(await titles({ view: 'archived' })).toEqual(['Plain note']);
    expect(await titles({ view: 'snoozed' })).toEqual(['Urgent']);
    expect(await titles({ view: 'inbox', unread: 'true' })).toEqual(['100% done']);
    expect(await titles({ type: 'SYSTEM_ALERT,GENERAL', priority: 'NORMAL' })).toEqual(['Lab results', '100% done', 'Plain note']);
    expect(await titles({ priority: 'HIGH' })).toEqual(['Urgent']);
    // Case-insensitive, in the title or message; `%` and `_` are plain characters.
    expect(await titles({ q: 'high' })).toEqual(['Lab results']);
    expect(await titles({ q: '100%' })).toEqual(['100% done']);
    expect(await titles({ q: '%' })).toEqual(['100% done']);
    expect(await titles({ q: '_' })).toEqual([]);

    for (const query of [{ view: 'trash' }, { type: 'GENERAL,NOPE' }, { priority: 'URGENT' }, { q: 'x'.repeat(101) }]) {
      const refused = await api().get('/api/notifications').query(query).set(auth(nurse)).expect(400);
      expect(refused.body.message.join(' ')).toMatch(/view|type|priority|q must/);
    }
  });

  it('brings a snoozed notification back on time on every device, with the count, and refuses bad times', async () => {
    const nurse = await server.createUser('STAFF');
    const [note] = await sendTo(nurse, 1);
    const phone = await connect(server.baseUrl, { token: nurse.token });
    const desk = await connect(server.baseUrl, { token: nurse.token });
    await phone.nth(ServerEvent.UnreadCount, 1);
    await desk.nth(ServerEvent.UnreadCount, 1);

    for (const until of ['tomorrow', new Date(Date.now() - 1000).toISOString(), new Date(Date.now() + 31 * 86_400_000).toISOString()]) {
      const refused = await api().patch(`/api/notifications/${note.id}/snooze`).set(auth(nurse)).send({ until }).expect(400);
      expect(String(refused.body.message)).toMatch(/until must/);
    }
    expect(await phone.socket.emitWithAck(ClientEvent.Snooze, { id: note.id } as never)).toEqual({ ok: false, error: SocketError.InvalidPayload });

    const until = new Date(Date.now() + 2000);
    await api().patch(`/api/notifications/${note.id}/snooze`).set(auth(nurse)).send({ until: until.toISOString() }).expect(200);
    expect(await lastCounts(nurse, [phone, desk])).toEqual([0, 0]);

    const reminders = await Promise.all([phone.next(ServerEvent.Reminder, 8000), desk.next(ServerEvent.Reminder, 8000)]);
    const late = Date.now() - until.getTime();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(3000);
    for (const reminder of reminders) expect(reminder).toMatchObject({ id: note.id, snoozedUntil: until.toISOString() });
    expect(await lastCounts(nurse, [phone, desk])).toEqual([1, 1]);
    expect(await databaseCount(nurse)).toBe(1);
    expect(((await api().get('/api/notifications').query({ view: 'inbox' }).set(auth(nurse)).expect(200)).body.items as NotificationDto[]).map((n) => n.id)).toEqual([note.id]);
  });

  it('tells nobody when a snooze was ended or replaced before its time', async () => {
    const nurse = await server.createUser('STAFF');
    const [note] = await sendTo(nurse, 1);
    const device = await connect(server.baseUrl, { token: nurse.token });
    await device.nth(ServerEvent.UnreadCount, 1);
    await api().patch(`/api/notifications/${note.id}/snooze`).set(auth(nurse)).send({ until: new Date(Date.now() + 1000).toISOString() }).expect(200);
    const later = new Date(Date.now() + 2500).toISOString();
    await api().patch(`/api/notifications/${note.id}/snooze`).set(auth(nurse)).send({ until: later }).expect(200);

    const reminder = await device.next(ServerEvent.Reminder, 8000);
    expect(reminder.snoozedUntil).toBe(later);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(later));
    await device.settle(nurse.id);
    expect(device.all(ServerEvent.Reminder)).toHaveLength(1);
  });

  it('keeps an alert awaiting acknowledgement in sight: no archive, snooze or delete (409, skipped in bulk)', async () => {
    const nurse = await server.createUser('STAFF');
    const [alert] = await sendTo(nurse, 1, { priority: 'CRITICAL' });
    const until = new Date(Date.now() + 60_000).toISOString();
    for (const call of [
      api().patch(`/api/notifications/${alert.id}/archive`),
      api().patch(`/api/notifications/${alert.id}/snooze`).send({ until }),
      api().delete(`/api/notifications/${alert.id}`),
    ]) {
      const refused = await call.set(auth(nurse)).expect(409);
      expect(refused.body.message).toMatch(/Acknowledge this alert/);
    }
    const device = await connect(server.baseUrl, { token: nurse.token });
    expect(await device.socket.emitWithAck(ClientEvent.Archive, { id: alert.id })).toEqual({ ok: false, error: SocketError.Conflict });
    const bulk = await api().post('/api/notifications/bulk').set(auth(nurse)).send({ action: 'archive', ids: [alert.id] }).expect(200);
    expect(bulk.body).toEqual({ updated: [], deleted: [], skipped: [{ id: alert.id, reason: 'awaiting-acknowledgement' }] });
    expect(await server.prisma.notification.findUniqueOrThrow({ where: { id: alert.id } })).toMatchObject({ archivedAt: null, snoozedUntil: null });

    await api().post(`/api/notifications/${alert.id}/ack`).set(auth(nurse)).expect(200);
    await api().patch(`/api/notifications/${alert.id}/archive`).set(auth(nurse)).expect(200);
  });

  it('applies a bulk action to the own ids, skips the rest, and pushes each change once', async () => {
    const nurse = await server.createUser('STAFF');
    const other = await server.createUser('STAFF');
    const mine = await sendTo(nurse, 4);
    const [theirs] = await sendTo(other, 1);
    const device = await connect(server.baseUrl, { token: nurse.token });
    await device.nth(ServerEvent.UnreadCount, 1);
    const ids = [mine[0].id, mine[1].id, theirs.id, 'not-an-id', mine[0].id];
    device.clear();

    const archived = await api().post('/api/notifications/bulk').set(auth(nurse)).send({ action: 'archive', ids }).expect(200);
    expect(archived.body.updated.map((n: NotificationDto) => n.id).sort()).toEqual([mine[0].id, mine[1].id].sort());
    expect(archived.body.skipped).toEqual([
      { id: theirs.id, reason: 'not-found' },
      { id: 'not-an-id', reason: 'not-found' },
    ]);
    expect((await device.nth(ServerEvent.UnreadCount, 1)).count).toBe(2);
    expect(device.all(ServerEvent.Updated)).toHaveLength(2);

    const read = await api().post('/api/notifications/bulk').set(auth(nurse)).send({ action: 'read', ids: mine.map((n) => n.id) }).expect(200);
    expect(read.body.updated).toHaveLength(4);
    device.clear();
    const deleted = await api().post('/api/notifications/bulk').set(auth(nurse)).send({ action: 'delete', ids: [mine[2].id, theirs.id] }).expect(200);
    expect(deleted.body).toEqual({ updated: [], deleted: [mine[2].id], skipped: [{ id: theirs.id, reason: 'not-found' }] });
    expect(await device.nth(ServerEvent.Deleted, 1)).toEqual({ id: mine[2].id });
    expect(await server.prisma.notification.count({ where: { id: theirs.id, readAt: null, archivedAt: null } })).toBe(1);

    const snoozeWithoutTime = await api().post('/api/notifications/bulk').set(auth(nurse)).send({ action: 'snooze', ids: [mine[3].id] }).expect(400);
    expect(String(snoozeWithoutTime.body.message)).toMatch(/until/);
    for (const body of [{ action: 'burn', ids: [mine[3].id] }, { action: 'read', ids: [] }, { action: 'read', ids: Array(MAX_BULK_IDS + 1).fill(mine[3].id) }]) {
      await api().post('/api/notifications/bulk').set(auth(nurse)).send(body).expect(400);
    }
  });

  it("answers 404 for another user's notification on every triage route and socket event, and changes nothing", async () => {
    const owner = await server.createUser('STAFF');
    const intruder = await server.createUser('STAFF');
    const [note] = await sendTo(owner, 1);
    const until = new Date(Date.now() + 60_000).toISOString();
    for (const route of ['unread', 'archive', 'unarchive', 'unsnooze']) {
      await api().patch(`/api/notifications/${note.id}/${route}`).set(auth(intruder)).expect(404);
    }
    await api().patch(`/api/notifications/${note.id}/snooze`).set(auth(intruder)).send({ until }).expect(404);
    const device = await connect(server.baseUrl, { token: intruder.token });
    for (const event of [ClientEvent.MarkUnread, ClientEvent.Archive, ClientEvent.Unarchive, ClientEvent.Unsnooze] as const) {
      expect(await device.socket.emitWithAck(event, { id: note.id })).toEqual({ ok: false, error: SocketError.NotFound });
    }
    expect(await device.socket.emitWithAck(ClientEvent.Snooze, { id: note.id, until })).toEqual({ ok: false, error: SocketError.NotFound });
    expect(await server.prisma.notification.findUniqueOrThrow({ where: { id: note.id } })).toMatchObject({ archivedAt: null, snoozedUntil: null, readAt: null, version: 0 });
  });
});
