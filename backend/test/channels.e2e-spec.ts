import request from 'supertest';
import type { DeliveryDto, DeliveryPageDto, SendNotificationRequest } from '@clinic/contracts';
import { insertUsers, withDatabase } from './support/cluster';
import { ReceivedMail, TestSmsProvider, TestSmtpServer } from './support/mail-and-sms';
import { BackendProcess, killAllProcesses } from './support/processes';
import { describeWith } from './support/requirements';
import { createTestDatabase, startTestApp, TestApp, TestDatabase, TestUser, useTestApp, useTwoNodes } from './support/test-app';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PUBLIC_URL = 'https://clinic.example';
/** Retries a second apart, two attempts before the dead letter: a test can wait for both. */
const FAST_RETRIES = { DELIVERY_RETRY_DELAY_SECONDS: '1', DELIVERY_MAX_ATTEMPTS: '2', EMAIL_UNREAD_AFTER_SECONDS: '2', DIGEST_CHECK_SECONDS: '1', PUBLIC_URL };

async function eventually(ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not true after ${ms} ms`);
    await sleep(50);
  }
}

const critical = (title: string, target: SendNotificationRequest['target']): SendNotificationRequest => ({
  title,
  message: 'Patient Ada Lovelace, room 12, needs her insulin now.',
  priority: 'CRITICAL',
  target,
  // Far ahead: these tests are about mail and SMS, not escalation.
  escalation: { afterSeconds: 3600, to: { role: 'ADMIN' } },
});

async function sendAs(baseUrl: string, token: string, body: SendNotificationRequest): Promise<string> {
  return (await request(baseUrl).post('/api/notifications/test').set(bearer(token)).send(body).expect(201)).body.sendId;
}

async function withPhone(app: TestApp, role: 'STAFF' | 'ADMIN', phone: string | null): Promise<TestUser> {
  const user = await app.createUser(role);
  if (phone) await app.prisma.user.update({ where: { id: user.id }, data: { phone } });
  return user;
}

/**
 * A test SMTP server and SMS stand-in, then the app pointed at them (with `env`), registered on
 * the enclosing describe; all stopped at the end.
 */
function useAppWithProviders(env: Record<string, string>, onStarted: (setup: { app: TestApp; admin: TestUser; smtp: TestSmtpServer; sms: TestSmsProvider }) => void): void {
  let database: TestDatabase | undefined;
  let app: TestApp | undefined;
  let smtp: TestSmtpServer | undefined;
  let sms: TestSmsProvider | undefined;
  beforeAll(async () => {
    [smtp, sms, database] = await Promise.all([TestSmtpServer.start(), TestSmsProvider.start(), createTestDatabase()]);
    app = await startTestApp(database, { SMTP_URL: smtp.url, MAIL_FROM: 'Clinic <alerts@clinic.example>', ...sms.env(), ...env });
    onStarted({ app, admin: await app.createUser('ADMIN'), smtp, sms });
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await smtp?.close();
    await sms?.close();
  });
}

const clock = (date: Date) => date.toISOString().slice(11, 16);

/** A fixed-offset zone whose clock reads about noon now: a digest due "now" is not cut off by midnight. */
function zoneAtNoon(): string {
  const offset = 12 - new Date().getUTCHours();
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

const putSettings = (app: TestApp, user: TestUser, settings: object) =>
  request(app.baseUrl).put('/api/notifications/settings').set(bearer(user.token)).send(settings).expect(200);

const deliveriesOf = async (app: TestApp, token: string, status?: string): Promise<DeliveryDto[]> =>
  ((await request(app.baseUrl).get('/api/deliveries').query(status ? { status, limit: 100 } : { limit: 100 }).set(bearer(token)).expect(200)).body as DeliveryPageDto).items;

describe('Email and SMS of a CRITICAL send', () => {
  let server: TestApp;
  let admin: TestUser;
  let smtp: TestSmtpServer;
  let sms: TestSmsProvider;
  useAppWithProviders(FAST_RETRIES, (setup) => ({ app: server, admin, smtp, sms } = setup));

  it('one mail and one SMS per recipient with a contact, without the content, linking to the app', async () => {
    const [withBoth, mailOnly] = await Promise.all([withPhone(server, 'STAFF', '+41791234567'), withPhone(server, 'STAFF', null)]);
    const team = (await request(server.baseUrl).post('/api/teams').set(bearer(admin.token)).send({ name: `Ward ${Date.now()}`, userIds: [withBoth.id, mailOnly.id] }).expect(201)).body;
    await sendAs(server.baseUrl, admin.token, critical('Insulin for room 12', { teamId: team.id }));

    await eventually(5000, () => smtp.to(withBoth.email).length === 1 && smtp.to(mailOnly.email).length === 1 && sms.received.some((m) => m.to === '+41791234567'));
    await sleep(1000);
    const mails = [...smtp.to(withBoth.email), ...smtp.to(mailOnly.email)];
    expect(mails).toHaveLength(2);
    for (const mail of mails) {
      expect(mail.subject).toBe('[Clinic] A new CRITICAL notification');
      expect(mail.raw).toContain(`${PUBLIC_URL}/notifications`);
      // Patient data never leaves by default.
      expect(mail.raw).not.toMatch(/Insulin|Lovelace|room 12/);
      expect(mail.raw).toMatch(/^From: Clinic <alerts@clinic\.example>/m);
    }
    const texts = sms.received.filter((m) => m.to === '+41791234567');
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ from: '+15550000000', authorized: true });
    expect(texts[0].body.length).toBeLessThanOrEqual(160);
    expect(texts[0].body).toContain(`${PUBLIC_URL}/notifications`);
    expect(texts[0].body).not.toMatch(/Insulin|Lovelace/);

    const listed = (await deliveriesOf(server, admin.token, 'sent')).filter((d) => [withBoth.id, mailOnly.id].includes(d.recipient.id));
    expect(listed.map((d) => [d.recipient.id === withBoth.id ? 'both' : 'mail', d.channel]).sort()).toEqual([['both', 'EMAIL'], ['both', 'SMS'], ['mail', 'EMAIL']]);
    await request(server.baseUrl).get('/api/deliveries').set(bearer(withBoth.token)).expect(403);
  });

  it('HIGH: one mail (no SMS) to whoever has not read it after EMAIL_UNREAD_AFTER_SECONDS, none to who read it in time; NORMAL: in-app only', async () => {
    const [reader, away] = await Promise.all([withPhone(server, 'STAFF', '+41791234571'), withPhone(server, 'STAFF', '+41791234572')]);
    const team = (await request(server.baseUrl).post('/api/teams').set(bearer(admin.token)).send({ name: `Ward ${Date.now()}`, userIds: [reader.id, away.id] }).expect(201)).body;
    await sendAs(server.baseUrl, admin.token, { title: 'Lift out of order', message: 'm', priority: 'HIGH', target: { teamId: team.id } });
    await sendAs(server.baseUrl, admin.token, { title: 'Lunch', message: 'm', priority: 'NORMAL', target: { teamId: team.id } });
    const [high] = (await request(server.baseUrl).get('/api/notifications').set(bearer(reader.token)).expect(200)).body.items.filter((n: { title: string }) => n.title === 'Lift out of order');
    await request(server.baseUrl).patch(`/api/notifications/${high.id}/read`).set(bearer(reader.token)).expect(200);

    await eventually(6000, () => smtp.to(away.email).length === 1);
    await sleep(1500);
    expect(smtp.to(away.email)).toHaveLength(1);
    expect(smtp.to(away.email)[0].subject).toBe('[Clinic] A new high-priority notification');
    expect(smtp.to(reader.email)).toEqual([]);
    expect(sms.received.filter((m) => ['+41791234571', '+41791234572'].includes(m.to))).toEqual([]);
  });

  it("quiet hours (on the user's clock): no mail or SMS for HIGH, still both for CRITICAL", async () => {
    const nurse = await withPhone(server, 'STAFF', '+41791234573');
    const now = Date.now();
    // An hour either side of now, in UTC: over midnight when now is near it, which the rule allows.
    await putSettings(server, nurse, { timeZone: 'UTC', quietHours: { start: clock(new Date(now - 3600_000)), end: clock(new Date(now + 3600_000)) } });
    await sendAs(server.baseUrl, admin.token, { title: 'Lift out of order', message: 'm', priority: 'HIGH', target: { userId: nurse.id } });
    await sendAs(server.baseUrl, admin.token, critical('Crash cart', { userId: nurse.id }));

    await eventually(5000, () => smtp.to(nurse.email).length === 1 && sms.received.some((m) => m.to === '+41791234573'));
    // Past EMAIL_UNREAD_AFTER_SECONDS: the HIGH one would have mailed by now.
    await sleep(3000);
    expect(smtp.to(nurse.email).map((mail) => mail.subject)).toEqual(['[Clinic] A new CRITICAL notification']);
    expect(sms.received.filter((m) => m.to === '+41791234573')).toHaveLength(1);
  });

  it("a type's email switched off: no mail of that type, its SMS still; the other types unchanged", async () => {
    const nurse = await withPhone(server, 'STAFF', '+41791234574');
    await request(server.baseUrl)
      .put('/api/notifications/preferences')
      .set(bearer(nurse.token))
      .send({ preferences: [{ type: 'GENERAL', channels: { email: false } }] })
      .expect(200);
    await sendAs(server.baseUrl, admin.token, critical('General alarm', { userId: nurse.id }));
    await sendAs(server.baseUrl, admin.token, { ...critical('System alarm', { userId: nurse.id }), type: 'SYSTEM_ALERT' });
    await eventually(5000, () => smtp.to(nurse.email).length === 1 && sms.received.filter((m) => m.to === '+41791234574').length === 2);
    await sleep(1000);
    expect(smtp.to(nurse.email)).toHaveLength(1);
    const [mailed] = (await deliveriesOf(server, admin.token)).filter((d) => d.recipient.id === nurse.id && d.channel === 'EMAIL');
    const mailedType = await server.prisma.notification.findUniqueOrThrow({ where: { id: mailed.notificationId! }, select: { type: true } });
    expect(mailedType.type).toBe('SYSTEM_ALERT');
  });

  it("the daily digest: one mail at the chosen time on the user's clock, of what is unread, none for who has nothing unread", async () => {
    const [reader, behind] = await Promise.all([withPhone(server, 'STAFF', null), withPhone(server, 'STAFF', null)]);
    for (const title of ['Lunch moved', 'New rota']) {
      await sendAs(server.baseUrl, admin.token, { title, message: 'm', priority: 'NORMAL', target: { userId: behind.id } });
    }
    const timeZone = zoneAtNoon();
    const digestTime = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date());
    await Promise.all([putSettings(server, reader, { timeZone, digestTime }), putSettings(server, behind, { timeZone, digestTime })]);

    await eventually(5000, () => smtp.to(behind.email).length === 1);
    // Several checks later (DIGEST_CHECK_SECONDS=1), still one: one digest per user and day.
    await sleep(2500);
    const [digest] = smtp.to(behind.email);
    expect(smtp.to(behind.email)).toHaveLength(1);
    expect(digest.subject).toBe('[Clinic] Your daily digest: 2 unread notifications');
    expect(digest.raw).toContain(`${PUBLIC_URL}/notifications`);
    expect(digest.raw).not.toMatch(/Lunch|rota/);
    expect(smtp.to(reader.email)).toEqual([]);
    const [listed] = (await deliveriesOf(server, admin.token)).filter((d) => d.recipient.id === behind.id);
    expect(listed).toMatchObject({ kind: 'digest', notificationId: null, channel: 'EMAIL', status: 'sent' });
  });

  it('the SMTP server refusing for a while: retried, and delivered once when it accepts again', async () => {
    const nurse = await withPhone(server, 'STAFF', null);
    smtp.refusing = true;
    const refusalsBefore = smtp.refusals;
    await sendAs(server.baseUrl, admin.token, critical('Retry me', { userId: nurse.id }));
    await eventually(5000, () => smtp.refusals > refusalsBefore);
    smtp.refusing = false;
    await eventually(8000, () => smtp.to(nurse.email).length === 1);
    await sleep(1500);
    expect(smtp.to(nurse.email)).toHaveLength(1);
    const [delivery] = (await deliveriesOf(server, admin.token)).filter((d) => d.recipient.id === nurse.id);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('always refusing: dead-lettered after the configured attempts, listed as failed, and retried once by an admin', async () => {
    const nurse = await withPhone(server, 'STAFF', null);
    smtp.refusing = true;
    await sendAs(server.baseUrl, admin.token, critical('Dead letter', { userId: nurse.id }));
    let failed: DeliveryDto | undefined;
    await eventually(10_000, async () => {
      failed = (await deliveriesOf(server, admin.token, 'failed')).find((d) => d.recipient.id === nurse.id);
      return failed !== undefined;
    });
    expect(failed).toMatchObject({ channel: 'EMAIL', attempts: 2, lastError: expect.stringContaining('451') });
    expect(smtp.to(nurse.email)).toEqual([]);

    smtp.refusing = false;
    const retried = await request(server.baseUrl).post(`/api/deliveries/${failed!.id}/retry`).set(bearer(admin.token)).expect(200);
    expect(retried.body).toMatchObject({ id: failed!.id, status: 'queued', attempts: 0 });
    await eventually(5000, () => smtp.to(nurse.email).length === 1);
    await request(server.baseUrl).post(`/api/deliveries/${failed!.id}/retry`).set(bearer(admin.token)).expect(409);
    await request(server.baseUrl).post('/api/deliveries/00000000-0000-4000-8000-000000000000/retry').set(bearer(admin.token)).expect(404);
    await sleep(1000);
    expect(smtp.to(nurse.email)).toHaveLength(1);
  });
});

describe('Without SMTP_URL (npm start)', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp({ PUBLIC_URL }, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  it('mail and SMS land in the outbox, nothing lost, nothing crashes', async () => {
    const nurse = await withPhone(server, 'STAFF', '+41791234569');
    await sendAs(server.baseUrl, admin.token, critical('Outbox', { userId: nurse.id }));
    await eventually(5000, async () => (await deliveriesOf(server, admin.token, 'outbox')).filter((d) => d.recipient.id === nurse.id).length === 2);
    const kept = (await deliveriesOf(server, admin.token, 'outbox')).filter((d) => d.recipient.id === nurse.id);
    expect(kept.map((d) => [d.channel, d.address]).sort()).toEqual([['EMAIL', nurse.email], ['SMS', '+41791234569']]);
    await request(server.baseUrl).get('/api/health').expect(200);
  });
});

describe('EXTERNAL_CHANNELS_INCLUDE_CONTENT=true', () => {
  let server: TestApp;
  let admin: TestUser;
  let smtp: TestSmtpServer;
  let sms: TestSmsProvider;
  useAppWithProviders({ ...FAST_RETRIES, EXTERNAL_CHANNELS_INCLUDE_CONTENT: 'true' }, (setup) => ({ app: server, admin, smtp, sms } = setup));

  it('the clinic chose to send the content: title and message in the mail, the title in the SMS, within 160 characters', async () => {
    const nurse = await withPhone(server, 'STAFF', '+41791234570');
    await sendAs(server.baseUrl, admin.token, critical(`Insulin for room 12 ${'x'.repeat(150)}`, { userId: nurse.id }));
    await eventually(5000, () => smtp.to(nurse.email).length === 1 && sms.received.length === 1);
    const [mail] = smtp.to(nurse.email);
    expect(mail.subject).toContain('Insulin for room 12');
    expect(mail.raw).toContain('Lovelace');
    expect(sms.received[0].body.length).toBeLessThanOrEqual(160);
    expect(sms.received[0].body).toMatch(/^Clinic CRITICAL: Insulin for room 12 x+\.\.\. https:\/\/clinic\.example\/notifications$/);
  });
});

describeWith(['DATABASE_URL', 'REDIS_URL'], 'Deliveries with two nodes', () => {
  let smtp: TestSmtpServer;
  let nodeA: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterAll(() => smtp?.close());
  useTwoNodes((nodes) => ({ nodeA, admin } = nodes), {
    nodeA: { ...FAST_RETRIES, get SMTP_URL() { return smtp.url; } } as Record<string, string>,
    nodeB: { ...FAST_RETRIES, get SMTP_URL() { return smtp.url; } } as Record<string, string>,
  });

  it('each delivery is sent exactly once: count what the SMTP server received', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => withPhone(nodeA, 'STAFF', null)));
    const team = (await request(nodeA.baseUrl).post('/api/teams').set(bearer(admin.token)).send({ name: `Ward ${Date.now()}`, userIds: users.map((u) => u.id) }).expect(201)).body;
    for (let i = 0; i < 3; i++) await sendAs(nodeA.baseUrl, admin.token, critical(`Alarm ${i}`, { teamId: team.id }));
    await eventually(10_000, () => users.every((user) => smtp.to(user.email).length === 3));
    await sleep(1500);
    const counts = users.map((user) => smtp.to(user.email).length);
    expect(counts).toEqual(users.map(() => 3));
    expect(new Set(smtp.received.map((mail: ReceivedMail) => mail.messageId)).size).toBe(smtp.received.length);
  });
});

describeWith(['DATABASE_URL'], 'Deliveries survive a node killed with SIGKILL', () => {
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  let node: BackendProcess;

  beforeAll(async () => {
    [database, smtp] = await Promise.all([createTestDatabase(), TestSmtpServer.start()]);
    node = await BackendProcess.start({ ...FAST_RETRIES, DELIVERY_MAX_ATTEMPTS: '20', SMTP_URL: smtp.url, DATABASE_URL: database.url! });
  });
  afterAll(async () => {
    killAllProcesses();
    await smtp?.close();
    await database?.drop();
  });

  it('deliveries queued (the SMTP server refusing) when the node is killed: after the restart each is sent exactly once', async () => {
    const [admin, ...staff] = await insertUsers(database.url!, ['ADMIN', 'STAFF', 'STAFF', 'STAFF']);
    smtp.refusing = true;
    await sendAs(node.url, admin.token, critical('Crash test', { role: 'STAFF' }));
    // Each refused once and waiting for its retry: queued, none in flight (an attempt cut off
    // mid-call is handed out again only after the job expires, a minute later).
    await eventually(5000, () => smtp.refusals >= 3);
    await sleep(200);
    await node.kill();
    smtp.refusing = false;
    await node.start();
    const emails = await withDatabase(database.url!, async (client) => (await client.query<{ email: string }>(`SELECT "email" FROM "User" WHERE "id" = ANY($1)`, [staff.map((u) => u.id)])).rows.map((r) => r.email));
    await eventually(15_000, () => emails.every((email) => smtp.to(email).length === 1));
    await sleep(2000);
    expect(emails.map((email) => smtp.to(email).length)).toEqual([1, 1, 1]);
  });
});
