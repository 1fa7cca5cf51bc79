import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import type { NotificationPriority, NotificationType } from '@clinic/contracts';
import pg from 'pg';

export interface NewRow {
  userId: string;
  title: string;
  message: string;
  type?: NotificationType;
  priority?: NotificationPriority;
}

/**
 * The database of one test file: a fresh database on the PostgreSQL server named by DATABASE_URL
 * (dropped afterwards), or else an embedded PGlite database in a temporary folder. Either way it
 * outlives a backend restart, and rows can be written straight into it while the backend is down.
 */
export interface E2eDatabase {
  /** Environment for the backend process. */
  readonly env: Record<string, string>;
  insertNotifications(rows: NewRow[]): Promise<void>;
  drop(): Promise<void>;
}

const INSERT = `INSERT INTO "Notification" ("id", "userId", "type", "title", "message", "priority")
  VALUES ($1, $2, $3, $4, $5, $6)`;

function values(row: NewRow): unknown[] {
  return [randomUUID(), row.userId, row.type ?? 'GENERAL', row.title, row.message, row.priority ?? 'NORMAL'];
}

export async function createE2eDatabase(): Promise<E2eDatabase> {
  const serverUrl = process.env['DATABASE_URL'];
  return serverUrl ? createOnServer(serverUrl) : createEmbedded();
}

async function createOnServer(serverUrl: string): Promise<E2eDatabase> {
  const name = `test_e2e_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.href },
    insertNotifications: (rows) =>
      withClient(url.href, async (client) => {
        for (const row of rows) await client.query(INSERT, values(row));
      }),
    drop: async () => {
      await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

function createEmbedded(): E2eDatabase {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-e2e-'));
  return {
    env: { DATA_DIR: dataDir },
    // PGlite is single-process: only while the backend is stopped.
    insertNotifications: async (rows) => {
      const db = await PGlite.create(dataDir);
      try {
        for (const row of rows) await db.query(INSERT, values(row));
      } finally {
        await db.close();
      }
    },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
