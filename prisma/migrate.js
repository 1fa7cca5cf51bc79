'use strict';
// Applies prisma/migrations/*/migration.sql in name order, exactly as `prisma migrate deploy`
// would: under Prisma's advisory lock, recording each migration in `_prisma_migrations` with
// Prisma's sha256 checksum, so a real `prisma migrate deploy` elsewhere sees the same history.
// (Prisma 7's CLI needs a native schema engine it cannot download on these machines.)
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');

// MIGRATIONS_DIR points a node or this script at another release's folder (tests of rolling
// upgrades); unset, the committed one.
const MIGRATIONS_DIR = process.env.MIGRATIONS_DIR ? path.resolve(process.env.MIGRATIONS_DIR) : path.join(__dirname, 'migrations');
// The key `prisma migrate deploy` locks on, so both runners exclude each other.
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

const CREATE_HISTORY_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

function listMigrations() {
  return fs
    .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Brings the database at `connectionString` up to date. Returns the names of the migrations it
 * applied. Throws (applying nothing further) when a recorded migration failed or was edited.
 */
async function applyMigrations(connectionString, log = () => {}) {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    await client.query(CREATE_HISTORY_TABLE);
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const recorded = new Map(rows.map((row) => [row.migration_name, row]));
    const applied = [];
    for (const migration of listMigrations()) {
      const previous = recorded.get(migration.name);
      if (previous) {
        if (!previous.finished_at) {
          throw new Error(`migration ${migration.name} failed earlier; resolve it before migrating again`);
        }
        if (previous.checksum !== migration.checksum) {
          throw new Error(`migration ${migration.name} was edited after it was applied`);
        }
        continue;
      }
      log(`applying migration ${migration.name}`);
      const id = crypto.randomUUID();
      await client.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)',
        [id, migration.checksum, migration.name],
      );
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, String(error)]);
        throw new Error(`migration ${migration.name} failed: ${error.message}`);
      }
      await client.query(
        'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
        [id],
      );
      applied.push(migration.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/** Names of committed migrations not yet applied to the database (for readiness checks). */
async function pendingMigrations(queryRows) {
  const rows = await queryRows(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const done = new Set(rows.map((row) => row.migration_name));
  return listMigrations()
    .map((migration) => migration.name)
    .filter((name) => !done.has(name));
}

/**
 * Each committed migration with when it was applied (null: pending), and recorded ones that are
 * not committed here (applied by a newer release) or failed. Changes nothing.
 */
async function migrationStatus(connectionString) {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    const { rows: [{ exists }] } = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`);
    const { rows } = exists
      ? await client.query('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL')
      : { rows: [] };
    const recorded = new Map(rows.map((row) => [row.migration_name, row]));
    const committed = listMigrations();
    const status = committed.map(({ name, checksum }) => {
      const row = recorded.get(name);
      const state = !row ? 'pending' : !row.finished_at ? 'failed' : row.checksum !== checksum ? 'edited' : 'applied';
      return { name, state, appliedAt: row?.finished_at ?? null };
    });
    const known = new Set(committed.map(({ name }) => name));
    for (const row of rows) {
      if (!known.has(row.migration_name)) status.push({ name: row.migration_name, state: 'unknown', appliedAt: row.finished_at });
    }
    return status;
  } finally {
    await client.end();
  }
}

module.exports = { applyMigrations, pendingMigrations, listMigrations, migrationStatus };

/** `npm run migrate -- --status`: one line per migration; exit code 1 if any failed or was edited after it was applied. */
async function printStatus(url) {
  const status = await migrationStatus(url);
  const notes = {
    applied: 'applied',
    pending: 'pending',
    failed: 'FAILED: resolve it before migrating again',
    edited: 'EDITED after it was applied',
    unknown: 'applied, not in this release (a newer one applied it)',
  };
  for (const { name, state, appliedAt } of status) {
    console.log(`${name}  ${notes[state]}${appliedAt ? `  ${appliedAt.toISOString()}` : ''}`);
  }
  const count = (state) => status.filter((entry) => entry.state === state).length;
  console.log(`${count('applied')} applied, ${count('pending')} pending${count('failed') + count('edited') ? `, ${count('failed') + count('edited')} in trouble` : ''}`);
  return count('failed') + count('edited') ? 1 : 0;
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set (the embedded database migrates itself when the app starts)');
    process.exit(1);
  }
  const run = process.argv.includes('--status')
    ? printStatus(url).then((code) => process.exit(code))
    : applyMigrations(url, (line) => console.log(line)).then((applied) =>
        console.log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date'),
      );
  run.catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
