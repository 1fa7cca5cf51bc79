// The physical-limit baseline: a minimal raw `ws` server doing the same per-user delivery as the
// app (a user's payload JSON-encoded once, written to each of that user's sockets) with no
// framework, no authentication and no database. Commands arrive over plain HTTP on the same port.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { WebSocketServer } = require('ws');

const socketsByUser = new Map();
const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const command = body ? JSON.parse(body) : {};
    if (request.url === '/health') return response.end('ok');
    if (request.url === '/gc') {
      globalThis.gc?.();
      return response.end('ok');
    }
    if (request.url === '/send') {
      deliver(command.userId, command.payload);
      response.writeHead(201).end();
      return;
    }
    if (request.url === '/broadcast') {
      const frame = JSON.stringify({ event: 'notification:new', data: command.payload });
      for (const sockets of socketsByUser.values()) for (const socket of sockets) socket.send(frame);
      return response.writeHead(201).end();
    }
    if (request.url === '/burst') {
      burst(command.userIds, command.count, command.payload, command.round).then(() => response.writeHead(201).end());
      return;
    }
    response.writeHead(404).end();
  });
});

function deliver(userId, payload) {
  const sockets = socketsByUser.get(userId);
  if (!sockets) return;
  const frame = JSON.stringify({ event: 'notification:new', data: payload });
  for (const socket of sockets) socket.send(frame);
}

/** `count` deliveries to users picked round-robin, yielding to I/O every 500; ids unique per round. */
async function burst(userIds, count, payload, round) {
  for (let i = 0; i < count; i++) {
    deliver(userIds[i % userIds.length], { ...payload, id: `burst-${round}-${i}`, title: `burst:${i}` });
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
}

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

server.listen(Number(process.env.PORT), '127.0.0.1');
