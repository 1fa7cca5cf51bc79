// The read path's baseline: a minimal Express + `pg` server answering the two reads the inbox
// makes, with the app's statements (PAGE_SQL and UNREAD_COUNT_SQL, from the backend's build) and
// its answer's shape, and nothing else: what one Node process on this machine can do for these reads.
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
const { Pool } = backendRequire('pg');

const PAGE_SIZE = 20;
// The app's statements, their arguments, row types and row mapping (the backend's build).
const { PAGE_SQL, UNREAD_COUNT_SQL, pageArguments, prismaCompatibleTypes } = backendRequire('./dist/backend/src/notifications/notifications.repository.js');
const { toNotificationDto } = backendRequire('./dist/backend/src/notifications/notification.mapper.js');

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
    const { rows } = await pool.query({ name: 'bench_page', text: PAGE_SQL, values: pageArguments(request.userId, { filter: {}, take: PAGE_SIZE + 1 }), types: prismaCompatibleTypes });
    const page = rows.slice(0, PAGE_SIZE);
    response.json({ items: page.map(toNotificationDto), nextCursor: rows.length > PAGE_SIZE ? page.at(-1).seq.toString() : null });
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
