import request from 'supertest';
import { ClientEvent, NewNotificationPayload, ServerEvent } from '@clinic/contracts';
import { RedisProcess, killAllProcesses } from './support/processes';
import { describeWith } from './support/requirements';
import { closeAllSockets, connect, RecordingSocket } from './support/sockets';
import { createTestDatabase, startTestApp, TestApp, TestDatabase, TestUser, useTestApp } from './support/test-app';

describe('Catch-up without gaps: every notification links to the previous one of its recipient', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp({}, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const send = (target: object, title = 'Hello') =>
    api().post('/api/notifications/test').set(auth(admin)).send({ title, message: 'm', target }).expect(201);

  async function device(user: TestUser, lastSeq?: string): Promise<RecordingSocket> {
    const socket = await connect(server.baseUrl, { token: user.token, lastSeq });
    await socket.nth(ServerEvent.UnreadCount, 1);
    return socket;
  }

  it('names the seq of the recipient\'s previous notification ("0" for the first) as prevSeq', async () => {
    const nurse = await server.createUser('STAFF');
    const socket = await device(nurse);
    for (const title of ['One', 'Two', 'Three']) await send({ userId: nurse.id }, title);

    const [one, two, three] = await Promise.all([1, 2, 3].map((n) => socket.nth(ServerEvent.New, n)));
    expect([one.prevSeq, two.prevSeq, three.prevSeq]).toEqual(['0', one.seq, two.seq]);
  });

  it("gives each recipient of a broadcast its own previous seq", async () => {
    const nurse = await server.createUser('STAFF');
    const newcomer = await server.createUser('STAFF');
    const [nurseSocket, newcomerSocket] = await Promise.all([device(nurse), device(newcomer)]);
    await send({ userId: nurse.id }, 'Before');
    const before = await nurseSocket.nth(ServerEvent.New, 1);

    await send({ role: 'STAFF' }, 'To all staff');

    expect(await nurseSocket.nth(ServerEvent.New, 2)).toMatchObject({ title: 'To all staff', prevSeq: before.seq });
    expect(await newcomerSocket.nth(ServerEvent.New, 1)).toMatchObject({ title: 'To all staff', prevSeq: '0' });
  });

  it('links concurrent writes for one user into one unbroken chain', async () => {
    const nurse = await server.createUser('STAFF');
    const socket = await device(nurse);
    await Promise.all(Array.from({ length: 20 }, (_, i) => send({ userId: nurse.id }, `Concurrent ${i}`)));

    await socket.nth(ServerEvent.New, 20);
    const chain = socket.all(ServerEvent.New).sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
    expect(chain.map((n) => n.prevSeq)).toEqual(['0', ...chain.slice(0, -1).map((n) => n.seq)]);
  });

  it('does not link to a notification deleted before the next one was created', async () => {
    const nurse = await server.createUser('STAFF');
    const socket = await device(nurse);
    await send({ userId: nurse.id }, 'Kept');
    await send({ userId: nurse.id }, 'Deleted');
    const [kept, deleted] = [await socket.nth(ServerEvent.New, 1), await socket.nth(ServerEvent.New, 2)];
    await api().delete(`/api/notifications/${deleted.id}`).set(auth(nurse)).expect(204);

    await send({ userId: nurse.id }, 'Next');

    expect(await socket.nth(ServerEvent.New, 3)).toMatchObject({ title: 'Next', prevSeq: kept.seq });
  });

  it('replays from the cursor a client sends, linked from that cursor over deleted ones, and sync says how far it covered', async () => {
    const nurse = await server.createUser('STAFF');
    const before = await device(nurse);
    for (const title of ['Seen', 'Missed 1', 'Missed and deleted', 'Missed 2', 'Missed and deleted too']) await send({ userId: nurse.id }, title);
    const received = await before.nth(ServerEvent.New, 5).then(() => before.all(ServerEvent.New));
    const [seen, missed1, gone1, missed2, gone2] = received;
    before.disconnect();
    for (const gone of [gone1, gone2]) await api().delete(`/api/notifications/${gone.id}`).set(auth(nurse)).expect(204);

    const after = await device(nurse, seen.seq);
    const replayed = after.all(ServerEvent.New);
    expect(replayed.map(link)).toEqual([link({ ...missed1, prevSeq: seen.seq }), link({ ...missed2, prevSeq: missed1.seq })]);

    const answer = await after.socket.emitWithAck(ClientEvent.Sync, { afterSeq: seen.seq });
    expect(answer).toEqual({ ok: true, replayed: 2, refresh: false, upToSeq: missed2.seq });
    expect(await after.socket.emitWithAck(ClientEvent.Sync, { afterSeq: missed2.seq })).toEqual({
      ok: true,
      replayed: 0,
      refresh: false,
      upToSeq: missed2.seq,
    });
  });

  it('replays to many clients catching up at once only what each of them missed, with its own count', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => server.createUser('STAFF')));
    const sockets = await Promise.all(users.map((user) => device(user)));
    const sent = new Map<string, string[]>();
    for (const [index, user] of users.entries()) {
      const titles = Array.from({ length: (index % 3) + 1 }, (_, n) => `For ${index}, number ${n}`);
      for (const title of titles) await send({ userId: user.id }, title);
      sent.set(user.id, titles);
    }
    const live = await Promise.all(sockets.map((socket, index) => socket.nth(ServerEvent.New, (index % 3) + 1).then(() => socket.all(ServerEvent.New))));
    // The first user has seen its first notification: its cursor is past it; the others start from 0.
    const cursors = users.map((_, index) => (index === 0 ? live[0][0].seq : '0'));

    // Asked in the same instant, so the server answers them together.
    const answers = await Promise.all(sockets.map((socket, index) => socket.socket.emitWithAck(ClientEvent.Sync, { afterSeq: cursors[index] })));

    for (const [index, user] of users.entries()) {
      const expected = index === 0 ? sent.get(user.id)!.slice(1) : sent.get(user.id)!;
      const replayed = sockets[index].all(ServerEvent.New).slice(live[index].length);
      expect(replayed.map((notification) => [notification.userId, notification.title])).toEqual(expected.map((title) => [user.id, title]));
      expect(answers[index]).toEqual({ ok: true, replayed: expected.length, refresh: false, upToSeq: live[index].at(-1)!.seq });
      expect(sockets[index].all(ServerEvent.UnreadCount).at(-1)).toEqual({ count: sent.get(user.id)!.length });
    }
  });
});

describeWith(['DATABASE_URL', 'redis-server'], 'Two nodes whose Redis restarts', () => {
  let database: TestDatabase;
  let redis: RedisProcess;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await RedisProcess.start();
    const env = { REDIS_URL: redis.url };
    [nodeA, nodeB] = await Promise.all([startTestApp(database, env), startTestApp(database, env)]);
    admin = await nodeB.createUser('ADMIN');
  });

  afterAll(async () => {
    closeAllSockets();
    await Promise.all([nodeA?.close(), nodeB?.close()]);
    killAllProcesses();
    await database?.drop();
  });

  it('tells the sockets to resync once Redis is back, so what another node emitted meanwhile is not lost', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const onA = await connect(nodeA.baseUrl, { token: nurse.token });
    await onA.nth(ServerEvent.UnreadCount, 1);
    await request(nodeB.baseUrl)
      .post('/api/notifications/test')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ title: 'Before the outage', message: 'm', target: { userId: nurse.id } })
      .expect(201);
    const seen = await onA.nth(ServerEvent.New, 1);

    await redis.kill();
    await request(nodeB.baseUrl)
      .post('/api/notifications/test')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ title: 'During the outage', message: 'm', target: { userId: nurse.id } })
      .expect(201);
    await onA.settle(nurse.id);
    expect(onA.all(ServerEvent.New)).toHaveLength(1);
    await redis.start();

    await onA.nth(ServerEvent.Resync, 1, 15_000);
    const answer = await onA.socket.emitWithAck(ClientEvent.Sync, { afterSeq: seen.seq });
    expect(answer).toMatchObject({ ok: true, replayed: 1 });
    expect(onA.all(ServerEvent.New).map((n) => n.title)).toEqual(['Before the outage', 'During the outage']);
  });
});

function link(notification: NewNotificationPayload): { title: string; seq: string; prevSeq: string } {
  return { title: notification.title, seq: notification.seq, prevSeq: notification.prevSeq };
}
