import request from 'supertest';
import { ClientEvent, ServerEvent } from '@clinic/contracts';
import { describeWith } from './support/requirements';
import { connect, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTwoNodes } from './support/test-app';

// Two nodes need a database and a Redis they both reach: skipped visibly on a machine without
// them, required under CI.
describeWith(['DATABASE_URL', 'REDIS_URL'], 'Several nodes behind a load balancer', () => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let admin: TestUser;
  useTwoNodes((nodes) => ({ nodeA, nodeB, admin } = nodes));

  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const sendThrough = (node: TestApp, user: TestUser, title: string) =>
    request(node.baseUrl).post('/api/notifications/test').set(auth(admin)).send({ title, message: 'm', target: { userId: user.id } }).expect(201);

  async function deviceOn(node: TestApp, user: TestUser): Promise<RecordingSocket> {
    const socket = await connect(node.baseUrl, { token: user.token });
    await socket.nth(ServerEvent.UnreadCount, 1);
    return socket;
  }

  it('both nodes report Redis up', async () => {
    for (const node of [nodeA, nodeB]) {
      expect((await request(node.baseUrl).get('/api/health').expect(200)).body).toMatchObject({ database: 'up', redis: 'up' });
    }
  });

  it('a notification created through node B reaches the sockets on node A and on B', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const [onA, onB] = await Promise.all([deviceOn(nodeA, nurse), deviceOn(nodeB, nurse)]);

    await sendThrough(nodeB, nurse, 'Across nodes');

    for (const socket of [onA, onB]) {
      expect(await socket.nth(ServerEvent.New, 1)).toMatchObject({ title: 'Across nodes', userId: nurse.id });
      expect(await socket.nth(ServerEvent.UnreadCount, 2)).toEqual({ count: 1 });
    }
  });

  it('reading on a device connected to node A updates a device connected to node B', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const [onA, onB] = await Promise.all([deviceOn(nodeA, nurse), deviceOn(nodeB, nurse)]);
    await sendThrough(nodeA, nurse, 'Read me');
    const notification = await onA.nth(ServerEvent.New, 1);
    await onB.nth(ServerEvent.New, 1);

    expect(await onA.socket.emitWithAck(ClientEvent.MarkRead, { id: notification.id })).toMatchObject({ ok: true });

    expect(await onB.nth(ServerEvent.Updated, 1)).toMatchObject({ id: notification.id, readAt: expect.any(String) });
    expect(await onB.nth(ServerEvent.UnreadCount, 3)).toEqual({ count: 0 });
  });

  it('a device that briefly lost its connection gets what it missed when it comes back, from the database, through the other node', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const device = await deviceOn(nodeA, nurse);
    await sendThrough(nodeB, nurse, 'Before the drop');
    const seen = await device.nth(ServerEvent.New, 1);
    const disconnected = new Promise<void>((resolve) => device.socket.once('disconnect', () => resolve()));
    // The transport drops, as on a flaky network.
    device.socket.io.engine.close();
    await disconnected;

    await sendThrough(nodeB, nurse, 'While the network was down');
    const back = await connect(nodeB.baseUrl, { token: nurse.token, lastSeq: seen.seq });

    expect(await back.nth(ServerEvent.New, 1)).toMatchObject({ title: 'While the network was down' });
    expect(await back.nth(ServerEvent.UnreadCount, 1)).toEqual({ count: 2 });
    expect(back.all(ServerEvent.New)).toHaveLength(1);
  });
});
