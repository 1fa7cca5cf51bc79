import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NotificationDto, NotificationPageDto, ServerEvent, UnreadCountDto } from '@clinic/contracts';
import { connectPlain } from './support/plain-websocket-client';
import { BackendProcess, killAllProcesses } from './support/processes';
import { describeWith } from './support/requirements';
import { closeAllSockets, connect } from './support/sockets';
import { createTestDatabase, startTestApp, TestApp, TestDatabase } from './support/test-app';

// Backup and restore as docs/operations.md tells operators: the embedded database with
// `npm run backup` / `npm run restore` (the script itself), PostgreSQL with pg_dump / pg_restore
// and the one statement after it. The restored system must be the one backed up, and a client that
// saw more than the backup holds must be told to refetch, never left with a cursor that new
// notifications would fall under.

const REPO_ROOT = path.join(__dirname, '../..');
const BACKUP_SCRIPT = path.join(REPO_ROOT, 'backend/scripts/embedded-database.js');
// docs/operations.md, "Backup and restore": run on the restored database before a node starts.
const ADVANCE_SEQ_SQL = `SELECT setval('"Notification_seq_seq"', (SELECT last_value FROM "Notification_seq_seq") + 1000000000)`;

const NURSE = { email: 'nurse@clinic.test', password: 'Nurse123!' };
const ADMIN = { email: 'admin@clinic.test', password: 'Admin123!' };

function run(command: string, args: string[], env: Record<string, string> = {}): { code: number | null; output: string } {
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

async function api<T>(baseUrl: string, token: string | null, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

const signIn = async (baseUrl: string, account: { email: string; password: string }) =>
  (await api<{ accessToken: string }>(baseUrl, null, 'POST', '/api/auth/login', account)).accessToken;

/** What a user sees: their notifications (newest first, with read state) and the unread count. */
async function inboxOf(baseUrl: string, token: string) {
  const page = await api<NotificationPageDto>(baseUrl, token, 'GET', '/api/notifications?limit=100');
  const { count } = await api<UnreadCountDto>(baseUrl, token, 'GET', '/api/notifications/unread-count');
  return { notifications: page.items.map(({ id, seq, title, readAt }: NotificationDto) => ({ id, seq, title, read: readAt !== null })), unread: count };
}

/** Admin sends to the nurse; the nurse reads the first. */
async function fillInbox(baseUrl: string, titles: string[]): Promise<void> {
  const admin = await signIn(baseUrl, ADMIN);
  const nurse = await signIn(baseUrl, NURSE);
  const { id: nurseId } = (await api<{ id: string }>(baseUrl, nurse, 'GET', '/api/auth/me'));
  for (const title of titles) {
    await api(baseUrl, admin, 'POST', '/api/notifications/test', { title, message: 'm', target: { userId: nurseId } });
  }
  const [oldest] = (await inboxOf(baseUrl, nurse)).notifications.slice(-1);
  await api(baseUrl, nurse, 'PATCH', `/api/notifications/${oldest.id}/read`);
}

/**
 * On the restored system: a client whose cursor is beyond the backup gets a refresh, over
 * Socket.IO and plain WebSocket, and replays nothing; the next notification's seq is above that
 * cursor, so no client can skip it.
 */
async function expectRefreshForCursorAhead(baseUrl: string, aheadCursor: string): Promise<void> {
  const nurse = await signIn(baseUrl, NURSE);
  const socket = await connect(baseUrl, { token: nurse, lastSeq: aheadCursor });
  await socket.nth(ServerEvent.UnreadCount, 1);
  expect(socket.all(ServerEvent.Refresh)).toHaveLength(1);
  expect(socket.all(ServerEvent.New)).toEqual([]);
  const plain = await connectPlain(baseUrl, { token: nurse, lastSeq: aheadCursor });
  await plain.nth('unread_count', 1);
  expect(plain.all('refresh')).toHaveLength(1);
  expect(plain.all('notification_created')).toEqual([]);
  plain.close();

  const admin = await signIn(baseUrl, ADMIN);
  const { id: nurseId } = await api<{ id: string }>(baseUrl, nurse, 'GET', '/api/auth/me');
  await api(baseUrl, admin, 'POST', '/api/notifications/test', { title: 'After the restore', message: 'm', target: { userId: nurseId } });
  const created = await socket.nth(ServerEvent.New, 1);
  expect(BigInt(created.seq)).toBeGreaterThan(BigInt(aheadCursor));
  socket.disconnect();
}

describe('Backup and restore of the embedded database', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-backup-'));
  const dataDir = path.join(folder, 'data');
  const restoredDir = path.join(folder, 'restored');
  const backupFile = path.join(folder, 'clinic.tar.gz');
  const script = (verb: string, args: string[], dir: string) => run(process.execPath, [BACKUP_SCRIPT, verb, ...args], { DATA_DIR: dir });
  const embedded = (dir: string) => BackendProcess.start({ DATA_DIR: dir, SEED_DEMO_USERS: 'true' });

  afterAll(() => {
    closeAllSockets();
    killAllProcesses();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('refuses while the server runs, backs up once it stopped, restores into a non-empty folder only with --force, and the server restored into a new folder has the same users, notifications and counts', async () => {
    const server = await embedded(dataDir);
    await fillInbox(server.url, ['One', 'Two', 'Three']);
    const before = await inboxOf(server.url, await signIn(server.url, NURSE));
    expect(before).toMatchObject({ unread: 2, notifications: [{ title: 'Three' }, { title: 'Two' }, { title: 'One', read: true }] });

    // PGlite is one process: the open folder cannot be copied consistently from outside.
    const refused = script('backup', [backupFile], dataDir);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/a server is running on it\. Stop it/);
    expect(fs.existsSync(backupFile)).toBe(false);

    server.process.signal('SIGTERM');
    expect(await server.process.exited).toMatchObject({ code: 0 });

    const backup = script('backup', [backupFile], dataDir);
    expect(backup).toMatchObject({ code: 0, output: expect.stringContaining(`backup written: ${backupFile}`) });
    expect(backup.output).toContain('Next: start the server again');

    const overwrite = script('restore', [backupFile], dataDir);
    expect(overwrite.code).toBe(1);
    expect(overwrite.output).toContain('is not empty: restore into a new folder (DATA_DIR=<folder>), or add --force');

    // --force replaces what the folder holds.
    fs.writeFileSync(path.join(dataDir, 'left-over'), 'x');
    const forced = script('restore', [backupFile, '--force'], dataDir);
    expect(forced).toMatchObject({ code: 0, output: expect.stringContaining(`--force: deleting what ${dataDir} holds`) });
    expect(fs.existsSync(path.join(dataDir, 'left-over'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);

    const restore = script('restore', [backupFile], restoredDir);
    expect(restore).toMatchObject({ code: 0, output: expect.stringContaining(`restored: `) });
    expect(restore.output).toContain(`Next: start the server on it (DATA_DIR=${restoredDir} npm start)`);

    const restored = await embedded(restoredDir);
    expect(await inboxOf(restored.url, await signIn(restored.url, NURSE))).toEqual(before);
    // A client that saw notifications the backup does not hold (sent after it was taken).
    const aheadCursor = (BigInt(before.notifications[0].seq) + 3n).toString();
    await expectRefreshForCursorAhead(restored.url, aheadCursor);
    await restored.kill();
  }, 60_000);
});

describeWith(['DATABASE_URL'], 'Backup and restore of PostgreSQL with pg_dump and pg_restore', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-pg-backup-'));
  const dumpFile = path.join(folder, 'clinic.dump');
  const databases: TestDatabase[] = [];
  const apps: TestApp[] = [];
  const start = async (database: TestDatabase) => {
    const app = await startTestApp(database, { SEED_DEMO_USERS: 'true' });
    apps.push(app);
    return app;
  };

  afterAll(async () => {
    closeAllSockets();
    for (const app of apps) await app.close().catch(() => undefined);
    for (const database of databases) await database.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('restores a dump taken while the node serves into an empty database: same users, notifications and counts; a client ahead of it gets a refresh', async () => {
    const original = await createTestDatabase();
    databases.push(original);
    const live = await start(original);
    await fillInbox(live.baseUrl, ['One', 'Two', 'Three']);
    const before = await inboxOf(live.baseUrl, await signIn(live.baseUrl, NURSE));

    // The commands of docs/operations.md; pg_dump reads one consistent snapshot while nodes run.
    const dump = run('pg_dump', ['--format=custom', '--no-owner', `--file=${dumpFile}`, original.url!]);
    expect(dump).toEqual({ code: 0, output: '' });
    // After the dump, the node goes on: its clients' cursors move beyond what the dump holds.
    await fillInbox(live.baseUrl, ['Four, not in the backup']);
    const aheadCursor = (await inboxOf(live.baseUrl, await signIn(live.baseUrl, NURSE))).notifications[0].seq;
    await live.close();

    const target = await createTestDatabase();
    databases.push(target);
    expect(run('pg_restore', ['--no-owner', `--dbname=${target.url}`, dumpFile])).toEqual({ code: 0, output: '' });
    expect(run('psql', ['--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', ADVANCE_SEQ_SQL, target.url!]).code).toBe(0);

    const restored = await start(target);
    expect(await inboxOf(restored.baseUrl, await signIn(restored.baseUrl, NURSE))).toEqual(before);
    const users = await restored.prisma.user.findMany({ select: { email: true }, orderBy: { email: 'asc' } });
    expect(users.map(({ email }) => email)).toEqual(expect.arrayContaining([ADMIN.email, NURSE.email]));
    await expectRefreshForCursorAhead(restored.baseUrl, aheadCursor);
  }, 60_000);
});
