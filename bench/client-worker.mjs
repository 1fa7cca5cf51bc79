// A load-generator process: holds a share of the benchmark's client connections (Socket.IO to
// the app, or raw WebSocket to the baseline), records when each notification reaches each
// device, and reports to the orchestrator over IPC. Runs in its own process so the clients'
// CPU is not the server's.
import { createRequire } from 'node:module';
import { nowMs } from './lib/common.mjs';

const require = createRequire(import.meta.url);
const { io } = require('socket.io-client');
const WebSocket = require('ws');

/** @type {Array<{userId: string, token: string, lastSeq: string, seen: Set<string>, socket: any, connected: boolean}>} */
let devices = [];
let receipts = [];
let duplicates = 0;
/** The titles of the duplicates since the last report (the cluster storm tells replayed-and-live ones apart). */
let duplicateTitles = [];
let refreshes = 0;
/** Handshakes the server refused (other than unauthorized), by reason; retried. */
const refusals = {};

function record(device, notification) {
  if (device.seen.has(notification.id)) {
    duplicates++;
    duplicateTitles.push(notification.title);
    return;
  }
  device.seen.add(notification.id);
  if (notification.seq && BigInt(notification.seq) > BigInt(device.lastSeq)) device.lastSeq = notification.seq;
  receipts.push([notification.title, nowMs()]);
}

function connectSocketIo(url, device) {
  return new Promise((resolve) => {
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      forceNew: true,
      // Read only by the bare Socket.IO server of the emit-throughput comparison (no JWT there).
      query: { user: device.userId },
      // Called on every (re)connect: the catch-up cursor always reflects what this device saw.
      auth: (give) => give({ token: device.token, lastSeq: device.lastSeq }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
      timeout: 30_000,
      // Scale mode spreads the devices over loopback source addresses (ports run out on one).
      ...(device.localAddress ? { localAddress: device.localAddress } : {}),
    });
    device.socket = socket;
    socket.on('notification:new', (notification) => record(device, notification));
    socket.on('notification:refresh', () => refreshes++);
    socket.on('connect', () => (device.connected = true));
    // Connected means caught up: the app sends the unread count once its connect work is done.
    socket.once('notification:unread-count', () => resolve(true));
    socket.on('disconnect', () => (device.connected = false));
    // The cluster scenario's devices connect to a node directly and reconnect through the balancer.
    if (device.reconnectUrl) socket.io.on('reconnect_attempt', () => (socket.io.uri = device.reconnectUrl));
    socket.on('connect_error', (error) => {
      if (error.message === 'unauthorized') return resolve(false);
      // Socket.IO retries a failed transport itself, not a handshake the server refused
      // (server_error: its sessions could not be checked in time): the web app retries that
      // later (notification-connection.ts, refused), and so does this client.
      if (!socket.active) {
        refusals[error.message] = (refusals[error.message] ?? 0) + 1;
        setTimeout(() => device.closed || socket.connect(), 1000 + Math.random() * 2000);
      }
    });
  });
}

function connectWs(url, device) {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url}?user=${encodeURIComponent(device.userId)}`, { perMessageDeflate: false });
    device.socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.event === 'notification:new') record(device, message.data);
    });
    socket.on('open', () => {
      device.connected = true;
      resolve(true);
    });
    socket.on('close', () => (device.connected = false));
    socket.on('error', () => resolve(false));
  });
}

/**
 * Socket.IO's wire protocol (Engine.IO v4 + Socket.IO v5) over a plain `ws` client, for the
 * emit-throughput comparison: decoding costs the client what the raw baseline's client pays
 * (one JSON.parse per message), so the two runs differ only in the server.
 */
function connectSocketIoWire(url, device) {
  return new Promise((resolve) => {
    const target = `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket&user=${encodeURIComponent(device.userId)}`;
    const socket = new WebSocket(target, { perMessageDeflate: false });
    device.socket = socket;
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('42')) {
        const [event, payload] = JSON.parse(text.slice(2));
        if (event === 'notification:new') record(device, payload);
      } else if (text === '2') {
        socket.send('3');
      } else if (text.startsWith('0')) {
        socket.send(`40${JSON.stringify({ token: device.token, lastSeq: device.lastSeq })}`);
      } else if (text.startsWith('40')) {
        device.connected = true;
        resolve(true);
      } else if (text.startsWith('44')) {
        resolve(false);
      }
    });
    socket.on('close', () => (device.connected = false));
    socket.on('error', () => resolve(false));
  });
}

const CONNECTORS = { ws: connectWs, socketio: connectSocketIo, 'socketio-wire': connectSocketIoWire };

async function connectAll({ kind, url, assigned, concurrency }) {
  devices = assigned.map((d) => ({ ...d, lastSeq: d.lastSeq ?? '0', seen: new Set(), socket: null, connected: false }));
  let failed = 0;
  for (let start = 0; start < devices.length; start += concurrency) {
    const wave = devices.slice(start, start + concurrency);
    // A device may name its own server (the cluster scenario spreads them over two nodes).
    const results = await Promise.all(wave.map((device) => CONNECTORS[kind](device.url ?? url, device)));
    failed += results.filter((ok) => !ok).length;
  }
  return { connected: devices.filter((d) => d.connected).length, failed };
}

function closeAll() {
  for (const device of devices) {
    device.closed = true;
    if (device.socket?.disconnect) device.socket.disconnect();
    else device.socket?.close();
  }
  devices = [];
}

process.on('message', async (message) => {
  switch (message.cmd) {
    case 'connect':
      process.send({ reply: message.id, ...(await connectAll(message)) });
      break;
    case 'receipts': {
      // Sent in one message: a few hundred thousand small tuples at most.
      process.send({ reply: message.id, receipts, duplicates, duplicateTitles, refreshes, connected: devices.filter((d) => d.connected).length });
      receipts = [];
      duplicateTitles = [];
      break;
    }
    case 'refusals':
      process.send({ reply: message.id, refusals });
      break;
    case 'close':
      closeAll();
      process.send({ reply: message.id });
      break;
    default:
      process.send({ reply: message.id, error: `unknown command ${message.cmd}` });
  }
});
process.on('disconnect', () => process.exit(0));
