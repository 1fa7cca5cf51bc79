// The cluster scenario (`npm run bench -- --cluster`, with or without --quick): two backend nodes
// sharing PostgreSQL and Redis (the Redis Streams adapter carries every emit between them), the
// project's load balancer (backend/scripts/load-balancer.js) in front, the clients spread over
// both nodes. run.mjs runs it after its single-node scenarios, with the same client processes and
// scale, and writes its figures into latest.json under `cluster`.
//
// Topology: user i's devices all connect directly to node i % 2 (no proxy in the measured path:
// the Node balancer would cost every frame a JavaScript relay that nginx does not). Every
// targeted send is POSTed to the other node, so every measured delivery crosses Redis. The
// balancer carries the reconnections after node 1 is SIGKILLed: every device reconnects through
// it (it skips a node that refused a connection) and lands on the survivor.
//
// A database of its own (fresh users, every device's cursor at 0, and its own Redis key prefix,
// which the nodes derive from the database's name); both are deleted at the end.
import crypto from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  InspectorGc,
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

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const backendMain = path.join(here, '../backend/dist/backend/src/main.js');
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export const CLUSTER_TARGETS = {
  targetedP99Ms: 30,
  fanoutLastDeliveryMs: 2_000,
  emitThroughputRatioVsWs: 0.8,
};

/** Throws before any scenario runs when the cluster cannot: it needs a PostgreSQL server and Redis. */
export async function checkClusterPrerequisites() {
  if (!process.env.DATABASE_URL) throw new Error('--cluster needs DATABASE_URL (a PostgreSQL server): two nodes cannot share the embedded database');
  const { createClient } = require('redis');
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`--cluster needs Redis at ${REDIS_URL} (REDIS_URL): ${error.message}`);
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Deletes the keys under `prefix` (this run's own), never anything else on the shared Redis. */
async function deleteRedisKeys(prefix) {
  const { createClient } = require('redis');
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await client.del(keys);
  } finally {
    client.destroy();
  }
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

/** `clinic_connected_sockets` from a node's /api/metrics. */
async function connectedSockets(url) {
  const text = await fetch(`${url}/api/metrics`).then((r) => r.text(), () => '');
  const match = /^clinic_connected_sockets(?:\{[^}]*\})? (\d+)/m.exec(text);
  return match ? Number(match[1]) : null;
}

function startNode(port, database, jwtSecret) {
  return spawnNode(['--inspect=127.0.0.1:0', backendMain], {
    quiet: true,
    pipeStderr: true,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: 'warn',
      FRONTEND_DIR: '',
      SEED_DEMO_USERS: 'false',
      REDIS_URL,
      NODE_NAME: `bench-node-${port}`,
      ADMIN_SEND_RATE_LIMIT: '1000000',
      ...database.nodeEnv(),
    },
  });
}

/**
 * Receipts, duplicates (with their titles) and connection counts until `isDone(received)` or the
 * time is up. `connectedAt` is when every device was first seen connected again (null if never).
 */
async function watch(workers, isDone, timeoutMs, totalDevices) {
  const received = [];
  const duplicateTitles = [];
  const deadline = nowMs() + timeoutMs;
  let connected = 0;
  let connectedAt = null;
  for (;;) {
    const replies = await workers.all({ cmd: 'receipts' });
    for (const reply of replies) {
      for (const receipt of reply.receipts) received.push(receipt);
      duplicateTitles.push(...reply.duplicateTitles);
    }
    connected = sum(replies.map((reply) => reply.connected));
    if (connectedAt === null && connected >= totalDevices) connectedAt = nowMs();
    if (isDone(received) || nowMs() > deadline) return { received, duplicateTitles, connected, connectedAt };
    await sleep(100);
  }
}

/**
 * Two nodes, the balancer, the clients over both; hold, cross-node targeted, fan-out, reconnect
 * storm; then the emit throughput through the Redis adapter on two bare Socket.IO servers.
 * `bench` carries run.mjs's scenario functions (the single-node scenarios' own measures).
 */
export async function clusterPhase({ workers, scale, deviceCounts, jwtSecret, wsEmit, bench }) {
  const { post, targeted, fanout, failures, succeeded } = bench;
  const database = await BenchDatabase.create();
  const redisPrefix = `clinic:${database.name}:`;
  const processes = [];
  try {
    const { userIds: users, adminId, sessionOf } = await database.seedUsers(deviceCounts.length);
    const tokens = users.map((id) => signAccessToken(jwtSecret, id, sessionOf.get(id), 3 * 3600));
    const auth = { authorization: `Bearer ${signAccessToken(jwtSecret, adminId, sessionOf.get(adminId), 3 * 3600)}` };

    const ports = [await freePort(), await freePort()];
    const nodeUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    const nodes = ports.map((port) => startNode(port, database, jwtSecret));
    processes.push(...nodes);
    const inspectors = await Promise.all(nodes.map((node) => InspectorGc.attach(node)));
    await Promise.all(nodes.map((node, i) => waitForHttp(`${nodeUrls[i]}/api/health/ready`, 60_000, node)));
    const balancerPort = await freePort();
    const balancerUrl = `http://127.0.0.1:${balancerPort}`;
    const balancer = spawnNode([path.join(here, 'cluster-balancer.mjs')], { env: { PORT: String(balancerPort), TARGETS: nodeUrls.join(',') } });
    processes.push(balancer);
    await waitForHttp(`${balancerUrl}/api/health/ready`, 10_000, balancer);
    progress(`cluster: 2 nodes (${nodeUrls.join(', ')}) on Redis ${REDIS_URL} (keys ${redisPrefix}*), balancer ${balancerUrl}`);

    const nodeOf = (userIndex) => userIndex % 2;
    const userIndex = new Map(users.map((id, index) => [id, index]));
    const devices = users.flatMap((userId, index) =>
      Array.from({ length: deviceCounts[index] }, () => ({ userId, token: tokens[index], url: nodeUrls[nodeOf(index)], reconnectUrl: balancerUrl })),
    );
    const devicesOn = [0, 1].map((node) => devices.filter((device) => device.url === nodeUrls[node]).length);
    // The workers' duplicate and refresh counters run over their whole life: the cluster's are what they add.
    const before = await workers.collect();

    // ---- hold: memory per connection on each node, after a full GC, as the single-node hold
    progress(`cluster: hold (${devicesOn[0]} + ${devicesOn[1]} sockets)`);
    await workers.connect('socketio', nodeUrls[0], devices.slice(0, Math.ceil(devices.length / 10)));
    await workers.close();
    const collectGarbage = () => Promise.all(inspectors.map((inspector) => inspector.collect()));
    await collectGarbage();
    await sleep(500);
    const rssBefore = nodes.map((node) => rssKiB(node.pid));
    const connectStarted = nowMs();
    const { connected, failed } = await workers.connect('socketio', nodeUrls[0], devices);
    const connectSeconds = (nowMs() - connectStarted) / 1000;
    await sleep(2000);
    await collectGarbage();
    await sleep(500);
    const rssAfter = nodes.map((node) => rssKiB(node.pid));
    const socketsPerNode = await Promise.all(nodeUrls.map(connectedSockets));
    const hold = {
      connections: connected,
      failed,
      connectSeconds: round(connectSeconds),
      nodes: [0, 1].map((i) => ({
        sockets: socketsPerNode[i],
        plannedSockets: devicesOn[i],
        rssBeforeKiB: rssBefore[i],
        rssAfterKiB: rssAfter[i],
        rssPerConnectionKB: round(((rssAfter[i] - rssBefore[i]) * 1.024) / devicesOn[i], 2),
      })),
    };
    progress(`  ${connected} connected in ${hold.connectSeconds} s (${failed} failed); per node ${socketsPerNode.join(' + ')} sockets, ${hold.nodes.map((n) => n.rssPerConnectionKB).join(' / ')} KB each`);

    // ---- targeted, each send POSTed to the node that holds none of the user's devices
    progress(`cluster: targeted across nodes (POST on one node, the user's devices on the other)`);
    const otherNode = (userId) => nodeUrls[1 - nodeOf(userIndex.get(userId))];
    const targetedResult = await targeted(
      workers,
      (userId, title) => post(`${otherNode(userId)}/api/notifications/test`, { title, message: 'Benchmark notification', target: { userId } }, auth),
      users,
      deviceCounts,
      nodes.map((node) => node.pid),
    );
    progress(`  p50 ${targetedResult.p50Ms} ms, p99 ${targetedResult.p99Ms} ms, ${targetedResult.deliveries}/${targetedResult.expectedDeliveries} delivered`);

    // ---- fan-out from node 0 to every device, half of them on node 1
    progress('cluster: fan-out (POSTed on node 0, devices on both)');
    const fanoutResult = await fanout(
      workers,
      () => post(`${nodeUrls[0]}/api/notifications/test`, { title: 'fanout', message: 'Benchmark broadcast', target: { all: true } }, auth),
      devices.length,
    );
    fanoutResult.expectedRows = users.length + 1;
    fanoutResult.persistedRows = await database.countNotifications('fanout');
    progress(`  ${fanoutResult.recipients}/${devices.length} devices, last after ${fanoutResult.lastDeliveryMs} ms; ${fanoutResult.persistedRows}/${fanoutResult.expectedRows} rows`);

    // ---- reconnect storm: node 1 SIGKILLed; its devices reconnect through the balancer
    const stormUsers = users.filter((_, index) => nodeOf(index) === 1);
    const stormDevices = devicesOn[1];
    progress(`cluster: reconnect storm (node 1 SIGKILLed with ${stormDevices} devices; a row per user written meanwhile, a live send per user through node 0)`);
    const killedAt = nowMs();
    nodes[1].kill('SIGKILL');
    await waitForExit(nodes[1]);
    // As the survivor's other writers would: one notification per user of the dead node,
    // committed without an emit to it (the devices must find it by their cursor)…
    const stormRows = await database.withClient(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO "Notification" (id, "userId", type, title, message, priority, metadata)
         SELECT gen_random_uuid()::text, id, 'GENERAL', 'storm', 'Created while node 1 was down', 'NORMAL', '{}' FROM unnest($1::text[]) AS id`,
        [stormUsers],
      );
      return rowCount;
    });
    // …and one sent through the survivor while they reconnect (live, or replayed: once either way).
    const liveSends = (async () => {
      const interval = 1000 / scale.rate;
      const started = nowMs();
      const answers = [];
      for (let i = 0; i < stormUsers.length; i++) {
        const wait = started + i * interval - nowMs();
        if (wait > 1) await sleep(wait);
        answers.push(post(`${nodeUrls[0]}/api/notifications/test`, { title: `storm-live:${i}`, message: 'Sent during the storm', target: { userId: stormUsers[i] } }, auth));
      }
      return Promise.all(answers);
    })();
    const isStorm = ([title]) => title === 'storm' || title.startsWith('storm-live:');
    let liveAnswers = null;
    liveSends.then((answers) => (liveAnswers = answers));
    const expectedStorm = () => stormDevices + (liveAnswers ? sum(liveAnswers.map((answer, i) => (succeeded(answer) ? deviceCounts[userIndex.get(stormUsers[i])] : 0))) : Infinity);
    const storm = await watch(workers, (received) => liveAnswers !== null && received.filter(isStorm).length >= expectedStorm(), 90_000, devices.length);
    const stormTimes = storm.received.filter(isStorm).map(([, at]) => at - killedAt).sort((a, b) => a - b);
    const stormFailures = failures(await liveSends, 'storm');
    const expected = expectedStorm();
    const reconnect = {
      killedNodeDevices: stormDevices,
      reconnected: storm.connected - devicesOn[0],
      survivorSockets: await connectedSockets(nodeUrls[0]),
      allReconnectedMs: storm.connectedAt === null ? null : round(storm.connectedAt - killedAt),
      notificationsCreatedWhileDown: stormRows,
      liveSends: stormUsers.length,
      failedSends: stormFailures.length,
      failures: stormFailures,
      expectedDeliveries: expected,
      allCaughtUpMs: stormTimes.length >= expected ? round(stormTimes.at(-1)) : null,
      halfCaughtUpMs: round(percentile(stormTimes, 50)),
      ninetyPercentCaughtUpMs: round(percentile(stormTimes, 90)),
      lost: Math.max(0, expected - stormTimes.length),
      // A notification sent while its device reconnects may come twice, replayed and live: the
      // contract allows it (the client de-duplicates by id; docs/websocket-contract.md), so those
      // are counted apart. Any other notification received twice is a duplicate.
      duplicates: storm.duplicateTitles.filter((title) => !title.startsWith('storm-live:')).length,
      liveAlsoReplayed: storm.duplicateTitles.filter((title) => title.startsWith('storm-live:')).length,
    };
    progress(
      `  ${reconnect.reconnected}/${stormDevices} reconnected to node 0 after ${reconnect.allReconnectedMs} ms; all caught up after ${reconnect.allCaughtUpMs} ms; ` +
        `${reconnect.lost} lost, ${reconnect.duplicates} duplicated (${reconnect.liveAlsoReplayed} live sends also replayed, de-duplicated by id)`,
    );
    await workers.close();
    nodes[0].kill('SIGTERM');
    balancer.kill('SIGTERM');
    await Promise.all([waitForExit(nodes[0]), waitForExit(balancer)]);

    // ---- emit throughput through the Redis adapter (the single-node emit scenario's method)
    const emit = await emitThroughput(workers, users, deviceCounts, scale, bench, processes);
    const ratio = (value) => (value && wsEmit?.deliveriesPerS ? round(value / wsEmit.deliveriesPerS, 2) : null);

    const targetedDuplicates = targetedResult.duplicates - before.duplicates;
    return {
      topology:
        "2 nodes + Redis Streams adapter; user i's devices connect directly to node i % 2; each targeted send is POSTed to the other node; the fan-out is POSTed to node 0; after node 1's SIGKILL its devices reconnect through backend/scripts/load-balancer.js",
      redis: REDIS_URL,
      targets: CLUSTER_TARGETS,
      connections: hold.connections,
      memory: hold.nodes.map(({ sockets, rssPerConnectionKB }) => ({ sockets, rssPerConnectionKB })),
      targeted: {
        p50Ms: targetedResult.p50Ms,
        p99Ms: targetedResult.p99Ms,
        maxMs: targetedResult.maxMs,
        ratePerS: targetedResult.ratePerS,
        lost: targetedResult.expectedDeliveries - targetedResult.deliveries,
        duplicates: targetedDuplicates,
        failedRequests: targetedResult.failedRequests,
        failures: targetedResult.failures,
      },
      fanout: { recipients: fanoutResult.recipients, lastDeliveryMs: fanoutResult.lastDeliveryMs, persistedRows: fanoutResult.persistedRows, expectedRows: fanoutResult.expectedRows },
      emitThroughputRatioVsWs: ratio(emit.crossNode.deliveriesPerS),
      emitSameNodeRatioVsWs: ratio(emit.sameNode.deliveriesPerS),
      emitBurstLost: { crossNode: emit.crossNode.lost, sameNode: emit.sameNode.lost },
      reconnect,
      detail: { hold, targeted: { ...targetedResult, duplicates: targetedDuplicates }, fanout: fanoutResult, emit, wsEmitDeliveriesPerS: wsEmit?.deliveriesPerS ?? null },
    };
  } finally {
    for (const child of processes) child.kill('SIGKILL');
    await Promise.all(processes.map(waitForExit));
    await deleteRedisKeys(redisPrefix).catch((error) => progress(`cluster: could not delete the Redis keys ${redisPrefix}*: ${error.message}`));
    await database.drop();
  }
}

/**
 * run.mjs's emitBurst (scale.bursts rounds of scale.burst per-user emits, the median round's
 * deliveries/s), except that a round ends once nothing has arrived for 3 s: through Redis a burst
 * can lose deliveries (the stream keeps about 10,000 entries; a reader further behind skips the
 * trimmed ones), and a lossy round would otherwise wait for its full timeout. Counts what was lost.
 */
async function burstRounds(workers, url, users, deviceCounts, scale, { post, sampleNotification }) {
  const expected = sum(Array.from({ length: scale.burst }, (_, i) => deviceCounts[i % users.length]));
  const rounds = [];
  for (let round = 0; round < scale.bursts; round++) {
    const startedAt = nowMs();
    const answer = await post(`${url}/burst`, { userIds: users, count: scale.burst, payload: sampleNotification, round });
    if (answer.status !== 201) throw new Error(`the burst failed: ${answer.status} ${answer.error}`);
    let deliveries = 0;
    let last = startedAt;
    // Up to 30 s for the first delivery (a loaded Redis answers the appends late), then 3 s of silence ends the round.
    let lastArrival = nowMs() + 27_000;
    while (deliveries < expected && nowMs() - lastArrival < 3000) {
      const { receipts } = await workers.collect();
      for (const [, at] of receipts) last = Math.max(last, at);
      deliveries += receipts.length;
      if (receipts.length) lastArrival = nowMs();
      else await sleep(100);
    }
    rounds.push({ deliveries, lost: expected - deliveries, deliveriesPerS: deliveries ? Math.round(deliveries / ((last - startedAt) / 1000)) : 0 });
  }
  return {
    deliveries: Math.min(...rounds.map((r) => r.deliveries)),
    expected,
    lost: sum(rounds.map((r) => r.lost)),
    deliveriesPerS: percentile(rounds.map((r) => r.deliveriesPerS).sort((a, b) => a - b), 50),
    rounds,
  };
}

/**
 * The emit scenario's bursts (see burstRounds; the same wire-protocol clients) on two bare
 * Socket.IO servers with the app's cluster adapter: posted to server 0 with every socket on
 * server 1 (each emit crosses Redis: the figure compared with raw `ws`), then with every socket on
 * server 0 (the cluster adapter's local delivery, which skips DirectWriteAdapter's direct write).
 * BENCH_CPU_PROF_DIR=<dir> runs both servers under --cpu-prof.
 */
async function emitThroughput(workers, users, deviceCounts, scale, bench, processes) {
  const prefix = `clinic:bench-emit-${crypto.randomBytes(4).toString('hex')}:`;
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const ports = [await freePort(), await freePort()];
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const servers = ports.map((port) => spawnNode([...profile, path.join(here, 'cluster-emit-server.mjs')], { quiet: true, env: { PORT: String(port), REDIS_URL, KEY_PREFIX: prefix } }));
  processes.push(...servers);
  try {
    await Promise.all(servers.map((server, i) => waitForHttp(`${urls[i]}/health`, 10_000, server)));
    const devices = users.flatMap((userId, index) => Array.from({ length: deviceCounts[index] }, () => ({ userId, token: '' })));
    const results = {};
    for (const [name, posted, receiving] of [['crossNode', 0, 1], ['sameNode', 0, 0]]) {
      progress(`cluster: emit burst through the Redis adapter, ${name === 'crossNode' ? 'sockets on the other server' : 'sockets on the emitting server'}`);
      const { connected } = await workers.connect('socketio-wire', urls[receiving], devices);
      if (connected !== devices.length) throw new Error(`${devices.length - connected} of the burst's sockets did not connect`);
      // The receiving server's stream reader starts with its adapter: give it a moment.
      await sleep(500);
      results[name] = await burstRounds(workers, urls[posted], users, deviceCounts, scale, bench);
      progress(`  ${results[name].deliveriesPerS} deliveries/s (median of ${results[name].rounds.length}); ${results[name].lost} of ${results[name].expected * results[name].rounds.length} lost`);
      await workers.close();
    }
    return results;
  } finally {
    // A clean exit, so --cpu-prof writes its profiles.
    await Promise.all(urls.map((url) => fetch(`${url}/exit`).catch(() => {})));
    await Promise.race([Promise.all(servers.map(waitForExit)), sleep(5000)]);
    await deleteRedisKeys(prefix).catch(() => {});
  }
}

/**
 * What fails the run: a notification lost or duplicated, a send failed, a fan-out row missing.
 * Not the bare bursts' losses (no notification, no seq to recover by): they are printed and kept
 * in `cluster.emitBurstLost`, a property of the adapter's stream length (docs/performance.md).
 */
export function clusterProblems(cluster) {
  const problems = [];
  const { targeted, fanout, reconnect, detail } = cluster;
  if (targeted.lost) problems.push(`cluster: ${targeted.lost} targeted deliveries lost`);
  if (targeted.duplicates) problems.push(`cluster: ${targeted.duplicates} targeted deliveries duplicated`);
  for (const failure of [...targeted.failures, ...reconnect.failures]) problems.push(`cluster: send ${failure.index} (${failure.phase}) failed: ${failure.status} ${failure.error}`);
  if (fanout.recipients !== detail.fanout.expectedRecipients) problems.push(`cluster: fan-out reached ${fanout.recipients} of ${detail.fanout.expectedRecipients} devices`);
  if (fanout.persistedRows !== fanout.expectedRows) problems.push(`cluster: fan-out persisted ${fanout.persistedRows} of ${fanout.expectedRows} rows`);
  if (reconnect.lost) problems.push(`cluster: ${reconnect.lost} lost in the reconnect storm`);
  if (reconnect.duplicates) problems.push(`cluster: ${reconnect.duplicates} duplicated in the reconnect storm`);
  return problems;
}

export function printClusterTable(cluster, rate) {
  const t = CLUSTER_TARGETS;
  const rows = [
    ['cluster.connections', cluster.connections, ''],
    ...cluster.memory.map((node, i) => [`cluster.memory[${i}].rssPerConnectionKB`, `${node.rssPerConnectionKB} (${node.sockets} sockets)`, '']),
    ['cluster.targeted.p50Ms', cluster.targeted.p50Ms, ''],
    ['cluster.targeted.p99Ms', cluster.targeted.p99Ms, `≤ ${t.targetedP99Ms}`],
    ['cluster.targeted.ratePerS', cluster.targeted.ratePerS, `${rate}`],
    ['cluster.targeted.lost / duplicates', `${cluster.targeted.lost} / ${cluster.targeted.duplicates}`, '0 / 0'],
    ['cluster.targeted.failedRequests', cluster.targeted.failedRequests, '0'],
    ['cluster.fanout.recipients', cluster.fanout.recipients, ''],
    ['cluster.fanout.lastDeliveryMs', cluster.fanout.lastDeliveryMs, `≤ ${t.fanoutLastDeliveryMs}`],
    ['cluster.fanout.persistedRows', `${cluster.fanout.persistedRows} / ${cluster.fanout.expectedRows}`, 'all'],
    ['cluster emit deliveries/s (cross-node)', cluster.detail.emit.crossNode.deliveriesPerS, ''],
    ['cluster emit deliveries/s (same node)', cluster.detail.emit.sameNode.deliveriesPerS, ''],
    ['raw ws emit deliveries/s', cluster.detail.wsEmitDeliveriesPerS, ''],
    ['cluster.emitThroughputRatioVsWs', cluster.emitThroughputRatioVsWs, `≥ ${t.emitThroughputRatioVsWs}`],
    ['cluster.emitSameNodeRatioVsWs', cluster.emitSameNodeRatioVsWs, ''],
    ['cluster.emitBurstLost (cross / same)', `${cluster.emitBurstLost.crossNode} / ${cluster.emitBurstLost.sameNode}`, ''],
    ['cluster.reconnect.killedNodeDevices', cluster.reconnect.killedNodeDevices, ''],
    ['cluster.reconnect.allReconnectedMs', cluster.reconnect.allReconnectedMs, ''],
    ['cluster.reconnect.allCaughtUpMs', cluster.reconnect.allCaughtUpMs, ''],
    ['cluster.reconnect.lost / duplicates', `${cluster.reconnect.lost} / ${cluster.reconnect.duplicates}`, '0 / 0'],
    ['cluster.reconnect.liveAlsoReplayed', cluster.reconnect.liveAlsoReplayed, ''],
  ];
  const widths = [40, 24, 10];
  const line = (cells) => cells.map((cell, i) => String(cell ?? '—').padEnd(widths[i])).join(' ');
  console.log(`\ncluster: ${cluster.topology}`);
  console.log(line(['metric', 'app (2 nodes)', 'target']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}
