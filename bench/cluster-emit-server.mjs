// The app's socket layer alone on one node of a cluster, for the cluster scenario's emit
// throughput (bench/cluster.mjs): bench/socketio-emit-server.mjs with the adapter a node has when
// REDIS_URL is set (the Redis Streams adapter over the app's RedisConnection, wrapped by
// withLocalBroadcasts exactly as SocketIoAdapter does), keys under KEY_PREFIX. Two of these share
// one stream: a burst posted to one reaches the sockets of the other through Redis.
//
// /health answers once the Redis connection is up; /exit exits cleanly (so --cpu-prof writes its
// profile).
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../backend/dist/backend/src/gc-tuning.js');
const { Server } = require('socket.io');
const { SOCKET_SERVER_OPTIONS } = require('../backend/dist/backend/src/realtime/socket-io.adapter.js');
const { RedisConnection } = require('../backend/dist/backend/src/realtime/redis-connection.js');
const { withLocalBroadcasts } = require('../backend/dist/backend/src/realtime/local-broadcasts.js');
const { SOCKET_PATH, ServerEvent, userRoom } = require('../backend/dist/contracts/index.js');

const redis = await RedisConnection.connect(process.env.REDIS_URL, process.env.KEY_PREFIX);

const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    if (request.url === '/health') return response.writeHead(redis.connected ? 200 : 503).end();
    if (request.url === '/exit') {
      response.end('ok');
      ioServer.close();
      redis.close().finally(() => process.exit(0));
      return;
    }
    if (request.url === '/burst') {
      const { userIds, count, payload, round } = JSON.parse(body);
      burst(userIds, count, payload, round).then(() => response.writeHead(201).end());
      return;
    }
    response.writeHead(404).end();
  });
});

const ioServer = new Server(server, { ...SOCKET_SERVER_OPTIONS, path: SOCKET_PATH, adapter: withLocalBroadcasts(redis.socketIoAdapter()) });
ioServer.use((socket, next) => {
  socket.join(userRoom(String(socket.handshake.query.user)));
  next();
});

/** The same loop as socketio-emit-server.mjs: `count` per-user emits, yielding to I/O every 500. */
async function burst(userIds, count, payload, round) {
  for (let i = 0; i < count; i++) {
    ioServer.to(userRoom(userIds[i % userIds.length])).emit(ServerEvent.New, { ...payload, id: `burst-${round}-${i}`, title: `burst:${i}` });
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
}

process.on('SIGTERM', () => process.exit(0));
server.listen(Number(process.env.PORT), '127.0.0.1');
