import request from 'supertest';
import type { Language, NotificationSettingsDto } from '@clinic/contracts';
import { TestApp, TestUser, useTestApp } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(ms: number, find: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`still nothing after ${ms} ms`);
    await sleep(50);
  }
}

describe('Each user is written to in their own language', () => {
  let server: TestApp;
  let admin: TestUser;

  useTestApp({ ESCALATION_MIN_SECONDS: '1', ESCALATION_MAX_STEPS: '1', PUBLIC_URL: 'https://clinic.example' }, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const putSettings = (user: TestUser, body: object) => api().put('/api/notifications/settings').set(auth(user)).send(body);

  async function speaking(language: Language, name: string): Promise<TestUser> {
    const user = await server.createUser('STAFF', { name });
    if (language !== 'en') await putSettings(user, { language }).expect(200);
    return user;
  }

  async function team(members: readonly TestUser[]): Promise<string> {
    const created = await server.prisma.team.create({ data: { name: `Ward ${Date.now()}-${Math.random()}` } });
    await server.prisma.teamMember.createMany({ data: members.map((member) => ({ teamId: created.id, userId: member.id })) });
    return created.id;
  }

  it('the language is a setting: English until changed, only en or es, shown on the account too', async () => {
    const nurse = await server.createUser('STAFF');
    const get = async (): Promise<NotificationSettingsDto> => (await api().get('/api/notifications/settings').set(auth(nurse)).expect(200)).body;
    expect((await get()).language).toBe('en');

    for (const refused of ['xx', 'ES', null, 1]) {
      const response = await putSettings(nurse, { language: refused }).expect(400);
      expect([response.body.message].flat().join(' ')).toMatch(/language must be one of en, es/);
    }
    expect((await get()).language).toBe('en');

    expect((await putSettings(nurse, { language: 'es' }).expect(200)).body).toMatchObject({ language: 'es', timeZone: 'UTC' });
    expect(await get()).toMatchObject({ language: 'es' });
    expect((await api().get('/api/auth/me').set(auth(nurse)).expect(200)).body).toMatchObject({ id: nurse.id, language: 'es' });
  });

  it('an admin may create an account in Spanish; English when left out; anything else is refused', async () => {
    const create = (body: object) =>
      api()
        .post('/api/users')
        .set(auth(admin))
        .send({ email: `new-${Date.now()}-${Math.random()}@clinic.test`, name: 'Nueva', role: 'STAFF', ...body });
    expect((await create({ language: 'es' }).expect(201)).body.user).toMatchObject({ language: 'es' });
    expect((await create({}).expect(201)).body.user).toMatchObject({ language: 'en' });
    const refused = await create({ language: 'fr' }).expect(400);
    expect([refused.body.message].flat().join(' ')).toMatch(/language must be one of en, es/);
  });

  it("one order's notification reaches a Spanish and an English recipient, each in their own language, as one send", async () => {
    const creator = await speaking('en', 'Nora Nurse');
    const [spanish, english] = [await speaking('es', 'Lucía López'), await speaking('en', 'Dan Doctor')];
    const teamId = await team([spanish, english]);

    const order = (
      await api().post('/api/orders').set(auth(creator)).send({ patientName: 'Jane Roe', description: 'Blood panel', total: '120.50', teamId }).expect(201)
    ).body as { id: string };

    const rows = await server.prisma.notification.findMany({ where: { type: 'ORDER_CREATED', metadata: { equals: { orderId: order.id } } } });
    const of = (user: TestUser) => rows.find((row) => row.userId === user.id);
    expect(rows).toHaveLength(2);
    expect(of(spanish)).toMatchObject({
      title: 'Nuevo pedido para Jane Roe',
      message: 'Nora Nurse creó un pedido para Jane Roe: Blood panel (total 120,50\u00a0US$).',
      actionText: 'Ver pedido',
    });
    expect(of(english)).toMatchObject({
      title: 'New order for Jane Roe',
      message: 'Nora Nurse created an order for Jane Roe: Blood panel (total $120.50).',
      actionText: 'View order',
    });
    expect(of(spanish)?.sendId).toBe(of(english)?.sendId);
    // The send's own record (its receipts page) keeps the default language.
    expect(await server.prisma.send.findUniqueOrThrow({ where: { id: of(english)!.sendId! } })).toMatchObject({ title: 'New order for Jane Roe', recipients: 2 });

    await api().patch(`/api/orders/${order.id}/status`).set(auth(creator)).send({ status: 'CONFIRMED' }).expect(200);
    const changed = await server.prisma.notification.findMany({ where: { type: 'ORDER_STATUS_CHANGED', metadata: { path: ['orderId'], equals: order.id } } });
    expect(Object.fromEntries(changed.map((row) => [row.userId, row.message]))).toEqual({
      [spanish.id]: 'Nora Nurse cambió el pedido de Jane Roe de pendiente a confirmado.',
      [english.id]: 'Nora Nurse changed the order for Jane Roe from pending to confirmed.',
    });
  });

  it("an admin's message keeps its words; its default link label, its escalation and its mail are in each recipient's language", async () => {
    const [spanish, english] = [await speaking('es', 'Lucía López'), await speaking('en', 'Dan Doctor')];
    const teamId = await team([spanish, english]);
    const sent = await api()
      .post('/api/notifications/test')
      .set(auth(admin))
      .send({ title: 'Insulin, room 12', message: 'Now, please.', priority: 'CRITICAL', actionUrl: '/orders', target: { teamId }, escalation: { afterSeconds: 1, to: { teamId } } })
      .expect(201);
    const sendId: string = sent.body.sendId;

    const notifications = await server.prisma.notification.findMany({ where: { sendId } });
    expect(Object.fromEntries(notifications.map((row) => [row.userId, [row.title, row.actionText]]))).toEqual({
      [spanish.id]: ['Insulin, room 12', 'Abrir'],
      [english.id]: ['Insulin, room 12', 'Open'],
    });

    const mails = await eventually(10_000, async () => {
      const rows = await server.prisma.delivery.findMany({ where: { notificationId: { in: notifications.map((row) => row.id) }, channel: 'EMAIL' } });
      return rows.length === 2 ? rows : null;
    });
    const mailTo = (user: TestUser) => mails.find((row) => row.userId === user.id);
    expect(mailTo(spanish)).toMatchObject({
      subject: '[Clinic] Una nueva notificación CRÍTICA',
      body: 'Tienes una nueva notificación CRÍTICA en Clinic.\n\nÁbrela en Clinic: https://clinic.example/orders\n',
    });
    expect(mailTo(english)).toMatchObject({ subject: '[Clinic] A new CRITICAL notification' });

    const escalations = await eventually(15_000, async () => {
      const rows = await server.prisma.notification.findMany({ where: { type: 'ESCALATION', metadata: { path: ['escalationOf'], equals: sendId } } });
      return rows.length === 2 ? rows : null;
    });
    const escalationTo = (user: TestUser) => escalations.find((row) => row.userId === user.id);
    const teamName = (await server.prisma.team.findUniqueOrThrow({ where: { id: teamId } })).name;
    expect(escalationTo(spanish)).toMatchObject({
      title: 'Sin confirmar: Insulin, room 12',
      message: `Nadie ha confirmado la recepción de «Insulin, room 12» (enviado a ${teamName}) desde hace 1 segundo. Escalado 1 de 1.`,
      actionText: 'Ver confirmaciones',
    });
    expect(escalationTo(english)).toMatchObject({ title: 'Not acknowledged: Insulin, room 12', actionText: 'View receipts' });
  });
});
