import request from 'supertest';
import { OrderDto, ServerEvent } from '@clinic/contracts';
import { connect, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

describe('Orders and their notifications', () => {
  let server: TestApp;
  let creator: TestUser;
  let assignee: TestUser;
  let bystander: TestUser;
  let creatorDevice: RecordingSocket;
  let assigneeDevice: RecordingSocket;
  let bystanderDevice: RecordingSocket;

  useTestApp({}, (app) => (server = app));

  beforeAll(async () => {
    [creator, assignee, bystander] = await Promise.all([
      server.createUser('STAFF', { name: 'Nora Nurse' }),
      server.createUser('STAFF', { name: 'Dan Doctor' }),
      server.createUser('ADMIN', { name: 'Alex Admin' }),
    ]);
  });

  beforeEach(async () => {
    [creatorDevice, assigneeDevice, bystanderDevice] = await Promise.all(
      [creator, assignee, bystander].map((user) => connect(server.baseUrl, { token: user.token })),
    );
    await Promise.all([creatorDevice, assigneeDevice, bystanderDevice].map((socket) => socket.nth(ServerEvent.UnreadCount, 1)));
  });

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const notificationCount = () => server.prisma.notification.count();

  function createOrder(by: TestUser = creator, body: object = {}, key?: string): request.Test {
    const call = api().post('/api/orders').set(auth(by));
    const order = { patientName: 'Jane Roe', description: 'Blood panel', total: '120.50', assigneeId: assignee.id, ...body };
    return (key ? call.set('Idempotency-Key', key) : call).send(order);
  }

  async function newOrder(): Promise<OrderDto> {
    const response = await createOrder().expect(201);
    await assigneeDevice.nth(ServerEvent.New, 1);
    creatorDevice.clear();
    assigneeDevice.clear();
    return response.body;
  }

  it('creating an order stores it and notifies its assignee; not its creator, whom the answer tells, nor anyone else', async () => {
    const response = await createOrder().expect(201);
    expect(response.body).toMatchObject({
      patientName: 'Jane Roe',
      description: 'Blood panel',
      total: '120.50',
      status: 'PENDING',
      paymentStatus: 'UNPAID',
      createdBy: { id: creator.id, name: 'Nora Nurse' },
      assignee: { id: assignee.id, name: 'Dan Doctor' },
      team: null,
    });
    const order: OrderDto = response.body;
    expect(await assigneeDevice.nth(ServerEvent.New, 1)).toMatchObject({
      type: 'ORDER_CREATED',
      title: 'New order for Jane Roe',
      message: 'Nora Nurse created an order for Jane Roe: Blood panel (total $120.50).',
      actionUrl: `/orders?order=${order.id}`,
      actionText: 'View order',
      metadata: { orderId: order.id },
    });
    await Promise.all([creatorDevice.settle(creator.id), bystanderDevice.settle(bystander.id)]);
    expect([...creatorDevice.all(ServerEvent.New), ...bystanderDevice.all(ServerEvent.New)]).toEqual([]);
  });

  it('an order its creator assigned to themselves notifies nobody: they made it', async () => {
    const before = await notificationCount();
    const created = await createOrder(creator, { assigneeId: creator.id, total: 80 }).expect(201);
    expect(created.body).toMatchObject({ total: '80.00', assignee: { id: creator.id } });
    expect(await notificationCount()).toBe(before);
    await creatorDevice.settle(creator.id);
    expect(creatorDevice.all(ServerEvent.New)).toEqual([]);
  });

  it('a status change sends the templated notification to creator and assignee, but not to whoever changed it', async () => {
    const order = await newOrder();
    const changed = await api().patch(`/api/orders/${order.id}/status`).set(auth(bystander)).send({ status: 'CONFIRMED' }).expect(200);
    expect(changed.body).toMatchObject({ id: order.id, status: 'CONFIRMED' });

    for (const socket of [creatorDevice, assigneeDevice]) {
      expect(await socket.nth(ServerEvent.New, 1)).toMatchObject({
        type: 'ORDER_STATUS_CHANGED',
        title: 'Order confirmed: Jane Roe',
        message: 'Alex Admin changed the order for Jane Roe from pending to confirmed.',
        priority: 'NORMAL',
        metadata: { orderId: order.id, from: 'PENDING', to: 'CONFIRMED' },
        muted: false,
      });
      expect(await socket.nth(ServerEvent.UnreadCount, 1)).toEqual({ count: expect.any(Number) });
    }
    await bystanderDevice.settle(bystander.id);
    expect(bystanderDevice.all(ServerEvent.New)).toEqual([]);
    const cancelled = assigneeDevice.next(ServerEvent.New);
    await api().patch(`/api/orders/${order.id}/status`).set(auth(creator)).send({ status: 'CANCELLED' }).expect(200);
    expect(await cancelled).toMatchObject({ title: 'Order cancelled: Jane Roe', priority: 'HIGH' });
    await creatorDevice.settle(creator.id);
    expect(creatorDevice.all(ServerEvent.New)).toHaveLength(1);
  });

  it('an illegal transition is 409 and notifies nobody', async () => {
    const order = await newOrder();
    const before = await notificationCount();
    for (const status of ['COMPLETED', 'IN_PROGRESS', 'PENDING']) {
      const response = await api().patch(`/api/orders/${order.id}/status`).set(auth(creator)).send({ status }).expect(409);
      expect(response.body.message).toBe(`An order that is PENDING cannot become ${status}`);
    }
    expect(await notificationCount()).toBe(before);
    expect((await server.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).status).toBe('PENDING');
    await Promise.all([creatorDevice.settle(creator.id), assigneeDevice.settle(assignee.id)]);
    expect([...creatorDevice.all(ServerEvent.New), ...assigneeDevice.all(ServerEvent.New)]).toEqual([]);
  });

  it('follows the whole life of an order, and a finished order cannot change again', async () => {
    const order = await newOrder();
    for (const status of ['CONFIRMED', 'IN_PROGRESS', 'COMPLETED']) {
      await api().patch(`/api/orders/${order.id}/status`).set(auth(assignee)).send({ status }).expect(200);
    }
    await api().patch(`/api/orders/${order.id}/status`).set(auth(assignee)).send({ status: 'CANCELLED' }).expect(409);
    expect((await creatorDevice.nth(ServerEvent.New, 3)).metadata).toEqual({ orderId: order.id, from: 'IN_PROGRESS', to: 'COMPLETED' });
  });

  it('of two concurrent confirmations of one order, one wins and the other is 409 without notifying', async () => {
    const order = await newOrder();
    const responses = await Promise.all(
      ['CONFIRMED', 'CONFIRMED'].map((status) => api().patch(`/api/orders/${order.id}/status`).set(auth(creator)).send({ status })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    // The assignee hears of it once; the creator changed it.
    const statusNotifications = { type: 'ORDER_STATUS_CHANGED' as const, metadata: { path: ['orderId'], equals: order.id } };
    expect(await server.prisma.notification.findMany({ where: statusNotifications, select: { userId: true } })).toEqual([{ userId: assignee.id }]);
  });

  it('verifying a payment notifies creator and assignee; verifying it again is 409', async () => {
    const order = await newOrder();
    const paid = await api().post(`/api/orders/${order.id}/payment`).set(auth(bystander)).expect(200);
    expect(paid.body).toMatchObject({ id: order.id, paymentStatus: 'PAID' });
    for (const socket of [creatorDevice, assigneeDevice]) {
      expect(await socket.nth(ServerEvent.New, 1)).toMatchObject({
        type: 'PAYMENT_VERIFIED',
        title: 'Payment verified: Jane Roe',
        message: 'Alex Admin verified the payment of $120.50 for the order for Jane Roe.',
      });
    }
    const before = await notificationCount();
    const again = await api().post(`/api/orders/${order.id}/payment`).set(auth(bystander)).expect(409);
    expect(again.body.message).toBe('The payment of this order was already verified');
    expect(await notificationCount()).toBe(before);
  });

  it('a cancelled order cannot be paid', async () => {
    const order = await newOrder();
    await api().patch(`/api/orders/${order.id}/status`).set(auth(creator)).send({ status: 'CANCELLED' }).expect(200);
    await api().post(`/api/orders/${order.id}/payment`).set(auth(creator)).expect(409);
  });

  it('an unknown order is 404', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await api().patch(`/api/orders/${missing}/status`).set(auth(creator)).send({ status: 'CONFIRMED' }).expect(404);
    await api().post(`/api/orders/${missing}/payment`).set(auth(creator)).expect(404);
  });

  it('refuses a bad order with 400 and a clear message, creating nothing', async () => {
    const before = await server.prisma.order.count();
    const cases: Array<[object, RegExp]> = [
      [{ total: '12.345' }, /^total must be an amount/],
      [{ total: -5 }, /^total must be an amount/],
      [{ total: 0.1 + 0.2 }, /^total must be an amount/],
      [{ total: null }, /^total must be an amount/],
      [{ patientName: '' }, /patientName/],
      [{ assigneeId: 'nobody' }, /^assigneeId must be a user id$/],
      [{ assigneeId: '00000000-0000-4000-8000-000000000000' }, /^assigneeId does not name an existing user$/],
      [{ priority: 'HIGH' }, /property priority should not exist/],
    ];
    for (const [body, message] of cases) {
      const response = await createOrder(creator, body).expect(400);
      expect([response.body.message].flat().join('\n')).toMatch(message);
    }
    const order = await newOrder();
    await api().patch(`/api/orders/${order.id}/status`).set(auth(creator)).send({ status: 'DONE' }).expect(400);
    expect(await server.prisma.order.count()).toBe(before + 1);
  });

  it('a retried creation with the same Idempotency-Key returns the first order and creates nothing new', async () => {
    const [ordersBefore, notificationsBefore] = await Promise.all([server.prisma.order.count(), notificationCount()]);
    const first = await createOrder(creator, {}, 'order-key-1').expect(201);
    const retries = await Promise.all([1, 2, 3].map(() => createOrder(creator, {}, 'order-key-1')));
    for (const retry of retries) {
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
    }
    expect(await server.prisma.order.count()).toBe(ordersBefore + 1);
    // The assignee's; the creator made it.
    expect(await notificationCount()).toBe(notificationsBefore + 1);
  });

  it('lists orders newest first, one page at a time', async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await createOrder(creator, { patientName: `Patient ${i}` }).expect(201)).body.id);
    const first = await api().get('/api/orders').query({ limit: 2 }).set(auth(assignee)).expect(200);
    expect(first.body.items.map((o: OrderDto) => o.id)).toEqual([created[2], created[1]]);
    const second = await api().get('/api/orders').query({ limit: 2, cursor: first.body.nextCursor }).set(auth(assignee)).expect(200);
    expect(second.body.items[0].id).toBe(created[0]);
    await api().get('/api/orders').query({ cursor: 'nope' }).set(auth(assignee)).expect(400);
    await api().get('/api/orders').expect(401);
  });
});
