import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redisKeyPrefix } from '../src/realtime/realtime.module';
import { deleteRedisKeys, insertUsers, startLoadBalancer, withDatabase } from './support/cluster';
import { NotificationClient } from './support/notification-client';
import { NotificationProducer } from './support/notification-producer';
import { BackendProcess, killAllProcesses } from './support/processes';
import { describeWith } from './support/requirements';
import { createTestDatabase, TestDatabase } from './support/test-app';

/**
 * The rolling upgrade of docs/operations.md, "Upgrades": two nodes behind the balancer, a client
 * receiving a steady stream, node A restarted on a release with one more (expand) migration while
 * B serves, then B. The new release is the committed migrations plus a column added to
 * Notification, the table every send and catch-up reads, so the old node keeps serving on the
 * changed schema for a while. The client must end with every notification, none twice.
 */

const COUNT = 400;
const PROBE_MIGRATION = '29991231000000_rolling_upgrade_probe';

describeWith(['DATABASE_URL', 'REDIS_URL'], 'Rolling upgrade of a two-node cluster', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-upgrade-'));
  const nextRelease = path.join(folder, 'migrations');
  let database: TestDatabase;
  let nodes: BackendProcess[];
  let balancer: { url: string; close(): Promise<void> };
  let client: NotificationClient | undefined;

  beforeAll(async () => {
    fs.cpSync(path.join(__dirname, '../../prisma/migrations'), nextRelease, { recursive: true });
    fs.mkdirSync(path.join(nextRelease, PROBE_MIGRATION));
    fs.writeFileSync(path.join(nextRelease, PROBE_MIGRATION, 'migration.sql'), 'ALTER TABLE "Notification" ADD COLUMN "upgradeProbe" TEXT;\n');
    database = await createTestDatabase();
    const env = { ADMIN_SEND_RATE_LIMIT: '1000000', DATABASE_URL: database.url!, REDIS_URL: process.env.REDIS_URL! };
    nodes = [await BackendProcess.start(env), await BackendProcess.start(env)];
    balancer = await startLoadBalancer(nodes.map((node) => node.url));
  });

  afterAll(async () => {
    client?.stop();
    killAllProcesses();
    await balancer?.close();
    if (database?.url) await deleteRedisKeys(process.env.REDIS_URL!, redisKeyPrefix(database.url));
    await database?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  /** Stops a node gracefully (as `docker compose up` does), starts it on the next release, and waits until it is ready. */
  async function upgrade(node: BackendProcess): Promise<void> {
    node.process.signal('SIGTERM');
    expect(await node.process.exited).toMatchObject({ code: 0 });
    await node.start({ MIGRATIONS_DIR: nextRelease });
    const ready = await fetch(`${node.url}/api/health/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ok', pendingMigrations: [] });
  }

  it(
    'while node A restarts on a release with one more migration and then B, the client receives every notification once',
    async () => {
      const [admin, nurse] = await insertUsers(database.url!, ['ADMIN', 'STAFF']);
      client = new NotificationClient({ baseUrl: balancer.url, token: () => nurse.token, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
      await client.start();
      const titlePrefix = `#${Date.now()}-`;
      const producer = new NotificationProducer({ baseUrl: balancer.url, adminToken: admin.token, recipientId: nurse.id, count: COUNT, perSecond: 40, titlePrefix });
      const producing = producer.produce();
      try {
        await producer.sentAtLeast(50);
        // Step 2 of the procedure: the new release's migrations, pending until its first node starts.
        const status = spawnSync(process.execPath, [path.join(__dirname, '../../prisma/migrate.js'), '--status'], {
          env: { ...process.env, DATABASE_URL: database.url!, MIGRATIONS_DIR: nextRelease },
          encoding: 'utf8',
        });
        expect(status.status).toBe(0);
        expect(status.stdout).toContain(`${PROBE_MIGRATION}  pending`);
        expect(status.stdout).toMatch(/\d+ applied, 1 pending/);
        await upgrade(nodes[0]);
        // The releases serve side by side on the expanded schema until B is upgraded too.
        const sentBeforeB = producer.stats.sent;
        await producer.sentAtLeast(sentBeforeB + 40);
        await upgrade(nodes[1]);
        await producing;
      } finally {
        producer.stop();
      }

      const { stored, applied } = await withDatabase(database.url!, async (db) => ({
        stored: (
          await db.query<{ id: string; seq: string; title: string }>(
            `SELECT "id", "seq"::text AS "seq", "title" FROM "Notification" n WHERE "userId" = $1 ORDER BY n."seq"`,
            [nurse.id],
          )
        ).rows,
        applied: (await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL`, [PROBE_MIGRATION])).rows[0].count,
      }));
      // The first upgraded node applied the migration, once; the second found it applied.
      expect(applied).toBe(1);
      expect(stored.map(({ title }) => title).sort()).toEqual(Array.from({ length: COUNT }, (_, index) => `${titlePrefix}${index}`).sort());
      const last = stored[stored.length - 1].seq;
      await client
        .waitUntil(() => client!.settled && client!.cursor === BigInt(last) && client!.notifications().length === COUNT, 20_000, 'the client holds every notification')
        .catch(() => undefined);
      // Every notification, in seq order, none twice (a duplicate delivery is held once, and counted).
      expect(client.notifications().map(({ id, seq, title }) => ({ id, seq, title }))).toEqual(stored);
      expect(client.cursor).toBe(BigInt(last));
      process.stderr.write(
        `  rolling upgrade: ${COUNT} sent (${producer.stats.retries} retried attempts); client: ${client.stats.connects} connections, ` +
          `${client.stats.received} received, ${client.stats.duplicates} duplicates ignored, ${client.stats.syncs} syncs, ${client.stats.refetches} refetches\n`,
      );
    },
    60_000,
  );
});
