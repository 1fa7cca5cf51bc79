// The targeted scenario's "same write, minimal code" baseline: a bare `pg` + `ws` server that does
// what the app's `POST /api/notifications/test` to one user does, and nothing else. It runs the
// app's statement, from the backend's build (CREATE_SEND_SQL of notifications.repository.ts: the
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
const { Pool } = backendRequire('pg');

// The app's own statement, its arguments, row types and payload mapping (the backend's build).
const { CREATE_SEND_SQL, createSendArguments, prismaCompatibleTypes } = backendRequire('./dist/backend/src/notifications/notifications.repository.js');
const { inEveryLanguage } = backendRequire('./dist/backend/src/notifications/notification-templates.js');
const { toNewNotificationPayload } = backendRequire('./dist/backend/src/notifications/notification.mapper.js');

// The app's pool: DATABASE_POOL_SIZE's default, connections kept open.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20, idleTimeoutMillis: 0 });
const senderId = process.env.SENDER_ID ?? null;
const node = `pg-ws-baseline-${process.pid}`;

/** What the app's send to one user passes (a send record and its audit entry; recipients required). */
function sendArguments(userId, title, message) {
  const send = { id: crypto.randomUUID(), senderId, target: { kind: 'user', id: userId }, requireAck: false, escalation: null, escalationOf: null };
  const content = inEveryLanguage(() => ({ type: 'GENERAL', title, message, priority: 'NORMAL', actionUrl: null, actionText: null, metadata: {} }));
  const audit = { actorId: senderId, action: 'notification.sent', targetType: 'user', targetId: userId, node, details: { sendId: send.id, type: 'GENERAL', priority: 'NORMAL', recipients: 1 } };
  return createSendArguments([userId], content, send, audit, true);
}

const socketsByUser = new Map();

/** The notification, then the user's unread count, to each of the user's sockets. */
function deliver(row) {
  const sockets = socketsByUser.get(row.userId);
  if (!sockets) return;
  const created = JSON.stringify({ event: 'notification:new', data: toNewNotificationPayload(row, row.typeMuted, row.prevSeq) });
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
    const { rows } = await pool.query({ name: 'create_send', text: CREATE_SEND_SQL, values: sendArguments(userId, command.title, command.message ?? ''), types: prismaCompatibleTypes });
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
    await Promise.all(clients.map((client) => client.query({ name: 'create_send', text: CREATE_SEND_SQL, values: sendArguments('bench-no-such-user', 'warm', 'warm'), types: prismaCompatibleTypes })));
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
