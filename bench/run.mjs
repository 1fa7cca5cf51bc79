// The benchmark: what users feel — how fast a notification reaches every device, how many
// devices one node holds, what it costs — measured on this machine over loopback against a raw
// `ws` server doing the same per-user delivery (the physical limit here) and, for the targeted
// sends, a bare `pg` + `ws` server doing the same write too (bench/pg-ws-baseline-server.mjs:
// the app's own cost apart from this machine's PostgreSQL); and the inbox's read path (a 20-item
// page, the unread count) under 50 keep-alive connections, against a bare Express + pg server
// doing the same SQL (bench/read-baseline-server.mjs).
//
//   npm run bench               full run (10,000 sockets; about 3 minutes)
//   npm run bench -- --quick    the same scenarios at small scale (under a minute)
//   npm run bench -- --app-only the app's scenarios alone, printed, latest.json untouched
//   npm run bench -- --sockets 50000  scale mode alone (bench/scale.mjs): one node holding that
//                               many sockets, or what RLIMIT_NOFILE allows; bench/results/scale.json
//   npm run bench -- --cluster  also two nodes + Redis behind the balancer (bench/cluster.mjs;
//                               needs DATABASE_URL; REDIS_URL, else redis://127.0.0.1:6379)
//
// One backend node (PostgreSQL from DATABASE_URL, else the embedded database), the clients in
// separate processes, every process stopped at the end. Writes bench/results/latest.json and
// prints a table, then each phase's wall time. One file of about 800 lines on purpose: each
// scenario is a short function, and they share the orchestration (workers, node process,
// database) kept here; helpers live in lib/, scale mode in scale.mjs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import {
  CpuSampler,
  freePort,
  InspectorGc,
  killAll,
  nowMs,
  percentile,
  progress,
  round,
  rssKiB,
  signAccessToken,
  sleep,
  spawnNode,
  waitForExit,
  waitForHttp,
} from './lib/common.mjs';
import { BenchDatabase } from './lib/database.mjs';
import { checkClusterPrerequisites, clusterPhase, clusterProblems, printClusterTable } from './cluster.mjs';
import { pgWsBaselinePhase, pgWsFigures, pgWsProblems, printPgWsTable } from './lib/pg-ws-baseline.mjs';
import { phaseSeconds, printPhases, timed } from './lib/phases.mjs';
import { requestedSockets, runScale } from './scale.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const backendMain = path.join(root, 'backend/dist/backend/src/main.js');

const quick = process.argv.includes('--quick');
// Runs only the app's scenarios and prints their detail without touching latest.json: for
// profiling a change without waiting for the baselines.
const appOnly = process.argv.includes('--app-only');
// The targeted scenario while a retention run deletes EXPIRED_ROWS old notifications: sends must
// not wait on the purge. Needs DATABASE_URL (the bench writes to the database while the node runs).
const duringPurge = process.argv.includes('--during-purge');
// Two nodes and Redis after the single-node scenarios, figures under `cluster` (bench/cluster.mjs).
const clusterMode = process.argv.includes('--cluster');
const EXPIRED_ROWS = 40_000;
const SCALE = quick
  ? { sockets: 1_000, rate: 100, seconds: 5, warmUpSeconds: 2, burst: 20_000, bursts: 3, workers: 2 }
  : { sockets: 10_000, rate: 500, seconds: 30, warmUpSeconds: 10, burst: 100_000, bursts: 3, workers: 2 };
// The read path: the inbox's two reads under 50 keep-alive connections, by a reader holding
// READ.notifications notifications, against the node and against a bare Express + pg server.
const READ = quick
  ? { connections: 50, warmUpSeconds: 0.5, seconds: 1, notifications: 200 }
  : { connections: 50, warmUpSeconds: 3, seconds: 10, notifications: 200 };
const TARGETS = {
  rssPerConnectionKB: 20,
  targetedP99Ms: 25,
  fanoutLastDeliveryMs: 1_500,
  emitThroughputRatioVsWs: 0.8,
  reconnectAllCaughtUpMs: 15_000,
  readReqPerSecPerServerCore: 1_000,
  readServerCpuMsPerPage: 1,
};
const JWT_SECRET = crypto.randomBytes(48).toString('base64url');
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

// ---- plumbing ----------------------------------------------------------------------------

/**
 * POSTs JSON; resolves with `{ status, error }`: the status code, and why it failed: the body's
 * message for an answer other than 2xx, the socket's error code (ECONNRESET, …) with status 0
 * when no answer came. A failure is recorded, never swallowed (see `failures`).
 */
function post(url, body, headers = {}) {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (response) => {
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        const chunks = [];
        // The body of a success is not needed; a failure's says why.
        response.on('data', (chunk) => ok || chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, error: ok ? null : Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
      },
    );
    request.on('error', (error) => resolve({ status: 0, error: error.code ?? error.message }));
    request.end(payload);
  });
}

const succeeded = ({ status }) => status >= 200 && status < 300;

/** The failed answers among `answers` (one per send, in order), with the phase they belong to. */
function failures(answers, phase) {
  return answers.flatMap((answer, index) => (succeeded(answer) ? [] : [{ phase, index, status: answer.status, error: answer.error }]));
}

class Workers {
  constructor(count) {
    this.nextId = 0;
    this.pending = new Map();
    this.processes = Array.from({ length: count }, () => {
      const child = spawnNode([path.join(here, 'client-worker.mjs')], { ipc: true });
      child.on('message', (message) => {
        this.pending.get(message.reply)?.(message);
        this.pending.delete(message.reply);
      });
      return child;
    });
  }

  call(index, message) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      this.processes[index].send({ ...message, id });
    });
  }

  all(message) {
    return Promise.all(this.processes.map((_, index) => this.call(index, message)));
  }

  /** Devices are dealt round-robin so each worker holds the same share. */
  async connect(kind, url, devices) {
    const shares = this.processes.map((_, index) => devices.filter((__, i) => i % this.processes.length === index));
    const replies = await Promise.all(
      shares.map((assigned, index) => this.call(index, { cmd: 'connect', kind, url, assigned, concurrency: 250 })),
    );
    return { connected: sum(replies.map((r) => r.connected)), failed: sum(replies.map((r) => r.failed)) };
  }

  async collect() {
    const replies = await this.all({ cmd: 'receipts' });
    return {
      receipts: replies.flatMap((r) => r.receipts),
      duplicates: sum(replies.map((r) => r.duplicates)),
      refreshes: sum(replies.map((r) => r.refreshes)),
      connected: sum(replies.map((r) => r.connected)),
    };
  }

  close() {
    return this.all({ cmd: 'close' });
  }

  pids() {
    return this.processes.map((child) => child.pid);
  }

  stop() {
    for (const child of this.processes) child.disconnect();
  }
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

/** Collects receipts until `done(received)` says so or the time is up; returns them all. */
async function gather(workers, isDone, timeoutMs) {
  const received = [];
  const deadline = nowMs() + timeoutMs;
  let duplicates = 0;
  let refreshes = 0;
  for (;;) {
    const batch = await workers.collect();
    for (const receipt of batch.receipts) received.push(receipt);
    duplicates = batch.duplicates;
    refreshes = batch.refreshes;
    if (isDone(received) || nowMs() > deadline) return { received, duplicates, refreshes };
    await sleep(100);
  }
}

// ---- population --------------------------------------------------------------------------

/** 80 % of users have one device, 15 % two, 5 % three, until there are `sockets` devices. */
function devicesPerUser(index) {
  const slot = index % 20;
  return slot === 0 ? 3 : slot <= 3 ? 2 : 1;
}

function planPopulation(totalSockets) {
  const counts = [];
  let sockets = 0;
  while (sockets < totalSockets) {
    const devices = Math.min(devicesPerUser(counts.length), totalSockets - sockets);
    counts.push(devices);
    sockets += devices;
  }
  return counts;
}

/**
 * Deterministic pseudo-random user picks, so runs are comparable: mulberry32, in exact 32-bit
 * integer steps. (The LCG used before overflowed a double's 53 bits and fell into short cycles:
 * 15,000 picks reached 353 of 8,000 users, the same user again within 3–21 sends.)
 */
function picker(count, seed = 42) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * count);
  };
}

// ---- scenarios ---------------------------------------------------------------------------

// After a full GC, before reading RSS: V8 returns freed pages to the system from a background thread.
const settleAfterGcMs = quick ? 200 : 500;

/** `collectGarbage()` runs a full GC in the server before each memory reading. */
async function hold(workers, kind, url, devices, serverPid, collectGarbage) {
  // Warm up first (a tenth of the clients connect and leave), so the reading before counts the
  // server's code paths already compiled and its pools grown, as they are in production.
  await workers.connect(kind, url, devices.slice(0, Math.ceil(devices.length / 10)));
  await workers.close();
  await collectGarbage();
  await sleep(settleAfterGcMs);
  const before = rssKiB(serverPid);
  const started = nowMs();
  const { connected, failed } = await workers.connect(kind, url, devices);
  const connectSeconds = (nowMs() - started) / 1000;
  // Quick runs wait less for the connections' follow-up work; the reading is after a full GC either way.
  await sleep(quick ? 500 : 2000);
  await collectGarbage();
  await sleep(settleAfterGcMs);
  const after = rssKiB(serverPid);
  progress(`${kind}: ${connected} sockets connected in ${connectSeconds.toFixed(1)} s (${failed} failed); RSS ${before} → ${after} KiB`);
  return { connections: connected, failed, connectSeconds: round(connectSeconds), rssPerConnectionKB: round(((after - before) * 1.024) / connected, 2) };
}

/**
 * Sends `total` notifications at SCALE.rate, calling `sendOne(i)` at each one's due time;
 * resolves with the status codes once every request has answered.
 */
async function atRate(total, sendOne) {
  const interval = 1000 / SCALE.rate;
  const statuses = [];
  const started = nowMs();
  for (let i = 0; i < total; i++) {
    const wait = started + i * interval - nowMs();
    if (wait > 1) await sleep(wait);
    statuses.push(sendOne(i));
    if (i % (SCALE.rate * 5) === 0 && i > 0) progress(`  ${i}/${total} sent`);
  }
  return Promise.all(statuses);
}

/**
 * `rate` notifications per second for `seconds`, each to one random user; latency to every
 * device. Measured after a warm-up at the same rate (not counted), as a server in production
 * runs with its request path compiled by the JIT and its connection pools filled: on a 2-core
 * machine the first seconds of a cold process otherwise measure V8's compiler, not the system.
 */
async function targeted(workers, send, users, deviceCounts, serverPid, onMeasureStart = async () => {}) {
  const warmUpNext = picker(users.length, 7);
  const warmUpTargets = [];
  progress(`  warm-up: ${SCALE.warmUpSeconds} s at ${SCALE.rate}/s, not measured`);
  const warmUpAnswers = await atRate(SCALE.rate * SCALE.warmUpSeconds, (i) => {
    const user = warmUpNext();
    warmUpTargets.push(user);
    return send(users[user], `warm-up:${i}`);
  });
  const warmUpFailures = failures(warmUpAnswers, 'warm-up');
  const warmUpDeliveries = sum(warmUpTargets.map((user, index) => (succeeded(warmUpAnswers[index]) ? deviceCounts[user] : 0)));
  await gather(workers, (r) => r.length >= warmUpDeliveries, 10_000);

  const total = SCALE.rate * SCALE.seconds;
  const next = picker(users.length);
  const sentAt = new Array(total);
  const targets = new Array(total);
  const responseMs = [];
  const cpu = CpuSampler.ofProcesses({ server: () => [serverPid].flat(), clients: () => workers.pids(), restSender: () => [process.pid] });
  await onMeasureStart();
  const started = nowMs();
  const answers = await atRate(total, (i) => {
    const user = next();
    targets[i] = user;
    sentAt[i] = nowMs();
    return send(users[user], `t:${i}`).then((answer) => {
      responseMs.push(nowMs() - sentAt[i]);
      return answer;
    });
  });
  const sendSeconds = (nowMs() - started) / 1000;
  const cpuPercentOfOneCore = cpu.stop();
  // A failed send delivers nothing: it is counted below, not as lost.
  const expected = sum(targets.map((user, index) => (succeeded(answers[index]) ? deviceCounts[user] : 0)));
  const { received, duplicates } = await gather(workers, (r) => r.length >= expected, 10_000);
  const latencies = [];
  // The slowest delivery of each second of sending: shows whether slow ones come in bursts.
  const slowestPerSecond = new Array(SCALE.seconds).fill(0);
  for (const [title, at] of received) {
    if (!title.startsWith('t:')) continue;
    const index = Number(title.slice(2));
    const latency = at - sentAt[index];
    latencies.push(latency);
    const second = Math.floor(index / SCALE.rate);
    slowestPerSecond[second] = Math.max(slowestPerSecond[second], Math.round(latency));
  }
  latencies.sort((a, b) => a - b);
  const measuredFailures = failures(answers, 'measured');
  const failed = measuredFailures.length;
  return {
    sent: total,
    failedRequests: failed,
    failures: [...warmUpFailures, ...measuredFailures],
    ratePerS: round((total - failed) / sendSeconds),
    deliveries: latencies.length,
    expectedDeliveries: expected,
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    maxMs: round(latencies.at(-1) ?? null, 2),
    slowestPerSecondMs: slowestPerSecond,
    // The REST answer alone (persisted and emitted), without the trip to the devices.
    responseP50Ms: round(percentile(responseMs.sort((a, b) => a - b), 50), 2),
    responseP99Ms: round(percentile(responseMs, 99), 2),
    duplicates,
    cpuPercentOfOneCore,
  };
}

async function fanout(workers, broadcast, expectedDevices) {
  const sentAt = nowMs();
  const { status, error } = await broadcast();
  const acceptedMs = nowMs() - sentAt;
  if (status < 200 || status >= 300) throw new Error(`the broadcast failed: ${status} ${error}`);
  const { received } = await gather(workers, (r) => r.filter(([title]) => title === 'fanout').length >= expectedDevices, 30_000);
  const times = received.filter(([title]) => title === 'fanout').map(([, at]) => at - sentAt);
  return {
    status,
    recipients: times.length,
    expectedRecipients: expectedDevices,
    acceptedMs: round(acceptedMs),
    firstDeliveryMs: round(times.reduce((a, b) => Math.min(a, b), Infinity)),
    lastDeliveryMs: round(times.reduce((a, b) => Math.max(a, b), 0)),
  };
}

/**
 * SCALE.bursts rounds of SCALE.burst per-user deliveries as fast as the server goes; the median
 * round's deliveries/s counts (single rounds on this shared 2-core VM varied by a third).
 */
async function emitBurst(workers, url, users, deviceCounts) {
  const expected = sum(Array.from({ length: SCALE.burst }, (_, i) => deviceCounts[i % users.length]));
  const rounds = [];
  for (let round = 0; round < SCALE.bursts; round++) {
    const startedAt = nowMs();
    await post(`${url}/burst`, { userIds: users, count: SCALE.burst, payload: SAMPLE_NOTIFICATION, round });
    const { received } = await gather(workers, (r) => r.length >= expected, 60_000);
    const last = received.reduce((latest, [, at]) => Math.max(latest, at), startedAt);
    rounds.push({ deliveries: received.length, deliveriesPerS: Math.round(received.length / ((last - startedAt) / 1000)) });
  }
  return {
    deliveries: Math.min(...rounds.map((r) => r.deliveries)),
    expected,
    deliveriesPerS: percentile(rounds.map((r) => r.deliveriesPerS).sort((a, b) => a - b), 50),
    rounds,
  };
}

/** A realistic payload: what the app sends for an order status change. */
const SAMPLE_NOTIFICATION = {
  id: '00000000-0000-4000-8000-000000000000',
  seq: '1',
  userId: '00000000-0000-4000-8000-000000000001',
  type: 'ORDER_STATUS_CHANGED',
  title: 'Order for Jane Doe is now IN_PROGRESS',
  message: 'Dan Doctor moved the order for Jane Doe (CBC panel, lipid profile) from CONFIRMED to IN_PROGRESS.',
  priority: 'NORMAL',
  actionUrl: '/orders?order=00000000-0000-4000-8000-000000000002',
  actionText: 'View order',
  metadata: { orderId: '00000000-0000-4000-8000-000000000002', from: 'CONFIRMED', to: 'IN_PROGRESS' },
  readAt: null,
  createdAt: '2026-11-21T12:00:00.000Z',
};

/**
 * The read path against one server (the node, or the Express + pg baseline): first one answer of
 * each endpoint, checked, then READ.connections keep-alive connections on each endpoint in turn
 * from autocannon in its own process, warm-up not measured; the server's CPU time over the
 * measured seconds gives its cores used and CPU per request.
 */
async function readPath(url, token, serverPid) {
  const headers = { authorization: `Bearer ${token}` };
  const page = await fetch(`${url}/api/notifications`, { headers }).then((r) => r.json());
  const { count } = await fetch(`${url}/api/notifications/unread-count`, { headers }).then((r) => r.json());
  if (page.items?.length !== 20 || typeof count !== 'number') throw new Error(`the read path's answers are wrong: ${JSON.stringify({ items: page.items?.length, count })}`);
  const loader = spawnNode([path.join(here, 'read-load-worker.mjs')], { ipc: true });
  const load = (endpoint) =>
    new Promise((resolve, reject) => {
      const cpu = CpuSampler.ofProcesses({ server: () => [serverPid], loadGenerator: () => [loader.pid] });
      loader.once('message', (reply) => {
        const machine = cpu.stop();
        if (reply.error) return reject(new Error(reply.error));
        const served = reply.ok;
        const serverCores = reply.serverCpuSeconds / reply.elapsedSeconds;
        const reqPerS = served / reply.elapsedSeconds;
        resolve({
          requests: served,
          failed: reply.non2xx + reply.errors + reply.timeouts,
          reqPerS: round(reqPerS),
          p50Ms: round(reply.p50Ms, 2),
          p99Ms: round(reply.p99Ms, 2),
          maxMs: round(reply.maxMs, 2),
          serverCores: round(serverCores, 2),
          reqPerSecPerServerCore: serverCores > 0 ? Math.round(reqPerS / serverCores) : null,
          serverCpuMsPerRequest: served ? round((reply.serverCpuSeconds * 1000) / served, 3) : null,
          bytesPerResponse: reply.bytesPerResponse,
          // Warm-up included: where the machine's cores went (load generator, database, others).
          cpuPercentOfOneCore: Object.fromEntries(Object.entries(machine).map(([label, { meanPercent }]) => [label, meanPercent])),
        });
      });
      loader.send({ id: 0, url: `${url}${endpoint}`, headers, connections: READ.connections, warmUpSeconds: READ.warmUpSeconds, seconds: READ.seconds, serverPid });
    });
  try {
    progress(`  GET /api/notifications: ${READ.connections} connections, ${READ.warmUpSeconds} s warm-up, ${READ.seconds} s measured`);
    const list = await load('/api/notifications');
    progress(`  GET /api/notifications/unread-count: the same`);
    const unreadCount = await load('/api/notifications/unread-count');
    progress(`  ${list.reqPerS} pages/s on ${list.serverCores} server cores, p99 ${list.p99Ms} ms; ${unreadCount.reqPerS} counts/s on ${unreadCount.serverCores} cores`);
    return { connections: READ.connections, seconds: READ.seconds, userNotifications: READ.notifications, unreadCount: count, list, count: unreadCount };
  } finally {
    loader.disconnect();
    await waitForExit(loader);
  }
}

// ---- phases ------------------------------------------------------------------------------

/** The read path's Express + pg baseline, on the same database and reader. */
async function readBaselinePhase(database, reader) {
  const port = await freePort();
  const server = spawnNode([path.join(here, 'read-baseline-server.mjs')], {
    env: { PORT: String(port), JWT_SECRET, DATABASE_URL: database.nodeEnv().DATABASE_URL },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/health`, 10_000, server);
    progress('Express + pg baseline: read path');
    return await readPath(url, reader.token, server.pid);
  } finally {
    server.kill('SIGKILL');
    await waitForExit(server);
  }
}

async function baselinePhase(workers, users, deviceCounts, devices) {
  const port = await freePort();
  const server = spawnNode(['--expose-gc', path.join(here, 'ws-baseline-server.mjs')], { env: { PORT: String(port) } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, 10_000, server);
  progress('raw ws baseline: hold');
  const holdResult = await hold(workers, 'ws', `ws://127.0.0.1:${port}`, devices, server.pid, () => post(`${url}/gc`, {}));
  progress('raw ws baseline: targeted');
  const targetedResult = await targeted(workers, (userId, title) => post(`${url}/send`, { userId, payload: { ...SAMPLE_NOTIFICATION, id: title, title } }), users, deviceCounts, server.pid);
  progress('raw ws baseline: fan-out');
  const fanoutResult = await fanout(workers, () => post(`${url}/broadcast`, { payload: { ...SAMPLE_NOTIFICATION, id: 'fanout', title: 'fanout' } }), devices.length);
  progress('raw ws baseline: emit burst');
  const burstResult = await emitBurst(workers, url, users, deviceCounts);
  await workers.close();
  server.kill('SIGKILL');
  await waitForExit(server);
  return { hold: holdResult, targeted: targetedResult, fanout: fanoutResult, emit: burstResult };
}

/**
 * Started with the raw `ws` baseline (it boots while that one's sockets are held, which measures
 * memory, not time), so that its phase does not wait for it.
 */
async function startSocketLayerServer() {
  const port = await freePort();
  const server = spawnNode(['--expose-gc', path.join(here, 'socketio-emit-server.mjs')], { env: { PORT: String(port) } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, 10_000, server);
  return { server, url };
}

async function socketLayerPhase(workers, users, deviceCounts, devices, early = startSocketLayerServer()) {
  const { server, url } = await early;
  progress('Socket.IO layer alone: hold');
  const holdResult = await hold(workers, 'socketio-wire', url, devices, server.pid, () => post(`${url}/gc`, {}));
  progress('Socket.IO layer alone: emit burst');
  const burstResult = await emitBurst(workers, url, users, deviceCounts);
  await workers.close();
  server.kill('SIGKILL');
  await waitForExit(server);
  return { hold: holdResult, emit: burstResult };
}

function startNode(port, database, inspect = false) {
  return spawnNode([...(inspect ? ['--inspect=127.0.0.1:0'] : []), backendMain], {
    quiet: true,
    pipeStderr: inspect,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      FRONTEND_DIR: '',
      SEED_DEMO_USERS: 'false',
      REDIS_URL: '',
      // The benchmark's admin legitimately sends hundreds of notifications a second.
      ADMIN_SEND_RATE_LIMIT: '1000000',
      ...database.nodeEnv(),
    },
  });
}

async function appPhase(workers, database, users, deviceCounts, devices, adminToken) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  if (duringPurge) progress(`app: ${await database.seedExpired(EXPIRED_ROWS)} old read notifications seeded for the purge`);
  let node = startNode(port, database, true);
  const inspector = await InspectorGc.attach(node);
  await waitForHttp(`${url}/api/health/ready`, 60_000, node);
  const auth = { authorization: `Bearer ${adminToken}` };

  progress('app: hold');
  const holdResult = await hold(workers, 'socketio', url, devices, node.pid, () => inspector.collect());
  progress(duringPurge ? `app: targeted, while a retention run deletes ${EXPIRED_ROWS} old notifications` : 'app: targeted');
  const targetedResult = await targeted(
    workers,
    (userId, title) => post(`${url}/api/notifications/test`, { title, message: 'Benchmark notification', target: { userId } }, auth),
    users,
    deviceCounts,
    node.pid,
    duringPurge ? () => database.requestRetentionRun() : undefined,
  );
  if (duringPurge) {
    const left = await database.countNotifications('expired');
    targetedResult.purge = { expiredRows: EXPIRED_ROWS, deletedWhileSending: EXPIRED_ROWS - left };
    progress(`  retention deleted ${EXPIRED_ROWS - left} of ${EXPIRED_ROWS} old notifications while the sends were measured`);
  }
  progress('app: fan-out');
  const fanoutResult = await fanout(
    workers,
    () => post(`${url}/api/notifications/test`, { title: 'fanout', message: 'Benchmark broadcast', target: { all: true } }, auth),
    devices.length,
  );

  progress('app: reconnect storm (node killed, notifications created while it is down, node restarted)');
  node.kill('SIGKILL');
  await waitForExit(node);
  // Counted while the node is down: the embedded database is open to one process at a time.
  fanoutResult.persistedRows = await database.countNotifications('fanout');
  fanoutResult.expectedRows = users.length + 1;
  const stormRows = await database.insertWhileDown('storm');
  // The read path's reader, written while the node is down (the embedded database allows no
  // other process while it runs) and after the fan-out, whose rows count one per bench user.
  const seeded = await database.seedReader(READ.notifications);
  const reader = { ...seeded, token: signAccessToken(JWT_SECRET, seeded.userId, seeded.sessionId, 3 * 3600) };
  const restartedAt = nowMs();
  node = startNode(port, database);
  const expected = devices.length;
  const storm = await gather(workers, (r) => r.filter(([title]) => title === 'storm').length >= expected, 60_000);
  const stormTimes = storm.received.filter(([title]) => title === 'storm').map(([, at]) => at - restartedAt);
  const { connected } = await workers.collect();
  const reconnect = {
    clients: devices.length,
    reconnected: connected,
    notificationsCreatedWhileDown: stormRows,
    allCaughtUpMs: stormTimes.length === expected ? round(stormTimes.reduce((a, b) => Math.max(a, b), 0)) : null,
    halfCaughtUpMs: round(percentile([...stormTimes].sort((a, b) => a - b), 50)),
    ninetyPercentCaughtUpMs: round(percentile([...stormTimes].sort((a, b) => a - b), 90)),
    lost: expected - stormTimes.length,
    duplicates: storm.duplicates,
    refreshInsteadOfReplay: storm.refreshes,
  };
  await workers.close();
  progress('app: read path (the sockets closed)');
  const readResult = await timed('app read path', () => readPath(url, reader.token, node.pid));
  node.kill('SIGTERM');
  await waitForExit(node);
  return { hold: holdResult, targeted: targetedResult, fanout: fanoutResult, reconnect, readPath: readResult, reader };
}

// ---- report ------------------------------------------------------------------------------

function ratio(app, baseline, digits = 2) {
  return app && baseline ? round(app / baseline, digits) : null;
}

/** The read path's figures of one endpoint: the node's, the baseline's beside them. */
function readFigures(app, baseline) {
  return {
    reqPerSecPerServerCore: app.reqPerSecPerServerCore,
    reqPerS: app.reqPerS,
    p50Ms: app.p50Ms,
    p99Ms: app.p99Ms,
    serverCores: app.serverCores,
    serverCpuMsPerRequest: app.serverCpuMsPerRequest,
    failed: app.failed,
    baselineReqPerSecPerServerCore: baseline?.reqPerSecPerServerCore ?? null,
    baselineReqPerS: baseline?.reqPerS ?? null,
    baselineP99Ms: baseline?.p99Ms ?? null,
    baselineServerCpuMsPerRequest: baseline?.serverCpuMsPerRequest ?? null,
  };
}

/** The read path's target, on the list (the 20-item page): throughput per core and CPU per page. */
function readTargetMet(list) {
  return list.reqPerSecPerServerCore >= TARGETS.readReqPerSecPerServerCore && list.serverCpuMsPerRequest <= TARGETS.readServerCpuMsPerPage;
}

function summarize(runInfo, baseline, socketLayer, app, readBaseline) {
  const list = readFigures(app.readPath.list, readBaseline?.list);
  return {
    ...runInfo,
    connections: app.hold.connections,
    rssPerConnectionKB: app.hold.rssPerConnectionKB,
    targeted: {
      p50Ms: app.targeted.p50Ms,
      p99Ms: app.targeted.p99Ms,
      ratePerS: app.targeted.ratePerS,
      maxMs: app.targeted.maxMs,
      lost: app.targeted.expectedDeliveries - app.targeted.deliveries,
      failedRequests: app.targeted.failedRequests,
      failures: app.targeted.failures,
      ...(app.targeted.purge ? { duringPurge: app.targeted.purge } : {}),
    },
    fanout: { recipients: app.fanout.recipients, lastDeliveryMs: app.fanout.lastDeliveryMs, persistedRows: app.fanout.persistedRows, expectedRows: app.fanout.expectedRows },
    emitThroughputRatioVsWs: ratio(socketLayer.emit.deliveriesPerS, baseline.emit.deliveriesPerS),
    reconnect: app.reconnect,
    vsWsBaseline: {
      rssPerConnection: ratio(app.hold.rssPerConnectionKB, baseline.hold.rssPerConnectionKB),
      targetedP50: ratio(app.targeted.p50Ms, baseline.targeted.p50Ms),
      targetedP99: ratio(app.targeted.p99Ms, baseline.targeted.p99Ms),
      fanoutLastDelivery: ratio(app.fanout.lastDeliveryMs, baseline.fanout.lastDeliveryMs),
    },
    readPath: {
      connections: app.readPath.connections,
      seconds: app.readPath.seconds,
      userNotifications: app.readPath.userNotifications,
      unreadCount: app.readPath.unreadCount,
      ...list,
      targetMet: readTargetMet(list),
      vsBaseline: ratio(list.reqPerSecPerServerCore, list.baselineReqPerSecPerServerCore),
      count: { ...readFigures(app.readPath.count, readBaseline?.count), vsBaseline: ratio(app.readPath.count.reqPerSecPerServerCore, readBaseline?.count.reqPerSecPerServerCore) },
    },
    detail: { baseline, socketLayer, app, readBaseline },
  };
}

/**
 * What fails a run whatever its speed: a notification lost or delivered twice, or a send refused
 * or cut off (each failure is in `targeted.failures`, with its phase, status and error).
 */
function correctnessProblems(results) {
  const { targeted, reconnect } = results;
  const problems = [];
  if (targeted.lost) problems.push(`${targeted.lost} targeted deliveries lost`);
  if (results.detail.app.targeted.duplicates) problems.push(`${results.detail.app.targeted.duplicates} targeted deliveries duplicated`);
  for (const failure of targeted.failures) problems.push(`send ${failure.index} (${failure.phase}) failed: ${failure.status} ${failure.error}`);
  if (reconnect.lost) problems.push(`${reconnect.lost} lost in the reconnect storm`);
  if (reconnect.duplicates) problems.push(`${reconnect.duplicates} duplicated in the reconnect storm`);
  // A read answered other than 2xx (or not at all) is a failure, not slowness.
  for (const [server, read] of [['app', results.detail.app.readPath], ['Express + pg baseline', results.detail.readBaseline]]) {
    for (const endpoint of ['list', 'count']) if (read?.[endpoint].failed) problems.push(`${read[endpoint].failed} ${endpoint} reads of the ${server} failed`);
  }
  return problems;
}

function printTable(results) {
  const b = results.detail.baseline;
  const rows = [
    ['connections', results.connections, b.hold.connections, ''],
    ['rssPerConnectionKB', results.rssPerConnectionKB, b.hold.rssPerConnectionKB, `≤ ${TARGETS.rssPerConnectionKB}`],
    ['targeted.p50Ms', results.targeted.p50Ms, b.targeted.p50Ms, ''],
    ['targeted.p99Ms', results.targeted.p99Ms, b.targeted.p99Ms, `≤ ${TARGETS.targetedP99Ms}`],
    ['targeted.ratePerS', results.targeted.ratePerS, b.targeted.ratePerS, `${SCALE.rate}`],
    ['fanout.recipients', results.fanout.recipients, b.fanout.recipients, ''],
    ['fanout.lastDeliveryMs', results.fanout.lastDeliveryMs, b.fanout.lastDeliveryMs, `≤ ${TARGETS.fanoutLastDeliveryMs}`],
    ['emit deliveries/s (socket layer)', results.detail.socketLayer.emit.deliveriesPerS, b.emit.deliveriesPerS, ''],
    ['emitThroughputRatioVsWs', results.emitThroughputRatioVsWs, 1, `≥ ${TARGETS.emitThroughputRatioVsWs}`],
    ['reconnect.clients', results.reconnect.clients, '', ''],
    ['reconnect.allCaughtUpMs', results.reconnect.allCaughtUpMs, '', `≤ ${TARGETS.reconnectAllCaughtUpMs}`],
    ['reconnect.lost', results.reconnect.lost, '', '0'],
    ['reconnect.duplicates', results.reconnect.duplicates, '', '0'],
  ];
  const widths = [34, 12, 12, 10];
  const line = (cells) => cells.map((cell, i) => String(cell ?? '—').padEnd(widths[i])).join(' ');
  console.log(`\n${results.mode} run, ${results.database}, ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}`);
  console.log(line(['metric', 'app', 'raw ws', 'target']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));

  const r = results.readPath;
  const verdict = (met) => (met ? 'met' : 'NOT met');
  const readRows = [
    ['readPath.reqPerSecPerServerCore', r.reqPerSecPerServerCore, r.baselineReqPerSecPerServerCore, `≥ ${TARGETS.readReqPerSecPerServerCore}`, verdict(r.reqPerSecPerServerCore >= TARGETS.readReqPerSecPerServerCore)],
    ['readPath.serverCpuMsPerRequest', r.serverCpuMsPerRequest, r.baselineServerCpuMsPerRequest, `≤ ${TARGETS.readServerCpuMsPerPage}`, verdict(r.serverCpuMsPerRequest <= TARGETS.readServerCpuMsPerPage)],
    ['readPath.reqPerS', r.reqPerS, r.baselineReqPerS, '', ''],
    ['readPath.serverCores', r.serverCores, results.detail.readBaseline?.list.serverCores, '', ''],
    ['readPath.p50Ms', r.p50Ms, results.detail.readBaseline?.list.p50Ms, '', ''],
    ['readPath.p99Ms', r.p99Ms, r.baselineP99Ms, '', ''],
    ['readPath.count.reqPerSecPerServerCore', r.count.reqPerSecPerServerCore, r.count.baselineReqPerSecPerServerCore, '', ''],
    ['readPath.count.serverCpuMsPerRequest', r.count.serverCpuMsPerRequest, r.count.baselineServerCpuMsPerRequest, '', ''],
    ['readPath.count.reqPerS', r.count.reqPerS, r.count.baselineReqPerS, '', ''],
    ['readPath.count.p99Ms', r.count.p99Ms, r.count.baselineP99Ms, '', ''],
  ];
  const readWidths = [40, 10, 12, 8, 8];
  const readLine = (cells) => cells.map((cell, i) => String(cell ?? '—').padEnd(readWidths[i])).join(' ');
  console.log(`\nread path: ${r.connections} keep-alive connections, ${r.seconds} s per endpoint, a user with ${r.userNotifications} notifications (${r.unreadCount} unread)`);
  console.log(readLine(['metric', 'app', 'express+pg', 'target', '']));
  console.log(readLine(readWidths.map((w) => '-'.repeat(w))));
  for (const row of readRows) console.log(readLine(row));
  console.log(
    r.targetMet
      ? 'read path target met: ≥ 1,000 req/s per server core and ≤ 1 ms of server CPU per 20-item page'
      : `read path target NOT met (not a failure of the run): ${r.reqPerSecPerServerCore} req/s per server core (target ≥ ${TARGETS.readReqPerSecPerServerCore}), ${r.serverCpuMsPerRequest} ms of server CPU per page (target ≤ ${TARGETS.readServerCpuMsPerPage})`,
  );
}

async function main() {
  if (!fs.existsSync(backendMain)) throw new Error('build the backend first: npm run build -w backend');
  if (duringPurge && !process.env.DATABASE_URL) throw new Error('--during-purge needs DATABASE_URL: the embedded database cannot be written to while the node runs');
  if (clusterMode) await checkClusterPrerequisites();
  // Scale mode (bench/scale.mjs): its own population, clients and results file, nothing else.
  const scaleSockets = requestedSockets();
  if (scaleSockets) return runScale({ requested: scaleSockets, jwtSecret: JWT_SECRET, bench: { Workers, planPopulation, startNode, hold, gather, fanout, post } });
  const deviceCounts = planPopulation(SCALE.sockets);
  progress(`${quick ? 'quick' : 'full'} run: ${deviceCounts.length} users, ${SCALE.sockets} sockets, ${SCALE.workers} client processes`);

  const database = await BenchDatabase.create();
  progress(`database: ${database.description}`);
  const { userIds: users, adminId, sessionOf } = await database.seedUsers(deviceCounts.length);
  const tokens = users.map((id) => signAccessToken(JWT_SECRET, id, sessionOf.get(id), 3 * 3600));
  const adminToken = signAccessToken(JWT_SECRET, adminId, sessionOf.get(adminId), 3 * 3600);
  const devices = users.flatMap((userId, index) => Array.from({ length: deviceCounts[index] }, () => ({ userId, token: tokens[index] })));

  const workers = new Workers(SCALE.workers);
  try {
    if (appOnly) {
      const app = await appPhase(workers, database, users, deviceCounts, devices, adminToken);
      delete app.reader;
      console.log(JSON.stringify(app, null, 2));
      return;
    }
    const socketLayerServer = startSocketLayerServer();
    const baseline = await timed('raw ws baseline', () => baselinePhase(workers, users, deviceCounts, devices));
    const socketLayer = await timed('Socket.IO layer', () => socketLayerPhase(workers, users, deviceCounts, devices, socketLayerServer));
    const app = await timed('app (read path included)', () => appPhase(workers, database, users, deviceCounts, devices, adminToken));
    // The baseline needs a database server: PGlite takes one process at a time.
    const readBaseline = process.env.DATABASE_URL ? await timed('Express + pg read baseline', () => readBaselinePhase(database, app.reader)) : null;
    if (!readBaseline) progress('Express + pg baseline of the read path skipped: it needs DATABASE_URL');
    // After the app: its clients connect with lastSeq 0 and would be replayed this baseline's rows.
    const pgWs = await timed('raw pg + ws baseline', () => pgWsBaselinePhase({
      database, workers, devices, senderId: adminId,
      runTargeted: (url, pid) => targeted(workers, (userId, title) => post(`${url}/api/notifications/test`, { title, message: 'Benchmark notification', target: { userId } }), users, deviceCounts, pid),
    }));
    // Last: its clients' duplicates (replayed and live, allowed) would count in the phases after it.
    const cluster = clusterMode
      ? await clusterPhase({ workers, scale: SCALE, deviceCounts, jwtSecret: JWT_SECRET, wsEmit: baseline.emit, bench: { post, targeted, fanout, failures, succeeded, sampleNotification: SAMPLE_NOTIFICATION } })
      : null;
    delete app.reader;
    const results = summarize(
      {
        mode: quick ? 'quick' : 'full',
        date: new Date().toISOString(),
        database: database.description,
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim(), memoryGiB: round(os.totalmem() / 2 ** 30), node: process.version },
        scale: SCALE,
        targets: TARGETS,
        read: READ,
      },
      baseline,
      socketLayer,
      app,
      readBaseline,
    );
    results.targeted.pgWsBaseline = pgWsFigures(results.targeted, pgWs);
    if (pgWs) results.detail.pgWsBaseline = pgWs;
    results.phaseSeconds = phaseSeconds();
    if (cluster) results.cluster = cluster;
    fs.mkdirSync(path.join(here, 'results'), { recursive: true });
    // A run during a purge is a scenario of its own: it does not replace the last regular run.
    const resultsFile = duringPurge ? 'results/during-purge.json' : 'results/latest.json';
    fs.writeFileSync(path.join(here, resultsFile), `${JSON.stringify(results, null, 2)}\n`);
    printTable(results);
    printPgWsTable(results);
    printPhases();
    if (cluster) printClusterTable(cluster, SCALE.rate);
    progress(`results written to bench/${resultsFile}`);
    const problems = [...correctnessProblems(results), ...pgWsProblems(results.targeted.pgWsBaseline)];
    if (cluster) problems.push(...clusterProblems(cluster));
    for (const problem of problems) console.error(`FAILED: ${problem}`);
    if (problems.length) process.exitCode = 1;
  } finally {
    workers.stop();
    await database.drop();
    killAll();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
