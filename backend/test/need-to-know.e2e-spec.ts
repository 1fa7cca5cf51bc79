import request from 'supertest';
import { OrderDto, ServerEvent } from '@clinic/contracts';
import { connect, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

describe('Orders on a need-to-know basis', () => {
  let server: TestApp;
  let admin: TestUser;
  /** Creates the orders. */
  let nurse: TestUser;
  /** The assignee. */
  let doctor: TestUser;
  /** Two members of the lab, the team the orders go to. */
  let labTech: TestUser;
  let labLead: TestUser;
  /** Staff with no part in the orders. */
  let outsider: TestUser;
  let labId: string;
  useTestApp({}, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  beforeAll(async () => {
    [nurse, doctor, labTech, labLead, outsider] = await Promise.all(
      ['Nora Nurse', 'Dan Doctor', 'Tess Tech', 'Lee Lead', 'Otto Outsider'].map((name) => server.createUser('STAFF', { name })),
    );
    labId = (await api().post('/api/teams').set(auth(admin)).send({ name: 'Lab', userIds: [labTech.id, labLead.id] }).expect(201)).body.id;
  });

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const order = async (body: object, by = nurse): Promise<OrderDto> =>
    (await api().post('/api/orders').set(auth(by)).send({ patientName: 'Jane Roe', description: 'Blood panel', total: '40.00', ...body }).expect(201)).body;
  const listed = async (user: TestUser): Promise<string[]> => (await api().get('/api/orders').query({ limit: 100 }).set(auth(user)).expect(200)).body.items.map((o: OrderDto) => o.id);
  const status = (user: TestUser, id: string, to: string) => api().patch(`/api/orders/${id}/status`).set(auth(user)).send({ status: to });
  const pay = (user: TestUser, id: string) => api().post(`/api/orders/${id}/payment`).set(auth(user));
  const devices = (...users: TestUser[]) =>
    Promise.all(
      users.map(async (user) => {
        const socket = await connect(server.baseUrl, { token: user.token });
        await socket.nth(ServerEvent.UnreadCount, 1);
        return socket;
      }),
    );

  it('a staff member with no part in an order gets 404 for it everywhere (list, read, status change, payment, cursor) and changes nothing', async () => {
    const theirs = await order({ assigneeId: doctor.id, teamId: labId });
    expect(await listed(outsider)).not.toContain(theirs.id);
    const notFound = { statusCode: 404, message: 'Order not found', error: 'Not Found' };
    expect((await api().get(`/api/orders/${theirs.id}`).set(auth(outsider)).expect(404)).body).toEqual(notFound);
    expect((await status(outsider, theirs.id, 'CONFIRMED').expect(404)).body).toEqual(notFound);
    expect((await pay(outsider, theirs.id).expect(404)).body).toEqual(notFound);
    // Using it as a cursor does not reveal that it exists.
    const cursor = await api().get('/api/orders').query({ cursor: theirs.id }).set(auth(outsider)).expect(400);
    expect(cursor.body.message).toBe('cursor must be the nextCursor of a previous page');
    expect(await server.prisma.order.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ status: 'PENDING', paymentStatus: 'UNPAID' });
    expect(await server.prisma.auditLog.count({ where: { targetId: theirs.id, actorId: outsider.id } })).toBe(0);
  });

  it('the creator, the assignee and the members of the assigned team see it and act on it; admins see every order', async () => {
    const viaTeam = await order({ teamId: labId });
    const viaAssignee = await order({ assigneeId: doctor.id });
    const labOnly = await order({ teamId: labId }, labLead);
    expect(viaTeam.team).toEqual({ id: labId, name: 'Lab' });

    const seen = {
      nurse: await listed(nurse),
      doctor: await listed(doctor),
      labTech: await listed(labTech),
      admin: await listed(admin),
    };
    expect(seen.nurse).toEqual(expect.arrayContaining([viaTeam.id, viaAssignee.id]));
    expect(seen.nurse).not.toContain(labOnly.id);
    expect(seen.doctor).toContain(viaAssignee.id);
    expect(seen.doctor).not.toEqual(expect.arrayContaining([viaTeam.id]));
    expect(seen.labTech).toEqual(expect.arrayContaining([viaTeam.id, labOnly.id]));
    expect(seen.labTech).not.toContain(viaAssignee.id);
    expect(seen.admin).toEqual(expect.arrayContaining([viaTeam.id, viaAssignee.id, labOnly.id]));

    await api().get(`/api/orders/${viaTeam.id}`).set(auth(labTech)).expect(200);
    expect((await status(labTech, viaTeam.id, 'CONFIRMED').expect(200)).body.status).toBe('CONFIRMED');
    await status(doctor, viaAssignee.id, 'CONFIRMED').expect(200);
    await status(admin, labOnly.id, 'CONFIRMED').expect(200);
    await api().get(`/api/orders/${viaTeam.id}`).set(auth(doctor)).expect(404);
  });

  it('leaving the team, a member no longer sees its orders', async () => {
    const temp = await server.createUser('STAFF');
    const team = (await api().post('/api/teams').set(auth(admin)).send({ name: `Night shift ${Date.now()}`, userIds: [temp.id] }).expect(201)).body;
    const shared = await order({ teamId: team.id });
    expect(await listed(temp)).toContain(shared.id);
    await api().put(`/api/teams/${team.id}/members`).set(auth(admin)).send({ userIds: [] }).expect(200);
    expect(await listed(temp)).not.toContain(shared.id);
    await status(temp, shared.id, 'CONFIRMED').expect(404);
  });

  it("verifying a payment is for admins and the order's creator: the assignee and team members who see it get 403", async () => {
    const mine = await order({ assigneeId: doctor.id, teamId: labId });
    for (const user of [doctor, labTech]) {
      const refused = await pay(user, mine.id).expect(403);
      expect(refused.body.message).toBe("Only an admin or the order's creator can verify its payment");
    }
    expect((await server.prisma.order.findUniqueOrThrow({ where: { id: mine.id } })).paymentStatus).toBe('UNPAID');
    expect((await pay(nurse, mine.id).expect(200)).body.paymentStatus).toBe('PAID');
    const another = await order({ assigneeId: doctor.id });
    expect((await pay(admin, another.id).expect(200)).body.paymentStatus).toBe('PAID');
  });

  it('whoever changes an order is not notified of it; the creator, the assignee and the team members are, once each', async () => {
    const [nurseDevice, doctorDevice, techDevice, leadDevice, outsiderDevice] = await devices(nurse, doctor, labTech, labLead, outsider);
    const everyone: Array<[TestUser, RecordingSocket]> = [
      [nurse, nurseDevice],
      [doctor, doctorDevice],
      [labTech, techDevice],
      [labLead, leadDevice],
      [outsider, outsiderDevice],
    ];
    /** Who received a notification of this type for this order, each user once, after everything has arrived. */
    const receivers = async (type: string, orderId: string) => {
      await Promise.all(everyone.map(([user, socket]) => socket.settle(user.id)));
      const names: string[] = [];
      for (const [user, socket] of everyone) {
        const got = socket.all(ServerEvent.New).filter((n) => n.type === type && n.metadata.orderId === orderId);
        if (got.length > 1) throw new Error(`${user.id} got ${got.length}`);
        if (got.length === 1) names.push(got[0].userId === user.id ? user.id : 'someone else');
      }
      return names.sort();
    };
    const ids = (...users: TestUser[]) => users.map((user) => user.id).sort();

    const created = await order({ assigneeId: doctor.id, teamId: labId });
    expect(await receivers('ORDER_CREATED', created.id)).toEqual(ids(doctor, labTech, labLead));

    await status(labTech, created.id, 'CONFIRMED').expect(200);
    expect(await receivers('ORDER_STATUS_CHANGED', created.id)).toEqual(ids(nurse, doctor, labLead));

    await pay(nurse, created.id).expect(200);
    expect(await receivers('PAYMENT_VERIFIED', created.id)).toEqual(ids(doctor, labTech, labLead));

    // A deactivated member is not notified (the others still are).
    await server.prisma.user.update({ where: { id: labLead.id }, data: { deactivatedAt: new Date() } });
    try {
      await status(doctor, created.id, 'IN_PROGRESS').expect(200);
      const rows = await server.prisma.notification.findMany({ where: { type: 'ORDER_STATUS_CHANGED', metadata: { path: ['to'], equals: 'IN_PROGRESS' } } });
      expect(rows.filter((row) => (row.metadata as { orderId: string }).orderId === created.id).map((row) => row.userId).sort()).toEqual(ids(nurse, labTech));
    } finally {
      await server.prisma.user.update({ where: { id: labLead.id }, data: { deactivatedAt: null } });
    }
  });

  it('refuses an unknown team or a deactivated assignee for a new order (400)', async () => {
    const unknownTeam = await api().post('/api/orders').set(auth(nurse)).send({ patientName: 'P', description: 'D', total: '1.00', teamId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    expect(unknownTeam.body.message).toBe('teamId does not name an existing team');
    await api().post('/api/orders').set(auth(nurse)).send({ patientName: 'P', description: 'D', total: '1.00', teamId: 'lab' }).expect(400);
    const gone = await server.createUser('STAFF');
    await server.prisma.user.update({ where: { id: gone.id }, data: { deactivatedAt: new Date() } });
    const deactivated = await api().post('/api/orders').set(auth(nurse)).send({ patientName: 'P', description: 'D', total: '1.00', assigneeId: gone.id }).expect(400);
    expect(deactivated.body.message).toBe('assigneeId names a deactivated user');
  });
});
