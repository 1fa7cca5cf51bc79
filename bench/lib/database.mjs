// The benchmark's database: a fresh database on the PostgreSQL server named by DATABASE_URL,
// or else an embedded PGlite folder the node opens. Users are inserted directly (a REST sign-up
// per user would only measure password hashing), and "notifications created while the node is
// down" are inserted as another node would have written them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { applyMigrations } = require('../../prisma/migrate.js');

// Never matches a password: bench users only ever use access tokens of sessions made here.
const UNUSABLE_PASSWORD_HASH = 'scrypt$65536$8$2$bench$bench';

export class BenchDatabase {
  static async create() {
    const database = process.env.DATABASE_URL ? await ServerDatabase.create(process.env.DATABASE_URL) : await EmbeddedDatabase.create();
    await database.withClient(async () => {});
    return database;
  }
}

class Queries {
  async seedUsers(count) {
    return this.withClient(async (client) => {
      const { rows } = await client.query(
        `INSERT INTO "User" (id, email, name, role, "passwordHash")
         SELECT gen_random_uuid()::text, 'bench-' || g || '@bench.test', 'Bench user ' || g, 'STAFF', $2
         FROM generate_series(1, $1) AS g
         RETURNING id, email`,
        [count, UNUSABLE_PASSWORD_HASH],
      );
      const order = (email) => Number(/bench-(\d+)@/.exec(email)[1]);
      const userIds = rows.sort((a, b) => order(a.email) - order(b.email)).map((row) => row.id);
      const admin = await client.query(
        `INSERT INTO "User" (id, email, name, role, "passwordHash") VALUES (gen_random_uuid()::text, 'bench-admin@bench.test', 'Bench admin', 'ADMIN', $1) RETURNING id`,
        [UNUSABLE_PASSWORD_HASH],
      );
      const adminId = admin.rows[0].id;
      // One session per user, as one sign-in each: every device of a user shares its token.
      const sessions = await client.query(
        `INSERT INTO "Session" (id, "userId", "expiresAt")
         SELECT gen_random_uuid()::text, id, now() + interval '1 day' FROM unnest($1::text[]) AS id
         RETURNING id, "userId"`,
        [[...userIds, adminId]],
      );
      const sessionOf = new Map(sessions.rows.map((row) => [row.userId, row.id]));
      // Statistics, as autovacuum would gather within a minute: without them the planner takes
      // the freshly loaded tables for empty and scans them.
      await client.query('ANALYZE "User"');
      await client.query('ANALYZE "Session"');
      return { userIds, adminId, sessionOf };
    });
  }

  /**
   * The read path's user: one STAFF user with a session and `count` notifications of a day's
   * work, every third one read (an email outside `bench-%`, so the reconnect storm's rows skip it).
   */
  seedReader(count) {
    return this.withClient(async (client) => {
      const user = await client.query(
        `INSERT INTO "User" (id, email, name, role, "passwordHash") VALUES (gen_random_uuid()::text, 'reader@bench.test', 'Bench reader', 'STAFF', $1) RETURNING id`,
        [UNUSABLE_PASSWORD_HASH],
      );
      const userId = user.rows[0].id;
      const session = await client.query(
        `INSERT INTO "Session" (id, "userId", "expiresAt") VALUES (gen_random_uuid()::text, $1, now() + interval '1 day') RETURNING id`,
        [userId],
      );
      const { rowCount } = await client.query(
        `INSERT INTO "Notification" (id, "userId", type, title, message, priority, "actionUrl", "actionText", metadata, "createdAt", "readAt")
         SELECT gen_random_uuid()::text, $1, 'ORDER_STATUS_CHANGED', 'Order for Patient ' || g || ' is now IN_PROGRESS',
                'Dan Doctor moved the order for Patient ' || g || ' (CBC panel, lipid profile) from CONFIRMED to IN_PROGRESS.',
                'NORMAL', '/orders?order=' || gen_random_uuid()::text, 'View order',
                jsonb_build_object('orderId', gen_random_uuid()::text, 'from', 'CONFIRMED', 'to', 'IN_PROGRESS'),
                (now() AT TIME ZONE 'UTC') - make_interval(mins => ($2::int - g) * 3),
                CASE WHEN g % 3 = 0 THEN (now() AT TIME ZONE 'UTC') - make_interval(mins => ($2::int - g) * 3 - 1) END
         FROM generate_series(1, $2::int) AS g ORDER BY g`,
        [userId, count],
      );
      await client.query('ANALYZE "Notification"');
      return { userId, sessionId: session.rows[0].id, notifications: rowCount };
    });
  }

  countNotifications(title) {
    return this.withClient(async (client) => {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM "Notification" WHERE title = $1', [title]);
      return rows[0].n;
    });
  }

  /**
   * `count` notifications read long ago (created 200 days back, past the default 90-day age for
   * read ones), spread over the bench users: what a retention run deletes during `--during-purge`.
   */
  seedExpired(count) {
    return this.withClient(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO "Notification" (id, "userId", type, title, message, priority, metadata, "createdAt", "readAt")
         SELECT gen_random_uuid()::text, u.ids[1 + i % cardinality(u.ids)], 'GENERAL', 'expired', 'Read long ago', 'NORMAL', '{}',
                (now() AT TIME ZONE 'UTC') - interval '200 days', (now() AT TIME ZONE 'UTC') - interval '199 days'
         FROM generate_series(0, $1::int - 1) AS i,
              (SELECT array_agg(id) AS ids FROM "User" WHERE email LIKE 'bench-%' AND role = 'STAFF') AS u`,
        [count],
      );
      return rowCount;
    });
  }

  /** Asks the job engine for a retention run now, as its hourly schedule does (pg-boss's queue table). */
  requestRetentionRun() {
    return this.withClient((client) => client.query(`INSERT INTO pgboss.job (name, data) VALUES ('retention', '{}'::jsonb)`));
  }

  /** One notification for every bench user, as another node would have written it. */
  insertWhileDown(title) {
    return this.withClient(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO "Notification" (id, "userId", type, title, message, priority, metadata)
         SELECT gen_random_uuid()::text, id, 'GENERAL', $1, 'Created while the node was down', 'NORMAL', '{}'
         FROM "User" WHERE email LIKE 'bench-%' AND role = 'STAFF'`,
        [title],
      );
      return rowCount;
    });
  }
}

class ServerDatabase extends Queries {
  static async create(serverUrl) {
    const name = `bench_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    await applyMigrations(url.href);
    return new ServerDatabase(serverUrl, name, url.href);
  }

  constructor(serverUrl, name, url) {
    super();
    this.serverUrl = serverUrl;
    this.name = name;
    this.url = url;
    this.description = 'PostgreSQL (DATABASE_URL)';
  }

  nodeEnv() {
    return { DATABASE_URL: this.url };
  }

  async withClient(work) {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  async drop() {
    const admin = new Client({ connectionString: this.serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    await admin.end();
  }
}

/** PGlite is single-process: only touched while the node is not running. */
class EmbeddedDatabase extends Queries {
  static async create() {
    return new EmbeddedDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-')));
  }

  constructor(dataDir) {
    super();
    this.dataDir = dataDir;
    this.description = 'embedded PGlite (no DATABASE_URL)';
  }

  nodeEnv() {
    return { DATABASE_URL: '', DATA_DIR: this.dataDir };
  }

  async withClient(work) {
    const { EmbeddedPostgres } = require('../../backend/dist/backend/src/database/embedded-postgres.js');
    const embedded = await EmbeddedPostgres.start(this.dataDir);
    try {
      await applyMigrations(embedded.connectionString);
      const client = new Client({ connectionString: embedded.connectionString });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    } finally {
      await embedded.stop();
    }
  }

  async drop() {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
