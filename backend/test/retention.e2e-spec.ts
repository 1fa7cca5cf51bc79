import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { ClientEvent, NotificationDto, ServerEvent, UserExportDto } from '@clinic/contracts';
import { RETENTION_BATCH_SIZE, RETENTION_QUEUE, RetentionService } from '../src/retention/retention.service';
import { NotificationClient } from './support/notification-client';
import { connectPlain } from './support/plain-websocket-client';
import { describeWith } from './support/requirements';
import { connect } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

// Ages lowered to days the tests can back-date rows past: read 2, unread 5, audit 3.
const AGES = { RETENTION_READ_DAYS: '2', RETENTION_UNREAD_DAYS: '5', RETENTION_AUDIT_DAYS: '3' };

describe('Retention and data export', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp(AGES, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const send = (userId: string, title: string) =>
    api().post('/api/notifications/test').set(auth(admin)).send({ title, message: 'm', target: { userId } }).expect(201);
  const retention = () => server.app.get(RetentionService);

  /** Notifications straight in the database, created now (as create_notifications would, without the push); the highest seq. */
  async function insertNotifications(userId: string, count: number, state: { read?: boolean; requireAck?: boolean; acknowledged?: boolean; title?: string }): Promise<bigint> {
    const [{ seq }] = await server.prisma.$queryRawUnsafe<Array<{ seq: bigint }>>(
      `WITH created AS (
         INSERT INTO "Notification" ("id", "userId", "type", "title", "message", "requireAck", "readAt", "acknowledgedAt", "createdAt")
         SELECT gen_random_uuid()::text, $1, 'GENERAL', $2 || ' ' || i, 'm', $3, CASE WHEN $4 THEN now() AT TIME ZONE 'UTC' END,
                CASE WHEN $5 THEN now() AT TIME ZONE 'UTC' END, now() AT TIME ZONE 'UTC'
         FROM generate_series(1, $6::int) AS i
         RETURNING "seq")
       SELECT max("seq") AS "seq" FROM created`,
      userId, state.title ?? 'Old', state.requireAck ?? false, state.read ?? false, state.acknowledged ?? false, count,
    );
    return seq;
  }

  /**
   * Moves every notification and delivery up to `seq` `days` into the past. Always a prefix of the
   * seqs, so creation times keep following seq, as they do in production (retention relies on it).
   */
  async function ageUpTo(table: 'Notification' | 'Delivery', seq: bigint, days: number): Promise<void> {
    await server.prisma.$executeRawUnsafe(`UPDATE "${table}" SET "createdAt" = "createdAt" - make_interval(days => $2::int) WHERE "seq" <= $1`, seq, days);
  }

  /** clinic_retention_purged_total of one table, as this node reports it. */
  async function purgedMetric(table: string): Promise<number> {
    const metrics = (await api().get('/api/metrics').expect(200)).text;
    return Number(new RegExp(`^clinic_retention_purged_total\\{table="${table}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
  }

  const titlesOf = async (userId: string) =>
    (await server.prisma.notification.findMany({ where: { userId }, orderBy: { seq: 'asc' }, select: { title: true } })).map(({ title }) => title);

  it('purges read notifications past their age in batches while sends go on; keeps unread ones until theirs, and unacknowledged ones', async () => {
    const archive = await server.createUser('STAFF');
    const busy = await server.createUser('STAFF');
    // Six days old: past every age.
    const bulk = 12_000;
    await insertNotifications(archive.id, bulk, { read: true, title: 'Bulk' });
    await insertNotifications(archive.id, 1, { title: 'Unread, 6 days' });
    await insertNotifications(archive.id, 1, { requireAck: true, read: true, title: 'Awaiting ack, 6 days' });
    const sixDays = await insertNotifications(archive.id, 1, { requireAck: true, read: true, acknowledged: true, title: 'Acknowledged, 6 days' });
    // Three days old: past the read age only.
    await insertNotifications(archive.id, 1, { read: true, title: 'Read, 3 days' });
    const threeDays = await insertNotifications(archive.id, 1, { title: 'Unread, 3 days' });
    await insertNotifications(archive.id, 1, { read: true, title: 'Read, today' });
    await ageUpTo('Notification', threeDays, 3);
    await ageUpTo('Notification', sixDays, 3);

    // Sends to another user, one after the other, for as long as the purge runs (after one that
    // warms the send path up, so the figures are the purge's doing).
    await send(busy.id, 'Before the purge');
    const started = performance.now();
    const purge = retention().run();
    let purging = true;
    void purge.finally(() => (purging = false));
    const latencies: number[] = [];
    while (purging) {
      const before = performance.now();
      await send(busy.id, `During purge ${latencies.length}`);
      latencies.push(performance.now() - before);
    }
    const report = await purge;
    const purgeMs = performance.now() - started;

    expect(await titlesOf(archive.id)).toEqual(['Awaiting ack, 6 days 1', 'Unread, 3 days 1', 'Read, today 1']);
    expect(report.purged.notification).toBe(bulk + 3);
    expect(report.complete).toBe(true);
    // One statement per window of RETENTION_BATCH_SIZE notifications, at least.
    expect(report.batches).toBeGreaterThan(bulk / RETENTION_BATCH_SIZE);
    expect(await server.prisma.notification.count({ where: { userId: busy.id } })).toBe(latencies.length + 1);
    const sorted = [...latencies].sort((a, b) => a - b);
    const [median, slowest] = [sorted[sorted.length >> 1], sorted[sorted.length - 1]];
    expect(latencies.length).toBeGreaterThan(10);
    expect(slowest).toBeLessThan(1_000);
    process.stderr.write(
      `  retention: ${report.purged.notification} notifications purged in ${report.batches} statements, ${Math.round(purgeMs)} ms; ` +
        `${latencies.length} sends meanwhile, all 201, median ${median.toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms\n`,
    );

    const horizon = await server.prisma.notificationPurge.findUniqueOrThrow({ where: { userId: archive.id } });
    expect(horizon.throughSeq).toBe(threeDays - 1n); // 'Read, 3 days', the newest purged
  });

  it('purges old deliveries, audit entries, idempotency records, ended and expired sessions and unusable refresh tokens; counts them in metrics', async () => {
    const user = await server.createUser('STAFF');
    const delivery = (status: 'SENT' | 'QUEUED', subject: string) => ({ userId: user.id, channel: 'EMAIL' as const, status, address: user.email, subject, body: 'b', notificationId: randomUUID() });
    await server.prisma.delivery.create({ data: delivery('SENT', 'Old sent') });
    const queued = await server.prisma.delivery.create({ data: delivery('QUEUED', 'Old queued') });
    await ageUpTo('Delivery', queued.seq, 3);
    await server.prisma.delivery.create({ data: delivery('SENT', 'Recent') });

    const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600_000);
    await server.prisma.auditLog.createMany({
      data: [
        { action: 'order.created', node: 'old', at: daysAgo(4) },
        { action: 'order.created', node: 'recent', at: daysAgo(2) },
      ],
    });
    const record = (key: string, createdAt: Date) => ({ key, userId: user.id, route: 'POST /api/orders', requestHash: 'h', statusCode: 201, response: {}, createdAt });
    await server.prisma.idempotencyRecord.createMany({ data: [record('old', daysAgo(2)), record('recent', daysAgo(0.5))] });

    const inAnHour = new Date(Date.now() + 3600_000);
    const session = (data: { endedAt?: Date; expiresAt: Date }) => server.prisma.session.create({ data: { userId: user.id, ...data } });
    const token = (sessionId: string, expiresAt: Date) =>
      server.prisma.refreshToken.create({ data: { userId: user.id, sessionId, tokenHash: randomUUID(), expiresAt } });
    const ended = await session({ endedAt: new Date(), expiresAt: inAnHour });
    await token(ended.id, inAnHour);
    const expired = await session({ expiresAt: daysAgo(0.01) });
    await token(expired.id, daysAgo(0.01));
    const live = await session({ expiresAt: inAnHour });
    await token(live.id, daysAgo(0.01)); // used and expired
    const current = await token(live.id, inAnHour);

    const tables = ['delivery', 'audit_log', 'idempotency_record', 'refresh_token', 'session'] as const;
    const metricsBefore = await Promise.all(tables.map(purgedMetric));
    const report = await retention().run();

    expect((await server.prisma.delivery.findMany({ where: { userId: user.id }, orderBy: { seq: 'asc' } })).map((row) => row.subject)).toEqual(['Old queued', 'Recent']);
    expect(await server.prisma.auditLog.count({ where: { node: 'old' } })).toBe(0);
    expect(await server.prisma.auditLog.count({ where: { node: 'recent' } })).toBe(1);
    expect((await server.prisma.idempotencyRecord.findMany({ where: { userId: user.id } })).map((row) => row.key)).toEqual(['recent']);
    expect(await server.prisma.session.findMany({ where: { id: { in: [ended.id, expired.id, live.id] } }, select: { id: true } })).toEqual([{ id: live.id }]);
    expect((await server.prisma.refreshToken.findMany({ where: { userId: user.id } })).map(({ id }) => id)).toEqual([current.id]);
    expect(report.purged).toMatchObject({ delivery: 1, audit_log: 1, idempotency_record: 1, refresh_token: 3, session: 2 });

    const metricsAfter = await Promise.all(tables.map(purgedMetric));
    expect(metricsAfter.map((value, i) => value - metricsBefore[i])).toEqual(tables.map((table) => report.purged[table]));
    // Once per cluster: pg-boss's cron schedule, not a timer on each node.
    expect(await server.prisma.$queryRawUnsafe(`SELECT cron, timezone FROM pgboss.schedule WHERE name = $1`, RETENTION_QUEUE)).toEqual([
      { cron: '17 * * * *', timezone: 'UTC' },
    ]);
  });

  // On the embedded database a statement its trigger refuses leaves the connection unusable for
  // the next one (pglite-socket), so the refusals are checked on PostgreSQL.
  describeWith(['DATABASE_URL'], 'the audit log', () => {
    it('stays append-only: no update, and no deletion of an entry younger than the retention age the transaction announced', async () => {
      const recent = await server.prisma.auditLog.create({ data: { action: 'order.created', node: 'recent', at: new Date() } });
      await expect(server.prisma.$executeRawUnsafe(`UPDATE "AuditLog" SET "node" = 'x' WHERE "seq" = $1`, recent.seq)).rejects.toThrow(/append-only/);
      // As retention's own transaction does, in one statement.
      await expect(
        server.prisma.$executeRawUnsafe(
          `DO $$ BEGIN PERFORM set_config('clinic.audit_retention_days', '3', true); DELETE FROM "AuditLog" WHERE "seq" = ${recent.seq}; END $$`,
        ),
      ).rejects.toThrow(/append-only: DELETE is refused/);
      expect(await server.prisma.auditLog.count({ where: { seq: recent.seq } })).toBe(1);
    });
  });

  it('makes a client whose cursor predates a purge of its notifications refetch, over Socket.IO and plain WebSocket, and it ends with exactly what was kept', async () => {
    const nurse = await server.createUser('STAFF');
    const client = new NotificationClient({ baseUrl: server.baseUrl, token: () => nurse.token });
    await client.start();
    for (const title of ['One', 'Two', 'Three']) await send(nurse.id, title);
    await client.waitUntil(() => client.notifications().length === 3 && client.settled, 5_000, 'three notifications arrived');
    const cursor = client.cursor.toString();
    client.goOffline();
    for (const notification of client.notifications()) await api().patch(`/api/notifications/${notification.id}/read`).set(auth(nurse)).expect(200);
    // While the device is away: one read on another device, one left unread; then time passes.
    await send(nurse.id, 'Four, read elsewhere');
    await send(nurse.id, 'Five, unread');
    const [four, five] = await server.prisma.notification.findMany({ where: { userId: nurse.id, seq: { gt: BigInt(cursor) } }, orderBy: { seq: 'asc' } });
    await api().patch(`/api/notifications/${four.id}/read`).set(auth(nurse)).expect(200);
    await ageUpTo('Notification', five.seq, 3);
    await retention().run();
    await send(nurse.id, 'Six, after the purge');
    expect(await titlesOf(nurse.id)).toEqual(['Five, unread', 'Six, after the purge']);

    // Socket.IO: no replay that would step over the purged 'Four', but a refresh; sync says the same.
    const socket = await connect(server.baseUrl, { token: nurse.token, lastSeq: cursor });
    await socket.nth(ServerEvent.UnreadCount, 1);
    expect(socket.all(ServerEvent.Refresh)).toHaveLength(1);
    expect(socket.all(ServerEvent.New)).toEqual([]);
    expect(await socket.socket.timeout(5000).emitWithAck(ClientEvent.Sync, { afterSeq: cursor })).toEqual({ ok: true, replayed: 0, refresh: true, upToSeq: cursor });
    // From the purge horizon on, replays are as before.
    const fromHorizon = await socket.socket.timeout(5000).emitWithAck(ClientEvent.Sync, { afterSeq: four.seq.toString() });
    expect(fromHorizon).toMatchObject({ ok: true, replayed: 2, refresh: false });

    // The plain WebSocket endpoint shares the catch-up.
    const plain = await connectPlain(server.baseUrl, { token: nurse.token, lastSeq: cursor });
    await plain.nth('unread_count', 1);
    expect(plain.all('refresh')).toHaveLength(1);
    expect(plain.all('notification_created')).toEqual([]);
    plain.close();

    // The reference client, back online with its old cursor, holds exactly the kept rows.
    client.goOnline();
    const kept = (await server.prisma.notification.findMany({ where: { userId: nurse.id }, orderBy: { seq: 'asc' } })).map(({ id }) => id);
    await client.waitUntil(() => client.settled && client.notifications().map(({ id }) => id).join() === kept.join(), 5_000, 'the client holds exactly the kept notifications');
    expect(client.unreadCount).toBe(2);
    client.stop();
  });

  describe('GET /api/users/:id/export', () => {
    it('answers an admin with the account (no password hash), settings, preferences, notifications with receipts and deliveries, and audits it', async () => {
      const patient = await server.createUser('STAFF', { name: 'Exported Person' });
      const other = await server.createUser('STAFF');
      await api().put('/api/notifications/settings').set(auth(patient)).send({ timeZone: 'Europe/Zurich', phone: '+41791234567' }).expect(200);
      await api().put('/api/notifications/preferences').set(auth(patient)).send({ preferences: [{ type: 'ORDER_CREATED', muted: true }] }).expect(200);
      await send(patient.id, 'First');
      await send(patient.id, 'Second');
      await send(other.id, 'Not theirs');
      const [first] = await server.prisma.notification.findMany({ where: { userId: patient.id }, orderBy: { seq: 'asc' } });
      await server.prisma.notification.update({ where: { id: first.id }, data: { deliveredAt: new Date(), seenAt: new Date() } });
      await api().patch(`/api/notifications/${first.id}/read`).set(auth(patient)).expect(200);
      const delivery = (userId: string, subject: string) => ({ userId, channel: 'SMS' as const, status: 'SENT' as const, address: '+41791234567', subject, body: 'b', notificationId: randomUUID() });
      await server.prisma.delivery.createMany({ data: [delivery(patient.id, 'To them'), delivery(other.id, 'To someone else')] });

      const response = await api().get(`/api/users/${patient.id}/export`).set(auth(admin)).expect(200);
      const exported = response.body as UserExportDto;

      const stored = await server.prisma.user.findUniqueOrThrow({ where: { id: patient.id } });
      expect(response.text).not.toContain(stored.passwordHash);
      expect(response.text).not.toMatch(/password/i);
      expect(exported.user).toMatchObject({ id: patient.id, email: patient.email, name: 'Exported Person', role: 'STAFF', phone: '+41791234567', teams: [] });
      expect(exported.settings).toMatchObject({ timeZone: 'Europe/Zurich', phone: '+41791234567' });
      expect(exported.preferences.find((preference) => preference.type === 'ORDER_CREATED')).toMatchObject({ muted: true });
      expect(exported.notifications.map((notification: NotificationDto) => notification.title)).toEqual(['First', 'Second']);
      const receipts = await server.prisma.notification.findUniqueOrThrow({ where: { id: first.id } });
      expect(exported.notifications[0]).toMatchObject({
        id: first.id,
        deliveredAt: receipts.deliveredAt!.toISOString(),
        seenAt: receipts.seenAt!.toISOString(),
        readAt: receipts.readAt!.toISOString(),
        acknowledgedAt: null,
      });
      expect(exported.deliveries.map((row) => [row.subject, row.recipient.id])).toEqual([['To them', patient.id]]);

      const [audit] = await server.prisma.auditLog.findMany({ where: { action: 'user.exported' }, orderBy: { seq: 'desc' }, take: 1 });
      expect(audit).toMatchObject({ actorId: admin.id, targetType: 'user', targetId: patient.id, details: { notifications: 2, deliveries: 1 } });
    });

    it('refuses staff (403), and answers 404 for an unknown user', async () => {
      const staff = await server.createUser('STAFF');
      const audited = () => server.prisma.auditLog.count({ where: { action: 'user.exported' } });
      const before = await audited();
      await api().get(`/api/users/${staff.id}/export`).set(auth(staff)).expect(403);
      await api().get(`/api/users/${randomUUID()}/export`).set(auth(admin)).expect(404);
      await api().get('/api/users/not-a-uuid/export').set(auth(admin)).expect(404);
      expect(await audited()).toBe(before);
    });
  });
});
