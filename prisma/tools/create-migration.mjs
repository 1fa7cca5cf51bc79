// Authors a new migration without the native schema engine (which cannot be downloaded here):
// Prisma's WASM schema engine diffs the committed schema (git HEAD, or the revision in
// FROM_REV) against the working prisma/schema.prisma and the SQL is written as a new migration.
// A schema-to-schema diff needs no database: the engine's live introspection through the pg
// adapter fails on PostgreSQL's internal "char" columns.
// Usage: node prisma/tools/create-migration.mjs <snake_case_name>
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as schemaEngine from '@prisma/schema-engine-wasm/schema_engine_bg';

const require = createRequire(import.meta.url);
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: node prisma/tools/create-migration.mjs <snake_case_name>');
  process.exit(1);
}

function committedSchema() {
  const hasMigrations = fs
    .readdirSync(new URL('../migrations/', import.meta.url), { withFileTypes: true })
    .some((entry) => entry.isDirectory());
  if (!hasMigrations) return null;
  return execFileSync('git', ['show', `${process.env.FROM_REV ?? 'HEAD'}:prisma/schema.prisma`], { encoding: 'utf8' });
}

// The package targets bundlers (it imports the .wasm file directly); load it by hand for Node.
const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmUrl), { './schema_engine_bg.js': schemaEngine });
schemaEngine.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();

const schema = fs.readFileSync(new URL('../schema.prisma', import.meta.url), 'utf8');
const previous = committedSchema();
// The engine connects on start-up even though a schema-to-schema diff reads no database: give it
// a throwaway in-memory one.
const scratch = await PGlite.create();
const server = new PGLiteSocketServer({ db: scratch, host: '127.0.0.1', port: 0 });
await server.start();
const connectionString = `postgresql://postgres@${server.getServerConn()}/postgres`;
const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString, max: 1 }));
const engine = await schemaEngine.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => {}, adapter);
const diff = await engine.diff({
  from: previous ? { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: previous }] } : { tag: 'empty' },
  to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
});
await server.stop();
await scratch.close();
const sql = diff.stdout.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
if (!sql.trim() || sql.includes('-- This is an empty migration')) {
  console.log('schema.prisma matches the committed schema: nothing to create');
} else {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = new URL(`../migrations/${stamp}_${name}/`, import.meta.url);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(new URL('migration.sql', dir), sql);
  console.log(`created prisma/migrations/${stamp}_${name}/migration.sql`);
}
