import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { io } from 'socket.io-client';
import request from 'supertest';
import { createTestDatabase, startTestApp, TestApp, TestDatabase } from './support/test-app';

describe('Operations endpoints', () => {
  let database: TestDatabase;
  let server: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestApp(database);
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('reports readiness: database up, Redis as configured, no pending migrations', async () => {
    const ready = await request(server.baseUrl).get('/api/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', database: 'up', redis: expect.stringMatching(/^(up|disabled)$/), pendingMigrations: [] });
  });

  it('exposes Prometheus metrics: HTTP durations by route, sockets, notifications, event-loop lag', async () => {
    const user = await server.createUser('STAFF');
    await request(server.baseUrl).get('/api/auth/me').set('Authorization', `Bearer ${user.token}`).expect(200);
    const metrics = await request(server.baseUrl).get('/api/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/clinic_http_request_duration_seconds_count\{method="GET",route="\/api\/auth\/me",status="200"\} 1/);
    for (const name of [
      'clinic_connected_sockets',
      'clinic_connected_users',
      'clinic_notifications_created_total',
      'clinic_socket_events_emitted_total',
      'clinic_notification_delivery_latency_seconds',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(metrics.text).toContain(`# TYPE ${name}`);
    }
  });

  it('serves the OpenAPI document generated from the controllers, and its UI', async () => {
    const document = await request(server.baseUrl).get('/api/docs-json').expect(200);
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/auth/me', '/api/users', '/api/health']));
    expect(document.body.components.schemas.LoginDto.required).toEqual(['email', 'password']);
    const ui = await request(server.baseUrl).get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('answers every request with a request id, echoing a sane incoming one', async () => {
    const echoed = await request(server.baseUrl).get('/api/health').set('X-Request-Id', 'trace-abc.123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-abc.123');
    const generated = await request(server.baseUrl).get('/api/health').set('X-Request-Id', 'not a safe id; <script>').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('The built server process', () => {
  const main = path.join(__dirname, '../dist/backend/src/main.js');
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  function run(env: Record<string, string>): { lines: string[]; exited: Promise<number | null>; line(match: RegExp): Promise<string> } {
    child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH!, DATA_DIR: 'memory://', PORT: '0', FRONTEND_DIR: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const waiters: Array<{ match: RegExp; resolve: (line: string) => void }> = [];
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        for (const waiter of waiters.filter((w) => w.match.test(line))) waiter.resolve(line);
      });
    }
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    return {
      lines,
      exited,
      line: (match) =>
        new Promise((resolve, reject) => {
          const found = lines.find((l) => match.test(l));
          if (found) return resolve(found);
          waiters.push({ match, resolve });
          void exited.then((code) => reject(new Error(`exited with ${code} before printing ${match}: ${lines.join('\n')}`)));
        }),
    };
  }

  it('refuses a bad configuration at start with a message naming the variable', async () => {
    const process = run({ PORT: 'http' });
    expect(await process.exited).toBe(1);
    expect(process.lines.join('\n')).toContain('Invalid configuration: PORT must be an integer');
  });

  it('logs structured JSON lines with request ids and socket ids, and never a submitted password or a token', async () => {
    const process = run({ LOG_LEVEL: 'info', SEED_DEMO_USERS: 'true' });
    const listening = JSON.parse(await process.line(/listening on/));
    const baseUrl = /http:\/\/[\d.]+:\d+/.exec(listening.msg)![0];

    const guessedPassword = `Guess-${Date.now()}!`;
    await request(baseUrl).post('/api/auth/login').send({ email: 'doctor@clinic.test', password: guessedPassword }).expect(401);
    const login = await request(baseUrl).post('/api/auth/login').send({ email: 'doctor@clinic.test', password: 'Doctor123!' }).expect(200);
    const token: string = login.body.accessToken;
    await request(baseUrl).get(`/api/auth/me?token=${token}`).set('Authorization', `Bearer ${token}`).set('X-Request-Id', 'req-42').expect(200);
    const requestLog = JSON.parse(await process.line(/"req-42"/));

    expect(requestLog).toMatchObject({ level: 30, req: { id: 'req-42', method: 'GET', url: '/api/auth/me' }, res: { statusCode: 200 } });
    expect(requestLog.responseTime).toEqual(expect.any(Number));

    const socket = io(baseUrl, { transports: ['websocket'], auth: { token }, reconnection: false });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const socketLog = JSON.parse(await process.line(/"socket connected"/));
    expect(socketLog).toMatchObject({ level: 30, socketId: socket.id, userId: login.body.user.id });
    socket.disconnect();
    await process.line(/"socket disconnected"/);

    for (const line of process.lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(guessedPassword);
      expect(line).not.toContain(token);
      expect(line).not.toContain(login.body.refreshToken);
    }
  });
});
