// The targeted scenario's "same write, minimal code" baseline: a bare `pg` + `ws` server that does
// what the app's `POST /api/notifications/test` to one user does, and nothing else. It runs the
// app's statement word for word (CREATE_SEND_SQL of notifications.repository.ts: the
// create_notifications function, which locks the recipient and inserts the row with its
// per-user seq, plus the Send row and the audit entry, in one round trip), as a named statement
// on a pool of the app's size (opened and warmed before it answers), then writes the new
// notification and the unread count to each of that user's raw WebSocket connections (each
// JSON-encoded once, as the raw `ws` baseline does).
//
// What it leaves out is the system's own cost: Nest, validation, authentication (no token is
// checked, on HTTP or on the sockets: `?user=` names the user, as in ws-baseline-server.mjs),
// Socket.IO, logging, metrics. So app − this baseline is the app's cost, and this baseline −
// the raw `ws` baseline is this machine's PostgreSQL.
//
//   PORT=… DATABASE_URL=… SENDER_ID=… node bench/pg-ws-baseline-server.mjs
import crypto from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const backendRequire = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '../backend/package.json'));
const { WebSocketServer } = require('ws');
// The backend's own pg, as the app uses it.
const { Pool, types } = backendRequire('pg');

// CREATE_SEND_SQL of backend/src/notifications/notifications.repository.ts, word for word.
const CREATE_SEND_SQL = `
  WITH created AS (
    SELECT * FROM create_notifications(
      $1::text[], $2::"NotificationType", $27::text[], $3::text[], $4::text[], $5::"NotificationPriority", $6::text, $7::text[], $8::jsonb,
      $9::timestamp(3), $10::text, $11::boolean)
  ), sent AS (
    INSERT INTO "Send" ("id", "senderId", "type", "priority", "title", "message", "actionUrl", "actionText", "metadata",
                        "targetKind", "targetId", "requireAck", "recipients", "createdAt", "sentAt",
                        "escalateAfterSeconds", "escalateToKind", "escalateToId", "escalationOf", "escalationStep")
    SELECT $10::text, $12::text, $2::"NotificationType", $5::"NotificationPriority", ($3::text[])[1], ($4::text[])[1], $6::text, ($7::text[])[1], $8::jsonb,
           $13::text, $14::text, $11::boolean, (SELECT count(*) FROM created)::int, $9::timestamp(3), $9::timestamp(3),
           $15::int, $16::text, $17::text, $18::text, $19::int
    WHERE NOT $20::boolean OR EXISTS (SELECT 1 FROM created)
    ON CONFLICT ("id") DO UPDATE SET "recipients" = EXCLUDED."recipients", "sentAt" = EXCLUDED."sentAt"
  ), audited AS (
    INSERT INTO "AuditLog" ("actorId", "action", "targetType", "targetId", "node", "details", "at")
    SELECT $21::text, $22::text, $23::text, $24::text, $25::text, $26::jsonb, $9::timestamp(3)
    WHERE $22::text IS NOT NULL AND (NOT $20::boolean OR EXISTS (SELECT 1 FROM created))
  )
  SELECT * FROM created`;

// WRITTEN_LANGUAGES of the repository: the default language first.
const LANGUAGES = ['en', 'es'];

// As the app reads create_notifications' rows: int8 as BigInt, timestamp(3) (UTC wall time) as a Date.
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
const senderId = process.env.SENDER_ID ?? null;
const node = `pg-ws-baseline-${process.pid}`;

/** The arguments createSendArguments gives a send to one user with its audit entry (requireRecipients). */
function sendArguments(userId, title, message) {
  const sendId = crypto.randomUUID();
  const type = 'GENERAL';
  const priority = 'NORMAL';
  return [
    [userId], type, LANGUAGES.map(() => title), LANGUAGES.map(() => message), priority, null, LANGUAGES.map(() => null), '{}', new Date().toISOString(), sendId, false,
    senderId, 'user', userId,
    null, null, null,
    null, null,
    true,
    senderId, 'notification.sent', 'user', userId, node,
    JSON.stringify({ sendId, type, priority, recipients: 1 }),
    LANGUAGES,
  ];
}

const iso = (date) => date?.toISOString() ?? null;
/** toNewNotificationPayload of notification.mapper.ts. */
const toPayload = (n) => ({
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
  archivedAt: iso(n.archivedAt ?? null),
  snoozedUntil: iso(n.snoozedUntil ?? null),
  version: n.version ?? 0,
  createdAt: n.createdAt.toISOString(),
  muted: n.typeMuted && n.priority !== 'CRITICAL',
  prevSeq: n.prevSeq.toString(),
});

const socketsByUser = new Map();

/** The notification, then the user's unread count, to each of the user's sockets. */
function deliver(row) {
  const sockets = socketsByUser.get(row.userId);
  if (!sockets) return;
  const created = JSON.stringify({ event: 'notification:new', data: toPayload(row) });
  const count = JSON.stringify({ event: 'notification:unread-count', data: { count: row.unreadCount } });
  for (const socket of sockets) {
    socket.send(created);
    socket.send(count);
  }
}

async function send(command, response) {
  const userId = command.target?.userId;
  if (typeof userId !== 'string' || typeof command.title !== 'string') return response.writeHead(400).end('{"message":"target.userId and title are required"}');
  try {
    const { rows } = await pool.query({ name: 'create_send', text: CREATE_SEND_SQL, values: sendArguments(userId, command.title, command.message ?? ''), types: rowTypes });
    if (rows.length === 0) return response.writeHead(404).end('{"message":"User not found"}');
    for (const row of rows) deliver(row);
    response.writeHead(201, { 'content-type': 'application/json' }).end(`{"recipients":${rows.length}}`);
  } catch (error) {
    response.writeHead(500).end(JSON.stringify({ message: error.message }));
  }
}

const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    if (request.url === '/health') return response.end('ok');
    if (request.url === '/gc') {
      globalThis.gc?.();
      return response.end('ok');
    }
    if (request.url === '/api/notifications/test' && request.method === 'POST') {
      let command;
      try {
        command = JSON.parse(body);
      } catch {
        return response.writeHead(400).end('{"message":"invalid JSON"}');
      }
      return send(command, response);
    }
    response.writeHead(404).end();
  });
});

const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (socket, request) => {
  const userId = new URL(request.url, 'http://x').searchParams.get('user');
  if (!socketsByUser.has(userId)) socketsByUser.set(userId, new Set());
  socketsByUser.get(userId).add(socket);
  socket.on('close', () => {
    const sockets = socketsByUser.get(userId);
    sockets.delete(socket);
    if (sockets.size === 0) socketsByUser.delete(userId);
  });
});

/**
 * Every connection of the pool opened and the statement run once on each (for no existing user:
 * nothing is written), before the server answers /health. A new connection costs a backend start
 * and a first, planning run of the function on it (its PL/pgSQL compiled, its plan made): at
 * 100–500 sends a second the pool otherwise grew during the measured seconds, each new
 * connection one send of 90–190 ms. The app's pool is open by then (the hold's catch-up queries
 * opened it), and its warm-up gives each connection its first run.
 */
async function warmPool() {
  const clients = await Promise.all(Array.from({ length: pool.options.max }, () => pool.connect()));
  try {
    await Promise.all(clients.map((client) => client.query({ name: 'create_send', text: CREATE_SEND_SQL, values: sendArguments('bench-no-such-user', 'warm', 'warm'), types: rowTypes })));
  } finally {
    for (const client of clients) client.release();
  }
}

warmPool().then(
  () => server.listen(Number(process.env.PORT), '127.0.0.1'),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('SIGTERM', () => pool.end().finally(() => process.exit(0)));
