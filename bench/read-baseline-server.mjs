// The read path's baseline: a minimal Express + `pg` server answering the two reads the inbox
// makes, with the app's SQL (NotificationsRepository.page and UNREAD_COUNT_SQL) and its answer's
// shape, and nothing else: what one Node process on this machine can do for these reads.
//
// The access token IS verified, with the library the app uses (jsonwebtoken, under @nestjs/jwt),
// HS256 only, and remembered by its text as the app's TokenService does. The session behind it is
// not looked up: the app answers that from a per-node memory for 10 s (SessionsService), so under
// this load it is a Map lookup there too.
//
//   PORT=… DATABASE_URL=… JWT_SECRET=… node bench/read-baseline-server.mjs
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const backendRequire = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '../backend/package.json'));
// The backend's own Express and jsonwebtoken, not whatever the root resolves.
const express = backendRequire('express');
const jwt = backendRequire('jsonwebtoken');
const { Pool, types } = backendRequire('pg');

const PAGE_SIZE = 20;
const COLUMNS = [
  'id', 'seq', 'userId', 'type::text', 'title', 'message', 'priority::text', 'actionUrl', 'actionText', 'metadata', 'sendId', 'requireAck',
  'deliveredAt', 'seenAt', 'readAt', 'acknowledgedAt', 'archivedAt', 'snoozedUntil', 'version', 'createdAt',
].map((column) => `"public"."Notification".${column.replace(/^(\w+)/, '"$1"')}`).join(', ');
// Word for word what Prisma sends for the app's findMany({ where: { userId }, orderBy: { seq: 'desc' },
// take: 21 }) (seen in pg_stat_activity during the bench); here as a named statement.
const PAGE_SQL = `SELECT ${COLUMNS} FROM "public"."Notification" WHERE "public"."Notification"."userId" = $1 ORDER BY "public"."Notification"."seq" DESC LIMIT $2 OFFSET $3`;
// UNREAD_COUNT_SQL of notifications.repository.ts, word for word.
const UNREAD_COUNT_SQL = `SELECT count(*)::int AS "count" FROM "Notification" n WHERE n."userId" = $1 AND n."readAt" IS NULL AND n."archivedAt" IS NULL AND (n."snoozedUntil" IS NULL OR n."snoozedUntil" <= (now() AT TIME ZONE 'UTC'))`;

// As the app reads them: int8 as BigInt, timestamp(3) (UTC wall time) as a Date.
const PG_INT8 = 20;
const PG_TIMESTAMP = 1114;
const rowTypes = {
  getTypeParser: (oid, format) => {
    if (oid === PG_INT8) return (value) => BigInt(value);
    if (oid === PG_TIMESTAMP) return (value) => new Date(`${value.replace(' ', 'T')}Z`);
    return types.getTypeParser(oid, format);
  },
};

// The app's pool: DATABASE_POOL_SIZE's default, connections kept open.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20, idleTimeoutMillis: 0 });
const secret = process.env.JWT_SECRET;
const verified = new Map();

function userOf(request) {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  if (!token) return null;
  const known = verified.get(token);
  if (known) return known.exp * 1000 > Date.now() ? known.userId : null;
  try {
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'] });
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
    if (verified.size >= 1000) verified.delete(verified.keys().next().value);
    verified.set(token, { userId: claims.sub, exp: claims.exp });
    return claims.sub;
  } catch {
    return null;
  }
}

const iso = (date) => date?.toISOString() ?? null;
const toDto = (n) => ({
  id: n.id,
  seq: n.seq.toString(),
  userId: n.userId,
  type: n.type,
  title: n.title,
  message: n.message,
  priority: n.priority,
  actionUrl: n.actionUrl,
  actionText: n.actionText,
  metadata: n.metadata !== null && typeof n.metadata === 'object' && !Array.isArray(n.metadata) ? n.metadata : {},
  sendId: n.sendId,
  requireAck: n.requireAck,
  deliveredAt: iso(n.deliveredAt),
  seenAt: iso(n.seenAt),
  readAt: iso(n.readAt),
  acknowledgedAt: iso(n.acknowledgedAt),
  archivedAt: iso(n.archivedAt),
  snoozedUntil: iso(n.snoozedUntil),
  version: n.version,
  createdAt: n.createdAt.toISOString(),
});

const app = express();
app.disable('x-powered-by');
app.get('/health', (_request, response) => response.json({ ok: true }));
app.use('/api', (request, response, next) => {
  request.userId = userOf(request);
  if (!request.userId) return response.status(401).json({ message: 'Access token is invalid' });
  next();
});
app.get('/api/notifications', async (request, response, next) => {
  try {
    const { rows } = await pool.query({ name: 'bench_page', text: PAGE_SQL, values: [request.userId, PAGE_SIZE + 1, 0], types: rowTypes });
    const page = rows.slice(0, PAGE_SIZE);
    response.json({ items: page.map(toDto), nextCursor: rows.length > PAGE_SIZE ? page.at(-1).seq.toString() : null });
  } catch (error) {
    next(error);
  }
});
app.get('/api/notifications/unread-count', async (request, response, next) => {
  try {
    const { rows } = await pool.query({ name: 'bench_unread_count', text: UNREAD_COUNT_SQL, values: [request.userId] });
    response.json({ count: rows[0].count });
  } catch (error) {
    next(error);
  }
});

app.listen(Number(process.env.PORT), '127.0.0.1');
// A clean exit on SIGTERM, so that `--cpu-prof` writes its profile.
process.on('SIGTERM', () => pool.end().finally(() => process.exit(0)));
