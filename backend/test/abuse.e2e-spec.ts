import request from 'supertest';
import { ClientEvent, ServerEvent, SocketError, userRoom } from '@clinic/contracts';
import { connect, connectError, createSocket, RecordingSocket } from './support/sockets';
import { TestApp, TestUser, useTestApp } from './support/test-app';

const ADMIN_SENDS_PER_MINUTE = 5;
const LOGIN_FAILURES_PER_ADDRESS = 3;
const MAX_SOCKETS_PER_USER = 10;

describe('Abuse limits', () => {
  let server: TestApp;
  let admin: TestUser;
  const limits = {
    ADMIN_SEND_RATE_LIMIT: String(ADMIN_SENDS_PER_MINUTE),
    LOGIN_MAX_FAILURES_PER_ADDRESS: String(LOGIN_FAILURES_PER_ADDRESS),
    MAX_SOCKETS_PER_USER: String(MAX_SOCKETS_PER_USER),
    SOCKET_EVENTS_PER_SECOND: '10',
    SOCKET_EVENT_BURST: '30',
  };
  useTestApp(limits, (app, firstAdmin) => ([server, admin] = [app, firstAdmin]));

  const api = () => request(server.baseUrl);
  const auth = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });
  const sendAs = (sender: TestUser, userId: string, title = 'Hello') =>
    api().post('/api/notifications/test').set(auth(sender)).send({ title, message: 'm', target: { userId } });
  /** Seeded straight into the database, so as not to spend the admins' send budget. */
  async function seed(user: TestUser, count: number): Promise<string[]> {
    await server.prisma.notification.createMany({
      data: Array.from({ length: count }, (_, i) => ({ userId: user.id, type: 'GENERAL' as const, title: `N${i}`, message: 'm' })),
    });
    return (await server.prisma.notification.findMany({ where: { userId: user.id }, select: { id: true } })).map((row) => row.id);
  }

  describe('admin notifications', () => {
    it(`answers an admin's send beyond ${ADMIN_SENDS_PER_MINUTE} a minute with 429, Retry-After and a message, writing nothing; other admins carry on`, async () => {
      const nurse = await server.createUser('STAFF');
      const busy = await server.createUser('ADMIN');
      const other = await server.createUser('ADMIN');
      for (let i = 1; i <= ADMIN_SENDS_PER_MINUTE; i++) await sendAs(busy, nurse.id, `Send ${i}`).expect(201);

      const refused = await sendAs(busy, nurse.id, 'One too many').expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // The budget is a one-minute window shared by the cluster: it comes back whole when the window ends.
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(refused.body).toMatchObject({
        statusCode: 429,
        message: expect.stringMatching(new RegExp(`at most ${ADMIN_SENDS_PER_MINUTE} a minute per admin; try again in \\d+ s`)),
        retryAfter: Number(refused.headers['retry-after']),
      });
      expect(await server.prisma.notification.count({ where: { userId: nurse.id } })).toBe(ADMIN_SENDS_PER_MINUTE);

      await sendAs(other, nurse.id, 'From another admin').expect(201);
      // The role check comes first: staff are told they are not admins, not to slow down.
      await sendAs(nurse, nurse.id).expect(403);
    });
  });

  describe('sign-in', () => {
    it(`refuses a password spray from one address after ${LOGIN_FAILURES_PER_ADDRESS} failures across emails, with 429 and Retry-After`, async () => {
      const spray = (i: number) => api().post('/api/auth/login').send({ email: `target-${i}@clinic.test`, password: 'Spring2025!' });
      for (let i = 1; i <= LOGIN_FAILURES_PER_ADDRESS; i++) await spray(i).expect(401);

      const refused = await spray(LOGIN_FAILURES_PER_ADDRESS + 1).expect(429);
      expect(refused.body.message).toMatch(/^Too many failed sign-in attempts from this address; try again in \d+ s$/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });
  });

  describe('socket events', () => {
    it('throttles a socket that floods commands and then disconnects it, while the same user\'s other socket and other users are answered promptly', async () => {
      const nurse = await server.createUser('STAFF');
      const doctor = await server.createUser('STAFF');
      const [nurseIds, doctorIds] = await Promise.all([seed(nurse, 20), seed(doctor, 20)]);
      const [flooder, sibling, bystander] = await Promise.all([nurse, nurse, doctor].map((user) => connect(server.baseUrl, { token: user.token })));
      const ended = new Promise<string>((resolve) => flooder.socket.once('disconnect', resolve));

      const answers: unknown[] = [];
      const flood = setInterval(() => {
        for (let i = 0; i < 50; i++) flooder.socket.emit(ClientEvent.Sync, { afterSeq: '0' }, (answer) => answers.push(answer));
      }, 5);
      const latencies: number[] = [];
      try {
        // While the flood goes on, the others' commands are answered as usual.
        for (let i = 0; i < 10; i++) {
          for (const [socket, id] of [
            [sibling, nurseIds[i]],
            [bystander, doctorIds[i]],
          ] as Array<[RecordingSocket, string]>) {
            const started = Date.now();
            expect(await socket.socket.timeout(2000).emitWithAck(ClientEvent.MarkRead, { id })).toMatchObject({ ok: true });
            latencies.push(Date.now() - started);
          }
        }
        expect(await ended).toBe('io server disconnect');
      } finally {
        clearInterval(flood);
      }

      expect(flooder.all(ServerEvent.SessionEnd)).toEqual([{ reason: SocketError.RateLimited }]);
      // Refused before it was cut off: its first 30 were accepted (and abandoned with the socket).
      expect(answers).toContainEqual({ ok: false, error: SocketError.RateLimited });
      const slowest = Math.max(...latencies);
      console.log(`mark-read of other sockets during a flood: median ${latencies.sort((a, b) => a - b)[latencies.length >> 1]} ms, slowest ${slowest} ms`);
      expect(slowest).toBeLessThan(1000);
      expect(sibling.socket.connected && bystander.socket.connected).toBe(true);
      expect(await sibling.socket.timeout(1000).emitWithAck(ClientEvent.Subscribe, { channel: userRoom(nurse.id) })).toEqual({ ok: true });
    });

    it('answers an event the server does not know with invalid-payload, counted against the same budget', async () => {
      const nurse = await server.createUser('STAFF');
      const socket = (await connect(server.baseUrl, { token: nurse.token })).socket as unknown as {
        emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
      };
      expect(await socket.emitWithAck('notification:delete', { id: 'x' })).toEqual({ ok: false, error: SocketError.InvalidPayload });
      const answers = await Promise.all(Array.from({ length: 40 }, () => socket.emitWithAck('no-such-event', {})));
      expect(answers).toContainEqual({ ok: false, error: SocketError.RateLimited });
    });
  });

  describe('connections per user', () => {
    it(`refuses a user's socket beyond ${MAX_SOCKETS_PER_USER} with connect_error "${SocketError.TooManyConnections}"; the open ones and other users are unaffected`, async () => {
      const nurse = await server.createUser('STAFF');
      const doctor = await server.createUser('STAFF');
      const devices = await Promise.all(Array.from({ length: MAX_SOCKETS_PER_USER }, () => connect(server.baseUrl, { token: nurse.token })));

      expect((await connectError(server.baseUrl, { token: nurse.token })).message).toBe(SocketError.TooManyConnections);
      const doctorsDevice = await connect(server.baseUrl, { token: doctor.token });

      const pushed = Promise.all(devices.map((device) => device.next(ServerEvent.New)));
      await sendAs(admin, nurse.id, 'To every open tab').expect(201);
      for (const notification of await pushed) expect(notification).toMatchObject({ title: 'To every open tab' });
      expect(await doctorsDevice.socket.timeout(1000).emitWithAck(ClientEvent.Subscribe, { channel: userRoom(doctor.id) })).toEqual({ ok: true });

      // Closing a tab frees its slot.
      devices[0].disconnect();
      const deadline = Date.now() + 2000;
      let reopened: RecordingSocket | null = null;
      while (!reopened && Date.now() < deadline) reopened = await connect(server.baseUrl, { token: nurse.token }).catch(() => null);
      expect(reopened?.socket.connected).toBe(true);
    });

    it('admits exactly the limit when many handshakes of one user arrive at once', async () => {
      const nurse = await server.createUser('STAFF');
      const outcomes = await Promise.all(
        Array.from({ length: MAX_SOCKETS_PER_USER + 5 }, () => {
          const socket = createSocket(server.baseUrl, { token: nurse.token });
          return new Promise<string>((resolve) => {
            socket.once('connect', () => resolve('connected'));
            socket.once('connect_error', (error) => resolve(error.message));
            socket.connect();
          });
        }),
      );
      expect(outcomes.filter((outcome) => outcome === 'connected')).toHaveLength(MAX_SOCKETS_PER_USER);
      expect(outcomes.filter((outcome) => outcome === SocketError.TooManyConnections)).toHaveLength(5);
    });

    it('does not count refused handshakes: a user whose bad tokens were refused still opens every slot', async () => {
      const nurse = await server.createUser('STAFF');
      for (let i = 0; i < MAX_SOCKETS_PER_USER + 2; i++) {
        expect((await connectError(server.baseUrl, { token: `${nurse.token}x` })).message).toBe(SocketError.Unauthorized);
      }
      const devices = await Promise.all(Array.from({ length: MAX_SOCKETS_PER_USER }, () => connect(server.baseUrl, { token: nurse.token })));
      expect(devices.every((device) => device.socket.connected)).toBe(true);
    });
  });
});
