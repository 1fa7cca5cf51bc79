import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import { createClient } from 'redis';
import type { Role } from '@clinic/contracts';
import { NOTIFICATION_INSERT_LOCK } from '../../src/notifications/notifications.repository';
import { TEST_JWT_SECRET } from './processes';

/** Helpers for tests that run the built server as separate processes against one database. */

export interface ProcessUser {
  id: string;
  role: Role;
  /** Signed with the secret the processes share, valid for an hour. */
  token: string;
}

const jwt = new JwtService({ secret: TEST_JWT_SECRET });

/** Users inserted straight into the database (the server processes have migrated it). */
export async function insertUsers(databaseUrl: string, roles: Role[]): Promise<ProcessUser[]> {
  return withDatabase(databaseUrl, async (client) => {
    const users: ProcessUser[] = [];
    for (const role of roles) {
      const { rows } = await client.query<{ id: string; sessionId: string }>(
        `WITH "user" AS (
           INSERT INTO "User" ("id", "email", "name", "role", "passwordHash")
           VALUES (gen_random_uuid()::text, gen_random_uuid()::text || '@clinic.test', $1, $2::"Role", 'not-a-hash') RETURNING "id"
         )
         INSERT INTO "Session" ("id", "userId", "expiresAt")
         SELECT gen_random_uuid()::text, "id", now() + interval '1 hour' FROM "user" RETURNING "userId" AS "id", "id" AS "sessionId"`,
        [`Test ${role}`, role],
      );
      users.push({ id: rows[0].id, role, token: jwt.sign({ sub: rows[0].id, sid: rows[0].sessionId }, { expiresIn: 3600 }) });
    }
    return users;
  });
}

export async function withDatabase<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** How many sockets a node holds, from its own metrics. */
export async function socketsOn(nodeUrl: string): Promise<number> {
  const response = await fetch(`${nodeUrl}/api/metrics`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
  if (!response?.ok) return 0;
  const match = /^clinic_connected_sockets (\d+)/m.exec(await response.text());
  return match ? Number(match[1]) : 0;
}

/** Waits until exactly one of the nodes holds the socket(s); returns its index. */
export async function nodeHoldingSockets(nodeUrls: string[], timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(nodeUrls.map(socketsOn));
    const holding = counts.flatMap((count, index) => (count > 0 ? [index] : []));
    if (holding.length === 1) return holding[0];
    if (Date.now() > deadline) throw new Error(`sockets per node: ${counts.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type CreateLoadBalancer = (targets: string[], log?: (line: string) => void) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain CommonJS script, shared with `scripts/cluster.js`
const { createLoadBalancer } = require('../../scripts/load-balancer') as { createLoadBalancer: CreateLoadBalancer };

/** The local cluster's load balancer (scripts/load-balancer.js) in front of these nodes. */
export async function startLoadBalancer(nodeUrls: string[]): Promise<{ url: string; close(): Promise<void> }> {
  const balancer = createLoadBalancer(nodeUrls);
  await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        balancer.closeAllConnections();
        balancer.close(() => resolve());
      }),
  };
}

/** Deletes a deployment's keys (its Socket.IO stream and sessions) from a shared Redis. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = createClient({ url });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) {
      if (keys.length > 0) await redis.del(keys);
    }
  } finally {
    redis.destroy();
  }
}

export interface InsertLock {
  /** Resolves once a transaction waits for the lock (it has written what comes before its notifications). */
  untilSomeoneWaits(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Holds the lock every notification insert takes, from a connection of its own, so a test can
 * stop a write in the middle of its transaction: after its domain change, before its notifications.
 */
export async function holdNotificationInsertLock(databaseUrl: string): Promise<InsertLock> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1)', [NOTIFICATION_INSERT_LOCK.toString()]);
  return {
    async untilSomeoneWaits() {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await client.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        if (rows[0].count > 0) return;
        if (Date.now() > deadline) throw new Error('no transaction waits for the notification insert lock');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    release: () => client.end(),
  };
}
