import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { migrations } from '../src/database/migrations';
import { createTestDatabase, startTestApp } from './support/test-app';

describe('Database', () => {
  it('keeps the embedded database in its folder across restarts, migrated once and seeded with the demo users', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-data-'));
    try {
      const first = await startTestApp({ url: null, drop: async () => {} }, { DATA_DIR: dataDir, SEED_DEMO_USERS: 'true' });
      const login = await request(first.baseUrl)
        .post('/api/auth/login')
        .send({ email: 'nurse@clinic.test', password: 'Nurse123!' })
        .expect(200);
      expect(login.body.user.role).toBe('STAFF');
      const extra = await first.createUser('STAFF');
      await first.close();

      const second = await startTestApp({ url: null, drop: async () => {} }, { DATA_DIR: dataDir, SEED_DEMO_USERS: 'true' });
      expect(await second.prisma.user.count({ where: { id: extra.id } })).toBe(1);
      expect(await second.prisma.user.count({ where: { email: 'admin@clinic.test' } })).toBe(1);
      const history = await second.prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "_prisma_migrations"`;
      expect(Number(history[0].n)).toBe(fs.readdirSync(path.join(__dirname, '../../prisma/migrations')).filter((f) => !f.endsWith('.toml')).length);
      await second.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    // Two starts of the embedded database in a folder (each creates or opens a whole cluster on
    // disk) and four password hashes: about 10 s on an idle 2-core machine.
  }, 60_000);

  const onServer = process.env.DATABASE_URL ? it : it.skip;
  onServer('records migrations as `prisma migrate deploy` does and refuses a migration edited after it was applied', async () => {
    const database = await createTestDatabase();
    const client = new Client({ connectionString: database.url! });
    await client.connect();
    try {
      const applied = await migrations.applyMigrations(database.url!);
      expect(applied.length).toBeGreaterThan(0);
      expect(await migrations.applyMigrations(database.url!)).toEqual([]);
      const { rows } = await client.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"');
      for (const row of rows) {
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.applied_steps_count).toBe(1);
      }
      await client.query(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64) WHERE migration_name = $1`, [applied[0]]);
      await expect(migrations.applyMigrations(database.url!)).rejects.toThrow(/was edited after it was applied/);
    } finally {
      await client.end();
      await database.drop();
    }
  });

  onServer('`npm run migrate -- --status` lists each migration as pending, then applied, and changes nothing', async () => {
    const database = await createTestDatabase();
    const status = () => {
      const run = spawnSync(process.execPath, [path.join(__dirname, '../../prisma/migrate.js'), '--status'], {
        env: { ...process.env, DATABASE_URL: database.url! },
        encoding: 'utf8',
      });
      return { code: run.status, lines: run.stdout.trim().split('\n') };
    };
    try {
      const names = migrations.listMigrations().map((migration) => migration.name);
      const before = status();
      expect(before.code).toBe(0);
      expect(before.lines).toEqual([...names.map((name) => `${name}  pending`), `0 applied, ${names.length} pending`]);
      expect(before.lines).toEqual(status().lines);

      await migrations.applyMigrations(database.url!);
      const after = status();
      expect(after.code).toBe(0);
      expect(after.lines.slice(0, -1)).toEqual(names.map((name) => expect.stringMatching(new RegExp(`^${name}  applied  \\d{4}-\\d\\d-\\d\\dT`))));
      expect(after.lines.at(-1)).toBe(`${names.length} applied, 0 pending`);
    } finally {
      await database.drop();
    }
  });

  onServer('lets several nodes start together on one database: each migrates and seeds, the demo accounts exist once', async () => {
    const database = await createTestDatabase();
    try {
      const nodes = await Promise.all([1, 2, 3].map(() => startTestApp(database, { SEED_DEMO_USERS: 'true' })));
      expect(await nodes[0].prisma.user.count({ where: { email: { endsWith: '@clinic.test' } } })).toBe(3);
      await Promise.all(nodes.map((node) => node.close()));
    } finally {
      await database.drop();
    }
  });
});
