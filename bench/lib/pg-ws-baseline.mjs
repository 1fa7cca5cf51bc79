// The targeted scenario against bench/pg-ws-baseline-server.mjs: the app's write (its
// create_notifications statement, from raw `pg`) and delivery (raw `ws`) with minimal code, in the
// same run, at the same rate, warm-up and measured seconds, to the same clients. Separates the
// system's own cost (app − pg+ws) from this machine's PostgreSQL (pg+ws − raw ws).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, progress, round, spawnNode, waitForExit, waitForHttp } from './common.mjs';

const here = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Starts the server (it connects to the database lazily), holds the clients over raw WebSocket,
 * runs `targeted` with `send(url)` as the sender, and stops it all. Null on the embedded database:
 * PGlite takes one process at a time, and the node has it.
 */
export async function pgWsBaselinePhase({ database, workers, devices, senderId, runTargeted }) {
  if (!process.env.DATABASE_URL) {
    progress('raw pg + ws baseline of the targeted scenario skipped: it needs DATABASE_URL (the embedded database takes one process at a time)');
    return null;
  }
  const port = await freePort();
  const server = spawnNode([path.join(here, 'pg-ws-baseline-server.mjs')], {
    env: { PORT: String(port), DATABASE_URL: database.nodeEnv().DATABASE_URL, SENDER_ID: senderId },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/health`, 10_000, server);
    const { connected, failed } = await workers.connect('ws', `ws://127.0.0.1:${port}`, devices);
    progress(`raw pg + ws baseline: ${connected} sockets connected (${failed} failed); targeted`);
    const result = await runTargeted(url, server.pid);
    await workers.close();
    return { connections: connected, targeted: result };
  } finally {
    server.kill('SIGKILL');
    await waitForExit(server);
  }
}

/** latest.json's `targeted.pgWsBaseline`: the baseline's figures, and the app's relative to them. */
export function pgWsFigures(app, baseline) {
  if (!baseline) return null;
  const t = baseline.targeted;
  const ratio = (a, b) => (a && b ? round(a / b, 2) : null);
  return {
    p50Ms: t.p50Ms,
    p99Ms: t.p99Ms,
    maxMs: t.maxMs,
    ratePerS: t.ratePerS,
    responseP50Ms: t.responseP50Ms,
    responseP99Ms: t.responseP99Ms,
    lost: t.expectedDeliveries - t.deliveries,
    duplicates: t.duplicates,
    failedRequests: t.failedRequests,
    failures: t.failures,
    appVsBaseline: { p50: ratio(app.p50Ms, t.p50Ms), p99: ratio(app.p99Ms, t.p99Ms) },
  };
}

/** Lost, duplicated or failed sends of the baseline: its figures would not be comparable. */
export function pgWsProblems(figures) {
  if (!figures) return [];
  const problems = [];
  if (figures.lost) problems.push(`${figures.lost} deliveries lost by the raw pg + ws baseline`);
  if (figures.duplicates) problems.push(`${figures.duplicates} deliveries duplicated by the raw pg + ws baseline`);
  for (const failure of figures.failures) problems.push(`raw pg + ws baseline: send ${failure.index} (${failure.phase}) failed: ${failure.status} ${failure.error}`);
  return problems;
}

/** The targeted scenario side by side: the app, the same write with minimal code, delivery alone. */
export function printPgWsTable(results) {
  const app = results.targeted;
  const pg = results.targeted.pgWsBaseline;
  const ws = results.detail.baseline.targeted;
  if (!pg) {
    console.log('\ntargeted vs raw pg + ws: skipped (needs DATABASE_URL)');
    return;
  }
  const rows = [
    ['targeted.p50Ms', app.p50Ms, pg.p50Ms, ws.p50Ms],
    ['targeted.p99Ms', app.p99Ms, pg.p99Ms, ws.p99Ms],
    ['targeted.maxMs', app.maxMs, pg.maxMs, ws.maxMs],
    ['targeted.responseP99Ms (REST answer)', results.detail.app.targeted.responseP99Ms, pg.responseP99Ms, ws.responseP99Ms],
    ['targeted.ratePerS', app.ratePerS, pg.ratePerS, ws.ratePerS],
    ['targeted.failedRequests', app.failedRequests, pg.failedRequests, ws.failedRequests],
    ['targeted.lost', app.lost, pg.lost, ws.expectedDeliveries - ws.deliveries],
  ];
  const widths = [38, 10, 12, 10];
  const line = (cells) => cells.map((cell, i) => String(cell ?? '—').padEnd(widths[i])).join(' ');
  console.log('\ntargeted: the same write and delivery with minimal code (raw pg + ws), and delivery alone (raw ws)');
  console.log(line(['metric', 'app', 'raw pg+ws', 'raw ws']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}
