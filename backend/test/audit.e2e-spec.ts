import request from 'supertest';
import { AuditEntryDto } from '@clinic/contracts';
import { TestApp, TestUser, useTestApp } from './support/test-app';

const NODE = 'audit-test-node';

describe('Audit log', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp({ NODE_NAME: NODE }, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const asAdmin = <T extends request.Test>(call: T) => call.set(bearer(admin.token));
  let unique = 0;
  const email = (name: string) => `${name}-${++unique}-${Date.now()}@clinic.test`;

  const lastSeq = async () => (await server.prisma.auditLog.aggregate({ _max: { seq: true } }))._max.seq ?? 0n;
  /** What `action` wrote to the audit log, as actor, action and target. */
  async function logged(action: () => Promise<unknown>) {
    const before = await lastSeq();
    await action();
    const rows = await server.prisma.auditLog.findMany({ where: { seq: { gt: before } }, orderBy: { seq: 'asc' } });
    expect(rows.every((row) => row.node === NODE)).toBe(true);
    return rows.map(({ actorId, action: what, targetType, targetId }) => ({ actorId, action: what, targetType, targetId }));
  }

  it('each action leaves exactly one audit row naming its actor and target', async () => {
    const staff = await server.createUser('STAFF');

    let userId = '';
    expect(
      await logged(async () => {
        userId = (await asAdmin(api().post('/api/users')).send({ email: email('new'), name: 'New', role: 'STAFF', password: 'first-passphrase' }).expect(201)).body.user.id;
      }),
    ).toEqual([{ actorId: admin.id, action: 'user.created', targetType: 'user', targetId: userId }]);
    const onUser = (action: string) => [{ actorId: admin.id, action, targetType: 'user', targetId: userId }];
    expect(await logged(() => asAdmin(api().patch(`/api/users/${userId}`)).send({ name: 'Renamed', role: 'ADMIN' }).expect(200))).toEqual(onUser('user.updated'));
    expect(await logged(() => asAdmin(api().post(`/api/users/${userId}/deactivate`)).expect(200))).toEqual(onUser('user.deactivated'));
    expect(await logged(() => asAdmin(api().post(`/api/users/${userId}/reactivate`)).expect(200))).toEqual(onUser('user.reactivated'));
    expect(await logged(() => asAdmin(api().post(`/api/users/${userId}/reset-password`)).expect(200))).toEqual(onUser('user.password-reset'));
    // Nothing changed, nothing recorded.
    expect(await logged(() => asAdmin(api().patch(`/api/users/${userId}`)).send({ name: 'Renamed' }).expect(200))).toEqual([]);

    let teamId = '';
    expect(
      await logged(async () => {
        teamId = (await asAdmin(api().post('/api/teams')).send({ name: `Audit ward ${Date.now()}` }).expect(201)).body.id;
      }),
    ).toEqual([{ actorId: admin.id, action: 'team.created', targetType: 'team', targetId: teamId }]);
    const onTeam = (action: string) => [{ actorId: admin.id, action, targetType: 'team', targetId: teamId }];
    expect(await logged(() => asAdmin(api().patch(`/api/teams/${teamId}`)).send({ name: `Audit ward renamed ${Date.now()}` }).expect(200))).toEqual(onTeam('team.renamed'));
    expect(await logged(() => asAdmin(api().put(`/api/teams/${teamId}/members`)).send({ userIds: [staff.id] }).expect(200))).toEqual(onTeam('team.members-changed'));

    const send = (target: object, key?: string) => {
      const call = asAdmin(api().post('/api/notifications/test'));
      return (key ? call.set('Idempotency-Key', key) : call).send({ title: 'T', message: 'm', target }).expect(201);
    };
    const sent = (targetType: string, targetId: string | null) => [{ actorId: admin.id, action: 'notification.sent', targetType, targetId }];
    expect(await logged(() => send({ userId: staff.id }))).toEqual(sent('user', staff.id));
    expect(await logged(() => send({ teamId }))).toEqual(sent('team', teamId));
    expect(await logged(() => send({ role: 'STAFF' }, 'audit-send-1'))).toEqual(sent('role', 'STAFF'));
    expect(await logged(() => send({ role: 'STAFF' }, 'audit-send-1'))).toEqual([]);
    expect(await logged(() => send({ all: true }))).toEqual(sent('all', null));
    expect(await logged(() => asAdmin(api().delete(`/api/teams/${teamId}`)).expect(204))).toEqual(onTeam('team.deleted'));

    let orderId = '';
    expect(
      await logged(async () => {
        orderId = (await api().post('/api/orders').set(bearer(staff.token)).send({ patientName: 'P', description: 'D', total: '5.00' }).expect(201)).body.id;
      }),
    ).toEqual([{ actorId: staff.id, action: 'order.created', targetType: 'order', targetId: orderId }]);
    const onOrder = (actorId: string, action: string) => [{ actorId, action, targetType: 'order', targetId: orderId }];
    expect(await logged(() => api().patch(`/api/orders/${orderId}/status`).set(bearer(staff.token)).send({ status: 'CONFIRMED' }).expect(200))).toEqual(
      onOrder(staff.id, 'order.status-changed'),
    );
    expect(await logged(() => asAdmin(api().post(`/api/orders/${orderId}/payment`)).expect(200))).toEqual(onOrder(admin.id, 'order.payment-verified'));

    // Sign-ins, their failures, a password change and session ends.
    const person = await server.createUser('STAFF', { password: 'the-right-passphrase' });
    let session: { accessToken: string; refreshToken: string } = { accessToken: '', refreshToken: '' };
    const signIn = await logged(async () => {
      session = (await api().post('/api/auth/login').send({ email: person.email, password: 'the-right-passphrase' }).expect(200)).body;
    });
    const sessionId = (await server.prisma.session.findFirstOrThrow({ where: { userId: person.id }, orderBy: { createdAt: 'desc' } })).id;
    expect(signIn).toEqual([{ actorId: person.id, action: 'auth.signed-in', targetType: 'session', targetId: sessionId }]);
    expect(await logged(() => api().post('/api/auth/login').send({ email: person.email, password: 'a-wrong-guess' }).expect(401))).toEqual([
      { actorId: null, action: 'auth.sign-in-failed', targetType: 'user', targetId: person.id },
    ]);
    expect(await logged(() => api().post('/api/auth/login').send({ email: email('nobody'), password: 'a-wrong-guess' }).expect(401))).toEqual([
      { actorId: null, action: 'auth.sign-in-failed', targetType: 'user', targetId: null },
    ]);
    expect(
      await logged(() =>
        api().post('/api/auth/change-password').set(bearer(session.accessToken)).send({ currentPassword: 'the-right-passphrase', newPassword: 'the-next-passphrase' }).expect(204),
      ),
    ).toEqual([{ actorId: person.id, action: 'auth.password-changed', targetType: 'user', targetId: person.id }]);
    const rotated = (await api().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(200)).body;
    // A refresh token presented twice: the session ends, and nobody knows who presented it.
    expect(await logged(() => api().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401))).toEqual([
      { actorId: null, action: 'session.ended', targetType: 'session', targetId: sessionId },
    ]);
    const again = (await api().post('/api/auth/login').send({ email: person.email, password: 'the-next-passphrase' }).expect(200)).body;
    const otherSession = (await server.prisma.session.findFirstOrThrow({ where: { userId: person.id, endedAt: null }, orderBy: { createdAt: 'desc' } })).id;
    expect(await logged(() => api().post('/api/auth/logout').send({ refreshToken: again.refreshToken }).expect(204))).toEqual([
      { actorId: person.id, action: 'session.ended', targetType: 'session', targetId: otherSession },
    ]);
    expect(rotated.accessToken).toEqual(expect.any(String));
  });

  it('a refused or rolled-back change records nothing', async () => {
    const staff = await server.createUser('STAFF');
    const order = (await api().post('/api/orders').set(bearer(staff.token)).send({ patientName: 'P', description: 'D', total: '5.00' }).expect(201)).body;
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(
      await logged(async () => {
        await api().patch(`/api/orders/${order.id}/status`).set(bearer(staff.token)).send({ status: 'COMPLETED' }).expect(409);
        await asAdmin(api().post('/api/notifications/test')).send({ title: 'T', message: 'm', target: { userId: missing } }).expect(400);
        await asAdmin(api().post('/api/notifications/test')).set('Idempotency-Key', 'audit-missing').send({ title: 'T', message: 'm', target: { userId: missing } }).expect(400);
        await asAdmin(api().post('/api/users')).send({ email: staff.email, name: 'Twin', role: 'STAFF' }).expect(409);
        await asAdmin(api().post('/api/teams')).send({ name: 'Ghost team', userIds: [missing] }).expect(404);
        await api().post('/api/users').set(bearer(staff.token)).send({ email: email('x'), name: 'X', role: 'ADMIN' }).expect(403);
      }),
    ).toEqual([]);
  });

  it('a failed sign-in is recorded with the email tried and why, never the password; no row holds a password, token or hash', async () => {
    const user = await server.createUser('STAFF', { password: 'correct-horse-battery' });
    await api().post('/api/auth/login').send({ email: user.email.toUpperCase(), password: 'Tr0ub4dor&3-guess' }).expect(401);
    const [failure] = await server.prisma.auditLog.findMany({ where: { action: 'auth.sign-in-failed', targetId: user.id }, orderBy: { seq: 'desc' }, take: 1 });
    expect(failure.details).toEqual({ email: user.email, reason: 'wrong-password', ip: expect.any(String) });

    // Everything secret this test file handled, and every stored hash.
    const signedIn = (await api().post('/api/auth/login').send({ email: user.email, password: 'correct-horse-battery' }).expect(200)).body;
    const created = (await asAdmin(api().post('/api/users')).send({ email: email('generated'), name: 'Gen', role: 'STAFF' }).expect(201)).body;
    const reset = (await asAdmin(api().post(`/api/users/${created.user.id}/reset-password`)).expect(200)).body;
    const secrets = [
      'correct-horse-battery',
      'Tr0ub4dor&3-guess',
      'first-passphrase',
      'the-right-passphrase',
      'the-next-passphrase',
      'a-wrong-guess',
      created.initialPassword,
      reset.temporaryPassword,
      signedIn.accessToken,
      signedIn.refreshToken,
      admin.token,
      ...(await server.prisma.user.findMany({ select: { passwordHash: true } })).map((row) => row.passwordHash),
      ...(await server.prisma.refreshToken.findMany({ select: { tokenHash: true } })).map((row) => row.tokenHash),
    ];
    const rows = await server.prisma.auditLog.findMany();
    expect(rows.length).toBeGreaterThan(20);
    const text = JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
    expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
    const keys = rows.flatMap((row) => Object.keys(row.details as object));
    expect(keys.filter((key) => /password|token|hash|secret/i.test(key))).toEqual([]);
  });

  it('GET /audit: admins only, newest first, filtered by actor, action and period, in cursor pages', async () => {
    const staff = await server.createUser('STAFF');
    const started = new Date();
    for (const name of ['A', 'B', 'C']) await asAdmin(api().post('/api/teams')).send({ name: `Paged ${name} ${Date.now()}` }).expect(201);
    await api().post('/api/orders').set(bearer(staff.token)).send({ patientName: 'P', description: 'D', total: '5.00' }).expect(201);

    await api().get('/api/audit').set(bearer(staff.token)).expect(403);
    const all = (await asAdmin(api().get('/api/audit')).query({ limit: 100 }).expect(200)).body.items as AuditEntryDto[];
    const seqs = all.map((entry) => BigInt(entry.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(all[0]).toMatchObject({ action: 'order.created', actorId: staff.id, actor: { id: staff.id, name: 'Test STAFF' }, node: NODE, targetType: 'order' });

    const created: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string | number> = { action: 'team.created', actorId: admin.id, from: started.toISOString(), limit: 2, ...(cursor ? { cursor } : {}) };
      const page: request.Response = await asAdmin(api().get('/api/audit')).query(query).expect(200);
      created.push(...page.body.items.map((entry: AuditEntryDto) => (entry.details as { name: string }).name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(created.map((name) => name.split(' ')[1])).toEqual(['C', 'B', 'A']);

    const byStaff = (await asAdmin(api().get('/api/audit')).query({ actorId: staff.id }).expect(200)).body.items as AuditEntryDto[];
    expect(byStaff.map((entry) => entry.action)).toEqual(['order.created']);
    const before = (await asAdmin(api().get('/api/audit')).query({ to: started.toISOString(), action: 'order.created', actorId: staff.id }).expect(200)).body;
    expect(before).toEqual({ items: [], nextCursor: null });

    for (const query of [
      { action: 'user.exploded' },
      { actorId: 'me' },
      { from: 'yesterday' },
      { to: '2026-13-01T00:00:00Z' },
      { from: '2026-12-01' },
      { cursor: '-1' },
      { cursor: 'abc' },
      { limit: 101 },
      { sort: 'asc' },
    ]) {
      const refused = await asAdmin(api().get('/api/audit')).query(query).expect(400);
      expect([query, [refused.body.message].flat().join(' ')]).toEqual([query, expect.stringMatching(/\S/)]);
    }
  });

  it('is append-only: the database refuses to change or delete an entry, whoever asks', async () => {
    await asAdmin(api().post('/api/teams')).send({ name: `Kept ${Date.now()}` }).expect(201);
    const entry = await server.prisma.auditLog.findFirstOrThrow({ where: { action: 'team.created' }, orderBy: { seq: 'desc' } });
    const { pool } = server.prisma;
    // The embedded database's one connection is replaced after an error; the first query on the new one may fail.
    const reconnected = async () => {
      for (let attempt = 0; attempt < 5 && !(await pool.query('SELECT 1').then(() => true, () => false)); attempt++);
    };
    for (const statement of [`UPDATE "AuditLog" SET "action" = 'user.created' WHERE "id" = $1`, `DELETE FROM "AuditLog" WHERE "id" = $1`]) {
      await expect(pool.query(statement, [entry.id])).rejects.toThrow(/the audit log is append-only/);
      await reconnected();
    }
    await expect(pool.query('TRUNCATE "AuditLog"')).rejects.toThrow(/the audit log is append-only: TRUNCATE is refused/);
    await reconnected();
    expect(await server.prisma.auditLog.findUniqueOrThrow({ where: { id: entry.id } })).toEqual(entry);
  });
});
