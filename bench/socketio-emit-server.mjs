// The app's socket layer alone, for the emit-throughput comparison with the raw `ws` baseline:
// a Socket.IO server with exactly the app's server options (its adapter included) and
// garbage-collector settings, imported from the built backend, sockets in `user:{id}` rooms,
// and the same per-user delivery (`to(room).emit`).
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../backend/dist/backend/src/gc-tuning.js');
const { Server } = require('socket.io');
const { SOCKET_SERVER_OPTIONS } = require('../backend/dist/backend/src/realtime/socket-io.adapter.js');
if (!SOCKET_SERVER_OPTIONS?.adapter) throw new Error("the backend's build does not export its Socket.IO server options");
const { SOCKET_PATH, ServerEvent, userRoom } = require('../backend/dist/contracts/index.js');

const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    if (request.url === '/health') return response.end('ok');
    if (request.url === '/gc') {
      globalThis.gc?.();
      return response.end('ok');
    }
    if (request.url === '/burst') {
      const { userIds, count, payload, round } = JSON.parse(body);
      burst(userIds, count, payload, round).then(() => response.writeHead(201).end());
      return;
    }
    response.writeHead(404).end();
  });
});

const ioServer = new Server(server, { ...SOCKET_SERVER_OPTIONS, path: SOCKET_PATH });
ioServer.use((socket, next) => {
  socket.join(userRoom(String(socket.handshake.query.user)));
  next();
});

async function burst(userIds, count, payload, round) {
  for (let i = 0; i < count; i++) {
    ioServer.to(userRoom(userIds[i % userIds.length])).emit(ServerEvent.New, { ...payload, id: `burst-${round}-${i}`, title: `burst:${i}` });
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
}

server.listen(Number(process.env.PORT), '127.0.0.1');
