import request from 'supertest';
import { ClientEvent, ServerEvent, SocketError, TeamDetailDto, teamRoom } from '@clinic/contracts';
import type { AppServer } from '../src/notifications/notification-publisher';
import { NotificationsGateway } from '../src/notifications/notifications.gateway';
import { describeWith } from './support/requirements';
import { connect, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTestApp, useTwoNodes } from './support/test-app';

const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

async function device(node: TestApp, user: TestUser): Promise<RecordingSocket> {
  const socket = await connect(node.baseUrl, { token: user.token });
  await socket.nth(ServerEvent.UnreadCount, 1);
  return socket;
}

/** What `subscribe` answers for the team's room: the server's view of the socket's teams. */
const subscribeTo = (socket: RecordingSocket, teamId: string) => socket.socket.timeout(2000).emitWithAck(ClientEvent.Subscribe, { channel: teamRoom(teamId) });

/** The ids of the sockets in `room` on every node, as `node` finds them (through the Redis adapter when there is one). */
async function socketsIn(node: TestApp, room: string): Promise<string[]> {
  const { server } = node.app.get(NotificationsGateway) as unknown as { server: AppServer };
  return (await server.in(room).fetchSockets()).map((socket) => socket.id).sort();
}

/** Polls until `check` holds, at most `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`still not true after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let teamNumber = 0;
const teamName = (prefix: string) => `${prefix} ${++teamNumber}-${Date.now()}`;

describe('Teams', () => {
  let server: TestApp;
  let admin: TestUser;
  useTestApp({}, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const createTeam = async (userIds: string[] = [], name = teamName('Ward')): Promise<TeamDetailDto> =>
    (await api().post('/api/teams').set(bearer(admin)).send({ name, userIds }).expect(201)).body;
  const setMembers = (teamId: string, userIds: string[]) => api().put(`/api/teams/${teamId}/members`).set(bearer(admin)).send({ userIds }).expect(200);
  const sendToTeam = (teamId: string, title: string) =>
    api().post('/api/notifications/test').set(bearer(admin)).send({ title, message: 'm', target: { teamId } }).expect(201);

  it('everyone sees every team with whether they are in it; members and admins see who is in it, others get 404', async () => {
    const [member, outsider] = await Promise.all([server.createUser('STAFF'), server.createUser('STAFF')]);
    const team = await createTeam([member.id]);
    expect(team).toMatchObject({ memberCount: 1, isMember: false, members: [expect.objectContaining({ id: member.id })] });

    for (const [user, isMember] of [[member, true], [outsider, false]] as const) {
      const listed = (await api().get('/api/teams').set(bearer(user)).expect(200)).body.find((entry: { id: string }) => entry.id === team.id);
      expect(listed).toEqual({ id: team.id, name: team.name, createdAt: team.createdAt, memberCount: 1, isMember });
    }
    expect((await api().get(`/api/teams/${team.id}`).set(bearer(member)).expect(200)).body.members.map((user: { id: string }) => user.id)).toEqual([member.id]);
    const hidden = await api().get(`/api/teams/${team.id}`).set(bearer(outsider)).expect(404);
    expect(hidden.body.message).toBe('Team not found');
    await api().get(`/api/teams/${team.id}`).set(bearer(admin)).expect(200);
  });

  it('only admins create, rename, delete or change the members of a team (403)', async () => {
    const staff = await server.createUser('STAFF');
    const team = await createTeam([staff.id]);
    const calls = [
      api().post('/api/teams').send({ name: teamName('Mine') }),
      api().patch(`/api/teams/${team.id}`).send({ name: teamName('Renamed') }),
      api().delete(`/api/teams/${team.id}`),
      api().put(`/api/teams/${team.id}/members`).send({ userIds: [] }),
    ];
    for (const call of calls) await call.set(bearer(staff)).expect(403);
    expect((await api().get(`/api/teams/${team.id}`).set(bearer(admin)).expect(200)).body).toMatchObject({ name: team.name, memberCount: 1 });
  });

  it('a name is unique in any letter case (409); unknown users and teams are 404; bad bodies 400', async () => {
    const name = teamName('Lab');
    const team = await createTeam([], name);
    const other = await createTeam();
    const taken = await api().post('/api/teams').set(bearer(admin)).send({ name: ` ${name.toUpperCase()} ` }).expect(409);
    expect(taken.body.message).toBe('A team with this name already exists');
    await api().patch(`/api/teams/${other.id}`).set(bearer(admin)).send({ name: name.toLowerCase() }).expect(409);
    const renamed = await api().patch(`/api/teams/${team.id}`).set(bearer(admin)).send({ name: `${name} (east)` }).expect(200);
    expect(renamed.body.name).toBe(`${name} (east)`);

    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await api().put(`/api/teams/${team.id}/members`).set(bearer(admin)).send({ userIds: [missing] }).expect(404)).body.message).toBe(`User not found: ${missing}`);
    await api().post('/api/teams').set(bearer(admin)).send({ name: teamName('Ghosts'), userIds: [missing] }).expect(404);
    for (const call of [api().patch(`/api/teams/${missing}`).send({ name: 'X' }), api().delete(`/api/teams/${missing}`), api().put(`/api/teams/${missing}/members`).send({ userIds: [] })]) {
      await call.set(bearer(admin)).expect(404);
    }
    for (const body of [{}, { name: '' }, { name: 'a\u0000b' }, { name: 'x'.repeat(101) }, { name: 'Ok', userIds: 'nope' }, { name: 'Ok', userIds: [missing, missing] }]) {
      await api().post('/api/teams').set(bearer(admin)).send(body).expect(400);
    }
    await api().put(`/api/teams/${team.id}/members`).set(bearer(admin)).send({}).expect(400);
  });

  it("a team send reaches every member's devices, each with a notification of their own, and nobody else", async () => {
    const [nurse, doctor, outsider, away] = await Promise.all([
      server.createUser('STAFF'),
      server.createUser('STAFF'),
      server.createUser('STAFF'),
      server.createUser('STAFF'),
    ]);
    const team = await createTeam([nurse.id, doctor.id, away.id]);
    await server.prisma.user.update({ where: { id: away.id }, data: { deactivatedAt: new Date() } });
    const [nurseLaptop, nursePhone, doctorPhone, outsiderPhone] = await Promise.all([
      device(server, nurse),
      device(server, nurse),
      device(server, doctor),
      device(server, outsider),
    ]);

    const sent = await sendToTeam(team.id, 'Ward round at 10');
    expect(sent.body).toMatchObject({ created: 2, status: 'sent' });

    const [onLaptop, onPhone, onDoctor] = await Promise.all([nurseLaptop, nursePhone, doctorPhone].map((socket) => socket.nth(ServerEvent.New, 1)));
    expect(onLaptop).toMatchObject({ title: 'Ward round at 10', userId: nurse.id });
    expect(onPhone.id).toBe(onLaptop.id);
    expect(onDoctor).toMatchObject({ title: 'Ward round at 10', userId: doctor.id });
    expect(onDoctor.id).not.toBe(onLaptop.id);
    await outsiderPhone.settle(outsider.id);
    expect(outsiderPhone.all(ServerEvent.New)).toEqual([]);
    expect(await server.prisma.notification.count({ where: { userId: { in: [outsider.id, away.id] } } })).toBe(0);

    // Read state is each member's own.
    await api().patch(`/api/notifications/${onLaptop.id}/read`).set(bearer(nurse)).expect(200);
    expect((await api().get('/api/notifications/unread-count').set(bearer(doctor)).expect(200)).body).toEqual({ count: 1 });
    expect((await api().get('/api/notifications/unread-count').set(bearer(nurse)).expect(200)).body).toEqual({ count: 0 });

    const unknown = await api().post('/api/notifications/test').set(bearer(admin)).send({ title: 'T', message: 'm', target: { teamId: '00000000-0000-4000-8000-000000000000' } }).expect(400);
    expect(unknown.body.message).toBe('target.teamId does not name an existing team');
  });

  it('a socket is in the rooms of its own teams only: subscribe accepts those and refuses any other team', async () => {
    const nurse = await server.createUser('STAFF');
    const [own, other] = [await createTeam([nurse.id]), await createTeam()];
    const socket = await device(server, nurse);
    expect(await socketsIn(server, teamRoom(own.id))).toEqual([socket.socket.id]);
    expect(await subscribeTo(socket, own.id)).toEqual({ ok: true });
    expect(await subscribeTo(socket, other.id)).toEqual({ ok: false, error: SocketError.Forbidden });
    expect(await socket.socket.timeout(2000).emitWithAck(ClientEvent.Subscribe, { channel: 'team:*' })).toEqual({ ok: false, error: SocketError.Forbidden });
  });

  it('added to a team while connected, a socket receives the next team send without reconnecting; removed, it no longer does', async () => {
    const [nurse, colleague] = await Promise.all([server.createUser('STAFF'), server.createUser('STAFF')]);
    const team = await createTeam([colleague.id]);
    const socket = await device(server, nurse);
    const connectedAs = socket.socket.id;
    expect(await subscribeTo(socket, team.id)).toEqual({ ok: false, error: SocketError.Forbidden });

    await setMembers(team.id, [colleague.id, nurse.id]);
    await within(1000, async () => (await socketsIn(server, teamRoom(team.id))).includes(connectedAs!));
    expect(await subscribeTo(socket, team.id)).toEqual({ ok: true });
    await sendToTeam(team.id, 'Now you are in');
    expect(await socket.nth(ServerEvent.New, 1)).toMatchObject({ title: 'Now you are in' });

    await setMembers(team.id, [colleague.id]);
    await within(1000, async () => !(await socketsIn(server, teamRoom(team.id))).includes(connectedAs!));
    expect(await subscribeTo(socket, team.id)).toEqual({ ok: false, error: SocketError.Forbidden });
    await sendToTeam(team.id, 'Not for you any more');
    await socket.settle(nurse.id);
    expect(socket.all(ServerEvent.New).map((notification) => notification.title)).toEqual(['Now you are in']);
    expect([socket.socket.connected, socket.socket.id]).toEqual([true, connectedAs]);
  });

  it("a user's teams changed through PATCH /users/:id move their sockets too", async () => {
    const nurse = await server.createUser('STAFF');
    const team = await createTeam();
    const socket = await device(server, nurse);
    await api().patch(`/api/users/${nurse.id}`).set(bearer(admin)).send({ teamIds: [team.id] }).expect(200);
    await within(1000, async () => (await subscribeTo(socket, team.id)).ok);
    await api().patch(`/api/users/${nurse.id}`).set(bearer(admin)).send({ teamIds: [] }).expect(200);
    await within(1000, async () => !(await subscribeTo(socket, team.id)).ok);
    expect(socket.socket.connected).toBe(true);
  });

  it("deleting a team takes its members' sockets out of its room; its orders keep their creator and assignee", async () => {
    const [nurse, doctor] = await Promise.all([server.createUser('STAFF'), server.createUser('STAFF')]);
    const team = await createTeam([nurse.id]);
    const socket = await device(server, nurse);
    expect(await subscribeTo(socket, team.id)).toEqual({ ok: true });
    const order = await api().post('/api/orders').set(bearer(doctor)).send({ patientName: 'P', description: 'D', total: '1.00', teamId: team.id }).expect(201);
    expect(order.body.team).toEqual({ id: team.id, name: team.name });

    await api().delete(`/api/teams/${team.id}`).set(bearer(admin)).expect(204);
    await within(1000, async () => (await socketsIn(server, teamRoom(team.id))).length === 0);
    expect(await subscribeTo(socket, team.id)).toEqual({ ok: false, error: SocketError.Forbidden });
    expect((await api().get(`/api/orders/${order.body.id}`).set(bearer(doctor)).expect(200)).body.team).toBeNull();
    await api().get(`/api/orders/${order.body.id}`).set(bearer(nurse)).expect(404);
    expect((await api().get('/api/teams').set(bearer(nurse)).expect(200)).body.some((entry: { id: string }) => entry.id === team.id)).toBe(false);
  });
});

describeWith(['DATABASE_URL', 'REDIS_URL'], 'Teams across nodes', () => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let admin: TestUser;
  useTwoNodes((nodes) => ({ nodeA, nodeB, admin } = nodes), { nodeA: { NODE_NAME: 'node-a' }, nodeB: { NODE_NAME: 'node-b' } });

  it('added to a team through node A, a socket on node B is in its room at once and gets the next team send; removed, it no longer does', async () => {
    const [nurse, colleague] = await Promise.all([nodeA.createUser('STAFF'), nodeA.createUser('STAFF')]);
    const team = (await request(nodeA.baseUrl).post('/api/teams').set(bearer(admin)).send({ name: teamName('Ward'), userIds: [colleague.id] }).expect(201)).body;
    const [onB, colleagueOnA] = await Promise.all([device(nodeB, nurse), device(nodeA, colleague)]);
    const connectedAs = onB.socket.id;
    const setMembers = (userIds: string[]) => request(nodeA.baseUrl).put(`/api/teams/${team.id}/members`).set(bearer(admin)).send({ userIds }).expect(200);
    const send = (title: string) => request(nodeA.baseUrl).post('/api/notifications/test').set(bearer(admin)).send({ title, message: 'm', target: { teamId: team.id } }).expect(201);

    expect(await socketsIn(nodeB, teamRoom(team.id))).toEqual([colleagueOnA.socket.id]);
    await setMembers([colleague.id, nurse.id]);
    expect(await within(1000, async () => (await socketsIn(nodeA, teamRoom(team.id))).includes(onB.socket.id!))).toBeLessThan(1000);
    expect(await subscribeTo(onB, team.id)).toEqual({ ok: true });
    await send('Across nodes');
    expect(await onB.nth(ServerEvent.New, 1)).toMatchObject({ title: 'Across nodes', userId: nurse.id });
    expect(await colleagueOnA.nth(ServerEvent.New, 1)).toMatchObject({ title: 'Across nodes', userId: colleague.id });

    await setMembers([colleague.id]);
    expect(await within(1000, async () => !(await socketsIn(nodeA, teamRoom(team.id))).includes(onB.socket.id!))).toBeLessThan(1000);
    expect(await subscribeTo(onB, team.id)).toEqual({ ok: false, error: SocketError.Forbidden });
    await send('Only the colleague');
    expect(await colleagueOnA.nth(ServerEvent.New, 2)).toMatchObject({ title: 'Only the colleague' });
    await onB.settle(nurse.id);
    expect(onB.all(ServerEvent.New)).toHaveLength(1);
    expect([onB.socket.connected, onB.socket.id]).toEqual([true, connectedAs]);
  });

  it('a membership changed in the database by hand moves the sockets on every node', async () => {
    const nurse = await nodeA.createUser('STAFF');
    const team = (await request(nodeB.baseUrl).post('/api/teams').set(bearer(admin)).send({ name: teamName('Lab') }).expect(201)).body;
    const [onA, onB] = await Promise.all([device(nodeA, nurse), device(nodeB, nurse)]);

    const both = [onA.socket.id!, onB.socket.id!].sort();
    await nodeA.prisma.$executeRaw`INSERT INTO "TeamMember" ("teamId", "userId") VALUES (${team.id}, ${nurse.id})`;
    await within(1000, async () => (await socketsIn(nodeA, teamRoom(team.id))).join() === both.join());
    for (const socket of [onA, onB]) expect(await subscribeTo(socket, team.id)).toEqual({ ok: true });
    await nodeA.prisma.$executeRaw`DELETE FROM "Team" WHERE "id" = ${team.id}`;
    await within(1000, async () => (await socketsIn(nodeB, teamRoom(team.id))).length === 0);
    for (const socket of [onA, onB]) expect(await subscribeTo(socket, team.id)).toEqual({ ok: false, error: SocketError.Forbidden });
  });
});
