import request from 'supertest';
import {
  ClientEvent,
  NotificationDto,
  SendCounts,
  SendDetailDto,
  SendNotificationRequest,
  SendNotificationResult,
  ServerEvent,
} from '@clinic/contracts';
import { insertUsers, withDatabase } from './support/cluster';
import { BackendProcess, killAllProcesses } from './support/processes';
import { describeWith } from './support/requirements';
import { connect, RecordingSocket } from './support/sockets';
import { createTestDatabase, TestApp, TestDatabase, TestUser, useTestApp, useTwoNodes } from './support/test-app';

/** Lowered so a test can wait for a step: production keeps at least 30 s. */
const FAST_ESCALATION = { ESCALATION_MIN_SECONDS: '1', ESCALATION_MAX_STEPS: '2' };

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function device(baseUrl: string, token: string): Promise<RecordingSocket> {
  const socket = await connect(baseUrl, { token });
  await socket.nth(ServerEvent.UnreadCount, 1);
  return socket;
}

/** Polls until `check` holds, at most `ms`. */
async function eventually(ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${ms} ms`);
    await sleep(50);
  }
}

function send(baseUrl: string, token: string, body: SendNotificationRequest): Promise<SendNotificationResult> {
  return request(baseUrl)
    .post('/api/notifications/test')
    .set(bearer(token))
    .send(body)
    .expect(201)
    .then((response) => response.body);
}

type EscalationMark = { step: number; escalationOf: string };
const ESCALATIONS_SQL = `SELECT "metadata" FROM "Notification" WHERE "userId" = $1 AND "type" = 'ESCALATION' ORDER BY "seq"`;

/** The user's ESCALATION notifications, as the database has them (through the app's, or at `databaseUrl`), oldest first. */
async function escalationsOf(database: TestApp | string, userId: string): Promise<EscalationMark[]> {
  const rows =
    typeof database === 'string'
      ? await withDatabase(database, async (client) => (await client.query<{ metadata: EscalationMark }>(ESCALATIONS_SQL, [userId])).rows)
      : await database.prisma.$queryRawUnsafe<Array<{ metadata: EscalationMark }>>(ESCALATIONS_SQL, userId);
  return rows.map((row) => row.metadata);
}

describe('Acknowledgement and receipts', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp(FAST_ESCALATION, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));
  const api = () => request(server.baseUrl);

  it('a CRITICAL send must be acknowledged; acknowledging on one device marks it read and reaches every device, once', async () => {
    const nurse = await server.createUser('STAFF');
    const [phone, desk] = [await device(server.baseUrl, nurse.token), await device(server.baseUrl, nurse.token)];
    const { sendId } = await send(server.baseUrl, admin.token, { title: 'Fridge above 8 °C', message: 'Vaccine fridge 2', priority: 'CRITICAL', target: { userId: nurse.id } });
    const arrived = await phone.nth(ServerEvent.New, 1);
    expect(arrived).toMatchObject({ sendId, requireAck: true, acknowledgedAt: null, priority: 'CRITICAL' });

    const answer = await phone.socket.timeout(2000).emitWithAck(ClientEvent.Ack, { id: arrived.id });
    expect(answer).toMatchObject({ ok: true, notification: { id: arrived.id, acknowledgedAt: expect.any(String), readAt: expect.any(String) } });
    const onDesk = await desk.nth(ServerEvent.Updated, 1);
    expect(onDesk.acknowledgedAt).toBe((answer as { notification: NotificationDto }).notification.acknowledgedAt);
    expect((await desk.nth(ServerEvent.UnreadCount, 3)).count).toBe(0);

    // Again, through REST: the same answer, nothing pushed a second time.
    const again = await api().post(`/api/notifications/${arrived.id}/ack`).set(bearer(nurse.token)).expect(200);
    expect(again.body.acknowledgedAt).toBe(onDesk.acknowledgedAt);
    await sleep(200);
    expect(desk.all(ServerEvent.Updated)).toHaveLength(1);
  });

  it('an alert awaiting acknowledgement cannot be deleted (409); once acknowledged it can', async () => {
    const nurse = await server.createUser('STAFF');
    const socket = await device(server.baseUrl, nurse.token);
    await send(server.baseUrl, admin.token, { title: 'Keep me', message: 'm', requireAck: true, target: { userId: nurse.id } });
    const { id } = await socket.nth(ServerEvent.New, 1);
    const refused = await api().delete(`/api/notifications/${id}`).set(bearer(nurse.token)).expect(409);
    expect(refused.body.message).toBe('Acknowledge this alert before deleting it');
    await api().post(`/api/notifications/${id}/ack`).set(bearer(nurse.token)).expect(200);
    await api().delete(`/api/notifications/${id}`).set(bearer(nurse.token)).expect(204);
  });

  it("nobody acknowledges someone else's notification: 404 over REST, not-found over the socket", async () => {
    const [nurse, other] = await Promise.all([server.createUser('STAFF'), server.createUser('STAFF')]);
    const socket = await device(server.baseUrl, nurse.token);
    await send(server.baseUrl, admin.token, { title: 'Yours', message: 'm', requireAck: true, target: { userId: nurse.id } });
    const { id } = await socket.nth(ServerEvent.New, 1);
    await api().post(`/api/notifications/${id}/ack`).set(bearer(other.token)).expect(404);
    const intruder = await device(server.baseUrl, other.token);
    expect(await intruder.socket.timeout(2000).emitWithAck(ClientEvent.Ack, { id })).toEqual({ ok: false, error: 'not-found' });
    expect(await intruder.socket.timeout(2000).emitWithAck(ClientEvent.Ack, { id: 42 } as never)).toEqual({ ok: false, error: 'invalid-payload' });
    await api().post('/api/notifications/not-a-uuid/ack').set(bearer(nurse.token)).expect(404);
  });

  it('receipts: delivered from one device, seen, read and acknowledged; the sender gets send:updated with the counts; others get 404', async () => {
    const nurse = await server.createUser('STAFF');
    const [phone, desk] = [await device(server.baseUrl, nurse.token), await device(server.baseUrl, nurse.token)];
    const adminSocket = await device(server.baseUrl, admin.token);
    const { sendId } = await send(server.baseUrl, admin.token, { title: 'Results in', message: 'Room 4', requireAck: true, target: { userId: nurse.id } });
    const { id } = await phone.nth(ServerEvent.New, 1);
    await desk.nth(ServerEvent.New, 1);
    const receipts = async () => (await api().get(`/api/sends/${sendId}`).set(bearer(admin.token)).expect(200)).body as SendDetailDto;
    const countsPushed = async (expected: Partial<SendCounts>) =>
      eventually(3000, () => adminSocket.all(ServerEvent.SendUpdated).some((update) => update.sendId === sendId && matches(update.counts, expected)));

    expect((await receipts()).recipients).toEqual([expect.objectContaining({ userId: nurse.id, deliveredAt: null, seenAt: null, readAt: null, acknowledgedAt: null })]);

    expect(await phone.socket.timeout(2000).emitWithAck(ClientEvent.Delivered, { id })).toEqual({ ok: true });
    await countsPushed({ recipients: 1, delivered: 1, seen: 0, read: 0, acknowledged: 0 });
    const delivered = (await receipts()).recipients[0].deliveredAt;
    expect(delivered).toEqual(expect.any(String));
    // The other device confirms too: the first confirmation stays.
    expect(await desk.socket.timeout(2000).emitWithAck(ClientEvent.Delivered, { ids: [id] })).toEqual({ ok: true });
    expect((await receipts()).recipients[0].deliveredAt).toBe(delivered);

    expect(await desk.socket.timeout(2000).emitWithAck(ClientEvent.Seen, { ids: [id] })).toEqual({ ok: true, updated: 1 });
    await countsPushed({ seen: 1 });
    await api().patch(`/api/notifications/${id}/read`).set(bearer(nurse.token)).expect(200);
    await countsPushed({ read: 1, acknowledged: 0 });
    await api().post(`/api/notifications/${id}/ack`).set(bearer(nurse.token)).expect(200);
    await countsPushed({ recipients: 1, delivered: 1, seen: 1, read: 1, acknowledged: 1 });
    const final = await receipts();
    expect(final.recipients[0]).toMatchObject({ seenAt: expect.any(String), readAt: expect.any(String), acknowledgedAt: expect.any(String) });
    expect(final.acknowledgedAt).toBe(final.recipients[0].acknowledgedAt);

    // The recipient is not the sender: the receipts are not theirs to read, nor anyone else's.
    const outsider = await server.createUser('STAFF');
    await api().get(`/api/sends/${sendId}`).set(bearer(nurse.token)).expect(404);
    await api().get(`/api/sends/${sendId}`).set(bearer(outsider.token)).expect(404);
    await api().get('/api/sends').set(bearer(outsider.token)).expect(403);
    // Receipts for someone else's notification change nothing.
    const intruder = await device(server.baseUrl, outsider.token);
    expect(await intruder.socket.timeout(2000).emitWithAck(ClientEvent.Seen, { ids: [id] })).toEqual({ ok: true, updated: 0 });
  });

  it('order notifications have a send too, whose receipts the actor may read', async () => {
    const [creator, assignee] = await Promise.all([server.createUser('STAFF'), server.createUser('STAFF')]);
    const socket = await device(server.baseUrl, assignee.token);
    await api().post('/api/orders').set(bearer(creator.token)).send({ patientName: 'Ada', description: 'X-ray', total: '10', assigneeId: assignee.id }).expect(201);
    const { sendId } = await socket.nth(ServerEvent.New, 1);
    expect(sendId).toEqual(expect.any(String));
    const detail = (await api().get(`/api/sends/${sendId}`).set(bearer(creator.token)).expect(200)).body as SendDetailDto;
    expect(detail).toMatchObject({ target: { kind: 'order', label: 'Order for Ada' }, sender: { id: creator.id }, counts: { recipients: 1 } });
  });

  it("need-to-know: whoever no longer sees an order no longer sees its sends' receipts", async () => {
    const [creator, member] = await Promise.all([server.createUser('STAFF'), server.createUser('STAFF')]);
    const team = (await api().post('/api/teams').set(bearer(admin.token)).send({ name: `Lab ${Date.now()}`, userIds: [member.id] }).expect(201)).body;
    const order = (await api().post('/api/orders').set(bearer(creator.token)).send({ patientName: 'Bea', description: 'Blood test', total: '5', teamId: team.id }).expect(201)).body;
    const socket = await device(server.baseUrl, creator.token);
    await api().patch(`/api/orders/${order.id}/status`).set(bearer(member.token)).send({ status: 'CONFIRMED' }).expect(200);
    const { sendId } = await socket.nth(ServerEvent.New, 1);
    await api().get(`/api/sends/${sendId}`).set(bearer(member.token)).expect(200);

    await api().put(`/api/teams/${team.id}/members`).set(bearer(admin.token)).send({ userIds: [] }).expect(200);
    await api().get(`/api/orders/${order.id}`).set(bearer(member.token)).expect(404);
    await api().get(`/api/sends/${sendId}`).set(bearer(member.token)).expect(404);
  });

  it('refuses what a send cannot be: too short an escalation, an escalation to nobody, sendAt in the past or too far ahead, ESCALATION as a type', async () => {
    const nurse = await server.createUser('STAFF');
    const base = { title: 't', message: 'm', target: { userId: nurse.id } };
    const refused = async (body: object, message: RegExp) => {
      const response = await api().post('/api/notifications/test').set(bearer(admin.token)).send(body).expect(400);
      expect(JSON.stringify(response.body.message)).toMatch(message);
    };
    // The form learns the server's bounds from its settings.
    expect((await api().get('/api/sends/settings').set(bearer(admin.token)).expect(200)).body).toEqual({
      criticalEscalateAfterSeconds: 120,
      escalationMinSeconds: 1,
      escalationMaxSteps: 2,
    });
    await api().get('/api/sends/settings').set(bearer(nurse.token)).expect(403);
    await refused({ ...base, escalation: { afterSeconds: 0, to: { role: 'ADMIN' } } }, /escalation must be/);
    await refused({ ...base, escalation: { afterSeconds: 5, to: { all: true } } }, /escalation must be/);
    await refused({ ...base, escalation: { afterSeconds: 5, to: { teamId: '00000000-0000-4000-8000-000000000000' } } }, /escalation.to.teamId/);
    await refused({ ...base, sendAt: new Date(Date.now() - 60_000).toISOString() }, /future/);
    await refused({ ...base, sendAt: new Date(Date.now() + 31 * 24 * 3600_000).toISOString() }, /30 days/);
    await refused({ ...base, sendAt: 'tomorrow' }, /ISO 8601/);
    // Without an offset the time would be read in the server's time zone, which is nobody's.
    await refused({ ...base, sendAt: new Date(Date.now() + 3600_000).toISOString().replace('Z', '') }, /with its offset/);
    await api().get('/api/sends?cursor=99999999999999999999').set(bearer(admin.token)).expect(400);
    await refused({ ...base, type: 'ESCALATION' }, /type must be one of/);
    expect(await server.prisma.notification.count({ where: { userId: nurse.id } })).toBe(0);
  });

  it('operators see the jobs waiting, per queue, in the metrics', async () => {
    const nurse = await server.createUser('STAFF');
    const depth = async () => {
      const metrics = (await api().get('/api/metrics').expect(200)).text;
      return Number(/clinic_job_queue_depth\{queue="send-deliver"\} (\d+)/.exec(metrics)?.[1] ?? NaN);
    };
    const before = await depth();
    const { sendId } = await send(server.baseUrl, admin.token, { title: 'Tomorrow', message: 'm', target: { userId: nurse.id }, sendAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await depth()).toBe(before + 1);
    await api().delete(`/api/sends/${sendId}`).set(bearer(admin.token)).expect(204);
    expect(await depth()).toBe(before);
  });

  it('a retry of a scheduled send with its Idempotency-Key gets the stored answer, also once its time has passed', async () => {
    const nurse = await server.createUser('STAFF');
    const body = { title: 'Soon', message: 'm', target: { userId: nurse.id }, sendAt: new Date(Date.now() + 1500).toISOString() };
    const first = await api().post('/api/notifications/test').set(bearer(admin.token)).set('Idempotency-Key', `soon-${nurse.id}`).send(body).expect(201);
    await sleep(2500);
    const retry = await api().post('/api/notifications/test').set(bearer(admin.token)).set('Idempotency-Key', `soon-${nurse.id}`).send(body).expect(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await server.prisma.notification.count({ where: { userId: nurse.id } })).toBe(1);
  });
});

describe('Escalation', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp(FAST_ESCALATION, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));
  const api = () => request(server.baseUrl);

  async function teamOf(...userIds: string[]): Promise<string> {
    const team = await api().post('/api/teams').set(bearer(admin.token)).send({ name: `Ward ${Date.now()}-${Math.random()}`, userIds }).expect(201);
    return team.body.id;
  }

  it('nobody acknowledges: the target gets exactly one CRITICAL ESCALATION per step, naming the send and linking to its receipts', async () => {
    const [nurseA, nurseB, supervisor] = await Promise.all([server.createUser('STAFF'), server.createUser('STAFF'), server.createUser('STAFF')]);
    const teamId = await teamOf(nurseA.id, nurseB.id);
    const watching = await device(server.baseUrl, supervisor.token);
    const { sendId } = await send(server.baseUrl, admin.token, {
      title: 'Call button room 7',
      message: 'Patient pressed the call button',
      priority: 'CRITICAL',
      target: { teamId },
      escalation: { afterSeconds: 1, to: { userId: supervisor.id } },
    });
    const first = await watching.nth(ServerEvent.New, 1, 4000);
    expect(first).toMatchObject({
      type: 'ESCALATION',
      priority: 'CRITICAL',
      requireAck: true,
      title: 'Not acknowledged: Call button room 7',
      actionUrl: `/sends/${sendId}`,
      metadata: { escalationOf: sendId, step: 1 },
    });
    expect(first.message).toContain('Escalation 1 of 2');
    // The escalation's recipient may open the receipts it links to.
    const detail = (await api().get(`/api/sends/${sendId}`).set(bearer(supervisor.token)).expect(200)).body as SendDetailDto;
    expect(detail.escalation).toMatchObject({ afterSeconds: 1, stepsDone: expect.any(Number), maxSteps: 2 });
    await watching.nth(ServerEvent.New, 2, 4000);
    await sleep(2500);
    expect(await escalationsOf(server, supervisor.id)).toEqual([
      { escalationOf: sendId, step: 1 },
      { escalationOf: sendId, step: 2 },
    ]);
    const steps = ((await api().get(`/api/sends/${sendId}`).set(bearer(admin.token)).expect(200)).body as SendDetailDto).escalations;
    expect(steps.map((step) => [step.step, step.recipients])).toEqual([[1, 1], [2, 1]]);
  });

  it('an escalation whose target has nobody left reaches the admins instead', async () => {
    const nurse = await server.createUser('STAFF');
    const emptyTeam = await teamOf();
    const watching = await device(server.baseUrl, admin.token);
    const { sendId } = await send(server.baseUrl, admin.token, { title: 'Nobody home', message: 'm', priority: 'HIGH', target: { userId: nurse.id }, escalation: { afterSeconds: 1, to: { teamId: emptyTeam } } });
    const escalation = await watching.nth(ServerEvent.New, 1, 4000);
    expect(escalation).toMatchObject({ type: 'ESCALATION', metadata: { escalationOf: sendId, step: 1 } });
  });

  it('an acknowledgement before the deadline stops every step; one after step 1 stops the rest', async () => {
    const [nurse, supervisor] = await Promise.all([server.createUser('STAFF'), server.createUser('STAFF')]);
    const socket = await device(server.baseUrl, nurse.token);
    await send(server.baseUrl, admin.token, { title: 'Ack in time', message: 'm', priority: 'CRITICAL', target: { userId: nurse.id }, escalation: { afterSeconds: 2, to: { userId: supervisor.id } } });
    const { id } = await socket.nth(ServerEvent.New, 1);
    await api().post(`/api/notifications/${id}/ack`).set(bearer(nurse.token)).expect(200);

    const late = await send(server.baseUrl, admin.token, { title: 'Ack late', message: 'm', priority: 'HIGH', target: { userId: nurse.id }, escalation: { afterSeconds: 1, to: { userId: supervisor.id } } });
    const lateOne = await socket.nth(ServerEvent.New, 2);
    expect(lateOne.requireAck).toBe(true);
    await eventually(4000, async () => (await escalationsOf(server, supervisor.id)).length === 1);
    // The supervisor takes charge by acknowledging the escalation: no step 2.
    const [escalation] = (await api().get('/api/notifications').set(bearer(supervisor.token)).expect(200)).body.items;
    await api().post(`/api/notifications/${escalation.id}/ack`).set(bearer(supervisor.token)).expect(200);
    await sleep(5000);
    expect(await escalationsOf(server, supervisor.id)).toEqual([{ escalationOf: late.sendId, step: 1 }]);
  });
});

describeWith(['DATABASE_URL', 'REDIS_URL'], 'Escalation and scheduled sends across two nodes', () => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let admin: TestUser;
  useTwoNodes((nodes) => ({ nodeA, nodeB, admin } = nodes), { nodeA: FAST_ESCALATION, nodeB: FAST_ESCALATION });

  it('both nodes run the job engine, and each step still fires exactly once', async () => {
    const [nurse, supervisor] = await Promise.all([nodeA.createUser('STAFF'), nodeB.createUser('STAFF')]);
    const sends = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        send(i % 2 ? nodeA.baseUrl : nodeB.baseUrl, admin.token, { title: `Alarm ${i}`, message: 'm', priority: 'CRITICAL', target: { userId: nurse.id }, escalation: { afterSeconds: 1, to: { userId: supervisor.id } } }),
      ),
    );
    await sleep(4500);
    const fired = await escalationsOf(nodeA, supervisor.id);
    expect(fired).toHaveLength(10);
    for (const { sendId } of sends) expect(fired.filter((e) => e.escalationOf === sendId).map((e) => e.step).sort()).toEqual([1, 2]);
  });

  it('a send scheduled 3 s ahead goes out once, on time, from whichever node; a cancelled one never', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const [onA, onB] = [await device(nodeA.baseUrl, nurse.token), await device(nodeB.baseUrl, nurse.token)];
    const sendAt = new Date(Date.now() + 3000);
    const scheduled = await send(nodeA.baseUrl, admin.token, { title: 'Shift handover', message: 'm', target: { userId: nurse.id }, sendAt: sendAt.toISOString() });
    expect(scheduled).toMatchObject({ status: 'scheduled', created: 0, sendAt: sendAt.toISOString() });
    const cancelled = await send(nodeB.baseUrl, admin.token, { title: 'Never', message: 'm', target: { userId: nurse.id }, sendAt: sendAt.toISOString() });
    const listed = await request(nodeB.baseUrl).get('/api/sends?status=scheduled').set(bearer(admin.token)).expect(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual(expect.arrayContaining([scheduled.sendId, cancelled.sendId]));
    await request(nodeB.baseUrl).delete(`/api/sends/${cancelled.sendId}`).set(bearer(admin.token)).expect(204);
    await request(nodeA.baseUrl).delete(`/api/sends/${cancelled.sendId}`).set(bearer(admin.token)).expect(409);

    const arrived = await onB.nth(ServerEvent.New, 1, 6000);
    const lateness = Date.now() - sendAt.getTime();
    expect(arrived).toMatchObject({ title: 'Shift handover', sendId: scheduled.sendId });
    expect(Math.abs(lateness)).toBeLessThan(1000);
    await onA.nth(ServerEvent.New, 1);
    await sleep(1500);
    expect(onA.all(ServerEvent.New)).toHaveLength(1);
    await request(nodeA.baseUrl).delete(`/api/sends/${scheduled.sendId}`).set(bearer(admin.token)).expect(409);
  });
});

describeWith(['DATABASE_URL'], 'Escalation and scheduled sends survive a node killed with SIGKILL', () => {
  let database: TestDatabase;
  let node: BackendProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    node = await BackendProcess.start({ ...FAST_ESCALATION, DATABASE_URL: database.url! });
  });
  afterAll(async () => {
    killAllProcesses();
    await database?.drop();
  });

  it('killed between scheduling and the deadline: after the restart each step fires once and the scheduled send goes out once, on time', async () => {
    const [admin, nurse, supervisor] = await insertUsers(database.url!, ['ADMIN', 'STAFF', 'STAFF']);
    const escalated = await send(node.url, admin.token, { title: 'Fridge alarm', message: 'm', priority: 'CRITICAL', target: { userId: nurse.id }, escalation: { afterSeconds: 3, to: { userId: supervisor.id } } });
    const sendAt = new Date(Date.now() + 4000);
    const scheduled = await send(node.url, admin.token, { title: 'Later', message: 'm', target: { userId: nurse.id }, sendAt: sendAt.toISOString() });
    await node.kill();
    await node.start();

    const socket = await device(node.url, nurse.token);
    const arrived = await socket.nth(ServerEvent.New, 1, 8000);
    expect(arrived.sendId).toBe(scheduled.sendId);
    expect(Math.abs(Date.now() - sendAt.getTime())).toBeLessThan(1000);
    await sleep(5000);
    expect(await escalationsOf(database.url!, supervisor.id)).toEqual([
      { escalationOf: escalated.sendId, step: 1 },
      { escalationOf: escalated.sendId, step: 2 },
    ]);
    const scheduledNotifications = await withDatabase(database.url!, async (client) => (await client.query(`SELECT 1 FROM "Notification" WHERE "sendId" = $1`, [scheduled.sendId])).rowCount);
    expect(scheduledNotifications).toBe(1);
  });
});

function matches(counts: SendCounts, expected: Partial<SendCounts>): boolean {
  return Object.entries(expected).every(([key, value]) => counts[key as keyof SendCounts] === value);
}
