import request from 'supertest';
import { AccountDto, MIN_PASSWORD_LENGTH, ServerEvent, SocketError } from '@clinic/contracts';
import { connect, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

/** The socket was told its session ended and the server closed it; resolves with the time it closed. */
async function sessionEnded(socket: RecordingSocket): Promise<number> {
  const closed = socket.socket.connected ? new Promise<number>((resolve) => socket.socket.once('disconnect', () => resolve(Date.now()))) : Promise.resolve(Date.now());
  expect(await socket.nth(ServerEvent.SessionEnd, 1, 2000)).toEqual({ reason: SocketError.SessionRevoked });
  const at = await closed;
  expect(socket.socket.connected).toBe(false);
  return at;
}

describe('Accounts: admins manage users', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp({}, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const asAdmin = (call: request.Test) => call.set(bearer(admin.token));
  const login = (email: string, password: string) => api().post('/api/auth/login').send({ email, password });
  const newTeam = async (name: string) => (await asAdmin(api().post('/api/teams')).send({ name }).expect(201)).body as { id: string };
  let unique = 0;
  const email = (name: string) => `${name}-${++unique}-${Date.now()}@clinic.test`;

  async function device(token: string): Promise<RecordingSocket> {
    const socket = await connect(server.baseUrl, { token });
    await socket.nth(ServerEvent.UnreadCount, 1);
    return socket;
  }

  it('an admin creates a user without a password: it is generated and answered once; the user signs in with it and receives a notification', async () => {
    const ward = await newTeam(`Ward ${Date.now()}`);
    const address = email('New.Nurse');
    const created = await asAdmin(api().post('/api/users'))
      .send({ email: address.toUpperCase(), name: 'Nina New', role: 'STAFF', phone: '+41791234567', teamIds: [ward.id] })
      .expect(201);
    const { user, initialPassword } = created.body as { user: AccountDto; initialPassword: string };
    expect(user).toMatchObject({ email: address.toLowerCase(), name: 'Nina New', role: 'STAFF', active: true, phone: '+41791234567', teams: [{ id: ward.id }] });
    expect(initialPassword.length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH);
    // Kept only as a hash.
    const stored = await server.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain(initialPassword);
    expect(JSON.stringify((await asAdmin(api().get('/api/users')).query({ q: address }).expect(200)).body)).not.toContain(initialPassword);

    const signedIn = await login(address, initialPassword).expect(200);
    const me = await api().get('/api/auth/me').set(bearer(signedIn.body.accessToken)).expect(200);
    expect(me.body).toMatchObject({ id: user.id, phone: '+41791234567', teams: [{ id: ward.id }] });
    const socket = await device(signedIn.body.accessToken);
    await asAdmin(api().post('/api/notifications/test')).send({ title: 'Welcome aboard', message: 'm', target: { userId: user.id } }).expect(201);
    expect(await socket.nth(ServerEvent.New, 1)).toMatchObject({ title: 'Welcome aboard', userId: user.id });
  });

  it('with a password given, that one is set and none is answered', async () => {
    const address = email('doctor');
    const created = await asAdmin(api().post('/api/users')).send({ email: address, name: 'Dora Doctor', role: 'ADMIN', password: 'a-chosen-passphrase' }).expect(201);
    expect(created.body.initialPassword).toBeUndefined();
    expect(created.body.user).toMatchObject({ role: 'ADMIN', phone: null, teams: [] });
    await login(address, 'a-chosen-passphrase').expect(200);
  });

  it('refuses a taken email in any letter case (409), an unknown team (404) and a bad body (400), creating nothing', async () => {
    const address = email('taken');
    await asAdmin(api().post('/api/users')).send({ email: address, name: 'First', role: 'STAFF' }).expect(201);
    const before = await server.prisma.user.count();

    const taken = await asAdmin(api().post('/api/users')).send({ email: address.toUpperCase(), name: 'Second', role: 'STAFF' }).expect(409);
    expect(taken.body.message).toBe('A user with this email already exists');
    const missing = '00000000-0000-4000-8000-000000000000';
    const unknownTeam = await asAdmin(api().post('/api/users')).send({ email: email('x'), name: 'X', role: 'STAFF', teamIds: [missing] }).expect(404);
    expect(unknownTeam.body.message).toBe(`Team not found: ${missing}`);
    const cases: Array<[object, RegExp]> = [
      [{ phone: '0791234567' }, /phone must be an E\.164 number/],
      [{ phone: '+0791234567' }, /phone must be an E\.164 number/],
      [{ password: 'short' }, new RegExp(`password must be ${MIN_PASSWORD_LENGTH} to 200`)],
      [{ role: 'ROOT' }, /role must be one of STAFF, ADMIN/],
      [{ teamIds: ['nope'] }, /teamIds must be a list of team ids/],
      [{ teamIds: [missing, missing] }, /teamIds must name each team once/],
      [{ email: 'not-an-email' }, /email must be an email address/],
      [{ name: '' }, /name/],
      [{ passwordHash: 'scrypt$x' }, /property passwordHash should not exist/],
    ];
    for (const [change, message] of cases) {
      const response = await asAdmin(api().post('/api/users')).send({ email: email('bad'), name: 'Bad', role: 'STAFF', ...change }).expect(400);
      expect([response.body.message].flat().join('\n')).toMatch(message);
    }
    expect(await server.prisma.user.count()).toBe(before);
  });

  it('only admins manage users: staff get 403 on every route', async () => {
    const staff = await server.createUser('STAFF');
    const calls = [
      api().get('/api/users'),
      api().post('/api/users').send({ email: email('s'), name: 'S', role: 'ADMIN' }),
      api().patch(`/api/users/${staff.id}`).send({ role: 'ADMIN' }),
      api().post(`/api/users/${admin.id}/deactivate`),
      api().post(`/api/users/${staff.id}/reactivate`),
      api().post(`/api/users/${admin.id}/reset-password`),
    ];
    for (const call of calls) await call.set(bearer(staff.token)).expect(403);
    expect((await server.prisma.user.findUniqueOrThrow({ where: { id: staff.id } })).role).toBe('STAFF');
  });

  it('GET /users searches names and emails in any letter case, literally, and pages by name', async () => {
    const tag = `zq${Date.now()}`;
    for (const name of ['Carla', 'Anna', 'Bert', 'Dana']) {
      await asAdmin(api().post('/api/users')).send({ email: `${name.toLowerCase()}.${tag}@clinic.test`, name: `${name} ${tag}`, role: 'STAFF' }).expect(201);
    }
    await asAdmin(api().post('/api/users')).send({ email: `percent.${tag}@clinic.test`, name: `100% ${tag}_x`, role: 'STAFF' }).expect(201);

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await asAdmin(api().get('/api/users'))
        .query({ q: tag.toUpperCase(), limit: 2, ...(cursor ? { cursor } : {}) })
        .expect(200);
      names.push(...page.body.items.map((user: AccountDto) => user.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(names).toEqual([`100% ${tag}_x`, `Anna ${tag}`, `Bert ${tag}`, `Carla ${tag}`, `Dana ${tag}`]);

    const byEmail = await asAdmin(api().get('/api/users')).query({ q: `BERT.${tag}` }).expect(200);
    expect(byEmail.body.items.map((user: AccountDto) => user.name)).toEqual([`Bert ${tag}`]);
    // % and _ are what they are, not wildcards.
    for (const q of [`% ${tag}`, `${tag}_`]) {
      const literal = await asAdmin(api().get('/api/users')).query({ q }).expect(200);
      expect([q, literal.body.items.map((user: AccountDto) => user.name)]).toEqual([q, [`100% ${tag}_x`]]);
    }
    expect((await asAdmin(api().get('/api/users')).query({ q: `_${tag.slice(1)}` }).expect(200)).body.items).toEqual([]);
    for (const query of [{ limit: 0 }, { limit: 101 }, { cursor: 'nope' }, { cursor: '00000000-0000-4000-8000-000000000000' }, { q: '' }, { page: 2 }]) {
      await asAdmin(api().get('/api/users')).query(query).expect(400);
    }
  });

  it('PATCH changes the name, phone and teams; the teams list is complete, null removes the phone, and the sessions last', async () => {
    const [lab, ward] = [await newTeam(`Lab ${Date.now()}`), await newTeam(`Ward B ${Date.now()}`)];
    const nurse = await server.createUser('STAFF');
    const patch = (body: object) => asAdmin(api().patch(`/api/users/${nurse.id}`)).send(body);

    const first = await patch({ name: 'Nora Renamed', phone: '+4915112345678', teamIds: [lab.id, ward.id] }).expect(200);
    expect(first.body).toMatchObject({ name: 'Nora Renamed', phone: '+4915112345678' });
    expect(first.body.teams.map((team: { id: string }) => team.id).sort()).toEqual([lab.id, ward.id].sort());
    const second = await patch({ phone: null, teamIds: [ward.id] }).expect(200);
    expect(second.body).toMatchObject({ name: 'Nora Renamed', phone: null, teams: [{ id: ward.id }] });
    await patch({ teamIds: ['00000000-0000-4000-8000-000000000000'] }).expect(404);
    await asAdmin(api().patch('/api/users/00000000-0000-4000-8000-000000000000')).send({ name: 'Ghost' }).expect(404);
    await api().get('/api/auth/me').set(bearer(nurse.token)).expect(200);
  });

  it("deactivation ends the user's open sockets within 1 s, refuses their sign-in and tokens; reactivated, they sign in again", async () => {
    const password = 'a-nurse-passphrase';
    const address = email('leaving');
    const { user } = (await asAdmin(api().post('/api/users')).send({ email: address, name: 'Lea Leaving', role: 'STAFF', password }).expect(201)).body;
    const session = await login(address, password).expect(200);
    const [laptop, phone] = await Promise.all([device(session.body.accessToken), device(session.body.accessToken)]);

    const at = Date.now();
    const answered = await asAdmin(api().post(`/api/users/${user.id}/deactivate`)).expect(200);
    expect(answered.body).toMatchObject({ id: user.id, active: false });

    for (const closedAt of await Promise.all([sessionEnded(laptop), sessionEnded(phone)])) expect(closedAt - at).toBeLessThan(1000);
    await api().get('/api/auth/me').set(bearer(session.body.accessToken)).expect(401);
    expect((await login(address, password).expect(401)).body.message).toMatch(/deactivated/);

    await asAdmin(api().post(`/api/users/${user.id}/reactivate`)).expect(200);
    await login(address, password).expect(200);
  });

  it("a password reset ends every session of the user and answers a temporary password once; the old one no longer signs in", async () => {
    const password = 'the-old-passphrase';
    const address = email('forgetful');
    const { user } = (await asAdmin(api().post('/api/users')).send({ email: address, name: 'Fred Forgetful', role: 'STAFF', password }).expect(201)).body;
    const session = await login(address, password).expect(200);
    const socket = await device(session.body.accessToken);

    const reset = await asAdmin(api().post(`/api/users/${user.id}/reset-password`)).expect(200);
    expect(reset.body).toEqual({ user: expect.objectContaining({ id: user.id, active: true }), temporaryPassword: expect.any(String) });

    await sessionEnded(socket);
    await api().get('/api/auth/me').set(bearer(session.body.accessToken)).expect(401);
    await login(address, password).expect(401);
    await login(address, reset.body.temporaryPassword).expect(200);
    await asAdmin(api().post('/api/users/00000000-0000-4000-8000-000000000000/reset-password')).expect(404);
  });
});

describe('Accounts in demo mode', () => {
  let server: TestApp;
  useTestApp({ SEED_DEMO_USERS: 'true' }, (app) => (server = app));

  it('seeds the teams Ward A, Lab and Front desk with the demo accounts in them', async () => {
    const nurse = await request(server.baseUrl).post('/api/auth/login').send({ email: 'nurse@clinic.test', password: 'Nurse123!' }).expect(200);
    const teams = await request(server.baseUrl).get('/api/teams').set('Authorization', `Bearer ${nurse.body.accessToken}`).expect(200);
    expect(teams.body.map((team: { name: string; memberCount: number; isMember: boolean }) => [team.name, team.memberCount, team.isMember])).toEqual([
      ['Front desk', 2, true],
      ['Lab', 1, false],
      ['Ward A', 2, true],
    ]);
    const me = await request(server.baseUrl).get('/api/auth/me').set('Authorization', `Bearer ${nurse.body.accessToken}`).expect(200);
    expect(me.body.teams.map((team: { name: string }) => team.name)).toEqual(['Front desk', 'Ward A']);
  });
});
