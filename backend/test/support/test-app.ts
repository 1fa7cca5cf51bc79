import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import type { Role } from '@clinic/contracts';
import { hashPassword } from '../../src/auth/password';
import { TokenService } from '../../src/auth/token.service';
import { createApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { PrismaService } from '../../src/database/prisma.service';
import { redisKeyPrefix } from '../../src/realtime/realtime.module';
import { deleteRedisKeys } from './cluster';
import { checkResponsesAgainstDocument, failOnDocumentMismatches } from './openapi-conformance';
import { closeAllSockets } from './sockets';

// A response that disagrees with the OpenAPI document fails the test during which the app sent it
// (or the file, for one sent after the last test).
afterEach(failOnDocumentMismatches);
afterAll(failOnDocumentMismatches);

/**
 * A PostgreSQL database of its own for one test file: a fresh database on the server named by
 * DATABASE_URL (dropped afterwards), or null to let each app use an in-memory PGlite.
 */
export interface TestDatabase {
  url: string | null;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { url: null, drop: async () => {} };
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestApp {
  app: INestApplication;
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  prisma: PrismaService;
  config: AppConfig;
  /** A user straight in the database, with a session and its access token (no slow password hashing). */
  createUser(role?: Role, overrides?: { email?: string; password?: string; name?: string }): Promise<TestUser>;
  /** A fresh session of this user, as a sign-in on another device would start. */
  signIn(user: { id: string }): Promise<{ sessionId: string; token: string }>;
  close(): Promise<void>;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  token: string;
}

// One real hash, reused for every test user: hashing is deliberately slow.
const TEST_PASSWORD = 'Test-Password-1';
let testPasswordHash: Promise<string> | undefined;

/** Starts the whole application on a loopback port, as in production but quiet. */
export async function startTestApp(database: TestDatabase, env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    SEED_DEMO_USERS: 'false',
    FRONTEND_DIR: '',
    DATA_DIR: 'memory://',
    PORT: '0',
    // Suites send admin notifications and create orders as fast as they can; the abuse and
    // rate-limit suites set their own limits.
    ADMIN_SEND_RATE_LIMIT: '1000000',
    ORDER_CREATE_RATE_LIMIT: '1000000',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  const app = await createApp(config);
  await checkResponsesAgainstDocument(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const prisma = app.get(PrismaService);
  const tokens = app.get(TokenService);
  const signIn = async (user: { id: string }) => {
    const session = await prisma.session.create({ data: { userId: user.id, expiresAt: new Date(Date.now() + 3600_000) } });
    return { sessionId: session.id, token: tokens.sign(user.id, session.id) };
  };
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    prisma,
    config,
    async createUser(role = 'STAFF', overrides = {}) {
      const password = overrides.password ?? TEST_PASSWORD;
      testPasswordHash ??= hashPassword(TEST_PASSWORD);
      const passwordHash = password === TEST_PASSWORD ? await testPasswordHash : await hashPassword(password);
      const email = overrides.email ?? `${role.toLowerCase()}-${randomUUID()}@clinic.test`;
      const user = await prisma.user.create({
        data: { email, name: overrides.name ?? `Test ${role}`, role, passwordHash },
      });
      return { id: user.id, email, password, role, token: (await signIn(user)).token };
    },
    signIn,
    close: () => app.close(),
  };
}

/**
 * The setup most e2e suites share, registered on the enclosing `describe`: a database of its own,
 * the whole app on it (with `env`), an admin, every socket closed after each test, and all of it
 * stopped at the end. `onStarted` receives the running app and the admin.
 */
export function useTestApp(env: Record<string, string>, onStarted: (app: TestApp, admin: TestUser) => void): void {
  let database: TestDatabase | undefined;
  let app: TestApp | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startTestApp(database, env);
    onStarted(app, await app.createUser('ADMIN'));
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });
}

export interface TwoNodes {
  nodeA: TestApp;
  nodeB: TestApp;
  /** An admin, made through node A. */
  admin: TestUser;
}

/**
 * Two nodes of one deployment (one database, one Redis), as a load balancer spreads devices over
 * them, registered on the enclosing `describe` (use inside `describeWith(['DATABASE_URL',
 * 'REDIS_URL'], …)`): every socket closed after each test, both stopped and their database and
 * Redis keys removed at the end.
 */
export function useTwoNodes(onStarted: (nodes: TwoNodes) => void, env: { nodeA?: Record<string, string>; nodeB?: Record<string, string> } = {}): void {
  let database: TestDatabase | undefined;
  let nodes: TestApp[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    const redis = { REDIS_URL: process.env.REDIS_URL as string };
    nodes = await Promise.all([startTestApp(database, { ...redis, ...env.nodeA }), startTestApp(database, { ...redis, ...env.nodeB })]);
    onStarted({ nodeA: nodes[0], nodeB: nodes[1], admin: await nodes[0].createUser('ADMIN') });
  });
  afterEach(() => closeAllSockets());
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    if (database?.url) await deleteRedisKeys(process.env.REDIS_URL as string, redisKeyPrefix(database.url));
    await database?.drop();
  });
}
