// Scale mode, `npm run bench -- --sockets 50000`: many authenticated sockets on one node.
//
//   memory per idle connection   RSS growth over the sockets, after a full GC (inspector), with
//                                its V8-heap / off-heap split and the kernel's TCP memory
//   broadcast                    one send to everyone: persisted (rows counted) and delivered to
//                                every socket (last delivery)
//   reconnect storm              the node SIGKILLed, a notification per user written while it is
//                                down, the node restarted: every client caught up, none lost
//                                or duplicated
//
// The clients are spread over several loopback source addresses (127.0.0.2, 127.0.0.3, …: the
// whole 127.0.0.0/8 is local on Linux): one source address has only the ephemeral port range
// (/proc/sys/net/ipv4/ip_local_port_range, 28,232 ports here) toward one server port. Not
// 127.0.0.1, whose ephemeral ports the other processes need (a listen on port 0 failed with
// EADDRINUSE once 33,000 sockets in TIME_WAIT held them). And over as many client processes as
// their file-descriptor limit and CPU need.
//
// One process cannot hold more sockets than its RLIMIT_NOFILE. spawnNode raises the soft limit to
// the hard one; a hard limit below the sockets asked for can only be raised by a process with
// CAP_SYS_RESOURCE (root outside a container: `ulimit -Hn 100000`, or LimitNOFILE= in systemd).
// Past it, accept() fails with EMFILE: so the run holds what the limit allows, says so, and
// records both figures. Writes bench/results/scale.json and prints a table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { CpuSampler, freePort, InspectorGc, killAll, nowMs, progress, round, rssKiB, signAccessToken, waitForExit, waitForHttp } from './lib/common.mjs';
import { BenchDatabase } from './lib/database.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

const TARGETS = { rssPerConnectionKB: 10, broadcastLastDeliveryMs: 3_000, reconnectAllCaughtUpMs: 30_000 };
// File descriptors the node needs besides its sockets: its database pool, files, the inspector, stdio.
const SERVER_FD_RESERVE = 250;
// Sockets per client process: socket.io-client holds about 45 KB each (460 MB of RSS for 9,875),
// and one process's event loop (one core at most) does the handshakes and receipts of its share.
const SOCKETS_PER_CLIENT = 12_500;
// Sockets per loopback source address, well below the ephemeral range toward one server port: the
// reconnect storm holds a port per client twice for a while (the old connection in TIME_WAIT on
// the client's side when it closed first, the new one).
const SOCKETS_PER_SOURCE_ADDRESS = 10_000;

/** `--sockets 50000` or `--sockets=50000`; null without it. */
export function requestedSockets(argv = process.argv) {
  const index = argv.findIndex((arg) => arg === '--sockets' || arg.startsWith('--sockets='));
  if (index === -1) return null;
  const value = argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
  const sockets = Number(value);
  if (!Number.isInteger(sockets) || sockets < 100) throw new Error(`--sockets needs a number of sockets (at least 100), not ${value}`);
  return sockets;
}

/** A process's soft and hard limit of open files, from /proc. */
function nofileLimits(pid = 'self') {
  const line = fs.readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/);
  return { soft: Number(soft), hard: Number(hard) };
}

/** The kernel's TCP sockets in use and the memory of their buffers (pages of 4 KiB), /proc/net/sockstat. */
function tcpKernel() {
  const line = fs.readFileSync('/proc/net/sockstat', 'utf8').split('\n').find((l) => l.startsWith('TCP:'));
  const field = (name) => Number(new RegExp(`${name} (\\d+)`).exec(line)?.[1] ?? 0);
  return { inuse: field('inuse'), memKiB: field('mem') * 4 };
}

const openFds = (pid) => fs.readdirSync(`/proc/${pid}/fd`).length;

/** process.memoryUsage() of the node, through its inspector (Runtime.evaluate). */
async function memoryUsage(inspectorUrl) {
  const WebSocket = require('ws');
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  try {
    return await new Promise((resolve, reject) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.id !== 1) return;
        if (message.result?.result?.value) resolve(JSON.parse(message.result.result.value));
        else reject(new Error(`memoryUsage through the inspector failed: ${String(data).slice(0, 300)}`));
      });
      socket.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: 'JSON.stringify(process.memoryUsage())' } }));
    });
  } finally {
    socket.close();
  }
}

/**
 * The whole scale run. `bench` holds run.mjs's orchestration (its Workers, node start, hold,
 * gather, fanout, post), so that the sockets are held and measured exactly as in the other runs.
 */
export async function runScale({ requested, jwtSecret, bench }) {
  const { Workers, planPopulation, startNode, hold, gather, fanout, post } = bench;
  const limits = nofileLimits();
  const capacity = limits.hard - SERVER_FD_RESERVE;
  const sockets = Math.min(requested, capacity);
  if (sockets < requested) {
    progress(
      `scale: ${requested} sockets asked for, ${sockets} held: one process may open ${limits.hard} files (RLIMIT_NOFILE hard limit), ` +
        `and only a process with CAP_SYS_RESOURCE can raise it (not this one). ${SERVER_FD_RESERVE} are kept for the node's pool, files and inspector`,
    );
  }
  const clientProcesses = Math.max(2, Math.ceil(sockets / Math.min(SOCKETS_PER_CLIENT, limits.hard - 100)));
  const sourceAddresses = Array.from({ length: Math.max(1, Math.ceil(sockets / SOCKETS_PER_SOURCE_ADDRESS)) }, (_, i) => `127.0.0.${i + 2}`);
  const deviceCounts = planPopulation(sockets);
  progress(`scale: ${deviceCounts.length} users, ${sockets} sockets, ${clientProcesses} client processes, source addresses ${sourceAddresses.join(', ')}`);

  const database = await BenchDatabase.create();
  progress(`database: ${database.description}`);
  const { userIds: users, adminId, sessionOf } = await database.seedUsers(deviceCounts.length);
  const tokens = users.map((id) => signAccessToken(jwtSecret, id, sessionOf.get(id), 3 * 3600));
  const adminToken = signAccessToken(jwtSecret, adminId, sessionOf.get(adminId), 3 * 3600);
  let n = 0;
  const devices = users.flatMap((userId, index) =>
    Array.from({ length: deviceCounts[index] }, () => ({ userId, token: tokens[index], localAddress: sourceAddresses[n++ % sourceAddresses.length] })),
  );
  const workers = new Workers(clientProcesses);
  const phases = {};
  const startedAt = nowMs();
  let node;
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    node = startNode(port, database, true);
    const inspector = await InspectorGc.attach(node);
    await waitForHttp(`${url}/api/health/ready`, 60_000, node);
    const serverLimits = nofileLimits(node.pid);
    const auth = { authorization: `Bearer ${adminToken}` };

    // ---- memory per idle connection
    progress(`scale: hold (node may open ${serverLimits.hard} files)`);
    const readings = [];
    let mark = nowMs();
    let cpu = CpuSampler.ofProcesses({ server: () => [node.pid], clients: () => workers.pids() });
    const holdResult = await hold(workers, 'socketio', url, devices, node.pid, async () => {
      // Twice: the first full GC's finalizers (closed sockets' handles) free more for the second.
      await inspector.collect();
      await inspector.collect();
      readings.push({ memory: await memoryUsage(inspector.url), kernel: tcpKernel(), fds: openFds(node.pid) });
    });
    phases.holdSeconds = round((nowMs() - mark) / 1000);
    const holdRefusals = await refusals(workers);
    const holdCpu = meanPercents(cpu.stop());
    const [before, after] = readings.slice(-2);
    const perSocket = (a, b) => round((b - a) / 1024 / holdResult.connections, 2);
    const memory = {
      ...holdResult,
      breakdownKBPerConnection: {
        rss: holdResult.rssPerConnectionKB,
        v8HeapUsed: perSocket(before.memory.heapUsed, after.memory.heapUsed),
        v8HeapTotal: perSocket(before.memory.heapTotal, after.memory.heapTotal),
        external: perSocket(before.memory.external, after.memory.external),
        arrayBuffers: perSocket(before.memory.arrayBuffers, after.memory.arrayBuffers),
        // RSS outside V8's heap: libuv handles and Node's TCP wraps, malloc'd buffers.
        rssOutsideV8Heap: round(holdResult.rssPerConnectionKB - perSocket(before.memory.heapTotal, after.memory.heapTotal), 2),
        // Not in the node's RSS: both ends' socket buffers in the kernel (the clients' too).
        kernelTcpBothEnds: round(((after.kernel.memKiB - before.kernel.memKiB) * 1.024) / holdResult.connections, 2),
      },
      nodeFileDescriptors: after.fds,
      nodeRssMiB: round(rssKiB(node.pid) / 1024),
      connectsPerS: round(holdResult.connections / holdResult.connectSeconds),
      // Handshakes the node refused and the clients retried (server_error: sessions not checked in time).
      refusedHandshakes: holdRefusals,
      cpuPercentOfOneCore: holdCpu,
    };

    // ---- broadcast to everyone
    progress('scale: broadcast to every user');
    mark = nowMs();
    const broadcast = await fanout(
      workers,
      () => post(`${url}/api/notifications/test`, { title: 'fanout', message: 'Benchmark broadcast', target: { all: true } }, auth),
      devices.length,
    );
    phases.broadcastSeconds = round((nowMs() - mark) / 1000);

    // ---- reconnect storm
    progress('scale: reconnect storm (node killed, a notification per user created while it is down, node restarted)');
    mark = nowMs();
    node.kill('SIGKILL');
    await waitForExit(node);
    broadcast.persistedRows = await database.countNotifications('fanout');
    broadcast.expectedRows = users.length + 1;
    const stormRows = await database.insertWhileDown('storm');
    const restartedAt = nowMs();
    node = startNode(port, database);
    cpu = CpuSampler.ofProcesses({ server: () => [node.pid], clients: () => workers.pids() });
    // Every 5 s: how many are connected and caught up, and the node's open files (EMFILE shows here).
    const timeline = [];
    let caughtUp = 0;
    const ticker = setInterval(async () => {
      const fds = node.exitCode === null ? (() => { try { return openFds(node.pid); } catch { return null; } })() : null;
      timeline.push({ s: round((nowMs() - restartedAt) / 1000), caughtUp, nodeFds: fds });
      progress(`  +${timeline.at(-1).s} s: ${caughtUp} caught up, node has ${fds} files open`);
    }, 5000);
    const storm = await gather(
      workers,
      (r) => (caughtUp = r.filter(([title]) => title === 'storm').length) >= devices.length,
      90_000,
    );
    clearInterval(ticker);
    const stormCpu = meanPercents(cpu.stop());
    const stormTimes = storm.received.filter(([title]) => title === 'storm').map(([, at]) => at - restartedAt).sort((a, b) => a - b);
    const { connected } = await workers.collect();
    const reconnect = {
      clients: devices.length,
      reconnected: connected,
      notificationsCreatedWhileDown: stormRows,
      caughtUp: stormTimes.length,
      allCaughtUpMs: stormTimes.length === devices.length ? round(stormTimes.at(-1)) : null,
      // Of all the clients, not of those that caught up: null while fewer had.
      halfCaughtUpMs: round(ofAll(stormTimes, devices.length, 50)),
      ninetyPercentCaughtUpMs: round(ofAll(stormTimes, devices.length, 90)),
      lost: devices.length - stormTimes.length,
      duplicates: storm.duplicates,
      refreshInsteadOfReplay: storm.refreshes,
      refusedHandshakes: subtract(await refusals(workers), holdRefusals),
      cpuPercentOfOneCore: stormCpu,
      timeline,
    };
    phases.stormSeconds = round((nowMs() - mark) / 1000);
    await workers.close();

    const results = {
      mode: 'scale',
      date: new Date().toISOString(),
      database: database.description,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim(), memoryGiB: round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release() },
      requestedSockets: requested,
      sockets: devices.length,
      users: users.length,
      limitedBy: sockets < requested ? `RLIMIT_NOFILE: hard limit ${limits.hard} open files per process, not raisable here (no CAP_SYS_RESOURCE)` : null,
      limits: {
        nofileBench: limits,
        nofileNode: serverLimits,
        ephemeralPorts: fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().replace(/\s+/, '–'),
        somaxconn: Number(fs.readFileSync('/proc/sys/net/core/somaxconn', 'utf8')),
      },
      clientProcesses,
      sourceAddresses,
      targets: TARGETS,
      memory,
      broadcast,
      reconnect,
      phaseSeconds: { ...phases, total: round((nowMs() - startedAt) / 1000) },
    };
    fs.mkdirSync(path.join(here, 'results'), { recursive: true });
    fs.writeFileSync(path.join(here, 'results/scale.json'), `${JSON.stringify(results, null, 2)}\n`);
    printScaleTable(results);
    progress('results written to bench/results/scale.json');
    const problems = [];
    if (memory.failed) problems.push(`${memory.failed} sockets failed to connect`);
    if (broadcast.recipients !== devices.length) problems.push(`the broadcast reached ${broadcast.recipients} of ${devices.length} sockets`);
    if (broadcast.persistedRows !== broadcast.expectedRows) problems.push(`the broadcast persisted ${broadcast.persistedRows} of ${broadcast.expectedRows} rows`);
    if (reconnect.lost) problems.push(`${reconnect.lost} lost in the reconnect storm`);
    if (reconnect.duplicates) problems.push(`${reconnect.duplicates} duplicated in the reconnect storm`);
    for (const problem of problems) console.error(`FAILED: ${problem}`);
    if (problems.length) process.exitCode = 1;
  } finally {
    workers.stop();
    node?.kill('SIGKILL');
    if (node) await waitForExit(node);
    await database.drop();
    killAll();
  }
}

/** The clients' refused handshakes so far, by reason, summed over the client processes. */
async function refusals(workers) {
  const total = {};
  for (const reply of await workers.all({ cmd: 'refusals' })) for (const [reason, n] of Object.entries(reply.refusals)) total[reason] = (total[reason] ?? 0) + n;
  return total;
}
const subtract = (a, b) => Object.fromEntries(Object.entries(a).map(([reason, n]) => [reason, n - (b[reason] ?? 0)]).filter(([, n]) => n > 0));
const refusalText = (counts) => Object.entries(counts).map(([reason, n]) => `${n} ${reason}`).join(', ') || '0';

/** The time by which p % of all `count` clients had caught up (`sorted` holds those that did); null if fewer did. */
function ofAll(sorted, count, p) {
  const index = Math.ceil((p / 100) * count) - 1;
  return index < sorted.length ? sorted[index] : null;
}

const meanPercents = (samples) => Object.fromEntries(Object.entries(samples).map(([label, { meanPercent }]) => [label, meanPercent]));

function printScaleTable(r) {
  const verdict = (value, target, below = true) => (value === null ? 'NOT met' : (below ? value <= target : value >= target) ? 'met' : 'NOT met');
  const b = r.memory.breakdownKBPerConnection;
  const rows = [
    ['sockets held (asked for)', `${r.sockets} (${r.requestedSockets})`, '', r.sockets === r.requestedSockets ? '' : 'limit'],
    ['connect time, s (connects/s)', `${r.memory.connectSeconds} (${r.memory.connectsPerS})`, '', ''],
    ['handshakes refused and retried (hold)', refusalText(r.memory.refusedHandshakes), '', ''],
    ['hold CPU %: node / clients / postgres / machine', `${r.memory.cpuPercentOfOneCore.server} / ${r.memory.cpuPercentOfOneCore.clients} / ${r.memory.cpuPercentOfOneCore.postgres} / ${r.memory.cpuPercentOfOneCore.machineBusy}`, '', ''],
    ['memory per idle connection, KB (RSS)', b.rss, `≤ ${TARGETS.rssPerConnectionKB}`, verdict(b.rss, TARGETS.rssPerConnectionKB)],
    ['  of which V8 heap (total / used), KB', `${b.v8HeapTotal} / ${b.v8HeapUsed}`, '', ''],
    ['  outside V8 heap, KB', b.rssOutsideV8Heap, '', ''],
    ['  kernel TCP, both ends (not RSS), KB', b.kernelTcpBothEnds, '', ''],
    ['broadcast: recipients', `${r.broadcast.recipients} / ${r.sockets}`, '', ''],
    ['broadcast: rows persisted', `${r.broadcast.persistedRows} / ${r.broadcast.expectedRows}`, '', ''],
    ['broadcast: accepted, ms', r.broadcast.acceptedMs, '', ''],
    ['broadcast: last delivery, ms', r.broadcast.lastDeliveryMs, `≤ ${TARGETS.broadcastLastDeliveryMs}`, verdict(r.broadcast.lastDeliveryMs, TARGETS.broadcastLastDeliveryMs)],
    ['storm: all caught up, ms', r.reconnect.allCaughtUpMs, `≤ ${TARGETS.reconnectAllCaughtUpMs}`, verdict(r.reconnect.allCaughtUpMs, TARGETS.reconnectAllCaughtUpMs)],
    ['storm: caught up (of all)', `${r.reconnect.caughtUp} / ${r.sockets}`, '', ''],
    ['storm: 50 % / 90 % caught up, ms', `${r.reconnect.halfCaughtUpMs ?? '—'} / ${r.reconnect.ninetyPercentCaughtUpMs ?? '—'}`, '', ''],
    ['handshakes refused and retried (storm)', refusalText(r.reconnect.refusedHandshakes), '', ''],
    ['storm CPU %: node / clients / postgres / machine', `${r.reconnect.cpuPercentOfOneCore.server} / ${r.reconnect.cpuPercentOfOneCore.clients} / ${r.reconnect.cpuPercentOfOneCore.postgres} / ${r.reconnect.cpuPercentOfOneCore.machineBusy}`, '', ''],
    ['storm: lost / duplicated', `${r.reconnect.lost} / ${r.reconnect.duplicates}`, '0 / 0', r.reconnect.lost || r.reconnect.duplicates ? 'NOT met' : 'met'],
  ];
  const widths = [48, 22, 10, 8];
  const line = (cells) => cells.map((cell, i) => String(cell ?? '—').padEnd(widths[i])).join(' ');
  console.log(`\nscale run, ${r.database}, ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}; ${r.clientProcesses} client processes over ${r.sourceAddresses.length} source address(es)`);
  if (r.limitedBy) console.log(`held ${r.sockets} of ${r.requestedSockets} sockets: ${r.limitedBy}`);
  console.log(line(['metric', 'app', 'target', '']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}
