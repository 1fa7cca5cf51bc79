'use strict';
// Backup and restore of the embedded database (PGlite, used when DATABASE_URL is unset), in plain
// JavaScript so operators run it without building: `npm run backup -- [file]` and
// `npm run restore -- <file> [--force]`, both on DATA_DIR (default <repo>/.data, as the server).
//
// PGlite is PostgreSQL in one process: while the server runs, nothing else may open its folder
// (a second instance would corrupt it), and the server offers no way to copy it from outside. So
// a backup needs the server stopped. PostgreSQL writes postmaster.pid into the folder while it is
// open and removes it on a clean close; its presence is how a running server is recognised. A
// server that was killed leaves it behind too: starting the server and stopping it clears it.
const fs = require('node:fs');
const path = require('node:path');
const { PGlite } = require('@electric-sql/pglite');

const REPO_ROOT = path.join(__dirname, '../..');
const DATA_DIR = path.resolve(process.env.DATA_DIR || path.join(REPO_ROOT, '.data'));
// `npm run` starts scripts in the repository root; a file named on its command line is relative to
// where the operator typed it (npm's INIT_CWD).
const fromWhereTyped = (file) => path.resolve(process.env.INIT_CWD || process.cwd(), file);

// Seqs a restored database gives out start this far above the backup's last one, so each is above
// every cursor a client took from the history the restore discarded: cursors are never moved back
// (contracts/catch-up.ts), so a new notification at or below one would be skipped by that client.
// More notifications than this between a backup and its restore is not a clinic's load.
const SEQ_GAP_AFTER_RESTORE = 1_000_000_000;
const ADVANCE_SEQ_SQL = `SELECT setval('"Notification_seq_seq"', (SELECT last_value FROM "Notification_seq_seq") + ${SEQ_GAP_AFTER_RESTORE})`;

class UsageError extends Error {}

function say(line) {
  console.log(line);
}

function assertNotRunning(dataDir) {
  if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
    throw new UsageError(
      `the database in ${dataDir} is open: a server is running on it. Stop it (Ctrl-C or SIGTERM; it closes the ` +
        'database on the way out) and run this again. If no server runs, it was killed: start it once and stop it.',
    );
  }
}

function isEmptyOrMissing(dir) {
  return !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;
}

async function backup(target) {
  if (!fs.existsSync(path.join(DATA_DIR, 'PG_VERSION'))) throw new UsageError(`no embedded database in ${DATA_DIR} (set DATA_DIR to its folder)`);
  assertNotRunning(DATA_DIR);
  const file = fromWhereTyped(target || `clinic-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`);
  if (fs.existsSync(file)) throw new UsageError(`${file} exists already: name another file`);
  say(`opening the database in ${DATA_DIR}`);
  const db = await PGlite.create(DATA_DIR);
  try {
    const { rows } = await db.query('SELECT count(*)::int AS users FROM "User"');
    const dump = await db.dumpDataDir('gzip');
    // Written under a temporary name first, so a file with the final name is always whole.
    fs.writeFileSync(`${file}.partial`, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(`${file}.partial`, file);
    say(`backup written: ${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB, ${rows[0].users} users)`);
  } finally {
    await db.close();
  }
  say('Next: start the server again (npm start). To restore: DATA_DIR=<new folder> npm run restore -- <file>');
}

async function restore(source, force) {
  if (!source) throw new UsageError('name the backup file: npm run restore -- <file> [--force]');
  const file = fromWhereTyped(source);
  if (!fs.existsSync(file)) throw new UsageError(`no backup file ${file}`);
  if (!isEmptyOrMissing(DATA_DIR)) {
    if (!force) {
      throw new UsageError(`${DATA_DIR} is not empty: restore into a new folder (DATA_DIR=<folder>), or add --force to replace what it holds`);
    }
    assertNotRunning(DATA_DIR);
    say(`--force: deleting what ${DATA_DIR} holds`);
    // Its contents, not the folder: it may be a mount point, or carry permissions of its own.
    for (const entry of fs.readdirSync(DATA_DIR)) fs.rmSync(path.join(DATA_DIR, entry), { recursive: true, force: true });
  }
  fs.mkdirSync(DATA_DIR, { recursive: true });
  say(`restoring ${file} into ${DATA_DIR}`);
  const db = await PGlite.create(DATA_DIR, { loadDataDir: new Blob([fs.readFileSync(file)]) });
  try {
    const { rows } = await db.query('SELECT count(*)::int AS users FROM "User"');
    await db.query(ADVANCE_SEQ_SQL);
    say(`restored: ${rows[0].users} users; notification seqs continue ${SEQ_GAP_AFTER_RESTORE} above the backup's`);
  } finally {
    await db.close();
  }
  say(`Next: start the server on it (DATA_DIR=${DATA_DIR} npm start); it applies any newer migrations. Clients that saw more than the backup holds refetch their list when they reconnect.`);
}

if (require.main === module) {
  const [verb, ...rest] = process.argv.slice(2);
  const force = rest.includes('--force');
  const [file] = rest.filter((arg) => arg !== '--force');
  const run = verb === 'backup' ? backup(file) : verb === 'restore' ? restore(file, force) : Promise.reject(new UsageError('usage: embedded-database.js backup [file] | restore <file> [--force]'));
  run.catch((error) => {
    console.error(error instanceof UsageError ? error.message : error.stack);
    process.exit(1);
  });
}
